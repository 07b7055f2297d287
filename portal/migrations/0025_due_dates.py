"""今日待办's stored due dates (models/due.py): the table of dates, the persons whose dates a write moved,
and the triggers that mark them in the writing transaction, whatever code writes (reports/due_store.py
recomputes the marked persons before the transaction commits). The last statement marks everyone: the
upgrade fills the table.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

# tables with the person in a column of their own
BY_PERSON = ["talk", "home_visit", "risk_assessment", "screening", "absence", "breach", "incident",
             "counselling_session", "assistance_case", "case"]
# tables that name the case (or the assistance case) only: (table, the row's column, the table it names)
BY_OWNER = [("case_event", "case_id", "case"), ("agreement", "case_id", "case"),
            ("release_notice", "case_id", "case"), ("assistance_step", "assistance_id", "assistance_case")]
# the settings the queue's rules read (cadences, the test preset, the days a later duty is recorded since)
RULE_SETTINGS = "(%s.key LIKE 'cadence.%%' OR %s.key LIKE 'screening.%%' OR %s.key LIKE '%%.since')"


def _marks(rows):
    return 'INSERT OR IGNORE INTO "due_stale" ("person_id") %s;' % rows


def _triggers():
    events = (("insert", ("NEW",)), ("update", ("OLD", "NEW")), ("delete", ("OLD",)))
    for table in BY_PERSON:
        for event, rows in events:
            values = ", ".join("(%s.person_id)" % row for row in rows)
            yield 'CREATE TRIGGER "due_stale_%s_%s" AFTER %s ON "%s" BEGIN %s END' % (
                table, event, event.upper(), table, _marks("VALUES " + values))
    for table, column, owner in BY_OWNER:
        for event, rows in events:
            ids = ", ".join("%s.%s" % (row, column) for row in rows)
            yield 'CREATE TRIGGER "due_stale_%s_%s" AFTER %s ON "%s" BEGIN %s END' % (
                table, event, event.upper(), table, _marks('SELECT "person_id" FROM "%s" WHERE "id" IN (%s)' % (
                    owner, ids)))
    yield 'CREATE TRIGGER "due_stale_person_update" AFTER UPDATE ON "person" BEGIN %s END' % _marks(
        "VALUES (OLD.id), (NEW.id)")
    for event, rows in events:
        yield 'CREATE TRIGGER "due_stale_setting_%s" AFTER %s ON "setting" WHEN %s BEGIN %s END' % (
            event, event.upper(), " OR ".join(RULE_SETTINGS % ((row,) * 3) for row in rows), _marks("VALUES (0)"))


STATEMENTS = [
    'CREATE TABLE "due_date" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL, '
    '"case_id" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "worker_id" INTEGER, "kind" VARCHAR(255) NOT NULL, '
    '"due" DATE, "last" DATE, "undecided" DATE)',
    'CREATE INDEX "due_date_person_id" ON "due_date" ("person_id")',
    'CREATE INDEX "due_date_case_id" ON "due_date" ("case_id")',
    'CREATE INDEX "due_date_kind_due_worker_id_person_id_case_id_name_last__f545f9d" ON "due_date" '
    '("kind", "due", "worker_id", "person_id", "case_id", "name", "last", "undecided")',
    'CREATE TABLE "due_stale" ("person_id" INTEGER NOT NULL PRIMARY KEY)',
    *_triggers(),
    'INSERT INTO "due_stale" ("person_id") VALUES (0)',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
