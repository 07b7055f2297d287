"""The audit chain becomes keyed: each row says how its hash was made. Rows written before this
migration keep `chain` 1 (plain SHA-256) and keep verifying; every row written since is 2
(HMAC-SHA256 with the audit key kept outside the database, portal/audit/chain.py).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'ALTER TABLE "audit_log" ADD COLUMN "chain" INTEGER NOT NULL DEFAULT 1',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
