"""Restore drill: restore the latest backup into a scratch folder and check that it would bring the station back.

    .venv/bin/python scripts/restore_drill.py [--backup PATH]

Reads the station's configuration (instance/config.py, PORTAL_* variables) only to find the backup
folder; the live database is never opened. The backup is restored with the portal's own restore()
into a temporary folder, then: integrity_check, row counts against the manifest (the audit trail
holds one more row, the restore's own), the audit hash chain, and the schema is up to date
(db.pending()). Prints a report and exits 1 when anything failed: usable from cron or a systemd timer.
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal import audit, create_app, db
from portal.backup import make as backup
from portal.backup import restore as restoring
from portal.backup.manifest import BackupError, backup_path, created_text, describe, integrity, read_manifest
from portal.jinja import human_size


def drill(path, scratch, key, audit_key):
    """Yield (ok, Chinese / English line) for each check of one restore into `scratch`; `key` is the
    station's SECRET_KEY, which signed the backup's manifest, `audit_key` the file of the audit
    chain's key, which signed its audit rows."""
    manifest = read_manifest(path) or {}
    yield True, "备份 / backup: %s（%s，%s）" % (path, created_text(manifest),
                                                human_size(path.stat().st_size))
    app = create_app({"SECRET_KEY": key, "DATABASE": str(scratch / "portal.sqlite3"),
                      "BACKUP_DIR": str(scratch / "backups"), "AUDIT_KEY_FILE": audit_key})
    with app.app_context():
        try:
            restoring.restore(path)  # verifies hash, integrity, row counts and uploads before swapping
        except BackupError as exc:
            yield False, "恢复失败 / restore failed: %s" % exc
            return
        yield True, "恢复到临时目录 / restored into scratch folder: %s" % scratch
        problem = integrity(scratch / "portal.sqlite3")
        yield problem is None, "完整性检查 / integrity_check: %s" % (problem or "ok")
        tables, migrations = describe(scratch / "portal.sqlite3")
        expected = dict(manifest["tables"], audit_log=manifest["tables"].get("audit_log", 0) + 1)
        wrong = sorted(n for n in set(tables) | set(expected) if tables.get(n) != expected.get(n))
        yield not wrong, "行数与清单一致 / row counts match the manifest: %d 张表 / tables, %d 行 / rows%s" % (
            len(tables), sum(tables.values()), "；不一致 / differ: " + "、".join(wrong) if wrong else "")
        uploads = [p for p in (scratch / "uploads").rglob("*") if p.is_file()] if (scratch / "uploads").is_dir() else []
        yield len(uploads) == len(manifest["uploads"]), "附件 / uploads: %d / %d" % (len(uploads),
                                                                                  len(manifest["uploads"]))
        problems = audit.verify_trail()
        yield not problems, "审计日志哈希链 / audit hash chain: %s" % (
            "完整 / intact" if not problems else "；".join(text for _, text in problems))
        pending = db.pending()
        yield not pending, "数据库结构 / schema: %s" % ("最新 / up to date (%d migrations)" % len(migrations) if not pending
                                                     else "待升级 / pending: " + ", ".join(pending))
        db.database.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backup", help="backup file (default: the newest in the station's backup folder)")
    args = parser.parse_args()
    station = create_app()  # the station's configuration: its backups and its key
    with station.app_context():
        path = backup_path(args.backup) if args.backup else backup.last_backup()
        path = path["path"] if isinstance(path, dict) else path
    print("恢复演练 / Restore drill")
    if path is None:
        print("[失败 FAIL] 没有找到备份 / no backup found")
        return 1
    failed = False
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as scratch:
        for ok, line in drill(path, Path(scratch), station.config["SECRET_KEY"],
                              station.config["AUDIT_KEY_FILE"]):
            print("[%s] %s" % ("通过 ok" if ok else "失败 FAIL", line))
            failed = failed or not ok
    print("结果 / result: %s" % ("失败 / FAILED" if failed else "通过 / PASSED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
