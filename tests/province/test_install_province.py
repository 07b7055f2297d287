"""`make install-province`'s database steps for real, on the PostgreSQL cluster the tests start: the role
and database the install makes on a local cluster, the province's migrations, its org tree and first
admin through the installed code over the unix-socket URL it writes, the nightly pg_dump, and an
uninstall that leaves the database. (Only the account, the venv and systemctl are left to a real machine.)"""
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2
from factories import ROOT
from postgres import free_port

sys.path.insert(0, str(ROOT / "scripts"))
import install  # noqa: E402
import install_database  # noqa: E402

FLASK = str(Path(sys.executable).parent / "flask")


def ask(postgres, sql, dbname="postgres", user="postgres"):
    con = psycopg2.connect(host="127.0.0.1", port=postgres.port, user=user, dbname=dbname)
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        con.close()


def healthz(port):
    for _ in range(200):
        try:
            return urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5).read()
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the province did not answer")


def test_the_province_install_makes_its_database_migrates_loads_the_tree_and_its_admin(postgres, tmp_path, capsys,
                                                                                      monkeypatch):
    database = install_database
    superuser = database.PSQL + ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    assert database.local_database(superuser) == database.LOCAL_URL == "postgresql://portal-province@/province"
    assert database.local_database(superuser) == database.LOCAL_URL  # again: both kept as they are
    assert ask(postgres, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'province'") == [
        ("portal-province",)]
    assert ask(postgres, "SELECT rolcanlogin, rolsuper, rolcreatedb FROM pg_roles WHERE rolname = 'portal-province'") \
        == [(True, False, False)]

    # the URL the install writes by default, over the unix socket: libpq finds the test cluster's socket by
    # PGHOST/PGPORT where Debian's cluster has its own at the default place (/var/run/postgresql, 5432)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PGHOST", postgres.dir)
    monkeypatch.setenv("PGPORT", str(postgres.port))
    install.main(["install-province", "--root", str(tmp_path), "--address", "10.20.30.50", "--hostname", "province-pc",
                  "--flask", FLASK])
    said = capsys.readouterr().out
    assert "本机 PostgreSQL" in said and "已应用迁移" in said and "组织机构已载入" in said
    assert "已创建省局管理员账户 shengju。一次性密码" in said
    prefix = tmp_path / "opt/portal-province"
    assert "DATABASE_URL = 'postgresql://portal-province@/province'" in (prefix / "instance/config.py").read_text()
    in_province = lambda sql: ask(postgres, sql, "province", "portal-province")  # noqa: E731
    assert in_province("SELECT username, role, must_change_password FROM \"user\"") == [
        ("shengju", "province_admin", True)]
    assert in_province("SELECT count(*) FROM org_unit WHERE level = 'prefecture'") == [(9,)]
    assert in_province("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'") == [("portal-province",)]
    assert not in_province("SELECT 1 FROM pg_tables WHERE tablename = 'person'")  # the province holds no person data

    install.main(["install-province", "--root", str(tmp_path), "--address", "10.20.30.50", "--hostname", "province-pc",
                  "--flask", FLASK])  # again: nothing to migrate, the admin kept
    said = capsys.readouterr().out
    assert "数据库已是最新版本" in said and "shengju 已存在" in said
    assert in_province("SELECT count(*) FROM \"user\"") == [(1,)]

    # what portal-province.service starts (its ExecStart): the province serves and its /healthz answers ok
    port = free_port()
    server = subprocess.Popen([FLASK, "--app", "portal", "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=prefix,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert healthz(port) == b"ok\n"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "专地融合省级汇总平台：http://127.0.0.1:%d" % port in out.decode(), err.decode()[-2000:]

    backup = subprocess.run([sys.executable, "scripts/province_backup.py"], cwd=prefix, capture_output=True, text=True)
    assert backup.returncode == 0, backup.stderr
    dumps = list((prefix / "instance/backups").glob("province-*.dump"))
    assert len(dumps) == 1 and (dumps[0].stat().st_mode & 0o777) == 0o600
    listing = subprocess.run(["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True)
    assert "TABLE public audit_log" in listing.stdout and "TABLE public org_unit" in listing.stdout
    assert in_province("SELECT action, object_type FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("backup.create", "backup")]
    assert "province-" in (prefix / "instance/audit-anchors.log").read_text().splitlines()[-1]

    install.main(["uninstall-province", "--root", str(tmp_path)])
    assert sorted(p.name for p in prefix.iterdir()) == ["instance"] and dumps[0].exists()
    assert in_province("SELECT count(*) FROM \"user\"") == [(1,)]  # the database is never touched
