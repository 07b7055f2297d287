"""After-release follow-up tests (随访检测): a screening may belong to no case (`case_id` NULL);
a reported absence's recorded return and the decision on an overdue return (candidate 擅自外出).

SQLite cannot drop a NOT NULL, so the table is rebuilt the SQLite way inside this migration's
transaction (the runner turns foreign-key enforcement off around it): create the new table, copy
every row, drop the old one, rename, recreate its indexes.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE TABLE "screening_new" ("id" INTEGER NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "person_id" INTEGER NOT NULL, "case_id" INTEGER, "staff_id" INTEGER NOT NULL, "tested_on" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL CHECK (kind IN (\'onsite\', \'lab\', \'retest\')), "sample" VARCHAR(255) NOT NULL CHECK (sample IN (\'urine\', \'hair\', \'blood\')), "panels" VARCHAR(255) NOT NULL, "result" VARCHAR(255) NOT NULL CHECK (result IN (\'negative\', \'positive\', \'invalid\', \'refused\', \'evaded\', \'absent\')), "positive_panels" VARCHAR(255) NOT NULL, "collectors" VARCHAR(255) NOT NULL, "female_collector" INTEGER NOT NULL, "sample_a" VARCHAR(255), "sample_b" VARCHAR(255), "random" INTEGER NOT NULL, "police_station" VARCHAR(255), "signed" INTEGER NOT NULL, "scheduled_for" DATE, "decided_by_id" INTEGER, "excuse" TEXT, "notes" TEXT, FOREIGN KEY ("person_id") REFERENCES "person" ("id"), FOREIGN KEY ("case_id") REFERENCES "case" ("id"), FOREIGN KEY ("staff_id") REFERENCES "user" ("id"), FOREIGN KEY ("decided_by_id") REFERENCES "user" ("id"))',
    'INSERT INTO "screening_new" ("id", "version", "created_at", "updated_at", "deleted_at", "person_id", "case_id", "staff_id", "tested_on", "kind", "sample", "panels", "result", "positive_panels", "collectors", "female_collector", "sample_a", "sample_b", "random", "police_station", "signed", "scheduled_for", "decided_by_id", "excuse", "notes") SELECT "id", "version", "created_at", "updated_at", "deleted_at", "person_id", "case_id", "staff_id", "tested_on", "kind", "sample", "panels", "result", "positive_panels", "collectors", "female_collector", "sample_a", "sample_b", "random", "police_station", "signed", "scheduled_for", "decided_by_id", "excuse", "notes" FROM "screening"',
    'DROP TABLE "screening"',
    'ALTER TABLE "screening_new" RENAME TO "screening"',
    'CREATE INDEX "screening_staff_id" ON "screening" ("staff_id")',
    'CREATE INDEX "screening_person_id_deleted_at_tested_on" ON "screening" ("person_id", "deleted_at", "tested_on")',
    'CREATE INDEX "screening_case_id_deleted_at_sample_tested_on_result_dec_1a4360d" ON "screening" ("case_id", "deleted_at", "sample", "tested_on", "result", "decided_by_id")',
    'CREATE INDEX "screening_result_case_id_deleted_at" ON "screening" ("result", "case_id", "deleted_at")',
    'CREATE INDEX "screening_tested_on" ON "screening" ("tested_on")',
    'ALTER TABLE "absence" ADD COLUMN "returned_on" DATE',
    'ALTER TABLE "absence" ADD COLUMN "decision" VARCHAR(255) CHECK (decision IN (\'excused\', \'confirmed\'))',
    'ALTER TABLE "absence" ADD COLUMN "decided_by_id" INTEGER REFERENCES "user" ("id")',
    'ALTER TABLE "absence" ADD COLUMN "excuse" TEXT',
    # reported absences whose planned return has passed count as returned then: no candidates from the past
    "UPDATE \"absence\" SET \"returned_on\" = \"return_on\" WHERE \"kind\" = 'reported' AND \"return_on\" < date('now', '+8 hours')",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
    problems = [row for row in db.execute_sql("PRAGMA foreign_key_check").fetchall() if row[2] == "screening"]
    if problems:  # the copy must leave every reference to a test intact (breaches and incidents point at tests)
        raise RuntimeError("foreign_key_check after rebuilding screening: %r" % problems[:5])
