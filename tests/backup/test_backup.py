"""Backup and restore (B1): online backup during writes, manifest, tamper checks, rotation, the drill."""
import collections
import configparser
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from factories import PASSWORD, ROOT, make_person, text_of

from portal import create_app
from portal.backup import make as backup
from portal.backup import restore as restoring
from portal.backup.manifest import describe, manifest_path, read_manifest, sha256, uploads_copy
from portal.db import database
from portal.models import AuditLog, FamilyMember


def dump(path):
    con = sqlite3.connect(str(path))
    try:
        return list(con.iterdump())
    finally:
        con.close()


def live_db(app):
    return Path(app.config["DATABASE"])


def make_backup(app, **kwargs):
    with app.app_context():
        return backup.make_backup(**kwargs)


def seed_family(app, person, n):
    """Enough rows that a backup takes long enough for writes to land during it."""
    with app.app_context(), database.atomic():
        for start in range(0, n, 500):
            FamilyMember.insert_many([{"person": person.id, "name": "亲属%d" % i, "relation": "兄弟"}
                                      for i in range(start, min(n, start + 500))]).execute()


def test_backup_during_writes_restores_to_an_identical_dump(app, users, tmp_path):
    person = make_person(worker=users["worker"].id)
    seed_family(app, person, 20000)
    done, stop, errors = [], threading.Event(), []

    def writer():
        client = app.test_client()
        try:
            assert client.post("/login", data={"username": "worker", "password": PASSWORD}).status_code == 302
            while not stop.is_set():
                response = client.post("/persons/%d/family/" % person.id, data={"name": "写入中", "relation": "母亲"})
                assert response.status_code in (200, 302, 303)
                done.append(time.monotonic())
        except BaseException as exc:  # reported below: an assert in a thread would be lost
            errors.append(exc)
        finally:
            database.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(done) < 5 and thread.is_alive():
            time.sleep(0.01)
        for _ in range(20):
            started = time.monotonic()
            made = make_backup(app)
            finished = time.monotonic()
            written_during = [t for t in done if started < t < finished]
            if written_during:
                break
    finally:
        stop.set()
        thread.join(30)
    assert not errors, errors
    assert written_during, "no write completed while a backup was running"
    acknowledged_before = len([t for t in done if t < started])
    total = len(done)
    with app.app_context():
        assert FamilyMember.select().count() == 20000 + total  # every acknowledged write is stored

    path, manifest = made["path"], made["manifest"]
    in_backup = manifest["tables"]["family_member"] - 20000
    assert acknowledged_before <= in_backup <= total
    with app.app_context():
        assert restoring.verify(path) == []

    scratch_db = tmp_path / "scratch" / "portal.sqlite3"
    scratch = create_app({"TESTING": True, "SECRET_KEY": "s" * 40, "DATABASE": str(scratch_db),
                          "AUDIT_KEY_FILE": str(tmp_path / "lost" / "audit.key")})
    with scratch.app_context():  # a new machine without the audit key: refused before anything changes
        with pytest.raises(backup.BackupError, match="审计密钥"):
            restoring.restore(path, other_key=True)
        assert not scratch_db.exists() or "audit_log" not in "".join(dump(scratch_db))
    scratch = create_app({"TESTING": True, "SECRET_KEY": "s" * 40, "DATABASE": str(scratch_db),
                          "AUDIT_KEY_FILE": app.config["AUDIT_KEY_FILE"]})  # the key, kept apart, put back
    with scratch.app_context():  # another key: a new machine whose instance/config.py was lost
        with pytest.raises(backup.BackupError, match="清单签名不符"):
            restoring.restore(path)
        restoring.restore(path, other_key=True)
    restored, original = dump(scratch_db), dump(path)
    added = collections.Counter(restored) - collections.Counter(original)
    assert not collections.Counter(original) - collections.Counter(restored)
    assert len(added) == 1
    (line,) = added
    assert line.startswith('INSERT INTO "audit_log"') and "backup.restore" in line
    inserts = collections.Counter(line.split('"')[1] for line in original if line.startswith("INSERT INTO"))
    assert {table: inserts.get(table, 0) for table in manifest["tables"]} == manifest["tables"]
    assert manifest["tables"]["person"] == 1


