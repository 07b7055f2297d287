"""Attendance has a 未记录 (unrecorded) state until someone marks it: nobody is shown 缺席 for a
session not yet recorded. A row never marked (still its first version and the old default 缺席) becomes
未记录; every row someone marked keeps its status.

The attendance table is rebuilt the SQLite way (a CHECK cannot be altered) inside this migration's
transaction: create, copy, drop, rename, recreate the indexes.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "attendance_new" ("id" INTEGER NOT NULL PRIMARY KEY, "session_id" INTEGER NOT NULL, "trainee_id" INTEGER NOT NULL, "status" VARCHAR(255) NOT NULL CHECK (status IN (\'unrecorded\', \'present\', \'absent\', \'excused\')), "version" INTEGER NOT NULL, FOREIGN KEY ("session_id") REFERENCES "training_session" ("id"), FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id"))',
    'INSERT INTO "attendance_new" ("id", "session_id", "trainee_id", "status", "version") SELECT "id", "session_id", "trainee_id", CASE WHEN "status" = \'absent\' AND "version" = 1 THEN \'unrecorded\' ELSE "status" END, "version" FROM "attendance"',
    'DROP TABLE "attendance"',
    'ALTER TABLE "attendance_new" RENAME TO "attendance"',
    'CREATE INDEX "attendance_session_id" ON "attendance" ("session_id")',
    'CREATE INDEX "attendance_trainee_id" ON "attendance" ("trainee_id")',
    'CREATE UNIQUE INDEX "attendance_session_id_trainee_id" ON "attendance" ("session_id", "trainee_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
    problems = [row for row in db.execute_sql("PRAGMA foreign_key_check").fetchall() if row[2] == "attendance"]
    if problems:
        raise RuntimeError("foreign_key_check after rebuilding attendance: %r" % problems[:5])
