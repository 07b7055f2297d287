"""Relapse found by the police (公安查获复吸): relapse evidence besides a positive test.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "relapse_finding" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "case_id" INTEGER, "found_on" DATE NOT NULL, "police_unit" VARCHAR(255) NOT NULL, "document_number" VARCHAR(255) NOT NULL, "notes" TEXT, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "relapse_finding_person_id" ON "relapse_finding" ("person_id")',
    'CREATE INDEX "relapse_finding_case_id" ON "relapse_finding" ("case_id")',
    'CREATE INDEX "relapse_finding_staff_id" ON "relapse_finding" ("staff_id")',
    'CREATE INDEX "relapse_finding_person_id_deleted_at_found_on" ON "relapse_finding" ("person_id", "deleted_at", "found_on")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
