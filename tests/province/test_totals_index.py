"""The province reads a package's totals from their own index (migration 0011): the tables (rollup.ROWS), which
package of a month covers a quarter (rollup.sources) and the trends (trends.monthly_sums) each plan an index scan
of `package_value_totals`, never a read of every tuple, breakdowns included. The planner is told to avoid a
sequential scan, as it would on a table of millions of tuples: a query that the index cannot serve (one that no
longer says `dimension IS NULL`, say) plans another way and fails here."""
from datetime import date

import pytest

from portal.db import database
from portal.models import OrgUnit, Package, PackageValue
from portal.province import rollup, trends

TODAY = date(2026, 11, 15)


@pytest.fixture
def station(app):
    with app.app_context(), database.connection_context():
        station = OrgUnit.create(code="520102-01", name="站", level="station")
        for month in ("2026-09", "2026-10"):
            package = Package.create(station=station, month=month, generated_at="", via="cli", sha256=month,
                                     size=2, content="{}")
            rows = [{"package": package, "element": "REGISTERED", "period": period, "dimension": None, "code": None,
                     "numerator": 7} for period in ("month", "year_to_date", "quarter_to_date")]
            rows += [{"package": package, "element": "REGISTERED", "period": "month", "dimension": "sex",
                      "code": code, "numerator": 3} for code in ("M", "F")]
            PackageValue.insert_many(rows).execute()
        return station.id


def plan_of(sql, params):
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params).fetchall())


@pytest.mark.parametrize("kind, number", [("month", 10), ("quarter", 4), ("year", 1)])
def test_a_table_reads_the_totals_index(app, station, kind, number):
    with app.app_context(), database.connection_context():
        plan = rollup.plan(kind, 2026, number, TODAY)
        explained = plan_of(*rollup.rows_statement(plan, {station: station}))
        assert "package_value_totals" in explained, explained
        assert rollup.package_rows(plan, {station: station})  # and it reads the totals


def test_which_package_covers_a_quarter_is_read_from_the_totals_index(app, station):
    with app.app_context(), database.connection_context():
        plan = rollup.plan("quarter", 2026, 3, TODAY)  # July to September: September's covers it
        assert rollup.sources(plan, [station]) == {station: rollup.WHOLE}
        explained = plan_of(rollup.COVERING, (plan.whole[0], plan.months[-1], [station]))
        assert "package_value_totals" in explained, explained


def test_the_trends_read_the_totals_index(app, station):
    with app.app_context(), database.connection_context():
        query = trends.monthly_sums([station], ["2026-09", "2026-10"])
        assert sorted(query) == [("2026-09", "REGISTERED", 7, None), ("2026-10", "REGISTERED", 7, None)]
        assert "package_value_totals" in plan_of(*query.sql()), plan_of(*query.sql())
