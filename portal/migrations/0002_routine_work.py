"""Talks, home visits, risk assessments and the revision history of corrected records.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "home_visit" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, "visited_on" DATE NOT NULL, "visitors" VARCHAR(255) NOT NULL, "address" VARCHAR(255) NOT NULL, "found_at_home" INTEGER NOT NULL, "family_met" VARCHAR(255), "living_verified" INTEGER NOT NULL, "employment_verified" INTEGER NOT NULL, "anomalies" VARCHAR(255) NOT NULL, "actions" TEXT, "next_date" DATE, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "home_visit_person_id" ON "home_visit" ("person_id")',
    'CREATE INDEX "home_visit_staff_id" ON "home_visit" ("staff_id")',
    'CREATE INDEX "home_visit_visited_on" ON "home_visit" ("visited_on")',
    'CREATE INDEX "home_visit_person_id_deleted_at_visited_on_next_date" ON "home_visit" ("person_id", "deleted_at", "visited_on", "next_date")',
    'CREATE TABLE "revision" ("id" INTEGER NOT NULL PRIMARY KEY, "model" VARCHAR(255) NOT NULL, "record_id" INTEGER NOT NULL, "version" INTEGER NOT NULL, "data" TEXT NOT NULL, "changed_by_id" INTEGER, "changed_at" DATETIME NOT NULL, FOREIGN KEY ("changed_by_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "revision_changed_by_id" ON "revision" ("changed_by_id")',
    'CREATE INDEX "revision_model_record_id" ON "revision" ("model", "record_id")',
    'CREATE TABLE "risk_assessment" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "assessor_id" INTEGER, "assessed_on" DATE NOT NULL, "level" VARCHAR(255) NOT NULL CHECK (level IN (\'high\', \'medium\', \'low\')), "factors" VARCHAR(255) NOT NULL, "notes" TEXT, "next_review" DATE NOT NULL, "forced_by" VARCHAR(255), FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("assessor_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "risk_assessment_person_id" ON "risk_assessment" ("person_id")',
    'CREATE INDEX "risk_assessment_assessor_id" ON "risk_assessment" ("assessor_id")',
    'CREATE INDEX "risk_assessment_person_id_deleted_at_assessed_on_level_n_13b79cd" ON "risk_assessment" ("person_id", "deleted_at", "assessed_on", "level", "next_review")',
    'CREATE TABLE "talk" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, "held_at" DATETIME NOT NULL, "place" VARCHAR(255) NOT NULL CHECK (place IN (\'sunshine\', \'home\', \'work\', \'phone\', \'video\')), "participants" VARCHAR(255), "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'routine\', \'after_breach\', \'after_positive\', \'other\')), "topics" VARCHAR(255) NOT NULL, "risk_factors" TEXT, "assessment" VARCHAR(255) NOT NULL CHECK (assessment IN (\'stable\', \'fluctuating\', \'high\')), "actions" TEXT, "next_date" DATE, "signature" VARCHAR(255) NOT NULL CHECK (signature IN (\'signed\', \'refused\')), FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "talk_person_id" ON "talk" ("person_id")',
    'CREATE INDEX "talk_staff_id" ON "talk" ("staff_id")',
    'CREATE INDEX "talk_held_at" ON "talk" ("held_at")',
    'CREATE INDEX "talk_person_id_deleted_at_held_at_next_date" ON "talk" ("person_id", "deleted_at", "held_at", "next_date")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
