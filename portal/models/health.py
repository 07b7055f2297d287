"""The health check's heartbeat (portal/web/serving.py): one fixed row, rewritten and committed by every
`/healthz` probe, so a database that cannot commit a write is found before a user's save fails."""
from peewee import Check, DateTimeField, IntegerField

from ..dates import utcnow
from .base import BaseModel


class Heartbeat(BaseModel):
    id = IntegerField(primary_key=True, constraints=[Check("id = 1")])  # one row, ever
    beat_at = DateTimeField()

    @classmethod
    def beat(cls):
        """Write the one row (insert, or update in place): the table never grows."""
        now = utcnow()
        cls.insert(id=1, beat_at=now).on_conflict(conflict_target=[cls.id], update={cls.beat_at: now}).execute()
