"""The one clock of the portal: UTC now, replaceable in tests via app.config["CLOCK"]."""
from datetime import datetime, time, timedelta, timezone

from flask import current_app, has_app_context

STATION_TZ = timezone(timedelta(hours=8))


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
    """A YYYY-MM-DD query argument as a date, or None when absent or malformed."""
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").date()
    except ValueError:
        return None


def day_start_utc(day):
    """Naive-UTC instant at which a station-local calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=STATION_TZ).astimezone(timezone.utc).replace(tzinfo=None)
