"""今日待办 reads each person's latest records by index seeks: the current risk assessment (same-day
ties to the newer row, so the index ends on the date and the row id) and each case's oldest 未到 still
undecided (one seek instead of reading every test of the case).

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'CREATE INDEX "risk_assessment_person_id_deleted_at_assessed_on" ON "risk_assessment" '
    '("person_id", "deleted_at", "assessed_on")',
    'CREATE INDEX "screening_case_id_result_decided_by_id_deleted_at_tested_on" ON "screening" '
    '("case_id", "result", "decided_by_id", "deleted_at", "tested_on")',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
