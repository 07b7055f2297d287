"""Sealing (封存) of a file when dynamic control ends, its anonymisation past the retention age
(name, ID number, address and free text removed; a keyed hash of the ID number kept to match a
re-registration), and the station's retention setting (years after sealing, default 5).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'ALTER TABLE "person" ADD COLUMN "sealed_at" DATETIME',
    'ALTER TABLE "person" ADD COLUMN "anonymised_at" DATETIME',
    'ALTER TABLE "person" ADD COLUMN "id_hash" VARCHAR(255)',
    'CREATE INDEX "person_id_hash" ON "person" ("id_hash")',
    "INSERT OR IGNORE INTO \"setting\" (\"key\", \"value\") VALUES ('retention.years', '5')",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
