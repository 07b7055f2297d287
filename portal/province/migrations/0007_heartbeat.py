"""The health check's heartbeat: one fixed row `/healthz` rewrites and commits (portal/web/serving.py), as on a
station (its migration 0024).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "heartbeat" ("id" INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), "beat_at" TIMESTAMP NOT NULL)',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
