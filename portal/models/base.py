"""The base of every model: soft deletion, version-checked records and their revisions, and the CHECK helper."""
from peewee import CharField, Check, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from ..dates import utcnow
from ..db import database


def check_in(column, values):
    """CHECK constraint: `column` holds one of `values` (the keys, when a dict of labels)."""
    quoted = ", ".join("'%s'" % v for v in values)
    return Check("%s IN (%s)" % (column, quoted))


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    @classmethod
    def is_live(cls):
        """The condition of every list, count and lookup: not deleted. Rows are never removed, only
        marked with deleted_at (soft-deletable models only)."""
        return cls.deleted_at.is_null()

    @classmethod
    def live(cls, *fields):
        """The live rows."""
        return cls.select(*fields).where(cls.is_live())


class Versioned(BaseModel):
    """A soft-deletable record whose saves are version-checked (never a silent overwrite)."""

    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)  # not indexed: nearly every row is live, and such an
    # index would lure SQLite away from the name index that lets a list page stop after 20 rows

    @classmethod
    def update_if_version(cls, row_id, version, **values):
        """Optimistic update: True when the row still had `version`, which is then bumped."""
        query = cls.update(version=cls.version + 1, updated_at=utcnow(), **values).where(
            cls.id == row_id, cls.version == version, cls.is_live())
        return query.execute() == 1


# Late, as accounts.py builds User on BaseModel above: Revision needs User
from .accounts import User


class Revision(BaseModel):
    """The saved state of a record before each correction: corrections keep their history."""

    model = CharField()
    record_id = IntegerField()
    version = IntegerField()
    data = TextField()  # JSON of the row as it was
    changed_by = ForeignKeyField(User, null=True)
    changed_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("model", "record_id"), False),)
