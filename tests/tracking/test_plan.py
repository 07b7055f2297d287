"""Cadence arithmetic: Python and SQL agree on month ends and leap days."""
from datetime import date

import pytest
from peewee import Value

from portal.dates import add_months, sql_add_months
from portal.db import database
from portal.tracking.plan import cadences, next_screening, sql_next_screening

CASES = [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year February
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day, a year on
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2024, 12, 15), 1, date(2025, 1, 15)),
    (date(2024, 11, 30), 3, date(2025, 2, 28)),
    (date(2025, 5, 6), 36, date(2028, 5, 6)),
    (date(2024, 1, 1), 0, date(2024, 1, 1)),
]


@pytest.mark.parametrize("start, months, expected", CASES)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("start, months, expected", CASES)
def test_sql_rule_agrees_with_python(app, start, months, expected):
    sql, params = database.get_sql_context().sql(sql_add_months(Value(start.isoformat()), months)).query()
    with database.connection_context():
        assert database.execute_sql("SELECT " + sql, params).fetchone()[0] == expected.isoformat()


REPORTED = date(2024, 1, 31)
SCREENINGS = [  # (preset, last test, next test), worked out by hand from DOMAIN.md §4
    ("A", None, REPORTED),                          # first test on reporting
    ("A", date(2023, 12, 1), REPORTED),             # a test before this case does not count
    ("A", REPORTED, date(2024, 2, 29)),             # year 1 monthly, clamped to the leap month's end
    ("A", date(2025, 1, 30), date(2025, 2, 28)),    # last day of year 1: still monthly
    ("A", date(2025, 1, 31), date(2025, 3, 31)),    # year 2 begins: every 2 months
    ("A", date(2026, 2, 1), date(2026, 5, 1)),      # year 3: every 3 months
    ("B", REPORTED, date(2024, 2, 15)),             # first half-year: twice a month (15 days)
    ("B", date(2024, 7, 30), date(2024, 8, 14)),    # day before month 6
    ("B", date(2024, 7, 31), date(2024, 8, 31)),    # month 6 reached: monthly
    ("B", date(2025, 3, 10), date(2025, 5, 10)),    # year 2: every 2 months
]


@pytest.mark.parametrize("preset, last, expected", SCREENINGS)
def test_next_screening_follows_the_preset_phases(preset, last, expected):
    assert next_screening(REPORTED, last, preset) == expected


@pytest.mark.parametrize("preset, last, expected", SCREENINGS)
def test_sql_next_screening_agrees_with_python(app, preset, last, expected):
    expr = sql_next_screening(Value(REPORTED.isoformat()), Value(last.isoformat() if last else None), Value(preset))
    sql, params = database.get_sql_context().sql(expr).query()
    with database.connection_context():
        assert database.execute_sql("SELECT " + sql, params).fetchone()[0] == expected.isoformat()


def test_cadences_default_and_station_override(app):
    from portal.models import Setting
    with database.connection_context():
        assert cadences()["talk"] == 1 and cadences()["visit"] == 3 and cadences()["review_low"] == 6
        Setting.create(key="cadence.talk", value="2")
        assert cadences()["talk"] == 2
