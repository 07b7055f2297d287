"""A quarter's 复吸率 (persons counted once in the period) from monthly packages: the first quarter's is its
last month's year to date, a quarter of one month so far is that month's, and the others are not shown."""
from datetime import date

import pytest

from portal.models import OrgUnit
from portal.province import receiving, rollup, synthetic

TODAY = date(2026, 11, 20)


class Station(synthetic.Station):
    """复吸 1 of 10 in each month, 4 of 30 in the year to date (a person relapsing twice counts once)."""

    def figures(self, element, period, first):
        if element == "RELAPSE":
            return {"month": (1, 10), "year_to_date": (first.month + 1, 30), "month_last_year": (2, 10),
                    "year_to_date_last_year": (first.month + 2, 25)}[period]
        return super().figures(element, period, first)


@pytest.fixture
def county(app, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    station = Station("520103-03", 20)
    with app.app_context():
        OrgUnit.create(code=station.code, name="季度站", level="station", public_key=station.public_key,
                       parent=OrgUnit.get(OrgUnit.code == "520103"))
        for month in (1, 2, 3, 4, 5):
            receiving.receive(station.package(date(2026, month, 1), generated_at="2026-06-01T00:00:00Z"), "cli")
        return OrgUnit.get(OrgUnit.code == "520103")


def relapse(app, unit, number, today_=TODAY):
    with app.app_context():
        own, _, _ = rollup.table(unit, rollup.plan("quarter", 2026, number, today_))
    return next((now, before) for code, _, now, before, _ in own if code == "RELAPSE")


def test_the_first_quarter_takes_march_year_to_date_not_the_sum_of_months(app, county):
    now, before = relapse(app, county, 1)
    assert (now.numerator, now.denominator) == (4, 30) and (before.numerator, before.denominator) == (5, 25)
    assert (now.numerator, now.denominator) != (3, 30)  # not the months' 1 + 1 + 1


def test_a_first_quarter_so_far_takes_its_last_month_year_to_date(app, county):
    now, _ = relapse(app, county, 1, today_=date(2026, 3, 10))  # January and February over
    assert (now.numerator, now.denominator) == (3, 30)


def test_a_quarter_of_one_month_so_far_is_that_month(app, county):
    now, before = relapse(app, county, 2, today_=date(2026, 5, 10))  # April only
    assert (now.numerator, now.denominator, before.numerator) == (1, 10, 2)


def test_a_later_quarter_of_several_months_is_not_shown(app, county):
    assert relapse(app, county, 2, today_=date(2026, 6, 10)) == (None, None)  # April and May: cannot be summed
