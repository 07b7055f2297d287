"""The audit trail's head, anchored outside the database (AU4).

A keyed chain (chain.py) cannot be rewritten without the key, but deleting the newest rows
leaves a shorter chain that still verifies. So its head (newest row id and hash, row count,
first keyed row) is written where the database cannot reach: appended as one line to the
anchor file (AUDIT_ANCHOR_FILE, `audit-anchors.log` beside the database, mode 0600) by
init-db, the daily `flask sweep`, `serve` at start and shutdown and every backup, and into every
backup's signed manifest. Each line carries an HMAC with the audit key over its content and the
previous line's MAC, so a line cannot be forged, edited or removed from the middle unnoticed.

`verify()` checks the trail against the lines: every anchored row must still be there with the
hash it had, so a changed, deleted or truncated trail is found and the first row concerned named.
A restore (`source` "restore") starts the anchors afresh: the trail legitimately went back.
"""
import hashlib
import hmac
import json
import os
from pathlib import Path

from ..dates import utcnow
from .. import db
from . import chain

RESTORE = "restore"


def anchor_path():
    return Path(chain.setting("anchors"))


def _mac(key, entry, prev_mac):
    body = json.dumps({k: v for k, v in entry.items() if k != "mac"}, sort_keys=True, ensure_ascii=False)
    return hmac.new(key, (prev_mac + body).encode("utf-8"), hashlib.sha256).hexdigest()


def read(path=None, key=None):
    """The anchor lines (dicts, oldest first) and the problems found in the file, in Chinese."""
    path = Path(path) if path else anchor_path()
    key = key or chain.load_key()
    if not path.is_file():
        return [], []
    entries, problems, prev = [], [], ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or not hmac.compare_digest(str(entry.get("mac")), _mac(key, entry, prev)):
            problems.append("锚定文件 %s 第 %d 行签名不符：锚定文件被改动过（行被修改、删除或插入）。" % (path.name, number))
        else:
            entries.append(entry)
        prev = str(entry.get("mac")) if isinstance(entry, dict) else ""
    return entries, problems


def _last_mac(path):
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return str(json.loads(lines[-1]).get("mac")) if lines else ""
    except (OSError, ValueError, AttributeError):
        return ""


def write(source, head=None, **extra):
    """Append the live trail's present head (or `head`, a backup's, with its `file`) to the anchor
    file; returns the entry."""
    key = chain.writing_key(db.raw())
    path = anchor_path()
    entry = dict(head or chain.head(db.raw()), ts=utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), source=source,
                 **extra)
    entry["mac"] = _mac(key, entry, _last_mac(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return entry


def current(entries):
    """The lines that apply to the trail as it is: those since the last restore (that one included)."""
    starts = [i for i, e in enumerate(entries) if e.get("source") == RESTORE]
    return entries[starts[-1]:] if starts else entries


def made_by(entries, manifest):
    """The entries that were anchored by the time a backup was made: up to its own line, else
    (its line lost) those made before its creation time."""
    entries = current(entries)
    for n, entry in enumerate(entries):
        if entry.get("source") == "backup" and entry.get("file") == manifest.get("file"):
            return entries[:n + 1]
    return [e for e in entries if e.get("ts", "") < str(manifest.get("created_at"))]


def against(con, entries):
    """Problems of the trail in `con` against anchor entries: [(row id, Chinese message)]."""
    problems = []
    have = {r[0]: r[1] for r in con.execute("SELECT id, hash FROM audit_log")}
    last = max(have) if have else 0
    keyed = con.execute("SELECT min(id) FROM audit_log WHERE chain = ?", (chain.KEYED,)).fetchone()[0]
    for entry in current(entries):
        when = entry.get("ts", "").replace("T", " ").rstrip("Z")
        anchored = int(entry.get("id") or 0)
        if anchored > last:
            problems.append((last + 1, "锚定记录显示 %s（UTC）审计日志已到第 %d 条，现只到第 %d 条：第 %d 条起的记录被删除。"
                             % (when, anchored, last, last + 1)))
        elif anchored and have.get(anchored) != entry.get("hash"):
            problems.append((anchored, "第 %d 条记录与 %s（UTC）的锚定值不符：该条或它之前的记录被改写过。"
                             % (anchored, when)))
        if entry.get("keyed_from") and keyed != entry["keyed_from"] and anchored <= last:
            problems.append((entry["keyed_from"], "锚定记录显示自第 %d 条起由审计密钥签名，现不符：记录被改写过。"
                             % entry["keyed_from"]))
    return sorted(set(problems))
