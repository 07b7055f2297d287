"""A quarter's 复吸率 (persons counted once in the period) from monthly packages: from format 2 on, the quarter to
date of the quarter's last month; in format 1 the first quarter's is its last month's year to date, a quarter of
one month so far is that month's, and the others are not shown ("—" with the reason in Chinese)."""
from datetime import date, datetime

import pytest
from factories import PASSWORD, make_user, text_of

from portal.models import OrgUnit
from portal.province import receiving, rollup, synthetic

TODAY = date(2026, 11, 20)
V1, V2 = "portal.package/1", "portal.package/2"


class Station(synthetic.Station):
    """复吸 1 of 10 in each month, 4 of 30 in the year to date (a person relapsing twice counts once), and in the
    quarter to date one more than the months of the quarter so far, of 20."""

    def figures(self, element, period, first):
        if element == "RELAPSE":
            in_quarter = (first.month - 1) % 3 + 1
            return {"month": (1, 10), "year_to_date": (first.month + 1, 30), "month_last_year": (2, 10),
                    "year_to_date_last_year": (first.month + 2, 25), "quarter_to_date": (in_quarter + 1, 20),
                    "quarter_to_date_last_year": (in_quarter + 3, 22)}[period]
        return super().figures(element, period, first)


def register(code, version, months=(1, 2, 3, 4, 5)):
    station = Station(code, 20)
    OrgUnit.create(code=code, name="季度站%s" % code[-2:], level="station", public_key=station.public_key,
                   parent=OrgUnit.get(OrgUnit.code == code[:6]))
    for month in months:
        receiving.receive(station.package(date(2026, month, 1), generated_at="2026-06-01T00:00:00Z",
                                          version=version), "cli")


@pytest.fixture
def tree(app, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0


def county(app, version):
    with app.app_context():
        register("520103-03", version)
        return OrgUnit.get(OrgUnit.code == "520103")


def relapse(app, unit, number, today_=TODAY):
    with app.app_context():
        own, _, _ = rollup.table(unit, rollup.plan("quarter", 2026, number, today_))
    return next((now, before) for code, _, now, before, _ in own if code == "RELAPSE")


def pair(indicator):
    return indicator.numerator, indicator.denominator


@pytest.mark.parametrize("version", [V1, V2])
def test_the_first_quarter_takes_march_year_to_date_not_the_sum_of_months(app, tree, version):
    unit = county(app, version)
    now, before = relapse(app, unit, 1)
    assert pair(now) == (4, 30) and pair(before) == (5, 25)  # not the months' 1 + 1 + 1
    now, _ = relapse(app, unit, 1, today_=date(2026, 3, 10))  # January and February over: February's
    assert pair(now) == (3, 30)


def test_format_1_a_quarter_of_one_month_so_far_is_that_month(app, tree):
    now, before = relapse(app, county(app, V1), 2, today_=date(2026, 5, 10))  # April only
    assert pair(now) == (1, 10) and before.numerator == 2


def test_format_1_a_later_quarter_of_several_months_is_not_shown(app, tree):
    assert relapse(app, county(app, V1), 2, today_=date(2026, 6, 10)) == (None, None)  # April and May


def test_format_2_a_later_quarter_takes_its_last_month_s_quarter_to_date(app, tree):
    unit = county(app, V2)
    now, before = relapse(app, unit, 2, today_=date(2026, 6, 10))  # April and May over: May's 2026-04/2026-05
    assert pair(now) == (3, 20) and pair(before) == (5, 22)
    now, before = relapse(app, unit, 2, today_=date(2026, 5, 10))  # April only: April's, as its month
    assert pair(now) == (2, 20) and pair(before) == (4, 22)


def test_one_format_1_station_leaves_its_units_quarter_unknown_and_the_page_says_why(app, client, clock, tree):
    with app.app_context():
        register("520103-03", V2)
        register("520103-04", V1)
        register("520102-05", V2)
        plan = rollup.plan("quarter", 2026, 2, date(2026, 6, 10))
        own, _, rows = rollup.table(OrgUnit.get(OrgUnit.code == "520100"), plan)
        relapse_of = lambda inds: next(now for code, _, now, _, _ in inds if code == "RELAPSE")  # noqa: E731
        assert relapse_of(own) is None  # 贵阳市: one of its three stations cannot give it
        by_county = {unit.code: relapse_of(inds) for unit, inds, _ in rows}
        assert by_county["520103"] is None and pair(by_county["520102"]) == (3, 20)
        talks = next(now for code, _, now, _, _ in own if code == "TALKS")
        assert talks.numerator > 0  # the additive elements are still summed from every station
    clock.now = datetime(2026, 6, 10, 2, 0)  # April and May over
    make_user("province_viewer", username="viewer")
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    page = text_of(client.get("/province/?unit=520100&kind=quarter&year=2026&number=2"))
    assert "第 1 版" in page and "本季累计" in page
    page = text_of(client.get("/province/?unit=520102&kind=quarter&year=2026&number=2"))
    assert "第 1 版" not in page


@pytest.mark.parametrize("version, other", [(V1, V2), (V2, V1)])
def test_each_format_must_carry_exactly_its_own_periods(version, other):
    """A format 2 package without the quarter to date, or a format 1 package with it, is refused."""
    station = Station("520103-03", 20)
    payload = station.payload(date(2026, 5, 1), version=version)
    payload["periods"] = station.payload(date(2026, 5, 1), version=other)["periods"]
    with pytest.raises(receiving.PackageError, match="^报送包格式错误：期间与报送月份不符"):
        receiving.check_values(payload, "520103-03", date(2026, 5, 1))
    assert len(receiving.check_values(station.payload(date(2026, 5, 1), version=version), "520103-03",
                                      date(2026, 5, 1))) == len(station.payload(date(2026, 5, 1), version=version)["values"])
