"""Making backups of the database and uploads: online copy, manifest, rotation (B1); manifest.py says
what a backup holds, restore.py checks and restores them. Also last_backup() and human_size() for the
settings page and the CLI."""
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from .. import audit
from ..audit import anchors
from ..dates import local, utcnow
from ..reports import due_store
from .manifest import (BackupError, audit_head, created_at, describe, files_under, integrity, live_path, manifest_path,
                       read_manifest, sha256, sqlite_copy, uploads_copy, uploads_dir, write_manifest)

NAME = re.compile(r"^portal-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")


def backup_dir():
    """BACKUP_DIR from the config; a relative one is taken beside the database."""
    return live_path().parent / (current_app.config.get("BACKUP_DIR") or "backups")


def _copy_uploads(source, target):
    """Copy every uploaded file; the manifest lists each copy's hash."""
    target.mkdir(mode=0o700)
    listed = []
    for path in files_under(source):
        name = path.relative_to(source).as_posix()
        copy = target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(path, copy)
        except FileNotFoundError:
            continue  # removed since listed: an upload whose transaction failed, named by no row
        listed.append({"name": name, "sha256": sha256(copy), "size": copy.stat().st_size})
    return listed


def _new_path(folder):
    stamp = local(utcnow()).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = folder / ("portal-%s%s.sqlite3" % (stamp, "-%d" % n if n else ""))
        if not (path.exists() or manifest_path(path).exists() or uploads_copy(path).exists()):
            return path
    raise BackupError("备份目录中同名文件过多：%s" % folder)


def make_backup(dest_dir=None, reason="manual", rotate=True):
    """Copy the live database (online backup API) and uploads, check the copy, write its manifest, rotate.

    The database is copied before the uploads: an upload is written before the row naming it is
    committed, so every file the snapshot refers to is already there when the uploads are copied.
    """
    source = live_path()
    if not source.is_file():
        raise BackupError("找不到数据库文件 %s。" % source)
    due_store.settle()  # the copy's row counts then hold after a restore's first commit
    folder = Path(dest_dir).resolve() if dest_dir else backup_dir()
    path = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = _new_path(folder)
        partial = path.with_name(path.name + ".partial")
        try:
            sqlite_copy(source, partial)
            con = sqlite3.connect(str(partial))
            con.execute("PRAGMA journal_mode=DELETE")  # a self-contained file: no -wal beside it
            con.close()
            problem = integrity(partial)
            if problem:
                raise BackupError("备份副本完整性检查未通过：%s" % problem)
            os.chmod(partial, 0o600)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        tables, migrations = describe(path)
        manifest = {"file": path.name, "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "source": str(source),
                    "reason": reason, "migrations": migrations, "sha256": sha256(path),
                    "size": path.stat().st_size, "tables": tables, "sqlite_version": sqlite3.sqlite_version,
                    "integrity_check": "ok", "uploads": _copy_uploads(uploads_dir(), uploads_copy(path)),
                    "audit_head": audit_head(path)}
        write_manifest(path, manifest)
        anchors.write("backup", head=manifest["audit_head"], file=path.name)
    except (OSError, sqlite3.Error, anchors.chain.KeyMissing) as exc:
        if path is not None:  # leave no half-made backup behind
            _delete(path)
        raise BackupError("备份失败：%s" % exc) from exc
    removed = _rotate(folder, current_app.config.get("BACKUP_KEEP", 14)) if rotate else []
    audit.record("backup.create", object_type="backup", detail={
        "file": path.name, "sha256": manifest["sha256"], "size": manifest["size"], "folder": str(folder),
        "uploads": len(manifest["uploads"]), "reason": reason, "rotated_out": [p.name for p in removed]})
    return {"path": path, "manifest": manifest, "removed": removed}


def list_backups(folder):
    """Backup files in a folder, oldest first."""
    def key(path):
        match = NAME.match(path.name)
        return match.group(1), int(match.group(2) or 0)
    return sorted((p for p in Path(folder).glob("portal-*.sqlite3") if NAME.match(p.name)), key=key)


def _rotate(folder, keep):
    """Delete all but the newest `keep` backups, with their manifests and uploads."""
    old = list_backups(folder)[:-max(1, int(keep))]
    for path in old:
        _delete(path)
    return old


def _delete(path):
    path.unlink(missing_ok=True)
    manifest_path(path).unlink(missing_ok=True)
    shutil.rmtree(uploads_copy(path), ignore_errors=True)


def last_backup(folder=None):
    """The newest backup in the folder (time, size, whether its copy passed the check), or None."""
    folder = Path(folder) if folder else backup_dir()
    found = list_backups(folder) if folder.is_dir() else []
    if not found:
        return None
    path = found[-1]
    manifest = read_manifest(path) or {}
    created = created_at(manifest) or datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(tzinfo=None)
    return {"path": path, "name": path.name, "folder": folder, "created_at": created, "size": path.stat().st_size,
            "verified": manifest.get("integrity_check") == "ok" and manifest.get("size") == path.stat().st_size,
            "sha256": manifest.get("sha256")}


def human_size(size):
    """A file size as station staff read it: 81 字节, 168.7 KB, 102.0 MB."""
    for unit in ("字节", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%d %s" if unit == "字节" else "%.1f %s") % (size, unit)
        size /= 1024.0
