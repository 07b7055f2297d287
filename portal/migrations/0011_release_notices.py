"""Notices of release to the street or township office (戒毒条例 23, 40), and the day the station
began to record them: releases before that day are not asked for one.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "release_notice" ("id" INTEGER NOT NULL PRIMARY KEY, "case_id" INTEGER NOT NULL, "sent_on" DATE NOT NULL, "recipient" VARCHAR(255) NOT NULL, "document_number" VARCHAR(255) NOT NULL, "staff_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"))',
    'CREATE UNIQUE INDEX "release_notice_case_id" ON "release_notice" ("case_id")',
    'CREATE INDEX "release_notice_staff_id" ON "release_notice" ("staff_id")',
    # station time (UTC+8): the first day whose releases must be notified through the portal
    "INSERT OR IGNORE INTO \"setting\" (\"key\", \"value\") VALUES ('release_notice.since', date('now', '+8 hours'))",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
