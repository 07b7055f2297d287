"""The province's tables: every data element of the current packages summed over the stations under a
unit (province, prefecture, county) for a month, a quarter or a year, with the same period last year and
同比. Rates are recomputed from the summed numerators and denominators, never averaged.

Which tuples a period takes (docs/province.md):
- a month: the month's packages, period `month` (last year: `month_last_year`);
- a year: the packages of its December (of the last month over, for the current year), `year_to_date`;
- a quarter: additive elements summed over its three months' `month` tuples; values at the period end
  (在册, 操守保持率, 戒断三年) from its last month; 复吸率 counts each person once in the period: the first
  quarter's is its last month's `year_to_date`, a quarter of one month so far is that month's; the other
  quarters' cannot be made from the package's periods (docs/province.md): not shown.
"""
from dataclasses import dataclass, field
from datetime import date

from peewee import fn

from ..db import database
from ..exchange.package import CODES, EXTRAS, last_month
from ..models import OrgUnit, Package
from ..reports.indicators import SPECS, Indicator, change

AT_PERIOD_END = {"REGISTERED", "REGISTERED_YOY", "MAINTENANCE", "MAINTENANCE_COHORT", "ABSTINENT_3Y"}
NO_CHANGE = {"REGISTERED_YOY"}  # itself a 同比: no 同比 of it
DISTINCT_PERSONS = {"RELAPSE"}  # persons counted once per period: no quarter from months
ELEMENTS = [(code, SPECS[key].label, SPECS[key].percent) for key, code in CODES.items()] + [
    (code, label, False) for code, (label, _) in EXTRAS.items()]
LABELS = {code: label for code, label, _ in ELEMENTS}
KINDS = {"month": "月", "quarter": "季度", "year": "年"}


@dataclass
class Plan:
    """What a period takes: the months of packages, and for each the periods counted."""
    kind: str
    label: str
    months: list  # "2026-11", …: whose packages count (the last one for values at the period end)
    now: str  # package period key of this period
    before: str  # … and of the same period last year
    missing: set = field(default_factory=set)  # elements that cannot be given for this period
    distinct: tuple = None  # (now, before) periods of the last month that give DISTINCT_PERSONS, if not `now`


def month_key(first):
    return "%04d-%02d" % (first.year, first.month)


def plan(kind, year, number, today_):
    """The Plan of a month (number 1-12), quarter (1-4) or year; None when no month of it is over."""
    over = last_month(today_)
    if kind == "month":
        first = date(year, number, 1)
        return Plan(kind, "%d年%d月" % (year, number), [month_key(first)], "month", "month_last_year") \
            if first <= over else None
    if kind == "quarter":
        firsts = [m for m in (date(year, 3 * number - 2 + i, 1) for i in range(3)) if m <= over]
        label = "%d年第%d季度" % (year, number) + ("（截至%d月）" % firsts[-1].month if firsts and len(firsts) < 3 else "")
        if not firsts:
            return None
        if firsts[0].month == 1:  # the first quarter (to date) is its last month's year to date
            return Plan(kind, label, [month_key(m) for m in firsts], "month", "month_last_year",
                        distinct=("year_to_date", "year_to_date_last_year"))
        return Plan(kind, label, [month_key(m) for m in firsts], "month", "month_last_year",
                    set(DISTINCT_PERSONS) if len(firsts) > 1 else set())
    last = min(date(year, 12, 1), over)
    if last.year != year:
        return None
    label = "%d年" % year + ("（1–%d月）" % last.month if last.month < 12 else "")
    return Plan(kind, label, [month_key(last)], "year_to_date", "year_to_date_last_year")


# the statement of package_rows, as text: peewee's building of it took longer than PostgreSQL's running it
ROWS = """SELECT {key}, p.month, v.element, v.period, SUM(v.numerator)::bigint, SUM(v.denominator)::bigint
FROM package_value v JOIN package p ON p.id = v.package_id{join}
WHERE p.superseded_by_id IS NULL AND p.month IN %s AND v.dimension IS NULL AND v.period IN %s{only}
GROUP BY 1, 2, 3, 4"""


