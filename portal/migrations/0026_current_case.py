"""The current case stored on the case: `current` is 1 on each person's newest live case (the one every
screen and rule means by "the case"), 0 on their other cases. The database's triggers keep it after
every write that can move it (a case added, removed or restored, moved to another person by a merge or
its undoing), whatever code writes; readers never compute it again (models/cases.py). Counting persons
by their case's measure and status then reads two partial indexes instead of a subquery per person.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

# the person's newest live case: the rule, in the one place it is written
NEWEST = ('(SELECT MAX("newest"."id") FROM "case" AS "newest" '
          'WHERE "newest"."person_id" = %s AND "newest"."deleted_at" IS NULL)')


def _recompute(person):
    """Set `current` on the cases of `person` (an expression: NEW.person_id…) whose flag is wrong."""
    flag = '("id" IS %s)' % (NEWEST % person)
    return 'UPDATE "case" SET "current" = %s WHERE "person_id" = %s AND "current" IS NOT %s;' % (flag, person, flag)


def _triggers():
    # an update inside a trigger does not fire that trigger again (SQLite's recursive_triggers is off)
    yield 'CREATE TRIGGER "case_current_insert" AFTER INSERT ON "case" BEGIN %s END' % _recompute("NEW.person_id")
    yield ('CREATE TRIGGER "case_current_update" AFTER UPDATE OF "person_id", "deleted_at", "current" ON "case" '
           'BEGIN %s %s END' % (_recompute("OLD.person_id"), _recompute("NEW.person_id")))
    yield 'CREATE TRIGGER "case_current_delete" AFTER DELETE ON "case" BEGIN %s END' % _recompute("OLD.person_id")


ADD = 'ALTER TABLE "case" ADD COLUMN "current" INTEGER NOT NULL DEFAULT 0'
FILL = 'UPDATE "case" SET "current" = ("id" IS %s)' % (NEWEST % '"case"."person_id"')
STATEMENTS = [
    # a person's current case (Person.with_current_case, current_case), found in the index alone
    'CREATE INDEX "case_current_person" ON "case" ("person_id", "current") WHERE "current"',
    # the persons by measure and status (the start page), the scope's columns and the person to count
    'CREATE INDEX "case_current_measure_status" ON "case" '
    '("measure", "status", "worker_id", "counsellor_id", "person_id") WHERE "current"',
    # the few persons outside every list (removed or sealed): the counts leave them out without reading the
    # persons' rows (Person.listed(), negated)
    'CREATE INDEX "person_unlisted" ON "person" ("id") WHERE NOT ("deleted_at" IS NULL AND "sealed_at" IS NULL)',
    *_triggers(),
]


def up(migrator, db):
    db.execute_sql(ADD)
    # filling the flag moves no due date: 0025's trigger that would mark every person is set aside meanwhile
    (marking,) = db.execute_sql('SELECT "sql" FROM "sqlite_master" WHERE "name" = \'due_stale_case_update\'').fetchone()
    db.execute_sql('DROP TRIGGER "due_stale_case_update"')
    db.execute_sql(FILL)
    db.execute_sql(marking)
    for statement in STATEMENTS:
        db.execute_sql(statement)
