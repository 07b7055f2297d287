"""Backups of the database and uploads: online copy, manifest, verification, rotation, restore (B1).

A backup is three things side by side in BACKUP_DIR (default `backups/` beside the database):
`portal-YYYYMMDD-HHMMSS.sqlite3` (station time), its `.sqlite3.manifest.json` and a
`portal-YYYYMMDD-HHMMSS.uploads/` folder with copies of the uploaded files.
"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from . import audit
from .clock import local, utcnow

NAME = re.compile(r"^portal-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")
MANIFEST_SUFFIX = ".manifest.json"


class BackupError(Exception):
    """A backup or restore was not made; the message tells the operator why, in Chinese."""


def live_path():
    return Path(current_app.config["DATABASE"]).resolve()


def uploads_dir():
    return live_path().parent / "uploads"


def backup_dir():
    """BACKUP_DIR from the config; a relative one is taken beside the database."""
    return live_path().parent / (current_app.config.get("BACKUP_DIR") or "backups")


def manifest_path(path):
    return Path(str(path) + MANIFEST_SUFFIX)


def uploads_copy(path):
    return Path(str(path)[:-len(".sqlite3")] + ".uploads")


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_only(path):
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def _sqlite_copy(source, target):
    """Copy a database with the online backup API in one step: one consistent snapshot, writers go on (WAL)."""
    src, dst = sqlite3.connect(str(source), timeout=30), sqlite3.connect(str(target), timeout=30)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def integrity(path):
    """None when PRAGMA integrity_check answers "ok", else what it (or SQLite) said."""
    try:
        con = _read_only(path)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check(20)")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "；".join(rows)


def describe(path):
    """Row counts of every table and the applied portal migrations of a database file."""
    con = _read_only(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        tables = {n: con.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0] for n in names}
        migrations = ([r[0] for r in con.execute("SELECT name FROM schema_migration ORDER BY name")]
                      if "schema_migration" in tables else [])
    finally:
        con.close()
    return tables, migrations


def _files(folder):
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).is_dir() else []


def _copy_uploads(source, target):
    """Copy every uploaded file; the manifest lists each copy's hash."""
    target.mkdir(mode=0o700)
    listed = []
    for path in _files(source):
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
    folder = Path(dest_dir).resolve() if dest_dir else backup_dir()
    path = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = _new_path(folder)
        partial = path.with_name(path.name + ".partial")
        try:
            _sqlite_copy(source, partial)
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
                    "integrity_check": "ok", "uploads": _copy_uploads(uploads_dir(), uploads_copy(path))}
        _write_json(manifest_path(path), manifest)
    except (OSError, sqlite3.Error) as exc:
        if path is not None:  # leave no half-made backup behind
            _delete(path)
        raise BackupError("备份失败：%s" % exc) from exc
    removed = _rotate(folder, current_app.config.get("BACKUP_KEEP", 14)) if rotate else []
    audit.record("backup.create", object_type="backup", detail={
        "file": path.name, "sha256": manifest["sha256"], "size": manifest["size"], "folder": str(folder),
        "uploads": len(manifest["uploads"]), "reason": reason, "rotated_out": [p.name for p in removed]})
    return {"path": path, "manifest": manifest, "removed": removed}


def _write_json(path, data):
    temp = path.with_name(path.name + ".partial")
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(temp, 0o600)
    os.replace(temp, path)


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


def read_manifest(path):
    try:
        return json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def backup_path(path):
    """The backup file named by its own path or by its manifest's."""
    path = str(path)
    return Path(path[:-len(MANIFEST_SUFFIX)] if path.endswith(MANIFEST_SUFFIX) else path).resolve()


def verify_backup(path):
    """Problems found in a backup, in Chinese; an empty list means it is good to restore."""
    path = backup_path(path)
    if not path.is_file():
        return ["找不到备份文件 %s。" % path]
    manifest = read_manifest(path)
    if not isinstance(manifest, dict):
        return ["缺少清单文件或清单无法读取：%s" % manifest_path(path).name]
    problems = []
    if sha256(path) != manifest.get("sha256"):
        problems.append("备份文件的 SHA-256 与清单不符：文件已被改动或损坏。")
    broken = integrity(path)
    if broken:
        problems.append("完整性检查未通过：%s。" % broken)
    else:
        tables, _ = describe(path)
        expected = manifest.get("tables") if isinstance(manifest.get("tables"), dict) else {}
        for name in sorted(set(tables) | set(expected)):
            if tables.get(name) != expected.get(name):
                problems.append("表 %s 有 %s 行，清单记载 %s 行。" % (name, tables.get(name, "（无此表）"),
                                                              expected.get(name, "（未记载）")))
    return problems + _upload_problems(uploads_copy(path), manifest.get("uploads"))


