"""flask report-package (and its timer's run), flask station-key, and init-db making the key."""
import json
import os
import stat
import subprocess
import sys

from factories import in_app

from portal.exchange import archive, signing
from portal.models import AuditLog


def test_report_package_builds_last_month_by_default(station, coded, runner, app):
    result = runner.invoke(args=["report-package"])  # the test clock: 2026-11-20
    assert result.exit_code == 0, result.output
    assert "报送包-520102-01-2026-10.json" in result.output
    [package] = in_app(archive.stored)()
    assert package["month"] == "2026-10" and package["sha256"] in result.output
    assert stat.S_IMODE(os.stat(in_app(archive.packages_dir)()).st_mode) == 0o700
    [row] = in_app(lambda: list(AuditLog.select().where(AuditLog.action == "package.build")))()
    assert row.user_id is None and json.loads(row.detail)["via"] == "cli"
    assert in_app(lambda: AuditLog.select().where(AuditLog.action == "station_key.create").count())() == 1


def test_report_package_for_a_chosen_month_and_the_refusals(station, coded, runner, app):
    assert runner.invoke(args=["report-package", "--month", "2025-12"]).exit_code == 0
    assert [p["month"] for p in in_app(archive.stored)()] == ["2025-12"]
    refused = runner.invoke(args=["report-package", "--month", "2026-11"])
    assert refused.exit_code != 0 and "尚未结束" in refused.output
    assert runner.invoke(args=["report-package", "--month", "11/2026"]).exit_code != 0


def test_report_package_refuses_without_a_station_code(station, runner):
    result = runner.invoke(args=["report-package"])
    assert result.exit_code != 0 and "尚未设置工作站代码" in result.output
    assert in_app(archive.stored)() == []


def test_station_key_makes_the_key_once_and_prints_its_fingerprint(runner, app):
    first = runner.invoke(args=["station-key"])
    second = runner.invoke(args=["station-key"])
    with app.app_context():
        fingerprint = signing.fingerprint(signing.load_key())
    assert "已生成" in first.output and "已存在" in second.output
    assert fingerprint in first.output and fingerprint in second.output


def test_init_db_makes_the_key_beside_the_database(tmp_path):
    env = {**os.environ, "PORTAL_SECRET_KEY": "s" * 48, "PORTAL_DATABASE": str(tmp_path / "station.sqlite3")}
    run = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "init-db"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "指纹" in run.stdout
    key = tmp_path / "station-ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    again = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "init-db"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert "指纹" not in again.stdout  # made once
