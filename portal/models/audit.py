"""The audit trail: append-only and hash-chained."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, check_in


class AuditLog(BaseModel):
    """Append-only, hash-chained audit trail (triggers refuse UPDATE and DELETE)."""

    ts = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_rows")
    username = CharField(null=True)
    action = CharField(index=True)
    object_type = CharField(null=True)
    object_id = IntegerField(null=True)
    person_id = IntegerField(null=True, index=True)  # the person a case or family row belongs to
    outcome = CharField(default="ok", constraints=[check_in("outcome", ("ok", "denied", "failed"))])
    ip = CharField(null=True)
    reason = TextField(null=True)
    detail = TextField(null=True)
    prev_hash = CharField()
    hash = CharField()
    chain = IntegerField(default=2)  # 1: plain SHA-256 (rows before migration 0019), 2: HMAC with the audit key

    class Meta:
        indexes = ((("object_type", "object_id"), False),)
