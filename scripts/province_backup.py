"""The province's nightly backup (a timer `make install-province` sets up): pg_dump of its PostgreSQL
database, custom format, into BACKUP_DIR (instance/backups/), mode 0600, the newest BACKUP_KEEP kept;
anchored and audited (`backup.create`) like a station's backup. Restore with pg_restore (README).

Run from the install's folder with its venv: `.venv/bin/python scripts/province_backup.py`.
"""
import hashlib
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal import audit, create_app  # noqa: E402
from portal.audit import anchors  # noqa: E402
from portal.backup.make import backup_dir  # noqa: E402
from portal.db import database  # noqa: E402

PATTERN = "province-*.dump"


def dump_command(url, target):
    """pg_dump's arguments for a `postgresql://` URL, and its environment: the password (if any) goes in
    PGPASSWORD, never on the command line other accounts can read."""
    parts = urlsplit(url)
    command = ["pg_dump", "--format=custom", "--file", str(target)]
    for option, value in (("--host", parts.hostname), ("--port", parts.port), ("--username", parts.username)):
        if value:
            command += [option, unquote(str(value))]
    command += ["--dbname", unquote(parts.path.lstrip("/"))]
    env = dict(os.environ, PGPASSWORD=unquote(parts.password)) if parts.password else None
    return command, env


def backup(app):
    """One dump into the backup folder; returns (its path, the names rotated out)."""
    with app.app_context():
        folder = backup_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / ("province-%s.dump" % datetime.now().strftime("%Y%m%d-%H%M%S"))
        partial = path.with_name(path.name + ".partial")
        command, env = dump_command(app.config["DATABASE_URL"], partial)
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit("备份失败：%s" % done.stderr.strip())
            os.chmod(partial, 0o600)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        keep = max(1, int(app.config.get("BACKUP_KEEP", 14)))
        removed = sorted(folder.glob(PATTERN))[:-keep]
        for old in removed:
            old.unlink()
        with database.connection_context():
            anchors.write("backup", file=path.name)
            audit.record("backup.create", object_type="backup", detail={
                "file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "size": path.stat().st_size, "folder": str(folder), "reason": "nightly",
                "rotated_out": [p.name for p in removed]})
    return path, removed


def main():
    path, removed = backup(create_app())
    print("已备份：%s%s" % (path, "；已轮换删除 %d 份旧备份" % len(removed) if removed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
