"""The org tree (province → prefectures → counties → stations, GB/T 2260 codes) with each station's
registered Ed25519 public key.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "org_unit" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "level" VARCHAR(255) NOT NULL CHECK (level IN (\'province\', \'prefecture\', \'county\', \'station\')), "parent_id" INTEGER, "public_key" VARCHAR(255), "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("parent_id") REFERENCES "org_unit" ("id"))',
    'CREATE UNIQUE INDEX "org_unit_code" ON "org_unit" ("code")',
    'CREATE INDEX "org_unit_parent_id" ON "org_unit" ("parent_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
