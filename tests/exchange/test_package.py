"""The package's numbers on the hand-built station (conftest.py): equal to indicators.compute and to the
dashboard, breakdowns that add up, the six periods, age bands on both sides of a birthday."""
import re
from datetime import date

import pytest
from hand_station import OCTOBER, STATION_CODE, person
from factories import ROOT, in_app
from flask_login import login_user

from portal.exchange import package
from portal.models import Person, User
from portal.permissions import STATION
from portal.persons.forms import DRUG_TYPES
from portal.reports import dashboard, indicators


@pytest.fixture
def payload(station):
    return in_app(package.build)(OCTOBER, STATION_CODE)


def values(payload, code, period="2026-10"):
    """{breakdown cell: (numerator, denominator)} of one data element in one period."""
    return {tuple(v["breakdown"].items())[0] if v["breakdown"] else None: (v["numerator"], v["denominator"])
            for v in payload["values"] if v["dataElement"] == code and v["period"] == period}


def test_the_periods_are_the_month_the_year_and_quarter_to_date_and_each_a_year_before(payload):
    assert payload["format"] == "portal.package/2"
    assert payload["periods"] == {"month": "2026-10", "year_to_date": "2026-01/2026-10",
                                  "quarter_to_date": "2026-10/2026-10", "month_last_year": "2025-10",
                                  "year_to_date_last_year": "2025-01/2025-10",
                                  "quarter_to_date_last_year": "2025-10/2025-10"}
    assert {v["period"] for v in payload["values"]} == set(payload["periods"].values())
    assert {v["orgUnit"] for v in payload["values"]} == {STATION_CODE}
    assert payload["station"] == STATION_CODE and payload["month"] == "2026-10"


def test_registered_by_every_breakdown_as_counted_by_hand(payload):
    got = {cell: n for cell, (n, _) in values(payload, "REGISTERED").items()}
    assert got == {None: 5, ("measure", "CD"): 3, ("measure", "CR"): 2, ("sex", "M"): 3, ("sex", "F"): 2,
                   ("age", "LT18"): 1, ("age", "18_34"): 1, ("age", "35_49"): 2, ("age", "50P"): 1,
                   ("drug", "HEROIN"): 1, ("drug", "METH"): 2, ("drug", "KETAMINE"): 0, ("drug", "CANNABIS"): 1,
                   ("drug", "MDMA"): 0, ("drug", "OTHER"): 0, ("drug", "UNKNOWN"): 1}


def test_the_change_from_last_year_cell_by_cell(payload):
    """Registered 5 now, 3 a year before (P1 35, P4 55, P5 48 then): each cell its own difference."""
    yoy = values(payload, "REGISTERED_YOY")
    assert yoy[None] == (2, 3)
    assert yoy[("age", "LT18")] == (1, 0) and yoy[("age", "50P")] == (0, 1) and yoy[("age", "35_49")] == (0, 2)
    assert yoy[("drug", "OTHER")] == (-1, 1)  # P4, released
    last_year = values(payload, "REGISTERED", "2025-10")
    assert {cell: den for cell, (_, den) in yoy.items()} == {cell: n for cell, (n, _) in last_year.items()}


def test_age_bands_turn_on_the_birthday_itself(app, users):
    """18 on the period's last day counts 18-34, a day younger under 18; the same at 35 and 50."""
    end = date(2026, 10, 31)
    expected = {date(2008, 10, 31): "18_34", date(2008, 11, 1): "LT18", date(1991, 10, 31): "35_49",
                date(1991, 11, 1): "18_34", date(1976, 10, 31): "50P", date(1976, 11, 1): "35_49",
                date(2008, 2, 29): "18_34"}
    for n, born in enumerate(expected):
        person("人%d" % n, "M", born, None)
    with app.app_context():
        assert dict(Person.select(Person.birth_date, package.age_band(end)).tuples()) == expected
        # born on 29 February: 18 on 1 March of a common year, not on 28 February
        assert Person.select(package.age_band(date(2026, 2, 28))).where(
            Person.birth_date == date(2008, 2, 29)).scalar() == "LT18"
        assert Person.select(package.age_band(date(2026, 3, 1))).where(
            Person.birth_date == date(2008, 2, 29)).scalar() == "18_34"


