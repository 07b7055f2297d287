"""A quarter's province figures equal the station dashboard's for that quarter (every indicator, this year and last),
from the format 2 package of the quarter's last month, with records on the first and the last day of each quarter
and on the days either side; one person relapsing twice in a quarter counts once."""
from datetime import date, datetime

import pytest
from factories import in_app, make_person, make_talk, make_user
from stations import Station

from portal import db
from portal.exchange.package import CODES
from portal.models import Case, OrgUnit, Screening
from portal.permissions import STATION
from portal.province import receiving, rollup
from portal.reports import indicators

LAST_MONTHS = {1: date(2026, 3, 1), 2: date(2026, 6, 1), 3: date(2026, 9, 1)}
POSITIVE = {"甲": [date(2026, 3, 31)], "乙": [date(2026, 4, 1)], "丙": [date(2026, 6, 30)], "丁": [date(2026, 7, 1)],
            "戊": [date(2026, 7, 15), date(2026, 9, 30)], "己": [date(2026, 10, 1)], "庚": [date(2025, 9, 30)]}
EDGES = [date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 9, 30),
         date(2026, 10, 1), date(2025, 7, 1), date(2025, 9, 30)]


def talk_days(n):
    return EDGES[n % len(EDGES):] + EDGES[:n % 3]


class BoundaryStation(Station):
    """Talks and positive tests on each side of the quarter boundaries, a case served close to one; its
    dashboards for the first three quarters of 2026 and the same quarters of 2025."""

    def build(self, app, code, size, month):
        staff = make_user("officer")
        for n, (name, days) in enumerate(POSITIVE.items()):
            person = make_person("边界%s" % name, male=n % 2 == 0, measure=("community_detox", "community_rehab")[n % 2],
                                 birth_date=date(1975 + 5 * n, 6, 30))
            for day in days:
                in_app(lambda p=person, d=day: Screening.create(person=p, case=p.current_case(), staff=staff.id,
                                                                tested_on=d, result="positive", collectors="甲、乙"))()
            for day in talk_days(n):
                make_talk(person, staff.id, held_at=datetime(day.year, day.month, day.day, 9))
        late = make_person("边界送达", birth_date=date(2000, 1, 1))  # served on the last day of Q2, reported in Q3
        in_app(lambda: Case.update(decision_date=date(2026, 6, 28), served_date=date(2026, 6, 30),
                                   report_date=date(2026, 7, 3)).where(Case.person == late.id).execute())()
        data, dashboard, last_year = super().build(app, code, size, month)
        with app.app_context():
            self.quarters = {q: (indicators.compute(STATION, indicators.period_of("quarter", 2026, q)),
                                 indicators.compute(STATION, indicators.period_of("quarter", 2025, q))) for q in (1, 2, 3)}
        return data, dashboard, last_year


@pytest.fixture
def station(app, app_config, tmp_path, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    built = BoundaryStation(tmp_path, app_config, "520103-07", 1, month=LAST_MONTHS[3],
                            also=[LAST_MONTHS[1], LAST_MONTHS[2]])
    db.open_postgres(app.config["DATABASE_URL"])
    with app.app_context():
        OrgUnit.create(code=built.code, name="边界站", level="station", public_key=built.key,
                       parent=OrgUnit.get(OrgUnit.code == "520103"))
        for data in [built.data] + [data for data, _ in built.more.values()]:
            receiving.receive(data, "cli")
    return built


@pytest.mark.parametrize("quarter", [1, 2, 3])
def test_a_quarter_equals_the_station_dashboard_for_that_quarter(app, station, quarter):
    with app.app_context():
        plan = rollup.plan("quarter", 2026, quarter, date(2026, 11, 20))
        for code in ("520103", "520103-07"):  # the county (one station) and the station itself
            own, _, _ = rollup.table(OrgUnit.get(OrgUnit.code == code), plan)
            got = {element: (now, before) for element, _, now, before, _ in own}
            this_year, last_year = station.quarters[quarter]
            for key, element in CODES.items():
                for mine, theirs in zip(got[element], (this_year[key], last_year[key])):
                    assert (mine.numerator, mine.denominator) == (theirs.numerator, theirs.denominator), (
                        code, quarter, element)


def test_the_boundary_days_fall_in_their_own_quarter(station):
    """Hand counts: 复吸 甲 (31 March) in Q1; 乙 (1 April) and 丙 (30 June) in Q2; 丁 (1 July) and 戊 (twice) in Q3,
    not 己 (1 October); last year's Q3 has 庚 (30 September 2025)."""
    relapse = {q: (now["relapse"].numerator, before["relapse"].numerator) for q, (now, before) in station.quarters.items()}
    assert relapse == {1: (1, 0), 2: (2, 0), 3: (2, 1)}
    assert station.dashboard["relapse"].numerator == 1  # September alone: 戊 on the 30th
    talks = {q: now["talks"].numerator for q, (now, _) in station.quarters.items()}
    days = [day for n in range(len(POSITIVE)) for day in talk_days(n)]
    assert talks == {1: days.count(date(2026, 3, 31)), 2: days.count(date(2026, 4, 1)) + days.count(date(2026, 6, 30)),
                     3: days.count(date(2026, 7, 1)) + days.count(date(2026, 9, 30))}
    assert all(talks.values())
