"""Batch printing jobs (rendered in the background, downloaded once).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "print_job" ("id" INTEGER NOT NULL PRIMARY KEY, "user_id" INTEGER NOT NULL, "profile" VARCHAR(255) NOT NULL, "sections" VARCHAR(255) NOT NULL, "output" VARCHAR(255) NOT NULL CHECK (output IN (\'pdf\', \'zip\')), "person_ids" TEXT NOT NULL, "total" INTEGER NOT NULL, "done" INTEGER NOT NULL, "status" VARCHAR(255) NOT NULL CHECK (status IN (\'running\', \'done\', \'cancelled\', \'failed\', \'downloaded\', \'expired\')), "file_name" VARCHAR(255), "error" TEXT, "created_at" DATETIME NOT NULL, "finished_at" DATETIME, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "print_job_user_id" ON "print_job" ("user_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
