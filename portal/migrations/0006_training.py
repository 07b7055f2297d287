"""The trainee roster, training sessions and attendance.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "trainee" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "name" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'worker\', \'volunteer\', \'grid\')), "unit" VARCHAR(255), "phone" VARCHAR(255), "joined_on" DATE, "user_id" INTEGER, "active" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "trainee_user_id" ON "trainee" ("user_id")',
    'CREATE TABLE "training_session" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "held_on" DATE NOT NULL, "title" VARCHAR(255) NOT NULL, "audience" VARCHAR(255) NOT NULL CHECK (audience IN (\'worker\', \'volunteer\', \'grid\')), "trainer" VARCHAR(255) NOT NULL, "topics" VARCHAR(255) NOT NULL, "hours" DECIMAL(4, 1) NOT NULL, "venue" VARCHAR(255) NOT NULL, "materials" TEXT, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "training_session_held_on" ON "training_session" ("held_on")',
    'CREATE INDEX "training_session_staff_id" ON "training_session" ("staff_id")',
    'CREATE TABLE "attendance" ("id" INTEGER NOT NULL PRIMARY KEY, "session_id" INTEGER NOT NULL, "trainee_id" INTEGER NOT NULL, "status" VARCHAR(255) NOT NULL CHECK (status IN (\'present\', \'absent\', \'excused\')), "version" INTEGER NOT NULL, FOREIGN KEY ("session_id") REFERENCES "training_session" ("id"), FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id"))',
    'CREATE INDEX "attendance_session_id" ON "attendance" ("session_id")',
    'CREATE INDEX "attendance_trainee_id" ON "attendance" ("trainee_id")',
    'CREATE UNIQUE INDEX "attendance_session_id_trainee_id" ON "attendance" ("session_id", "trainee_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
