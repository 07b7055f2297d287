"""Initial schema: accounts, server sessions, the audit trail, settings, persons, cases, family.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "user" ("id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL, "display_name" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL CHECK (role IN (\'lead\', \'officer\', \'worker\', \'counsellor\', \'volunteer\')), "password_hash" VARCHAR(255) NOT NULL, "password_changed_at" DATETIME NOT NULL, "must_change_password" INTEGER NOT NULL, "failed_logins" INTEGER NOT NULL, "locked_until" DATETIME, "is_active" INTEGER NOT NULL, "created_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
    'CREATE TABLE "audit_log" ("id" INTEGER NOT NULL PRIMARY KEY, "ts" DATETIME NOT NULL, "user_id" INTEGER, "username" VARCHAR(255), "action" VARCHAR(255) NOT NULL, "object_type" VARCHAR(255), "object_id" INTEGER, "person_id" INTEGER, "outcome" VARCHAR(255) NOT NULL CHECK (outcome IN (\'ok\', \'denied\', \'failed\')), "ip" VARCHAR(255), "reason" TEXT, "detail" TEXT, "prev_hash" VARCHAR(255) NOT NULL, "hash" VARCHAR(255) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "audit_log_ts" ON "audit_log" ("ts")',
    'CREATE INDEX "audit_log_user_id" ON "audit_log" ("user_id")',
    'CREATE INDEX "audit_log_action" ON "audit_log" ("action")',
    'CREATE INDEX "audit_log_person_id" ON "audit_log" ("person_id")',
    'CREATE INDEX "audit_log_object_type_object_id" ON "audit_log" ("object_type", "object_id")',
    'CREATE TABLE "person" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "name" VARCHAR(255) NOT NULL, "name_pinyin" VARCHAR(255) NOT NULL, "name_initials" VARCHAR(255) NOT NULL, "sex" VARCHAR(255) NOT NULL CHECK (sex IN (\'M\', \'F\')), "birth_date" DATE NOT NULL, "id_number" VARCHAR(255) NOT NULL CHECK (length(id_number) = 18), "ethnicity" VARCHAR(255) NOT NULL, "phone" VARCHAR(255), "household_address" VARCHAR(255), "residence_address" VARCHAR(255), "employment" VARCHAR(255), "drug_type" VARCHAR(255), "notes" TEXT, "deleted_by_id" INTEGER, "deleted_reason" VARCHAR(255), FOREIGN KEY ("deleted_by_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "person_name_pinyin" ON "person" ("name_pinyin")',
    'CREATE INDEX "person_name_initials" ON "person" ("name_initials")',
    'CREATE UNIQUE INDEX "person_id_number" ON "person" ("id_number")',
    'CREATE INDEX "person_deleted_by_id" ON "person" ("deleted_by_id")',
    'CREATE TABLE "case" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "measure" VARCHAR(255) NOT NULL CHECK (measure IN (\'community_detox\', \'community_rehab\')), "decision_number" VARCHAR(255) NOT NULL, "decision_date" DATE NOT NULL, "served_date" DATE NOT NULL, "report_date" DATE, "term_months" INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 36), "street" VARCHAR(255) NOT NULL, "officer_id" INTEGER, "worker_id" INTEGER, "counsellor_id" INTEGER, "status" VARCHAR(255) NOT NULL CHECK (status IN (\'pending_report\', \'active\', \'suspended\', \'released\', \'terminated\', \'compulsory\', \'transferred\', \'deceased\')), FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("officer_id") REFERENCES "user" ("id"), FOREIGN KEY ("worker_id") REFERENCES "user" ("id"), FOREIGN KEY ("counsellor_id") REFERENCES "user" ("id"), CHECK (report_date IS NULL OR report_date >= served_date), CHECK (served_date >= decision_date))',
    'CREATE INDEX "case_person_id" ON "case" ("person_id")',
    'CREATE INDEX "case_officer_id" ON "case" ("officer_id")',
    'CREATE INDEX "case_worker_id" ON "case" ("worker_id")',
    'CREATE INDEX "case_counsellor_id" ON "case" ("counsellor_id")',
    'CREATE INDEX "case_person_id_deleted_at_id" ON "case" ("person_id", "deleted_at", "id")',
    'CREATE TABLE "family_member" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL, "name" VARCHAR(255) NOT NULL, "relation" VARCHAR(255) NOT NULL, "phone" VARCHAR(255), "birth_date" DATE, "is_guardian" INTEGER NOT NULL, "notes" TEXT, "created_at" DATETIME NOT NULL, "deleted_at" DATETIME, FOREIGN KEY ("person_id") REFERENCES "person" ("id"))',
    'CREATE INDEX "family_member_person_id" ON "family_member" ("person_id")',
    'CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    'CREATE TABLE "user_session" ("id" INTEGER NOT NULL PRIMARY KEY, "token_hash" VARCHAR(255) NOT NULL, "user_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "last_seen" DATETIME NOT NULL, "revoked_at" DATETIME, "revoked_reason" VARCHAR(255), "ip" VARCHAR(255), FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "user_session_token_hash" ON "user_session" ("token_hash")',
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    # AU4: the audit trail is append-only.
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
