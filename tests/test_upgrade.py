"""`make upgrade` (scripts/install.py upgrade) for real on an installed copy under --root, its database steps
run by the installed code: a release whose migration works is migrated and kept; a release whose migration
fails leaves the previous code in place and the database as the backup taken before had it."""
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from factories import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import install  # noqa: E402
import install_code  # noqa: E402

FLASK = str(Path(sys.executable).parent / "flask")
MIGRATION = """def up(migrator, db):
    db.execute_sql('CREATE TABLE "upgrade_probe" ("id" INTEGER NOT NULL PRIMARY KEY)')
    db.execute_sql('UPDATE "user" SET "display_name" = \\'升级后\\'')
"""


@pytest.fixture
def station(tmp_path, capsys):
    """A station installed under tmp_path with its database and its lead, as `make install` leaves it."""
    install.main(["install", "--root", str(tmp_path), "--address", "10.20.30.40", "--hostname", "station-pc",
                  "--flask", FLASK])
    said = capsys.readouterr().out
    assert "https://10.20.30.40/" in said and "已创建站长账户 zhanzhang" in said and "一次性密码" in said
    install.main(["install", "--root", str(tmp_path), "--address", "10.20.30.40", "--flask", FLASK])
    assert "站长账户已存在" in capsys.readouterr().out  # again: the lead kept, no second password
    return tmp_path / "opt/portal"


def release(tmp_path, failing):
    """The checkout's code with a new migration, and when failing a second one that fails: each migration
    commits on its own, so the first one's changes are in the database when the second one fails."""
    folder = tmp_path / ("broken" if failing else "next")
    for name in install_code.CODE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=install_code.SKIP)
        elif (ROOT / name).exists():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    (folder / "portal/migrations/0099_upgrade_probe.py").write_text(MIGRATION)
    if failing:
        (folder / "portal/migrations/0100_fails.py").write_text(
            "def up(migrator, db):\n    raise RuntimeError('a migration that fails')\n")
    return folder


def upgrade(tmp_path, folder):
    return install.main(["upgrade", "--root", str(tmp_path), "--flask", FLASK, "--source", str(folder)])


def state(prefix):
    with sqlite3.connect(prefix / "instance/portal.sqlite3") as con:
        return (sorted(row[0] for row in con.execute('SELECT display_name FROM "user"')),
                sorted(row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")),
                con.execute("SELECT count(*) FROM schema_migration").fetchone()[0])


def test_a_failed_migration_puts_the_previous_code_and_the_backup_back(station, tmp_path, capsys):
    before = state(station)
    assert upgrade(tmp_path, release(tmp_path, failing=True)) == 1
    said = capsys.readouterr().out
    assert "迁移失败，已恢复原版本的程序" in said and "a migration that fails" in said
    assert state(station) == before  # neither the new table nor the renamed accounts: the backup's data
    assert not (station / "portal/migrations/0099_upgrade_probe.py").exists()
    assert not (station / "portal/migrations/0100_fails.py").exists()
    assert (station / "portal/migrations/0026_current_case.py").exists() and not (station / ".previous").exists()
    backups = list((station / "instance/backups").glob("*.sqlite3*"))
    assert backups and str(backups[0].parent) in said
    health = subprocess.run([FLASK, "--app", "portal", "init-db"], cwd=station, capture_output=True, text=True)
    assert health.returncode == 0  # the previous code finds nothing to migrate on the restored database


def test_a_release_that_migrates_is_kept(station, tmp_path, capsys):
    users, tables, migrations = state(station)
    assert upgrade(tmp_path, release(tmp_path, failing=False)) == 0
    assert "升级完成" in capsys.readouterr().out
    assert state(station) == (["升级后"] * len(users), sorted(tables + ["upgrade_probe"]), migrations + 1)
    assert (station / "portal/migrations/0099_upgrade_probe.py").exists() and not (station / ".previous").exists()
