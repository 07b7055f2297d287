"""Completeness and timeliness: which stations reported which months, and which came late (after the 5th
of the next month, station time, by the first package received for that month)."""
from datetime import date

from peewee import fn

from ..dates import add_months, local
from ..models import OrgUnit, Package

DUE_DAY = 5  # a month's package is due by the 5th of the next month (inclusive)


def due_on(month_first):
    return add_months(month_first, 1).replace(day=DUE_DAY)


def is_late(month_first, received_at):
    """Late when first received (station time) after the due day; the due day itself is on time."""
    return local(received_at).date() > due_on(month_first)


def grid(year, over):
    """[(station, county, [(month first, status, received date)])] for the months of `year` that are over;
    status: "on_time", "late", "missing" (and "due" while a month's due day has not passed)."""
    months = [date(year, m, 1) for m in range(1, 13) if date(year, m, 1) <= over]
    keys = ["%04d-%02d" % (m.year, m.month) for m in months]
    first = {(s, m): at for s, m, at in Package.select(Package.station, Package.month, fn.MIN(Package.received_at))
             .where(Package.month.in_(keys)).group_by(Package.station, Package.month).tuples()} if keys else {}
    counties = {u.id: u for u in OrgUnit.by_level("county")}
    rows = []
    for station in OrgUnit.by_level("station"):
        cells = []
        for month, key in zip(months, keys):
            at = first.get((station.id, key))
            status = ("late" if is_late(month, at) else "on_time") if at else "missing"
            cells.append((month, status, local(at).date() if at else None))
        rows.append((station, counties.get(station.parent_id), cells))
    return months, rows
