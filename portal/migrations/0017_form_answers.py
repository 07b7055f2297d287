"""One-time form tokens: the first answer to a form, replayed when the same form is posted again
(a save re-sent after a failure or a double click never makes a second record).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "form_answer" ("id" INTEGER NOT NULL PRIMARY KEY, "token" VARCHAR(255) NOT NULL, '
    '"user_id" INTEGER NOT NULL, "path" VARCHAR(255) NOT NULL, "status" INTEGER NOT NULL, "headers" TEXT NOT NULL, '
    '"body" TEXT NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "formanswer_token" ON "form_answer" ("token")',
    'CREATE INDEX "formanswer_user_id" ON "form_answer" ("user_id")',
    'CREATE INDEX "formanswer_created_at" ON "form_answer" ("created_at")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