def package_rows(plan_, stations=None, group=None):
    """(station, month, element, period, Σ numerator, Σ denominator) of the totals the period takes, from the
    current packages of the given stations (else of all); with `group` ({station id: key}), summed in SQL by
    key instead of by station (the unit each station falls under, joined from a VALUES list)."""
    distinct = plan_.distinct or (plan_.now, plan_.before)
    wanted = (tuple(plan_.months), tuple({plan_.now, plan_.before, *distinct}))
    if group is not None:
        pairs = list(group.items()) or [(0, 0)]
        sql = ROWS.format(key="g.gid", join=" JOIN (VALUES %s) AS g(sid, gid) ON g.sid = p.station_id" % ", ".join(
            ["(%s, %s)"] * len(pairs)), only="")
        params = [n for pair in pairs for n in pair] + list(wanted)
    else:
        sql = ROWS.format(key="p.station_id", join="", only="" if stations is None else " AND p.station_id IN %s")
        params = list(wanted) + ([] if stations is None else [tuple(stations or [0])])
    return database.execute_sql(sql, params).fetchall()


def station_sums(plan_, stations=None, rows=None):
    """{station id: {(element, "now"|"before"): [numerator, denominator]}} of package_rows."""
    last, distinct = plan_.months[-1], plan_.distinct or (plan_.now, plan_.before)
    sums = {}
    for station, month, element, period, numerator, denominator in (
            package_rows(plan_, stations) if rows is None else rows):
        once = element in DISTINCT_PERSONS
        wanted = distinct if once else (plan_.now, plan_.before)
        at_end = element in AT_PERIOD_END or (once and plan_.distinct is not None)
        if period not in wanted or (at_end and month != last):
            continue
        cell = sums.setdefault(station, {}).setdefault((element, "now" if period == wanted[0] else "before"), [0, 0])
        cell[0] += int(numerator)
        cell[1] += int(denominator or 0)
    return sums


def stations_under(unit, children):
    """The station ids under a unit (itself when a station)."""
    if unit.level == "station":
        return [unit.id]
    found = []
    for child in children.get(unit.id, []):
        found += stations_under(child, children)
    return found


def indicators(station_ids, sums, plan_):
    """[(code, label, now Indicator, before Indicator, Change)] summed over the stations."""
    out = []
    for code, label, percent in ELEMENTS:
        now, before = (Indicator(code, label, "", "", percent=percent) for _ in range(2))
        for which, indicator in (("now", now), ("before", before)):
            for station in station_ids:
                numerator, denominator = sums.get(station, {}).get((code, which), (0, 0))
                indicator.numerator += numerator
                indicator.denominator += denominator
        shown = code not in plan_.missing
        yoy = change(now, before) if shown and code not in NO_CHANGE else None
        out.append((code, label, now if shown else None, before if shown else None, yoy))
    return out


def months_sent(stations, plan_):
    """{station id: how many months of the period it sent}."""
    return dict(Package.select(Package.station, fn.COUNT(Package.id)).where(
        Package.superseded_by.is_null(), Package.station.in_(stations), Package.month.in_(plan_.months))
        .group_by(Package.station).tuples()) if stations else {}


def reporting(unit, children, plan_, sent=None):
    """(stations that sent every month of the period, stations under the unit); `sent` from months_sent."""
    stations = stations_under(unit, children)
    sent = months_sent(stations, plan_) if sent is None else sent
    return sum(1 for s in stations if sent.get(s) == len(plan_.months)), len(stations)


def table(unit, plan_):
    """The unit's own indicators and one row per child unit (drill-down): the units under it, their packages
    summed by child unit in one query, and which months each station sent."""
    children = OrgUnit.subtree(unit)
    kids = children.get(unit.id, [])
    group = ({s: kid.id for kid in kids for s in stations_under(kid, children)} if unit.level != "station"
             else {unit.id: unit.id})  # each station to the row it is summed in, in SQL
    found = list(package_rows(plan_, group=group)) if group else []
    sums = station_sums(plan_, rows=found)
    if unit.level in ("county", "station"):  # rows by station: the months each sent are in them
        sent = {}
        for station, _ in {row[:2] for row in found}:
            sent[station] = sent.get(station, 0) + 1
    else:
        sent = months_sent(list(group), plan_)
    rows = [(kid, indicators([kid.id], sums, plan_), reporting(kid, children, plan_, sent)) for kid in kids]
    return indicators(sorted(set(group.values())), sums, plan_), reporting(unit, children, plan_, sent), rows


def ancestors(unit):
    """The path from the province down to the unit."""
    path = [unit]
    while path[0].parent_id is not None:
        path.insert(0, OrgUnit.get_by_id(path[0].parent_id))
    return path

