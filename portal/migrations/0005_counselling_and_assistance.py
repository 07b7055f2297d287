"""Counselling sessions (notes restricted to their author) and assistance cases with their steps.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "counselling_session" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "concerns_id" INTEGER, "counsellor_id" INTEGER NOT NULL, "held_on" DATE NOT NULL, "mode" VARCHAR(255) NOT NULL CHECK (mode IN (\'individual\', \'group\', \'family\', \'sandplay\')), "presenting" VARCHAR(255) NOT NULL, "scl90" INTEGER, "phq9" INTEGER, "gad7" INTEGER, "crisis" INTEGER NOT NULL, "plan" TEXT, "next_date" DATE, "notes" TEXT, "summary" TEXT, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("concerns_id") REFERENCES "family_member" ("id"), FOREIGN KEY ("counsellor_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "counselling_session_concerns_id" ON "counselling_session" ("concerns_id")',
    'CREATE INDEX "counselling_session_counsellor_id" ON "counselling_session" ("counsellor_id")',
    'CREATE INDEX "counselling_session_person_id_deleted_at_held_on" ON "counselling_session" ("person_id", "deleted_at", "held_on")',
    'CREATE TABLE "assistance_case" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "beneficiary_id" INTEGER, "category" VARCHAR(255) NOT NULL CHECK (category IN (\'subsistence\', \'temporary\', \'medical\', \'skills\', \'placement\', \'public_post\', \'schooling\', \'legal\', \'other\')), "title" VARCHAR(255) NOT NULL, "partners" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL CHECK (status IN (\'applied\', \'accepted\', \'in_progress\', \'closed\', \'rejected\')), "opened_on" DATE NOT NULL, "closed_on" DATE, "outcome" TEXT, "amount" INTEGER, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("beneficiary_id") REFERENCES "family_member" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "assistance_case_beneficiary_id" ON "assistance_case" ("beneficiary_id")',
    'CREATE INDEX "assistance_case_staff_id" ON "assistance_case" ("staff_id")',
    'CREATE INDEX "assistance_case_person_id_deleted_at_opened_on" ON "assistance_case" ("person_id", "deleted_at", "opened_on")',
    'CREATE INDEX "assistance_case_status_opened_on" ON "assistance_case" ("status", "opened_on")',
    'CREATE TABLE "assistance_step" ("id" INTEGER NOT NULL PRIMARY KEY, "assistance_id" INTEGER NOT NULL, "on" DATE NOT NULL, "who" VARCHAR(255) NOT NULL, "done" TEXT NOT NULL, "next_step" VARCHAR(255), "next_date" DATE, "staff_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("assistance_id") REFERENCES "assistance_case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "assistance_step_assistance_id" ON "assistance_step" ("assistance_id")',
    'CREATE INDEX "assistance_step_staff_id" ON "assistance_step" ("staff_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
