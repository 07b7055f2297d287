"""Merges of duplicate person files: what moved where, so that the lead can undo it."""
import json

from peewee import DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .core import BaseModel, Person, User


class PersonMerge(BaseModel):
    """The duplicate's records moved to the survivor; the duplicate is soft-deleted, never removed."""

    survivor = ForeignKeyField(Person, backref="+")
    merged = ForeignKeyField(Person, backref="+")
    reason = TextField()
    survivor_before = TextField()  # JSON: the survivor's identity fields before the merge
    survivor_version = IntegerField()  # the survivor's version right after the merge
    moved = TextField()  # JSON: {"table.column": [row ids]} moved from the duplicate
    merged_by = ForeignKeyField(User, backref="+")
    merged_at = DateTimeField(default=utcnow)
    undone_by = ForeignKeyField(User, null=True, backref="+")
    undone_at = DateTimeField(null=True)
    undo_reason = TextField(null=True)

    @property
    def moved_rows(self):
        return json.loads(self.moved)

    @property
    def moved_count(self):
        return sum(len(ids) for key, ids in self.moved_rows.items() if not key.endswith(".deleted_at"))
