"""The province's tables: every data element of the current packages summed over the stations under a
unit (province, prefecture, county) for a month, a quarter or a year, with the same period last year and
同比. Rates are recomputed from the summed numerators and denominators, never averaged.

Which tuples a period takes from each station (docs/province.md):
- a month: the month's package, period `month` (last year: `month_last_year`);
- a year: the package of its December (of the last month over, for the current year), `year_to_date`;
- a quarter: the package of its last month (the third, or the last one over for the current quarter),
  `quarter_to_date` (format 2; in the first quarter `year_to_date`, which is the same period): the quarter as
  the station's dashboard counts it. A station whose package of that month has no quarter to date (format 1,
  in a later quarter) falls back on its months: additive elements summed over the months' `month` tuples,
  values at the period end from the last month, and 复吸率 (persons counted once in the period) unknown: a
  unit with such a station shows "—" for it. A station that did not send the last month gives only its
  months' additive elements, as before.
"""
from dataclasses import dataclass, field
from datetime import date

from peewee import fn

from ..db import database
from ..exchange.package import CODES, EXTRAS, last_month
from ..models import OrgUnit, Package, PackageValue
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
    months: list  # "2026-11", …: whose packages count (the last one for the whole period)
    now: str  # package period key of this period in each month's package (the months' fallback)
    before: str  # … and of the same period last year
    whole: tuple  # (now, before) period keys of the last month's package that cover the whole period
    missing: set = field(default_factory=set)  # elements the months' fallback cannot give


def month_key(first):
    return "%04d-%02d" % (first.year, first.month)


def plan(kind, year, number, today_):
    """The Plan of a month (number 1-12), quarter (1-4) or year; None when no month of it is over."""
    over = last_month(today_)
    if kind == "month":
        first = date(year, number, 1)
        return Plan(kind, "%d年%d月" % (year, number), [month_key(first)], "month", "month_last_year",
                    ("month", "month_last_year")) if first <= over else None
    if kind == "quarter":
        firsts = [m for m in (date(year, 3 * number - 2 + i, 1) for i in range(3)) if m <= over]
        label = "%d年第%d季度" % (year, number) + ("（截至%d月）" % firsts[-1].month if firsts and len(firsts) < 3 else "")
        if not firsts:
            return None
        whole = ("year_to_date", "year_to_date_last_year") if number == 1 else (
            "quarter_to_date", "quarter_to_date_last_year")  # the first quarter's is stored as the year to date
        return Plan(kind, label, [month_key(m) for m in firsts], "month", "month_last_year", whole,
                    set(DISTINCT_PERSONS) if len(firsts) > 1 else set())
    last = min(date(year, 12, 1), over)
    if last.year != year:
        return None
    label = "%d年" % year + ("（1–%d月）" % last.month if last.month < 12 else "")
    return Plan(kind, label, [month_key(last)], "year_to_date", "year_to_date_last_year",
                ("year_to_date", "year_to_date_last_year"))


WHOLE, OLD, MONTHS = 2, 1, 0  # a station's figures for a period: its last month's package covers it, or not (a
# format 1 package of a later quarter), or that month was not sent: from its months (module doc)


# whether each station's current package of a period's last month covers the whole period (it has its totals of
# the quarter to date: format 2), as text: peewee's building of it took longer than PostgreSQL's running it
COVERING = """SELECT p.station_id, EXISTS (SELECT 1 FROM package_value v WHERE v.package_id = p.id
    AND v.element = 'REGISTERED' AND v.period = %s AND v.dimension IS NULL)
FROM package p WHERE p.superseded_by_id IS NULL AND p.month = %s AND p.station_id = ANY(%s)"""


def sources(plan_, stations):
    """{station id: WHOLE | OLD | MONTHS}: for a month or a year every package sent covers it."""
    if plan_.whole == (plan_.now, plan_.before) or not stations:
        return dict.fromkeys(stations, WHOLE)
    sent = dict(database.execute_sql(COVERING, (plan_.whole[0], plan_.months[-1], list(stations))).fetchall())
    return {s: (WHOLE if sent[s] else OLD) if s in sent else MONTHS for s in stations}


# the statement of package_rows, as text: peewee's building of it took longer than PostgreSQL's running it
ROWS = """SELECT g.gid, g.src, p.month, v.element, v.period, SUM(v.numerator)::bigint, SUM(v.denominator)::bigint
FROM package_value v JOIN package p ON p.id = v.package_id
JOIN (VALUES {pairs}) AS g(sid, gid, src) ON g.sid = p.station_id
WHERE p.superseded_by_id IS NULL AND p.month IN %s AND v.dimension IS NULL AND v.period IN %s
GROUP BY 1, 2, 3, 4, 5"""


def rows_statement(plan_, group):
    """(SQL, parameters) of package_rows."""
    source = sources(plan_, list(group))
    triples = [(s, key, source[s]) for s, key in group.items()] or [(0, 0, MONTHS)]
    sql = ROWS.format(pairs=", ".join(["(%s, %s, %s)"] * len(triples)))
    return sql, [n for triple in triples for n in triple] + [
        tuple(plan_.months), tuple({plan_.now, plan_.before, *plan_.whole})]


def package_rows(plan_, group):
    """(key, source, month, element, period, Σ numerator, Σ denominator) of the totals the period may take, from the
    current packages of the stations of `group` ({station id: key}), summed in SQL by key (the unit each station
    falls under) and by the stations' `sources`. Read from the index of the totals (migration 0011)."""
    return database.execute_sql(*rows_statement(plan_, group)).fetchall()


def station_sums(plan_, stations=None, rows=None):
    """{key: {(element, "now"|"before"): [numerator, denominator], or None when unknown}} of package_rows (by
    default of the given stations, else of all, each its own key): the whole period from the last month's package
    where it covers it, else the months' fallback (module doc)."""
    if rows is None:
        ids = stations if stations is not None else [
            u.id for u in OrgUnit.select(OrgUnit.id).where(OrgUnit.level == "station")]
        rows = package_rows(plan_, {s: s for s in ids})
    last, sums, unknown = plan_.months[-1], {}, set()
    for key, source, month, element, period, numerator, denominator in rows:
        if source == WHOLE:
            if month == last and period in plan_.whole:
                _add(sums, key, element, period == plan_.whole[0], numerator, denominator)
            continue
        if source == OLD:  # its last month has no quarter to date (format 1): no distinct counts
            unknown.add(key)
        if period in (plan_.now, plan_.before) and element not in plan_.missing and (
                month == last or element not in AT_PERIOD_END):
            _add(sums, key, element, period == plan_.now, numerator, denominator)
    for key in unknown:
        sums.setdefault(key, {}).update({(code, which): None for code in plan_.missing for which in ("now", "before")})
    return sums


def _add(sums, station, element, now, numerator, denominator):
    cell = sums.setdefault(station, {}).setdefault((element, "now" if now else "before"), [0, 0])
    cell[0] += int(numerator)
    cell[1] += int(denominator or 0)


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
        shown = True
        for which, indicator in (("now", now), ("before", before)):
            for station in station_ids:
                cell = sums.get(station, {}).get((code, which), (0, 0))
                if cell is None:  # a station cannot give it for this period: neither can the unit
                    shown = False
                    break
                indicator.numerator += cell[0]
                indicator.denominator += cell[1]
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
    found = list(package_rows(plan_, group)) if group else []
    sums = station_sums(plan_, rows=found)
    if unit.level in ("county", "station"):  # rows by station: the months each sent are in them
        sent = {}
        for station, _ in {(row[0], row[2]) for row in found}:
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

