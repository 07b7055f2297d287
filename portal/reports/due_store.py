"""今日待办's stored due dates (models/due.py): kept current in the transaction of every save that moves
them, read by the queue, rebuilt by a command.

The database's triggers (migration 0025) mark the person of every row written to a table the queue's
rules read; just before the writing transaction commits, refresh() recomputes the marked persons' rows
by the queue's own rules (queue.owed), so a save and the dates it moves commit together. A write made
outside a transaction stays marked until the next commit: until then the queue computes those persons'
rows from the records as it reads (source()), so what it shows never lags a save.
"""
import click
from flask.cli import with_appcontext
from peewee import OperationalError

from .. import db
from ..db import database
from ..models import DueDate, DueStale

EVERYONE = 0  # the mark of a rule setting changed: every person's dates move
FIELDS = (DueDate.person_id, DueDate.case_id, DueDate.name, DueDate.worker_id, DueDate.kind, DueDate.due, DueDate.last,
          DueDate.undecided)


def marked():
    """The persons marked since the last refresh; None when the table is not there yet (an older schema)."""
    try:
        return [pid for (pid,) in database.execute_sql('SELECT "person_id" FROM "due_stale"')]
    except OperationalError:
        return None


def refresh():
    """Recompute the due dates of the marked persons (everyone's after a rule setting changed) in the
    current transaction, and clear the marks."""
    stale = marked()
    if not stale:
        return
    everyone = EVERYONE in stale
    if everyone:
        DueDate.delete().execute()
    else:
        DueDate.delete().where(DueDate.person_id.in_(DueStale.select(DueStale.person_id))).execute()
    database.execute_sql(*recomputation(everyone))
    DueStale.delete().execute()


_statements = {}  # (everyone?, the rule settings) -> the INSERT's SQL and parameters


def recomputation(everyone):
    """The statement that stores the marked persons' (or everyone's) rows. Building it takes longer than
    running it for one person, and it changes only with the rule settings it inlines: kept per settings."""
    settings = tuple(database.execute_sql(
        'SELECT "key", "value" FROM "setting" WHERE "key" LIKE \'cadence.%\' OR "key" LIKE \'screening.%\' '
        'ORDER BY "key"').fetchall())
    key = (everyone, settings)
    if key not in _statements:
        from . import queue

        cases = queue.all_current()
        if not everyone:
            cases = cases.where(queue.Case.person.in_(DueStale.select(DueStale.person_id)))
        ctes, rows = queue.owed(cases)
        if len(_statements) > 16:
            _statements.clear()
        _statements[key] = DueDate.insert_from(rows.with_cte(*ctes), FIELDS).sql()
    return _statements[key]


def source():
    """The CTEs and the select of every owed row (the fields of DueDate): the
    stored ones, and for persons marked but not yet refreshed, the rows computed from the records."""
    stored = DueDate.select(*FIELDS)
    stale = marked()
    if not stale:
        return [], stored
    from . import queue

    if EVERYONE in stale:
        return queue.owed(queue.all_current())
    persons = DueStale.select(DueStale.person_id)
    ctes, computed = queue.owed(queue.all_current().where(queue.Case.person.in_(persons)))
    return ctes, stored.where(DueDate.person_id.not_in(persons)).union_all(computed)


def rebuild():
    """Remake every stored due date from the records (after a restore, or to check the store)."""
    with database.atomic():
        DueStale.insert(person_id=EVERYONE).on_conflict_ignore().execute()
        refresh()
    return DueDate.select().count()


@click.command("rebuild-due-dates")
@with_appcontext
def rebuild_command():
    """Remake 今日待办's stored due dates from the records."""
    with database.connection_context():
        click.echo("已重建今日待办的到期日：%d 条。" % rebuild())


db.before_commit(refresh)  # every write transaction of a station's SQLite file keeps the dates current