def test_restore_over_the_live_database_brings_back_the_backup(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    uploads = live_db(app).parent / "uploads" / "attachments"
    uploads.mkdir(parents=True)
    (uploads / "scan.pdf").write_bytes(b"%PDF-1.4 original")
    login_as("worker")  # before the backup: its server-side session is in the backup too
    made = make_backup(app)
    assert client.post("/persons/%d/family/" % person.id, data={"name": "备份后添加", "relation": "母亲"}).status_code < 400
    (uploads / "scan.pdf").write_bytes(b"%PDF-1.4 overwritten")
    with app.app_context():
        done = restoring.restore(made["path"])
    added = collections.Counter(dump(live_db(app))) - collections.Counter(dump(made["path"]))
    assert len(added) == 1 and "backup.restore" in next(iter(added))
    assert (uploads / "scan.pdf").read_bytes() == b"%PDF-1.4 original"
    assert describe(done["safety_backup"])[0]["family_member"] == 1
    page = client.get("/persons/%d" % person.id)  # the server's open connection sees the restored data
    assert page.status_code == 200 and "张三" in text_of(page) and "备份后添加" not in text_of(page)


def flip_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def edit_row(path):
    con = sqlite3.connect(str(path))
    con.execute("UPDATE person SET name = '王五'")
    con.commit()
    con.close()


def delete_row_and_fix_hash(path):
    con = sqlite3.connect(str(path))
    con.execute("DELETE FROM family_member")
    con.commit()
    con.close()
    edit_manifest(path, sha256=sha256(path))


def edit_manifest(path, **changes):
    manifest = read_manifest(path)
    manifest.update(changes)
    manifest_path(path).write_text(json.dumps(manifest), encoding="utf-8")


def change_count(path):
    manifest = read_manifest(path)
    edit_manifest(path, tables=dict(manifest["tables"], person=2))


def change_upload(path):
    (uploads_copy(path) / "photo.jpg").write_bytes(b"\xff\xd8\xff changed")


def add_upload(path):
    (uploads_copy(path) / "extra.jpg").write_bytes(b"\xff\xd8\xff")


def edit_row_keep_counts_fix_hash(path):
    """The tamperer who knows the format: same row counts, a recomputed hash; only the signature catches it."""
    edit_row(path)
    edit_manifest(path, sha256=sha256(path), size=path.stat().st_size)


def drop_manifest(path):
    manifest_path(path).unlink()


@pytest.mark.parametrize("tamper, problem", [
    (flip_byte, "SHA-256 与清单不符"),
    (edit_row, "SHA-256 与清单不符"),
    (delete_row_and_fix_hash, "表 family_member 有 0 行，清单记载 1 行"),
    (change_count, "表 person 有 1 行，清单记载 2 行"),
    (change_upload, "附件 photo.jpg 的 SHA-256 与清单不符"),
    (add_upload, "清单未记载的文件 extra.jpg"),
    (drop_manifest, "缺少清单文件"),
    (edit_row_keep_counts_fix_hash, "清单签名不符"),
])
def test_a_tampered_backup_is_refused_and_the_live_database_is_unchanged(app, users, tamper, problem):
    person = make_person(worker=users["worker"].id)
    (live_db(app).parent / "uploads").mkdir()
    (live_db(app).parent / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8\xff original")
    with app.app_context():
        FamilyMember.create(person=person, name="李四", relation="母亲")
    path = make_backup(app)["path"]
    with app.app_context():
        assert restoring.verify(path) == []
    tamper(path)
    with app.app_context():
        FamilyMember.create(person=person, name="备份后", relation="父亲")
    before, files = dump(live_db(app)), sorted(os.listdir(path.parent))
    with app.app_context():
        problems = restoring.verify(path)
    assert any(problem in p for p in problems), problems
    with app.app_context(), pytest.raises(backup.BackupError, match="拒绝恢复"):
        restoring.restore(path)
    assert dump(live_db(app)) == before
    assert sorted(os.listdir(path.parent)) == files  # not even a safety backup was made


def test_rotation_keeps_the_newest(app, clock):
    app.config["BACKUP_KEEP"] = 3
    made = []
    for _ in range(5):
        made.append(make_backup(app)["path"])
        clock.advance(hours=1)
    (made[0].parent / "README.txt").write_text("not a backup")
    same_second = [make_backup(app)["path"], make_backup(app)["path"]]
    assert same_second[0].name == "portal-20261120-150000.sqlite3"
    assert same_second[1].name == "portal-20261120-150000-1.sqlite3"
    kept = backup.list_backups(made[0].parent)
    assert kept == [made[4]] + same_second
    assert sorted(os.listdir(made[0].parent)) == sorted(
        ["README.txt"] + [n for p in kept for n in (p.name, p.name + ".manifest.json", p.name[:-8] + ".uploads")])
    with app.app_context():
        assert backup.last_backup()["name"] == same_second[1].name


def test_lead_backs_up_from_the_settings_page(app, client, users, login_as, clock):
    login_as("lead")
    page = text_of(client.get("/settings/"))
    assert "数据备份" in page and "尚未备份过。" in page
    response = client.post("/settings/backup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/#backup")
    page = text_of(client.get("/settings/"))
    (path,) = backup.list_backups(live_db(app).parent / "backups")
    assert "备份完成：%s" % path.name in page and "校验通过" in page and "尚未备份过" not in page
    manifest = read_manifest(path)
    with app.app_context():
        row = AuditLog.select().where(AuditLog.action == "backup.create").get()
    detail = json.loads(row.detail)
    assert row.username == "lead" and detail["file"] == path.name and detail["sha256"] == manifest["sha256"]
    assert detail["sha256"] == sha256(path)
    assert "天前" not in page
    clock.advance(days=3)  # the nightly timer stopped: the panel says so
    login_as("lead")
    assert "最近一次备份已是 3 天前" in text_of(client.get("/settings/"))


def test_worker_cannot_back_up(app, client, users, login_as):
    login_as("worker")
    assert client.post("/settings/backup").status_code == 403
    assert not (live_db(app).parent / "backups").exists()


def test_cli_backup_verify_and_restore(app, runner, users, tmp_path):
    make_person("张三")
    result = runner.invoke(args=["backup", "--dest", str(tmp_path / "usb")])
    assert result.exit_code == 0 and "备份完成" in result.output and "完整性检查通过" in result.output
    (path,) = backup.list_backups(tmp_path / "usb")
    result = runner.invoke(args=["verify-backup", str(path)])
    assert result.exit_code == 0 and "校验通过" in result.output
    make_person("李四")
    before = dump(live_db(app))
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code != 0 and dump(live_db(app)) == before
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0 and "恢复完成" in result.output and "恢复前的数据库已备份到" in result.output
    with app.app_context():
        assert describe(live_db(app))[0]["person"] == 1
        assert AuditLog.select().where(AuditLog.action == "backup.restore").count() == 1
    edit_row(path)
    result = runner.invoke(args=["verify-backup", str(path)])
    assert result.exit_code == 1 and "SHA-256 与清单不符" in result.output
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1 and "拒绝恢复" in result.output


def drill(app, *args):
    env = {**os.environ, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"], "PORTAL_DATABASE": app.config["DATABASE"],
           "PORTAL_AUDIT_KEY_FILE": app.config["AUDIT_KEY_FILE"]}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "restore_drill.py"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_restore_drill_passes_on_a_good_backup_and_fails_on_a_bad_one(app, users):
    assert drill(app).returncode == 1  # no backup yet
    make_person("张三", worker=users["worker"].id)
    (live_db(app).parent / "uploads").mkdir()
    (live_db(app).parent / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    path = make_backup(app)["path"]
    before = dump(live_db(app))
    result = drill(app)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过 / PASSED" in result.stdout and "附件 / uploads: 1 / 1" in result.stdout
    assert "失败" not in result.stdout
    assert dump(live_db(app)) == before and backup.list_backups(path.parent) == [path]
    edit_row(path)
    result = drill(app, "--backup", str(path))
    assert result.returncode == 1 and "失败 / FAILED" in result.stdout and "SHA-256" in result.stdout


def test_readme_documents_the_commands_and_the_systemd_units(app):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("backup", "verify-backup", "restore"):
        assert command in app.cli.commands and "flask --app portal %s" % command in readme
    units = {}
    for block in re.findall(r"```ini\n(.*?)```", readme, re.S):
        unit = configparser.ConfigParser(interpolation=None)
        unit.optionxform = str
        unit.read_string(block)
        units[block.splitlines()[0].split("/")[-1]] = unit
    assert units["portal-backup.timer"]["Timer"]["OnCalendar"].startswith("*-*-* 02:30:00")
    assert units["portal-restore-drill.timer"]["Timer"]["OnCalendar"].startswith("Sun ")
    assert all(units[t]["Timer"]["Persistent"] == "true" for t in ("portal-backup.timer", "portal-restore-drill.timer"))
    assert units["portal-backup.service"]["Service"]["ExecStart"].endswith("flask --app portal backup")
    assert units["portal-restore-drill.service"]["Service"]["ExecStart"].endswith("scripts/restore_drill.py")
