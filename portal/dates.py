"""The one clock of the portal (UTC now, replaceable in tests via app.config["CLOCK"]) and the
calendar arithmetic every rule shares, in Python and in SQL."""
import calendar
from datetime import datetime, time, timedelta, timezone

from flask import current_app, has_app_context, request
from peewee import fn

STATION_TZ = timezone(timedelta(hours=8))
DAY_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]  # as typed: 2026-11-20, 2026/11/20, 2026.11.20
END_OF_TIME = "9999-12-31"  # in SQL comparisons: a case still running closes then, a follow-up is due from its start


def utcnow():
    """Naive UTC datetime; tests inject a clock through app.config["CLOCK"]."""
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today():
    """The station's calendar date (China Standard Time)."""
    return local(utcnow()).date()


def local(dt):
    """A stored naive-UTC datetime as station time."""
    return dt.replace(tzinfo=timezone.utc).astimezone(STATION_TZ)


def parse_day(text):
    """A date typed or carried in a query (2026-11-20, 2026/11/20 or 2026.11.20) as a date, or None when
    absent or malformed."""
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


def undated(name):
    """The text a query gives for the date `name` when it is not one (shown back with its error), else ""."""
    text = request.args.get(name, "")
    return text if text and parse_day(text) is None else ""


def day_start_utc(day):
    """Naive-UTC instant at which a station-local calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=STATION_TZ).astimezone(timezone.utc).replace(tzinfo=None)


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
