"""The packages received (both versions of a resubmission kept: `superseded_by`) and their tuples.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "package" ("id" SERIAL NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "month" VARCHAR(255) NOT NULL, "generated_at" VARCHAR(255) NOT NULL, "received_at" TIMESTAMP NOT NULL, "received_by_id" INTEGER, "via" VARCHAR(255) NOT NULL CHECK (via IN (\'upload\', \'cli\')), "sha256" VARCHAR(255) NOT NULL, "size" INTEGER NOT NULL, "content" TEXT NOT NULL, "superseded_by_id" INTEGER, FOREIGN KEY ("station_id") REFERENCES "org_unit" ("id"), FOREIGN KEY ("received_by_id") REFERENCES "user" ("id"), FOREIGN KEY ("superseded_by_id") REFERENCES "package" ("id"))',
    'CREATE INDEX "package_station_id" ON "package" ("station_id")',
    'CREATE INDEX "package_received_by_id" ON "package" ("received_by_id")',
    'CREATE INDEX "package_superseded_by_id" ON "package" ("superseded_by_id")',
    'CREATE INDEX "package_station_id_month" ON "package" ("station_id", "month")',
    # at most one current package per station and month
    'CREATE UNIQUE INDEX "package_current" ON "package" ("station_id", "month") WHERE superseded_by_id IS NULL',
    'CREATE TABLE "package_value" ("id" SERIAL NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "element" VARCHAR(255) NOT NULL, "period" VARCHAR(255) NOT NULL, "dimension" VARCHAR(255), "code" VARCHAR(255), "numerator" BIGINT NOT NULL, "denominator" BIGINT, FOREIGN KEY ("package_id") REFERENCES "package" ("id"))',
    'CREATE INDEX "package_value_package_id" ON "package_value" ("package_id")',
    'CREATE INDEX "package_value_package_id_element_period" ON "package_value" ("package_id", "element", "period")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
