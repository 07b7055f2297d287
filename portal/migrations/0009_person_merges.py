"""Merges of duplicate person files (who merged what, the moved rows, the undo).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "person_merge" ("id" INTEGER NOT NULL PRIMARY KEY, "survivor_id" INTEGER NOT NULL, "merged_id" INTEGER NOT NULL, "reason" TEXT NOT NULL, "survivor_before" TEXT NOT NULL, "survivor_version" INTEGER NOT NULL, "moved" TEXT NOT NULL, "merged_by_id" INTEGER NOT NULL, "merged_at" DATETIME NOT NULL, "undone_by_id" INTEGER, "undone_at" DATETIME, "undo_reason" TEXT, FOREIGN KEY ("survivor_id") REFERENCES "person" ("id"), FOREIGN KEY ("merged_id") REFERENCES "person" ("id"), FOREIGN KEY ("merged_by_id") REFERENCES "user" ("id"), FOREIGN KEY ("undone_by_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "person_merge_survivor_id" ON "person_merge" ("survivor_id")',
    'CREATE INDEX "person_merge_merged_id" ON "person_merge" ("merged_id")',
    'CREATE INDEX "person_merge_merged_by_id" ON "person_merge" ("merged_by_id")',
    'CREATE INDEX "person_merge_undone_by_id" ON "person_merge" ("undone_by_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
