"""The province reads only a package's totals (the tuples with no breakdown): an index of them alone.

Every table, trend, annual report and completeness check sums tuples with `dimension IS NULL` of a few periods
(rollup.ROWS, trends, rollup.sources). The index package_value_package_id_element_period held every tuple, ~1,560 a
package, of which the totals are ~240: a table of the year for the whole province read each package's tuples
through it (or the whole table: at 3,000 stations x 6 months, 3.5 s of 4.7 million rows). It becomes
`package_value_totals`: the totals only, by package and period, carrying their numerator and denominator so a
table is read from the index (about a sixth of the index entries written per package, too). Refusing to delete a
package whose tuples remain (0009) needs to find a package's tuples of any kind: a BRIN index of package_id, a few
pages, as tuples are stored in the order their packages are received. And a month's current packages, which every
table starts from, are found by an index rather than by reading every package received.

Frozen DDL (never regenerated): later changes go in new numbered migrations.
"""

STATEMENTS = [
    'DROP INDEX "package_value_package_id_element_period"',
    'CREATE INDEX "package_value_totals" ON "package_value" ("package_id", "period", "element") '
    'INCLUDE ("numerator", "denominator") WHERE "dimension" IS NULL',
    'CREATE INDEX "package_value_package_id_brin" ON "package_value" USING brin ("package_id")',
    'CREATE INDEX "package_month_current" ON "package" ("month") WHERE "superseded_by_id" IS NULL',
]


def up(migrator, db):
    for statement in STATEMENTS:
        db.execute_sql(statement)
