"""The province's core schema on PostgreSQL: accounts (the two province roles), server sessions, the
audit trail (append-only by trigger), settings. No person or case table: the province holds no person data.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "user" ("id" SERIAL NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL, "display_name" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL CHECK (role IN (\'province_admin\', \'province_viewer\')), "password_hash" VARCHAR(255) NOT NULL, "password_changed_at" TIMESTAMP NOT NULL, "must_change_password" BOOLEAN NOT NULL, "failed_logins" INTEGER NOT NULL, "locked_until" TIMESTAMP, "is_active" BOOLEAN NOT NULL, "created_at" TIMESTAMP NOT NULL)',
    'CREATE UNIQUE INDEX "user_username" ON "user" ("username")',
    'CREATE TABLE "user_session" ("id" SERIAL NOT NULL PRIMARY KEY, "token_hash" VARCHAR(255) NOT NULL, "user_id" INTEGER NOT NULL, "created_at" TIMESTAMP NOT NULL, "last_seen" TIMESTAMP NOT NULL, "revoked_at" TIMESTAMP, "revoked_reason" VARCHAR(255), "ip" VARCHAR(255), FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "user_session_token_hash" ON "user_session" ("token_hash")',
    'CREATE INDEX "user_session_user_id" ON "user_session" ("user_id")',
    'CREATE TABLE "audit_log" ("id" SERIAL NOT NULL PRIMARY KEY, "ts" TIMESTAMP NOT NULL, "user_id" INTEGER, "username" VARCHAR(255), "action" VARCHAR(255) NOT NULL, "object_type" VARCHAR(255), "object_id" INTEGER, "person_id" INTEGER, "outcome" VARCHAR(255) NOT NULL CHECK (outcome IN (\'ok\', \'denied\', \'failed\')), "ip" VARCHAR(255), "reason" TEXT, "detail" TEXT, "prev_hash" VARCHAR(255) NOT NULL, "hash" VARCHAR(255) NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "audit_log_ts" ON "audit_log" ("ts")',
    'CREATE INDEX "audit_log_user_id" ON "audit_log" ("user_id")',
    'CREATE INDEX "audit_log_action" ON "audit_log" ("action")',
    'CREATE INDEX "audit_log_person_id" ON "audit_log" ("person_id")',
    'CREATE INDEX "audit_log_object_type_object_id" ON "audit_log" ("object_type", "object_id")',
    'CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    # AU4: the audit trail is append-only (UPDATE, DELETE and TRUNCATE refused).
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
