"""What a backup is (B1), for make.py, which makes them, and restore.py, which checks and restores them.

A backup is three things side by side in BACKUP_DIR (default `backups/` beside the database):
`portal-YYYYMMDD-HHMMSS.sqlite3` (station time), its `.sqlite3.manifest.json` and a
`portal-YYYYMMDD-HHMMSS.uploads/` folder with copies of the uploaded files.

The manifest holds the file's name, creation time (UTC), source, reason, size and SHA-256, the
applied migrations, the row count of every table, the integrity_check result, the hash and size of
every upload copied, the audit trail's head (anchored outside the database, AU4), and an HMAC
signature over all of that. This module names the files, measures
a database file (hash, integrity_check, row counts), copies one with the online backup API, and
reads, signs and writes manifests.
"""
import hashlib
import hmac
import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from flask import current_app

from ..audit import anchors, chain
from ..dates import local

MANIFEST_SUFFIX = ".manifest.json"


class BackupError(Exception):
    """A backup or restore was not made; the message tells the operator why, in Chinese."""


def live_path():
    return Path(current_app.config["DATABASE"]).resolve()


def uploads_dir():
    return live_path().parent / "uploads"


def manifest_path(path):
    return Path(str(path) + MANIFEST_SUFFIX)


def uploads_copy(path):
    return Path(str(path)[:-len(".sqlite3")] + ".uploads")


def backup_path(path):
    """The backup file named by its own path or by its manifest's."""
    path = str(path)
    return Path(path[:-len(MANIFEST_SUFFIX)] if path.endswith(MANIFEST_SUFFIX) else path).resolve()


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(folder):
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).is_dir() else []


def _read_only(path):
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_copy(source, target):
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


def audit_head(path):
    """The audit trail's head in a database file (newest row id and hash, rows, first keyed row)."""
    con = _read_only(path)
    try:
        return chain.head(con)
    finally:
        con.close()


def audit_problems(path, manifest):
    """Problems of a backup's audit trail, in Chinese: its keyed chain, its head against the manifest,
    and its rows against the anchor file's heads made by the time of the backup (AU4)."""
    expected = manifest.get("audit_head")
    if not isinstance(expected, dict):
        return []  # a backup made before the keyed chain: its manifest has no head to compare
    try:
        key = chain.load_key()
    except chain.KeyMissing as exc:
        return [str(exc) + "无法校验备份中的审计日志：请放回备份的审计密钥文件，或用 --other-key 跳过。"]
    con = _read_only(path)
    try:
        broken = chain.check(con, key)
        head = chain.head(con)
        problems = ["备份中的审计日志：" + broken[1]] if broken else []
        if (head["id"], head["hash"]) != (expected.get("id"), expected.get("hash")):
            problems.append("备份中的审计日志末条（第 %d 条）与清单记载的（第 %s 条）不符：审计日志被截短或改动过。"
                            % (head["id"], expected.get("id")))
        entries, _ = anchors.read(key=key)
        problems += ["备份中的审计日志：" + text for _, text in
                     anchors.against(con, anchors.made_by(entries, manifest))]
    finally:
        con.close()
    return problems


def signature(manifest):
    """HMAC-SHA256 of the manifest with the station's SECRET_KEY: a backup edited together with a
    recomputed hash in its manifest no longer matches, and another station's backup is told apart."""
    body = json.dumps({k: v for k, v in manifest.items() if k != "signature"}, ensure_ascii=False, sort_keys=True)
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode(), body.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_matches(manifest):
    """Whether the manifest carries this station's signature of its present content."""
    return hmac.compare_digest(str(manifest.get("signature", "")), signature(manifest))


def write_manifest(path, manifest):
    """Sign the manifest and write it beside the backup file `path` (a temp file, then renamed)."""
    manifest["signature"] = signature(manifest)
    target = manifest_path(path)
    temp = target.with_name(target.name + ".partial")
    temp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(temp, 0o600)
    os.replace(temp, target)


def read_manifest(path):
    try:
        return json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
