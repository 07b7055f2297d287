"""今日待办's stored due dates: derived rows, never records (the rebuild command remakes them all from the
records), kept current in the transaction of every save that moves them (reports/due_store.py)."""
from peewee import CharField, DateField, IntegerField

from .base import BaseModel


class DueDate(BaseModel):
    """Per current case and kind of work owed, the due date by the queue's rules (reports/queue.py), the
    person's name and the case's worker, the last such record, and for the tests the oldest 未到 still undecided. The day the queue is read decides
    what of it is listed (due today, within a warning, beyond the days of grace)."""

    person_id = IntegerField(index=True)
    case_id = IntegerField(index=True)
    name = CharField()  # the person's, and the case's worker: the queue lists and counts without a join
    worker_id = IntegerField(null=True)
    kind = CharField()
    due = DateField(null=True)
    last = DateField(null=True)
    undecided = DateField(null=True)

    class Meta:
        # covers the queue's read: the kinds' days, then what a row shows
        indexes = ((("kind", "due", "worker_id", "person_id", "case_id", "name", "last", "undecided"), False),)


class DueStale(BaseModel):
    """The persons whose due dates a write moved (0: everyone's), marked by the database's triggers in
    the writing transaction and recomputed before it commits."""

    person_id = IntegerField(primary_key=True)
