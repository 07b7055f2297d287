"""今日待办's stored due dates (models/due.py): kept current in the transaction of every save that moves
them, read by the queue, rebuilt by a command.

The database's triggers (migration 0025) mark the person of every row written to a table the queue's
rules read; just before the writing transaction commits, refresh() recomputes the marked persons' rows
by the queue's own rules (owed), so a save and the dates it moves commit together. A write made
outside a transaction stays marked until the next commit: until then the queue computes those persons'
rows from the records as it reads (source()), so what it shows never lags a save.
"""
from datetime import timedelta

import click
from flask.cli import with_appcontext
from flask_login import current_user
from peewee import OperationalError, Select, Value, fn

from .. import db
from ..db import database
from ..models import Case, DueDate, DueStale
from ..permissions import can
from ..tracking.plan import TERM_WARNINGS, screening_settings, sql_overdue_beyond_grace

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
            cases = cases.where(Case.person.in_(DueStale.select(DueStale.person_id)))
        ctes, rows = owed(cases)
        if len(_statements) > 16:
            _statements.clear()
        _statements[key] = DueDate.insert_from(rows.with_cte(*ctes), FIELDS).sql()
    return _statements[key]


def source():
    """The CTEs and the select of every owed row (the fields of DueDate): the stored ones, and for the
    persons marked but not yet recomputed, their rows computed from the records."""
    stored = DueDate.select(*FIELDS)
    stale = marked()
    if not stale:
        return [], stored
    from . import queue  # which imports this module

    if EVERYONE in stale:
        return owed(queue.all_current())
    persons = DueStale.select(DueStale.person_id)
    ctes, computed = owed(queue.all_current().where(Case.person.in_(persons)))
    return ctes, stored.where(DueDate.person_id.not_in(persons)).union_all(computed)


def owed(base):
    """SQL: per case of `base`, one row per kind of work it owes with its due date by the queue's rules,
    whatever the day (the day the queue is read decides what of it is listed), the person's name, the
    case's worker, the last such record and, on the tests' row, the oldest 未到 still undecided. Returns
    (the CTEs, the select)."""
    from .queue import KIND_RULES, LAST, due_dates, kind_listed

    found, dates = due_dates(base)
    dates = dates.cte("queue_dates", materialized=True)
    column = lambda name: getattr(dates.c, name)  # noqa: E731
    parts = []
    for kind, (statuses, _) in KIND_RULES.items():
        if kind == "missed":
            continue  # read from the tests' row: a test beyond its days of grace, or a 未到 undecided
        owes = column(kind).is_null(False)
        undecided = Value(None)
        if kind == "screening":
            undecided = column("undecided")
            owes |= undecided.is_null(False)
        parts.append(Select([dates], [column("person_id"), column("case_id"), column("name"), column("worker_id"),
                                      Value(kind).alias("kind"), column(kind).alias("due"),
                                      (column(LAST[kind]) if kind in LAST else Value(None)).alias("last"),
                                      undecided.alias("undecided")])
                     .where(kind_listed(column, statuses) & owes))
    rows = parts[0]
    for part in parts[1:]:
        rows = rows.union_all(part)
    return [found, dates], rows


def due_items(condition, day, person_id=None):
    """SQL: one row per kind of work due today or overdue (terms: within the first warning) of the cases
    under `condition` (on Case; None: all), of one person when given, with the case, person, name,
    worker, due date and the last such record; read from the stored due dates, which
    carry the name and the worker: the cases are read only to apply `condition`. Returns (the CTEs,
    the select).

    A scheduled test still missing after the days of grace, or a 未到 not yet decided, is listed
    as a candidate 逃避检测 for a person to confirm or excuse (DOMAIN.md §4)."""
    from .queue import KIND_RULES

    _, grace = screening_settings()
    ctes, rows = source()
    rows = rows.alias("owed")
    column = lambda name: getattr(rows.c, name)  # noqa: E731
    kind, due, undecided = column("kind"), column("due"), column("undecided")
    beyond = sql_overdue_beyond_grace(due, day, grace)
    until = {"today": day.isoformat(), "term": (day + timedelta(days=TERM_WARNINGS[0])).isoformat(), "any": None}
    # officers are not told who is in counselling
    shown = [k for k in KIND_RULES if k != "missed" and (k != "counselling" or can(current_user, "counselling.read"))]
    in_reach = None
    for reach, last_day in until.items():
        kinds = [k for k in shown if KIND_RULES[k][1] == reach]
        if kinds:
            within = kind.in_(kinds) & (due <= last_day) if last_day else kind.in_(kinds)
            in_reach = within if in_reach is None else in_reach | within
    scoped = column("case_id").is_null(False)
    if condition is not None:  # the user's cases, listed once: the items are read from their own index
        scoped = column("case_id").in_(Case.select(Case.id).where(condition))
    if person_id:
        scoped &= column("person_id") == person_id

    def part(kind_value, due_value, listed):
        return Select([rows], [kind_value.alias("kind"), column("case_id"), column("person_id"), column("name"),
                                 column("worker_id"), due_value.alias("due"), column("last")]
                      ).where(listed & scoped)

    listed = part(kind, due, in_reach & ~((kind == "screening") & beyond))
    missed = part(Value("missed"), fn.IIF(beyond, fn.COALESCE(undecided, due), undecided),
                  (kind == "screening") & (undecided.is_null(False) | beyond))
    return ctes, listed.union_all(missed)


def settle():
    """Recompute now what writes made outside a transaction marked: a copy of the database (a backup)
    then holds no marks, and its first commit after a restore moves no row."""
    if marked():
        with database.atomic():
            refresh()


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
