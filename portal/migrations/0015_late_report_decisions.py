"""A late report (逾期报到, 戒毒条例 14, 38) is decided by a person: excused with its cause (正当理由),
or confirmed, which opens an incident of the new kind `refused_report` to be reported to the police.

The incident table is rebuilt the SQLite way (a CHECK cannot be altered) inside this migration's
transaction: create, copy, drop, rename, recreate the indexes. Late reports recorded before this
migration count as confirmed; their reports to the police, if any, were made outside the portal.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "incident_new" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL, "case_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'serious_breach\', \'relapse\', \'refused_report\')), "occurred_on" DATE NOT NULL, "screening_id" INTEGER, "detail" VARCHAR(255), "reported_on" DATE, "recipient" VARCHAR(255), "report_notes" TEXT, "reported_by_id" INTEGER, "created_at" DATETIME NOT NULL, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("screening_id") REFERENCES "screening" ("id"), FOREIGN KEY ("reported_by_id") REFERENCES "user" ("id"))',
    'INSERT INTO "incident_new" ("id", "person_id", "case_id", "kind", "occurred_on", "screening_id", "detail", "reported_on", "recipient", "report_notes", "reported_by_id", "created_at") SELECT "id", "person_id", "case_id", "kind", "occurred_on", "screening_id", "detail", "reported_on", "recipient", "report_notes", "reported_by_id", "created_at" FROM "incident"',
    'DROP TABLE "incident"',
    'ALTER TABLE "incident_new" RENAME TO "incident"',
    'CREATE INDEX "incident_person_id" ON "incident" ("person_id")',
    'CREATE INDEX "incident_case_id" ON "incident" ("case_id")',
    'CREATE INDEX "incident_screening_id" ON "incident" ("screening_id")',
    'CREATE INDEX "incident_reported_by_id" ON "incident" ("reported_by_id")',
    'CREATE INDEX "incident_case_id_kind" ON "incident" ("case_id", "kind")',
    'ALTER TABLE "breach" ADD COLUMN "decision" VARCHAR(255) CHECK (decision IN (\'excused\', \'confirmed\'))',
    'ALTER TABLE "breach" ADD COLUMN "decided_by_id" INTEGER REFERENCES "user" ("id")',
    'ALTER TABLE "breach" ADD COLUMN "excuse" TEXT',
    "UPDATE \"breach\" SET \"decision\" = 'confirmed' WHERE \"kind\" = 'late_report'",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
    problems = [row for row in db.execute_sql("PRAGMA foreign_key_check").fetchall() if row[2] == "incident"]
    if problems:
        raise RuntimeError("foreign_key_check after rebuilding incident: %r" % problems[:5])
