"""The append-only, hash-chained audit trail (等保 8.1.4.3).

chain.py: the audit key and the keyed hashes (HMAC-SHA256), the check of a whole trail;
anchors.py: the trail's head anchored outside the database (anchor file, backup manifests);
batching.py: the group commit of the rows of reads (concurrent requests' rows in one transaction).
"""
import contextlib
import contextvars
import json

from flask import has_request_context, request
from flask_login import current_user
from peewee import PeeweeException

from .. import db
from ..dates import utcnow
from ..db import database
from ..models import AuditLog
from . import anchors, batching, chain
from .chain import GENESIS
HEAD_LOCK = 0x617564  # PostgreSQL advisory lock key ("aud"): one writer at a time reads the chain's head


_pending = contextvars.ContextVar("audit_pending", default=None)  # rows held by batch()


class AuditUnavailable(Exception):
    """The audit row could not be written: the request must fail (AU1)."""


def _key():
    """The audit key; without it (and with keyed rows already written) every audited request
    fails with 503 (AU1) until the backed-up key file is put back."""
    try:
        return chain.writing_key(db.raw())
    except chain.KeyMissing as exc:
        raise AuditUnavailable(str(exc)) from exc


def _lock_head():
    """Writers take turns from reading the head to their commit, so the chain never forks. SQLite's
    IMMEDIATE transactions already do; on PostgreSQL a transaction-scoped advisory lock does."""
    if db.is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (HEAD_LOCK,))


def record(action, obj=None, *, object_type=None, object_id=None, person=None, outcome="ok",
           reason=None, detail=None, user=None):
    """Append one audit row in the current (or a new) IMMEDIATE transaction.

    `person` names the person a case or family row belongs to, so "who viewed or changed
    this person" finds it; rows about a Person carry it themselves. When the row cannot be
    written it raises AuditUnavailable: the request's change rolls back and web/security.py answers
    503 (AU1), so nothing is ever done without its trace.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = obj.id
    if person is None and object_type == "person":
        person = object_id
    values = {
        "ts": utcnow().replace(microsecond=0),
        "user_id": getattr(user, "id", None),
        "username": getattr(user, "username", None),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person_id": getattr(person, "id", person),
        "outcome": outcome,
        "ip": request.remote_addr if has_request_context() else None,
        "reason": reason,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None,
        "chain": chain.KEYED,
    }
    pending = _pending.get()
    if pending is not None:
        pending.append(values)
        return None
    try:
        if not database.in_transaction():  # a read: its row is committed with those of concurrent reads
            return batching.append(values, _append_group)
        # a write: its row goes with its change, or not at all (no savepoint of its own: a failed
        # row raises, and the change's transaction rolls back with it)
        return _append([values], one_by_one=True)[0]
    except (PeeweeException, AuditUnavailable) as exc:
        raise AuditUnavailable(str(exc)) from exc


def _append(rows, one_by_one=False):
    """Chain `rows` (dicts of FIELDS) after the head and insert them, in the current transaction:
    one by one (returning the AuditLog rows) or 500 to an insert (returning nothing)."""
    _lock_head()
    last = AuditLog.select(AuditLog.hash).order_by(AuditLog.id.desc()).first()
    prev = last.hash if last else GENESIS
    chained, key = [], _key() if rows else None
    for values in rows:
        digest = chain.digest(prev, values, key)
        chained.append({**values, "prev_hash": prev, "hash": digest})
        prev = digest
    if one_by_one:
        return [AuditLog.create(**row) for row in chained]
    for start in range(0, len(chained), 500):
        AuditLog.insert_many(chained[start:start + 500]).execute()
    return []


def _append_group(rows):
    """A group of reads' rows, in one transaction (batching.py)."""
    with database.atomic():
        return _append(rows, one_by_one=True)


def ready():
    """What record() needs to append a row, without appending one (the health check, inside its
    transaction): the writers' turn at the head, the head itself and the key. Raises AuditUnavailable."""
    try:
        _lock_head()
        AuditLog.select(AuditLog.hash).order_by(AuditLog.id.desc()).first()
    except PeeweeException as exc:
        raise AuditUnavailable(str(exc)) from exc
    _key()


@contextlib.contextmanager
def batch():
    """Hold the rows record() makes and append them, chained, in one insert at the end.

    For imports and exports that audit thousands of rows: use it inside the transaction of
    the change (`with database.atomic(), audit.batch():`), so the rows are written with it
    or not at all; record() returns None while a batch is open.
    """
    rows = []
    token = _pending.set(rows)
    try:
        yield
    finally:
        _pending.reset(token)
    try:
        with database.atomic():
            _append(rows)
    except PeeweeException as exc:
        raise AuditUnavailable(str(exc)) from exc



def last_change(obj, action):
    """The newest audit row of `action` on obj: who saved the version a conflict shows."""
    return (AuditLog.select().where(AuditLog.object_type == type(obj).__name__.lower(),
                                    AuditLog.object_id == obj.id, AuditLog.action == action)
            .order_by(AuditLog.id.desc()).first())


def verify_trail(con=None):
    """Check the whole trail: the keyed chain, then the anchor file. Returns the problems as
    [(row id or None, Chinese message)], the first row concerned first; [] when intact."""
    con = con or db.raw()
    try:
        key = chain.load_key()
    except chain.KeyMissing as exc:
        return [(None, str(exc) + "无法校验审计日志；请从密钥备份放回该文件。")]
    broken = chain.check(con, key)
    entries, file_problems = anchors.read(key=key)
    found = ([broken] if broken else []) + anchors.against(con, entries)
    found = sorted(set(found), key=lambda p: p[0])
    return found + [(None, text) for text in file_problems]


def verify_chain():
    """The id of the first row concerned by a problem of the trail, or None if intact."""
    problems = verify_trail()
    return (problems[0][0] or 0) if problems else None
