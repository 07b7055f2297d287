"""Abstinence tracking and the case lifecycle: screenings, absences, case events, agreements,
incidents reported to the police, breaches; credited and suspended days and the test schedule
of a case.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "screening" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, "tested_on" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'onsite\', \'lab\', \'retest\')), "sample" VARCHAR(255) NOT NULL CHECK (sample IN (\'urine\', \'hair\', \'blood\')), "panels" VARCHAR(255) NOT NULL, "result" VARCHAR(255) NOT NULL CHECK (result IN (\'negative\', \'positive\', \'invalid\', \'refused\', \'evaded\', \'absent\')), "positive_panels" VARCHAR(255) NOT NULL, "collectors" VARCHAR(255) NOT NULL, "female_collector" INTEGER NOT NULL, "sample_a" VARCHAR(255), "sample_b" VARCHAR(255), "random" INTEGER NOT NULL, "police_station" VARCHAR(255), "signed" INTEGER NOT NULL, "scheduled_for" DATE, "decided_by_id" INTEGER, "excuse" TEXT, "notes" TEXT, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"), FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "screening_staff_id" ON "screening" ("staff_id")',
    'CREATE INDEX "screening_person_id_deleted_at_tested_on" ON "screening" ("person_id", "deleted_at", "tested_on")',
    'CREATE INDEX "screening_case_id_deleted_at_sample_tested_on_result_dec_1a4360d" ON "screening" ("case_id", "deleted_at", "sample", "tested_on", "result", "decided_by_id")',
    'CREATE INDEX "screening_result_case_id_deleted_at" ON "screening" ("result", "case_id", "deleted_at")',
    'CREATE INDEX "screening_tested_on" ON "screening" ("tested_on")',
    'CREATE TABLE "absence" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'reported\', \'unauthorised\')), "destination" VARCHAR(255) NOT NULL, "reason" VARCHAR(255), "leave_on" DATE NOT NULL, "return_on" DATE, "written_report" INTEGER NOT NULL, "approved_by" VARCHAR(255), "discovered" VARCHAR(255) CHECK (discovered IN (\'visit\', \'phone\', \'police\', \'self\', \'other\')), "notes" TEXT, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "absence_staff_id" ON "absence" ("staff_id")',
    'CREATE INDEX "absence_person_id_deleted_at_leave_on" ON "absence" ("person_id", "deleted_at", "leave_on")',
    'CREATE INDEX "absence_kind_case_id_deleted_at" ON "absence" ("kind", "case_id", "deleted_at")',
    'CREATE INDEX "absence_case_id_deleted_at_leave_on" ON "absence" ("case_id", "deleted_at", "leave_on")',
    'CREATE TABLE "case_event" ("id" INTEGER NOT NULL PRIMARY KEY, "case_id" INTEGER NOT NULL, "action" VARCHAR(255) NOT NULL CHECK (action IN (\'report\', \'suspend\', \'resume\', \'relocate\', \'release\', \'terminate\', \'compulsory\', \'transfer\', \'death\')), "from_status" VARCHAR(255) NOT NULL, "to_status" VARCHAR(255) NOT NULL, "on" DATE NOT NULL, "document_number" VARCHAR(255), "place" VARCHAR(255), "notes" TEXT, "user_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "case_event_case_id" ON "case_event" ("case_id")',
    'CREATE INDEX "case_event_user_id" ON "case_event" ("user_id")',
    'CREATE INDEX "case_event_case_id_on" ON "case_event" ("case_id", "on")',
    'CREATE TABLE "agreement" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "case_id" INTEGER NOT NULL, "edition" INTEGER NOT NULL, "signed_on" DATE NOT NULL, "measures" TEXT NOT NULL, "obligations" TEXT NOT NULL, "liability" TEXT NOT NULL, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "agreement_case_id" ON "agreement" ("case_id")',
    'CREATE INDEX "agreement_staff_id" ON "agreement" ("staff_id")',
    'CREATE UNIQUE INDEX "agreement_case_id_edition" ON "agreement" ("case_id", "edition")',
    'CREATE TABLE "incident" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'serious_breach\', \'relapse\')), "occurred_on" DATE NOT NULL, "screening_id" INTEGER, "detail" VARCHAR(255), "reported_on" DATE, "recipient" VARCHAR(255), "report_notes" TEXT, "reported_by_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("screening_id") REFERENCES "screening" ("id"), FOREIGN KEY ("reported_by_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "incident_person_id" ON "incident" ("person_id")',
    'CREATE INDEX "incident_case_id" ON "incident" ("case_id")',
    'CREATE INDEX "incident_screening_id" ON "incident" ("screening_id")',
    'CREATE INDEX "incident_reported_by_id" ON "incident" ("reported_by_id")',
    'CREATE INDEX "incident_case_id_kind" ON "incident" ("case_id", "kind")',
    'CREATE TABLE "breach" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'refusal\', \'evasion\', \'absence\', \'late_report\', \'missed_talk\', \'other\')), "occurred_on" DATE NOT NULL, "description" TEXT, "screening_id" INTEGER, "absence_id" INTEGER, "educated_on" DATE, "education" TEXT, "staff_id" INTEGER, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("screening_id") REFERENCES "screening" ("id"), FOREIGN KEY ("absence_id") REFERENCES "absence" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "breach_person_id" ON "breach" ("person_id")',
    'CREATE INDEX "breach_case_id" ON "breach" ("case_id")',
    'CREATE INDEX "breach_screening_id" ON "breach" ("screening_id")',
    'CREATE INDEX "breach_absence_id" ON "breach" ("absence_id")',
    'CREATE INDEX "breach_staff_id" ON "breach" ("staff_id")',
    'CREATE INDEX "breach_person_id_deleted_at_occurred_on" ON "breach" ("person_id", "deleted_at", "occurred_on")',
    'ALTER TABLE "case" ADD COLUMN "credited_days" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "case" ADD COLUMN "suspended_days" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "case" ADD COLUMN "screening_preset" VARCHAR(255)',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
