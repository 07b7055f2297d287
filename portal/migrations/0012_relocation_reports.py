"""After a change of place (变更执行地), the date the person reported at the new place (戒毒条例 22),
and the day the station began to record it: earlier changes of place are not asked for one.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'ALTER TABLE "case_event" ADD COLUMN "reported_on" DATE',
    # station time (UTC+8): the first day whose changes of place await a report through the portal
    "INSERT OR IGNORE INTO \"setting\" (\"key\", \"value\") VALUES ('relocation_report.since', date('now', '+8 hours'))",
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
