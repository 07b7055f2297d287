"""Checking a backup against its manifest and swapping it in (B1); make.py makes them."""
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from .. import audit
from ..audit import anchors, chain
from .make import make_backup
from .manifest import (BackupError, audit_problems, backup_path, describe, files_under, integrity, live_path, manifest_path,
                       read_manifest, sha256, signature_matches, sqlite_copy, uploads_copy, uploads_dir)


def verify(path, other_key=False):
    """Problems found in a backup, in Chinese; an empty list means it is good to restore."""
    path = backup_path(path)
    if not path.is_file():
        return ["找不到备份文件 %s。" % path]
    manifest = read_manifest(path)
    if not isinstance(manifest, dict):
        return ["缺少清单文件或清单无法读取：%s" % manifest_path(path).name]
    problems = []
    if not other_key and not signature_matches(manifest):
        problems.append("清单签名不符：清单被改动过，或备份来自另一个工作站（密钥不同）。")
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
        if not other_key:
            problems += audit_problems(path, manifest)
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
    extra = {p.relative_to(folder).as_posix() for p in files_under(folder)} - {str(i.get("name")) for i in listed}
    problems += ["附件目录中有清单未记载的文件 %s。" % name for name in sorted(extra)]
    return problems


def restore(path, other_key=False):
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
    problems = verify(path, other_key)
    if problems:
        raise BackupError("备份未通过校验，拒绝恢复：" + "".join(problems))
    manifest = read_manifest(path)
    if "audit_head" in manifest:  # its audit rows are keyed: without the key nothing could be audited after
        try:
            chain.load_key()
        except chain.KeyMissing as exc:
            raise BackupError("拒绝恢复：%s请先把另行备份的审计密钥文件放回原处。" % exc) from exc
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
        sqlite_copy(temp, live)
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
    anchors.write(anchors.RESTORE)  # the trail went back legitimately: anchors start afresh from here
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
