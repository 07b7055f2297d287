"""Cadences of the station's routine work and the date arithmetic behind the due-work queue.

The rules live here once, as a Python function for forms and as the same rule in SQL for
the queue, and a test checks that the two agree on hand-made dates (month ends, leap days).
"""
import calendar
from datetime import timedelta

from peewee import fn

from .models import Setting

# DOMAIN.md §4 [default] cadences in months; the lead may change them on the settings page.
CADENCES = {
    "talk": ("面对面谈话", 1),
    "visit": ("入户走访", 3),
    "visit_high": ("入户走访（高风险）", 1),
    "review_high": ("风险复评（高）", 1),
    "review_medium": ("风险复评（中）", 3),
    "review_low": ("风险复评（低）", 6),
}
REPORT_DEADLINE_DAYS = 15  # 戒毒条例 14: report within 15 days of being served
TERM_WARNINGS = (30, 15, 7)  # days before the expected end of a term


def add_months(day, months):
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def sql_add_months(column, months):
    """add_months() in SQLite: the plain '+N months' overflows (Jan 31 → Mar 2), so take the
    earlier of it and the last day of the target month. `months` may be an SQL expression."""
    text = fn.printf("%+d months", months)
    next_text = fn.printf("%+d months", months + 1)
    overflowing = fn.date(column, text)
    month_end = fn.date(column, "start of month", next_text, "-1 day")
    return fn.min(overflowing, month_end)


def cadences():
    """Months per kind of work: the station's settings over the defaults."""
    stored = {s.key[len("cadence."):]: s.value for s in Setting.select().where(Setting.key.startswith("cadence."))}
    return {key: int(stored.get(key, default)) for key, (_, default) in CADENCES.items()}


def report_deadline(served_date):
    return served_date + timedelta(days=REPORT_DEADLINE_DAYS)


def expected_end(report_date, term_months):
    """Start + term (credited and suspended days come with the case lifecycle)."""
    return add_months(report_date, term_months)