@pytest.mark.parametrize("name", list(package.PERIODS))
def test_totals_equal_compute_for_every_period(app, station, payload, name):
    period_text, period = package.periods(OCTOBER)[name]
    expected = in_app(indicators.compute)(STATION, period)
    for key, code in package.CODES.items():
        numerator, denominator = values(payload, code, period_text)[None]
        assert numerator == expected[key].numerator, (key, name)
        assert (denominator or 0) == expected[key].denominator, (key, name)
    assert values(payload, "MAINTENANCE_COHORT", period_text)[None][0] == expected["maintenance"].extra["cohort"]
    assert values(payload, "EVENTS_AUDIENCE", period_text)[None][0] == expected["events"].extra["audience"]


def test_totals_equal_the_lead_s_dashboard_for_the_month(app, station, payload):
    period = indicators.period_of("month", 2026, 10)
    with app.test_request_context():
        login_user(User.get(User.username == "lead"))
        shown = dashboard.context(period)
    for key, code in package.CODES.items():
        numerator, denominator = values(payload, code)[None]
        assert (numerator, denominator or 0) == (shown["now"][key].numerator, shown["now"][key].denominator), key
        last_year = values(payload, code, "2025-10")[None]
        assert last_year[0] == shown["before"][key].numerator, key


def test_hand_counted_month(payload):
    assert values(payload, "RELAPSE")[None] == (1, 5)  # P1's positive; P4 was released in March
    assert values(payload, "RELAPSE")[("drug", "HEROIN")] == (1, 1)
    assert values(payload, "TALKS")[None] == (1, None) and values(payload, "TALKS")[("measure", "CD")] == (1, None)
    assert values(payload, "UNDER_AGREEMENT")[None] == (1, 1)  # P2; P6's 15 days run to 11-09
    assert values(payload, "MAINTENANCE", "2026-01/2026-10")[None] == (1, 1)  # P4, followed up by a talk
    assert values(payload, "MAINTENANCE_COHORT")[("drug", "OTHER")] == (1, None)
    assert values(payload, "EVENTS") == {None: (0, None)}  # no breakdown for the station's own activity


def test_every_breakdown_adds_up_to_its_total(payload):
    checked = 0
    for code in payload["dataElements"]:
        for period in payload["periods"].values():
            cells = values(payload, code, period)
            if len(cells) == 1:
                assert code in ("TRAINING_ATTENDANCE", "TRAINING_HOURS", "EVENTS", "EVENTS_AUDIENCE")
                continue
            for dimension, codes in package.BREAKDOWNS.items():
                for part in (0, 1):
                    if cells[None][part] is not None:
                        assert sum(cells[(dimension, c)][part] for c in codes) == cells[None][part], (code, dimension)
                        checked += 1
    assert checked > 300


def test_every_indicator_has_a_data_element_and_every_drug_a_code():
    assert set(package.CODES) == set(indicators.SPECS)
    assert len(set(package.CODES.values()) | set(package.EXTRAS)) == len(package.CODES) + len(package.EXTRAS)
    assert {d for d in DRUG_TYPES if d} == set(package.DRUGS)
    assert set(package.DRUGS.values()) | {"UNKNOWN"} == set(package.BREAKDOWNS["drug"])


def test_the_format_doc_lists_every_code():
    doc = (ROOT / "docs" / "package.md").read_text(encoding="utf-8")
    codes = set(package.CODES.values()) | set(package.EXTRAS) | {c for codes in package.BREAKDOWNS.values()
                                                                  for c in codes} | set(package.BREAKDOWNS)
    assert {c for c in codes if "`%s`" % c not in doc} == set()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", doc, re.M))
    assert documented == set(package.CODES.values()) | set(package.EXTRAS)


@pytest.mark.parametrize("text, problem", [
    ("520102-01", None), ("110101-99", None), ("520102-1", "6 位"), ("5201020-01", "6 位"), ("990102-01", "县级"),
    ("520100-01", "县级"), ("520002-01", "县级"), ("520102-00", "站号"), ("", "6 位")])
def test_station_codes(text, problem):
    got = package.code_problem(text)
    assert (got is None) if problem is None else (problem in got)


@pytest.mark.parametrize("text, today, ok", [
    ("2026-10", date(2026, 11, 1), True), ("2026-11", date(2026, 11, 30), False), ("2026-11", date(2026, 12, 1), True),
    ("2027-01", date(2026, 11, 20), False), ("2026-13", date(2026, 11, 20), False), ("26-10", date(2026, 11, 20), False),
    ("1999-12", date(2026, 11, 20), False)])
def test_only_a_month_that_is_over(text, today, ok):
    if ok:
        assert package.parse_month(text, today) == date(int(text[:4]), int(text[5:]), 1)
    else:
        with pytest.raises(package.NotReady):
            package.parse_month(text, today)


def test_last_month():
    assert package.last_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert package.last_month(date(2026, 11, 30)) == date(2026, 10, 1)
