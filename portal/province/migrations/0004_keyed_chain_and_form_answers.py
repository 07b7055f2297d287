"""What the shared core gained meanwhile: the keyed audit chain (each row says how its hash was made,
portal/audit/chain.py; a province starts keyed) and one-time form tokens (portal/web/once.py).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'ALTER TABLE "audit_log" ADD COLUMN "chain" INTEGER NOT NULL DEFAULT 2',
    'CREATE TABLE "form_answer" ("id" SERIAL NOT NULL PRIMARY KEY, "token" VARCHAR(255) NOT NULL, '
    '"user_id" INTEGER NOT NULL, "path" VARCHAR(255) NOT NULL, "status" INTEGER NOT NULL, "headers" TEXT NOT NULL, '
    '"body" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "formanswer_token" ON "form_answer" ("token")',
    'CREATE INDEX "formanswer_user_id" ON "form_answer" ("user_id")',
    'CREATE INDEX "formanswer_created_at" ON "form_answer" ("created_at")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
