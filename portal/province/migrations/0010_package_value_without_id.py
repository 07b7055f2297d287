"""A package's tuples stored without a surrogate key (scripts/bench_province.py, issue 18's import goal).

`package_value.id` was never read: a tuple is found by its package, element and period (the index
package_value_package_id_element_period). Its sequence's nextval and its primary-key index cost about a quarter
of what the server spends writing a package's ~1,000-1,600 tuples. The tuples themselves are all kept.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'ALTER TABLE "package_value" DROP COLUMN "id"',  # its primary key and its sequence go with it
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
