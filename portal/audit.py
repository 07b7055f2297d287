"""The append-only, hash-chained audit trail (等保 8.1.4.3)."""
import hashlib
import json

from flask import abort, has_request_context, request
from flask_login import current_user
from peewee import PeeweeException

from .clock import utcnow
from .db import database
from .models import AuditLog

GENESIS = "0" * 64
FIELDS = ("ts", "username", "action", "object_type", "object_id", "outcome", "ip", "reason", "detail")


class AuditUnavailable(Exception):
    """The audit row could not be written: the request must fail (AU1)."""


def _digest(prev_hash, values):
    payload = json.dumps([prev_hash] + [str(values[f]) if values[f] is not None else None for f in FIELDS],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(action, obj=None, *, object_type=None, object_id=None, outcome="ok",
           reason=None, detail=None, user=None):
    """Append one audit row in the current (or a new) IMMEDIATE transaction."""
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    if obj is not None:
        object_type = object_type or type(obj).__name__.lower()
        object_id = obj.id
    values = {
        "ts": utcnow().replace(microsecond=0),
        "username": getattr(user, "username", None),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "ip": request.remote_addr if has_request_context() else None,
        "reason": reason,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else None,
    }
    try:
        with database.atomic():
            last = AuditLog.select(AuditLog.hash).order_by(AuditLog.id.desc()).first()
            prev = last.hash if last else GENESIS
            return AuditLog.create(user=getattr(user, "id", None), prev_hash=prev,
                                   hash=_digest(prev, values), **values)
    except PeeweeException as exc:
        raise AuditUnavailable(str(exc)) from exc


def record_or_abort(*args, **kwargs):
    """record(), answering 503 when the audit trail cannot be written."""
    try:
        return record(*args, **kwargs)
    except AuditUnavailable:
        abort(503)


def verify_chain():
    """Return the id of the first row whose hash does not match, or None if intact."""
    prev = GENESIS
    for row in AuditLog.select().order_by(AuditLog.id).iterator():
        values = {f: getattr(row, f) for f in FIELDS}
        if row.prev_hash != prev or row.hash != _digest(prev, values):
            return row.id
        prev = row.hash
    return None
