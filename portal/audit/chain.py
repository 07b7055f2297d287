"""The audit chain's key and hashes, and the check of a whole trail (AU4).

Each row's hash covers the previous row's hash and the row's fields. Rows written before
migration 0019 carry `chain` 1: plain SHA-256, which anyone holding the database file could
recompute after an edit. Every row since carries `chain` 2: HMAC-SHA256 with the audit key,
a file kept outside the database (AUDIT_KEY_FILE, `instance/audit.key`, mode 0600), so a row
cannot be changed, added or removed with a matching hash without that file. Once a keyed row
exists every later row must be keyed: a trail rewritten in plain SHA-256 breaks there, and
anchors.py catches a whole trail rewritten in plain hashes or cut short.
"""
import hashlib
import hmac
import json
import os
import secrets
import threading
from pathlib import Path

from flask import current_app, has_app_context

GENESIS = "0" * 64
PLAIN, KEYED = 1, 2
FIELDS = ("ts", "user_id", "username", "action", "object_type", "object_id", "person_id", "outcome", "ip",
          "reason", "detail")
COLUMNS = ("id", "prev_hash", "hash", "chain") + FIELDS

_keys = {}  # key file path → key bytes, read once per process
configured = {}  # the files of the last app made, used outside an app context like the global database


def init_app(app):
    configured.update(key=app.config["AUDIT_KEY_FILE"], anchors=app.config["AUDIT_ANCHOR_FILE"])


def setting(name):
    """AUDIT_KEY_FILE / AUDIT_ANCHOR_FILE of the current app, else of the last app made."""
    if has_app_context():
        return current_app.config["AUDIT_%s_FILE" % ("KEY" if name == "key" else "ANCHOR")]
    return configured[name]


class KeyMissing(Exception):
    """The audit key file is not there; the message says where, in Chinese."""


def key_path():
    return Path(setting("key"))


def ensure_key():
    """Create the audit key file (32 random bytes, hex, mode 0600) unless it exists; returns its path."""
    path = key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path
    draft = path.with_name("%s.%d.%d" % (path.name, os.getpid(), threading.get_ident()))
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(draft, path)  # appears whole, or not at all: concurrent first writers agree on one key
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)
    return path


def load_key(path=None):
    """The audit key; raises KeyMissing when its file is absent or unreadable."""
    path = Path(path) if path else key_path()
    key = _keys.get(str(path))
    if key is None:
        try:
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError) as exc:
            raise KeyMissing("缺少审计密钥文件 %s（或无法读取）。" % path) from exc
        if len(key) < 16:
            raise KeyMissing("审计密钥文件 %s 内容不完整。" % path)
        _keys[str(path)] = key
    return key


def writing_key(con):
    """The key to write with; made on first use of a trail with no keyed row yet (init-db makes it
    too). Once keyed rows exist a missing key file raises KeyMissing: a new key would leave the rows
    before it unverifiable, so the operator puts the backed-up key file back."""
    try:
        return load_key()
    except KeyMissing:
        if con.execute("SELECT 1 FROM audit_log WHERE chain = ? LIMIT 1", (KEYED,)).fetchone():
            raise
        ensure_key()
        return load_key()


def digest(prev_hash, values, key=None, chain=KEYED):
    """The hash of one row: HMAC-SHA256 with the key (chain 2) or plain SHA-256 (chain 1, old rows)."""
    payload = json.dumps([prev_hash] + [str(values[f]) if values[f] is not None else None for f in FIELDS],
                         ensure_ascii=False).encode("utf-8")
    if chain == PLAIN:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def rows(con):
    """Every audit row of an sqlite3 connection, oldest first, as dicts with the stored text values."""
    cursor = con.execute("SELECT %s FROM audit_log ORDER BY id" % ", ".join('"%s"' % c for c in COLUMNS))
    for row in cursor:
        yield dict(zip(COLUMNS, row))


def head(con):
    """The newest row's id and hash, how many rows there are, and the first keyed row's id."""
    last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    count = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    keyed = con.execute("SELECT min(id) FROM audit_log WHERE chain = ?", (KEYED,)).fetchone()[0]
    return {"id": last[0] if last else 0, "hash": last[1] if last else GENESIS, "rows": count, "keyed_from": keyed}


def check(con, key):
    """The first break in the chain as (row id, Chinese message), or None when every row matches."""
    prev, keyed_from = GENESIS, None
    for row in rows(con):
        chain = row["chain"]
        if keyed_from is not None and chain != KEYED:
            return row["id"], ("第 %d 条记录没有审计密钥签名，而密钥链已从第 %d 条开始：该条起的记录被改写过。"
                               % (row["id"], keyed_from))
        if chain == KEYED and keyed_from is None:
            keyed_from = row["id"]
        if row["prev_hash"] != prev:
            return row["id"], "第 %d 条记录的前一哈希不符：它之前的记录被删除或改动过。" % row["id"]
        if chain not in (PLAIN, KEYED) or not hmac.compare_digest(str(row["hash"]), digest(prev, row, key, chain)):
            return row["id"], "第 %d 条记录的内容与其哈希不符：该条记录被改动过。" % row["id"]
        prev = row["hash"]
    return None
