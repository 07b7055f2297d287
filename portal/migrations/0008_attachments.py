"""Attachments: scanned documents and photos in a person's file (SECURITY.md W11).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "attachment" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL, "case_id" INTEGER, "agreement_id" INTEGER, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'decision\', \'agreement\', \'registration\', \'lab_report\', \'photo\', \'other\')), "title" VARCHAR(255) NOT NULL, "original_name" VARCHAR(255) NOT NULL, "stored_name" VARCHAR(255) NOT NULL, "mime" VARCHAR(255) NOT NULL CHECK (mime IN (\'application/pdf\', \'image/jpeg\', \'image/png\')), "size" INTEGER NOT NULL CHECK (size > 0), "sha256" VARCHAR(255) NOT NULL CHECK (length(sha256) = 64), "uploaded_by_id" INTEGER NOT NULL, "uploaded_at" DATETIME NOT NULL, "deleted_at" DATETIME, "deleted_by_id" INTEGER, "delete_reason" VARCHAR(255), FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("agreement_id") REFERENCES "agreement" ("id"), FOREIGN KEY ("uploaded_by_id") REFERENCES "user" ("id"), FOREIGN KEY ("deleted_by_id") REFERENCES "user" ("id"), CHECK (deleted_at IS NULL OR (deleted_by_id IS NOT NULL AND delete_reason IS NOT NULL)))',
    'CREATE INDEX "attachment_person_id" ON "attachment" ("person_id")',
    'CREATE INDEX "attachment_case_id" ON "attachment" ("case_id")',
    'CREATE INDEX "attachment_agreement_id" ON "attachment" ("agreement_id")',
    'CREATE UNIQUE INDEX "attachment_stored_name" ON "attachment" ("stored_name")',
    'CREATE INDEX "attachment_uploaded_by_id" ON "attachment" ("uploaded_by_id")',
    'CREATE INDEX "attachment_deleted_by_id" ON "attachment" ("deleted_by_id")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
