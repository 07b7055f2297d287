"""Prevention events (禁毒宣传 "六进"), the volunteers who served at them, and their photos.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "prevention_event" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "held_on" DATE NOT NULL, "title" VARCHAR(255) NOT NULL, "venue_type" VARCHAR(255) NOT NULL CHECK (venue_type IN (\'school\', \'family\', \'community\', \'village\', \'unit\', \'venue\')), "venue" VARCHAR(255) NOT NULL, "partners" VARCHAR(255), "format" VARCHAR(255) NOT NULL CHECK (format IN (\'lecture\', \'exhibition\', \'consultation\', \'performance\', \'online\')), "audience" TEXT NOT NULL, "leaflets" INTEGER NOT NULL, "consultations" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "prevention_event_held_on" ON "prevention_event" ("held_on")',
    'CREATE INDEX "prevention_event_staff_id" ON "prevention_event" ("staff_id")',
    'CREATE TABLE "event_volunteer" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" INTEGER NOT NULL, "trainee_id" INTEGER NOT NULL, "hours" DECIMAL(4, 1) NOT NULL, FOREIGN KEY ("event_id") REFERENCES "prevention_event" ("id"), FOREIGN KEY ("trainee_id") REFERENCES "trainee" ("id"))',
    'CREATE INDEX "event_volunteer_event_id" ON "event_volunteer" ("event_id")',
    'CREATE INDEX "event_volunteer_trainee_id" ON "event_volunteer" ("trainee_id")',
    'CREATE UNIQUE INDEX "event_volunteer_event_id_trainee_id" ON "event_volunteer" ("event_id", "trainee_id")',
    'CREATE TABLE "event_photo" ("id" INTEGER NOT NULL PRIMARY KEY, "event_id" INTEGER NOT NULL, "stored_name" VARCHAR(255) NOT NULL, "original_name" VARCHAR(255) NOT NULL, "mime" VARCHAR(255) NOT NULL, "size" INTEGER NOT NULL, "staff_id" INTEGER NOT NULL, FOREIGN KEY ("event_id") REFERENCES "prevention_event" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE INDEX "event_photo_event_id" ON "event_photo" ("event_id")',
    'CREATE UNIQUE INDEX "event_photo_stored_name" ON "event_photo" ("stored_name")',
    'CREATE INDEX "event_photo_staff_id" ON "event_photo" ("staff_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