def _upload_problems(folder, listed):
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        return ["清单中的附件列表缺失或无法读取。"]
    problems = []
    for item in listed:
        name = Path(str(item.get("name")))
        copy = folder / name
        if name.is_absolute() or ".." in name.parts:
            problems.append("清单中的附件名不合法：%s。" % name)
        elif not copy.is_file():
            problems.append("缺少附件 %s。" % item.get("name"))
        elif sha256(copy) != item.get("sha256"):
            problems.append("附件 %s 的 SHA-256 与清单不符。" % item.get("name"))
    extra = {p.relative_to(folder).as_posix() for p in _files(folder)} - {str(i.get("name")) for i in listed}
    problems += ["附件目录中有清单未记载的文件 %s。" % name for name in sorted(extra)]
    return problems


def restore(path):
    """Verify a backup, back up the current database, then swap the backup's content in.

    The swap copies the verified file into the live database's folder (a private temp file whose
    hash is checked again), then writes it into the live database with SQLite's backup API. That
    is one write transaction through the live database's own WAL: it is atomic, a crash leaves
    the old or the new content, connections of a running server see the new content on their
    next read, and no -wal/-shm file is ever removed by hand (removing a -wal that still holds
    committed pages would lose them). Replacing the file with os.replace would instead need the
    server stopped and its stale -wal/-shm dealt with; the backup API needs neither.

    Uploaded files from the backup are put back; files uploaded since are left in place (the
    safety backup holds them too).
    """
    path = backup_path(path)
    problems = verify_backup(path)
    if problems:
        raise BackupError("备份未通过校验，拒绝恢复：" + "".join(problems))
    manifest = read_manifest(path)
    live = live_path()
    live.parent.mkdir(parents=True, exist_ok=True)
    # the safety backup skips rotation, which could otherwise delete the backup being restored
    safety = make_backup(reason="before-restore", rotate=False)["path"] if live.is_file() else None
    fd, temp = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=live.parent)
    os.close(fd)
    try:
        shutil.copyfile(path, temp)
        if sha256(temp) != manifest["sha256"]:
            raise BackupError("备份在恢复过程中被改动，已停止恢复，当前数据库未变。")
        _sqlite_copy(temp, live)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError("恢复失败，当前数据库未变：%s" % exc) from exc
    finally:
        Path(temp).unlink(missing_ok=True)
    detail = {"file": path.name, "sha256": manifest["sha256"], "created_at": manifest.get("created_at"),
              "safety_backup": safety.name if safety else None}
    try:
        restored = _restore_uploads(uploads_copy(path), manifest["uploads"], uploads_dir())
    except OSError as exc:
        audit.record("backup.restore", object_type="backup", outcome="failed", detail=dict(detail, error=str(exc)))
        raise BackupError("数据库已恢复，但附件未能全部放回（可再次运行恢复）：%s" % exc) from exc
    audit.record("backup.restore", object_type="backup", detail=dict(detail, uploads=restored))
    return {"path": path, "manifest": manifest, "safety_backup": safety, "uploads": restored}


def _restore_uploads(source, listed, target):
    """Put back each listed upload whose live copy is missing or differs; returns how many."""
    count = 0
    for item in listed:
        live = target / item["name"]
        if live.is_file() and sha256(live) == item["sha256"]:
            continue
        live.parent.mkdir(parents=True, exist_ok=True)
        temp = live.with_name(live.name + ".restoring")
        shutil.copyfile(source / item["name"], temp)
        os.replace(temp, live)
        count += 1
    return count


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


def created_at(manifest):
    """The manifest's creation time as a naive UTC datetime, or None."""
    try:
        return datetime.strptime(manifest["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError):
        return None


def created_text(manifest):
    """Creation time in station time, for operators."""
    created = created_at(manifest)
    return local(created).strftime("%Y-%m-%d %H:%M:%S") if created else "（时间不明）"
