"""Cadence arithmetic: Python and SQL agree on month ends and leap days."""
from datetime import date

import pytest
from peewee import Value

from portal.db import database
from portal.schedule import add_months, cadences, expected_end, report_deadline, sql_add_months

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


def test_deadlines():
    assert report_deadline(date(2024, 2, 20)) == date(2024, 3, 6)  # 15 days, across a leap February
    assert expected_end(date(2023, 2, 28), 36) == date(2026, 2, 28)


def test_cadences_default_and_station_override(app):
    from portal.models import Setting
    with database.connection_context():
        assert cadences()["talk"] == 1 and cadences()["visit"] == 3 and cadences()["review_low"] == 6
        Setting.create(key="cadence.talk", value="2")
        assert cadences()["talk"] == 2
