"""The station's monthly package (报送包): every indicator of `indicators.SPECS` as numerator and
denominator for the month, the year to date, the quarter to date (format 2) and the same three periods
last year, broken down by
measure, sex, age band and main drug, as tuples of data element × period × org unit × breakdown
(after the ADX aggregate-exchange profile). Counts only: docs/package.md is the format.

The numbers come from `indicators.queries()` computed as the station (`permissions.STATION`): each
id query is grouped once by the four breakdowns, and the total is the sum of its groups. Periods that end
on the same day share their queries: an indicator counting records by their date (`indicators.DATED`) is
counted once over the year to date with each record put with the periods its date falls in, and the
操守保持率 cohort, its followed up and its clean come from one query (`maintenance.maintenance_stages`).
"""
import re
from datetime import date

from peewee import Case as When
from peewee import SQL, fn

from ..dates import add_months, utcnow
from ..db import database
from ..models import (AssistanceCase, Attendance, Case, CounsellingSession, HomeVisit, Incident, Person, Screening,
                      Setting, Talk, TrainingSession)
from ..permissions import STATION
from ..reports import indicators, maintenance
from .signing import FORMAT, FORMATS

CODES = {"registered": "REGISTERED", "yoy": "REGISTERED_YOY", "relapse": "RELAPSE", "maintenance": "MAINTENANCE",
         "abstinent3": "ABSTINENT_3Y", "reported": "REPORTED_15D", "executed": "UNDER_AGREEMENT",
         "serious": "SERIOUS_BREACHES", "talks": "TALKS", "visits": "HOME_VISITS", "screenings": "TESTS",
         "positives": "TESTS_POSITIVE", "counselling": "COUNSELLING", "assistance": "ASSISTANCE_OPENED",
         "assistance_closed": "ASSISTANCE_CLOSED", "training": "TRAINING_ATTENDANCE", "events": "EVENTS"}
EXTRAS = {"MAINTENANCE_COHORT": ("操守保持率观察对象（含失访）", "count"),
          "EVENTS_AUDIENCE": ("禁毒宣传活动受众人数", "sum"),
          "TRAINING_HOURS": ("专干培训计入学时（单位 0.1 学时）", "sum")}
DRUGS = {"海洛因": "HEROIN", "冰毒（甲基苯丙胺）": "METH", "麻古": "METH", "氯胺酮（K粉）": "KETAMINE", "大麻": "CANNABIS",
         "合成大麻素": "CANNABIS", "摇头丸": "MDMA", "其他": "OTHER"}
BREAKDOWNS = {
    "measure": {"CD": "社区戒毒", "CR": "社区康复"},
    "sex": {"M": "男", "F": "女"},
    "age": {"LT18": "未满18岁", "18_34": "18–34岁", "35_49": "35–49岁", "50P": "50岁及以上"},
    "drug": {"HEROIN": "海洛因", "METH": "冰毒类（冰毒、麻古）", "KETAMINE": "氯胺酮", "CANNABIS": "大麻类（含合成大麻素）",
             "MDMA": "摇头丸", "OTHER": "其他", "UNKNOWN": "未填写"},
}
CELLS = [None] + [(dim, code) for dim, codes in BREAKDOWNS.items() for code in codes]
MEASURE_CODES = {"community_detox": "CD", "community_rehab": "CR"}
PERIODS = {"month": "本月", "year_to_date": "本年累计", "quarter_to_date": "本季累计", "month_last_year": "上年同月",
           "year_to_date_last_year": "上年累计", "quarter_to_date_last_year": "上年本季累计"}
MODELS = {"person": Person, "case": Case, "incident": Incident, "screening": Screening, "talk": Talk,
          "visit": HomeVisit, "counselling": CounsellingSession, "assistance": AssistanceCase}
STATION_CODE = re.compile(r"^(\d{2})(\d{2})(\d{2})-(\d{2})$")
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
             "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}


class NotReady(Exception):
    """The package cannot be built (no station code, a month not over); the message is Chinese."""


def station_code():
    stored = Setting.get_or_none(Setting.key == "station.code")
    return stored.value if stored else None


def code_problem(text):
    """Why a station code is not valid (None when it is): a GB/T 2260 county code, "-", a station number."""
    match = STATION_CODE.match(text or "")
    if not match:
        return "工作站代码应为 6 位县级行政区划代码加“-”和 2 位站号，例如 520102-01。"
    province, prefecture, county, number = match.groups()
    if province not in PROVINCES or prefecture == "00" or county == "00":
        return "“%s”不是县级行政区划代码（GB/T 2260：省 2 位、市 2 位、县 2 位，后两段不能为 00）。" % text[:6]
    if number == "00":
        return "站号应为 01 到 99。"
    return None


def parse_month(text, today_):
    """The first day of a "2026-11" month that is over; NotReady otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise NotReady("月份应写成“2026-11”的形式。")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    if first >= today_.replace(day=1):
        raise NotReady("只能报送已经结束的月份：%d年%d月尚未结束。" % (first.year, first.month))
    return first


def last_month(today_):
    return add_months(today_.replace(day=1), -1)


def interval(start, end):
    """An ISO 8601 interval of months: "2026-10/2026-11"."""
    return "%04d-%02d/%04d-%02d" % (start.year, start.month, end.year, end.month)


def periods(first, version=FORMAT):
    """The periods of a month's package (four in format 1, six from format 2 on): name -> (ISO 8601 text, Period).
    In the first quarter the quarter to date is the year to date: the same text, whose tuples are written once."""
    month = indicators.period_of("month", first.year, first.month)
    before = indicators.period_of("month", first.year - 1, first.month)
    starts = {"year_to_date": date(first.year, 1, 1), "quarter_to_date": date(first.year, (first.month - 1) // 3 * 3 + 1, 1)}
    out = {"month": ("%04d-%02d" % (first.year, first.month), month),
           "month_last_year": ("%04d-%02d" % (first.year - 1, first.month), before)}
    for name, start in starts.items():
        if name == "quarter_to_date" and version == FORMATS[0]:  # format 1 has no quarter to date
            continue
        ago = add_months(start, -12)
        out[name] = (interval(start, first), indicators.Period(start, month.end, "%d年%d–%d月" % (
            first.year, start.month, first.month)))
        out[name + "_last_year"] = (interval(ago, add_months(first, -12)), indicators.Period(
            ago, before.end, "%d年%d–%d月" % (ago.year, ago.month, first.month)))
    return {name: out[name] for name in PERIODS if name in out}


def age_band(as_of):
    """Age in whole years on `as_of` (born 29 February: a year older on 1 March in a common year)."""
    t18, t35, t50 = (add_months(as_of, -12 * years) for years in (18, 35, 50))
    return When(None, [(Person.birth_date > t18, "LT18"), (Person.birth_date > t35, "18_34"),
                       (Person.birth_date > t50, "35_49")], "50P")


def drug_code():
    return When(None, [(fn.COALESCE(fn.TRIM(Person.drug_type), "") == "", "UNKNOWN")]
                + [(Person.drug_type == label, code) for label, code in DRUGS.items()], "OTHER")


def person_measure(person, as_of):
    """SQL: the measure of the person's latest live case served by `as_of` (else their latest)."""
    other = Case.alias()
    return (other.select(other.measure).where(other.person == person, other.deleted_at.is_null())
            .order_by((other.served_date <= as_of).desc(), other.served_date.desc(), other.id.desc()).limit(1))


class Counter:
    """Groups id queries by the four breakdowns; the same query for the same day is run once."""

    def __init__(self):
        self.cache = {}

    def rows(self, kind, ids, as_of, bucket=None):
        """The grouped rows of an id query (`grouped`), each query run once."""
        sql, params = self.grouped(kind, ids, as_of, bucket).sql()  # made once: both the key and what runs
        key = (sql, tuple(params))
        if key not in self.cache:
            self.cache[key] = database.execute_sql(sql, params).fetchall()
        return self.cache[key]

    def cells(self, kind, ids, as_of):
        """{None: total, (dimension, code): count} of the rows behind an id query."""
        return marginals(self.rows(kind, ids, as_of))

    def cells_from(self, kind, ids, as_of, key, starts):
        """The cells of each period ending with the id query's and starting on one of `starts` (ascending, the
        first the id query's own), from that one query: each row is put with the latest start it is on or after
        (by its date, `indicators.DATED`), and a period counts the rows of its start and the later ones."""
        bucket = When(None, [(indicators.dated_from(key, day), i) for i, day in reversed(list(enumerate(starts)))
                             if i], 0)
        return nested(self.rows(kind, ids, as_of, bucket), len(starts))

    def stages(self, as_of):
        """The cells of the release cohort at `as_of`, of those followed up, and of those followed up and clean
        (maintenance.maintenance_stages), from one query."""
        stages = maintenance.maintenance_stages(STATION, as_of).alias("st")
        ids = Person.select(Person.id).join(stages, on=(stages.c.pid == Person.id))
        return nested(self.rows("person", ids, as_of, stages.c.stage), 3)

    @staticmethod
    def grouped(kind, ids, as_of, bucket=None):
        """(measure, sex, age band, drug, count) rows, from the id query itself with its columns swapped
        (its joins and conditions untouched), with `bucket` (SQL) as a fifth key before the count. Records are
        first counted per person (and case), so that a person's attributes are worked out once, not once per
        talk or test."""
        model = MODELS[kind]
        breakdown = [Person.sex.alias("s"), age_band(as_of).alias("a"), drug_code().alias("d")]
        extra = [] if bucket is None else [bucket.alias("b")]
        if kind in ("person", "case"):  # a case's id query (indicators.cases) has its person joined
            measure = Case.measure if kind == "case" else person_measure(Person.id, as_of)
            query = ids.select(measure.alias("m"), *breakdown, *extra, fn.COUNT(model.id))
        else:
            by_case = kind in ("incident", "screening")  # the measure of the record's own case
            keys = [model.person.alias("pid")] + ([model.case.alias("cid")] if by_case else [])
            counted = ids.select(*keys, *extra, fn.COUNT(model.id).alias("n")).group_by(
                *keys, *(SQL("b") for _ in extra)).alias("g")
            measure = (Case.select(Case.measure).where(Case.id == counted.c.cid) if by_case
                       else person_measure(Person.id, as_of))
            query = (Person.select(measure.alias("m"), *breakdown, *(counted.c.b for _ in extra), fn.SUM(counted.c.n))
                     .join(counted, on=(counted.c.pid == Person.id)))
        return query.group_by(SQL("m"), SQL("s"), SQL("a"), SQL("d"), *(SQL("b") for _ in extra)).tuples()


def nested(rows, levels):
    """The cells at each level 0 … levels − 1 of rows grouped with a level (the fifth column): a level counts the
    rows of its own and of every higher one."""
    return [marginals(row[:4] + row[5:] for row in rows if row[4] >= level) for level in range(levels)]


def marginals(rows):
    """{None: total, (dimension, code): count} from (measure, sex, age band, drug, count) rows."""
    out = dict.fromkeys(CELLS, 0)
    for measure, sex, age, drug, count in rows:
        for cell in (None, ("measure", MEASURE_CODES[measure]), ("sex", sex), ("age", age), ("drug", drug)):
            out[cell] += count
    return out


def element_values(counter, key, period):
    """(numerator cells, denominator cells or None) of one indicator: breakdowns where it counts persons."""
    numerator, denominator = indicators.queries(STATION, period, key)
    kind = indicators.SPECS[key].lists
    if key == "yoy":  # (now − a year before) ÷ a year before, as compute() does it, cell by cell
        now = counter.cells("case", indicators.queries(STATION, period, "registered")[0], period.end)
        before = counter.cells("case", denominator, add_months(period.end, -12))
        return {cell: now[cell] - before[cell] for cell in now}, before
    if key == "maintenance":
        _, followed, clean = counter.stages(period.end)
        return clean, followed
    if kind is None:
        return {None: numerator.count()}, (None if denominator is None else {None: denominator.count()})
    return (counter.cells(kind, numerator, period.end),
            None if denominator is None else counter.cells(kind, denominator, period.end))


def values_ending_together(counter, key, chosen):
    """{period text: (numerator cells, denominator cells or None)} of one indicator for periods that end on the
    same day (the month, the quarter and the year to date): an indicator counting records by their date is
    counted once over the longest, each record put with the periods its date falls in."""
    starts = sorted({period.start for period in chosen.values()})
    if key not in indicators.DATED or len(starts) == 1:
        return {text: element_values(counter, key, period) for text, period in chosen.items()}
    longest = min(chosen.values(), key=lambda period: period.start)
    kind = indicators.SPECS[key].lists
    parts = [None if ids is None else counter.cells_from(kind, ids, longest.end, key, starts)
             for ids in indicators.queries(STATION, longest, key)]
    return {text: tuple(None if part is None else part[starts.index(period.start)] for part in parts)
            for text, period in chosen.items()}


def training_hours(period):
    """Hours credited to those present at the period's trainings, in tenths (an integer)."""
    present = indicators.queries(STATION, period, "training")[0]
    hours = (TrainingSession.select(fn.SUM(TrainingSession.hours * 10)).join(Attendance)
             .where(Attendance.id.in_(present)).scalar())
    return int(round(hours or 0))


def build(first, station):
    """The payload of the package of the month starting on `first` for the station coded `station`."""
    counter, values = Counter(), []

    def add(code, period_text, numerator, denominator):
        for cell in CELLS if len(numerator) > 1 else [None]:
            values.append({"dataElement": code, "period": period_text, "orgUnit": station,
                           "breakdown": {} if cell is None else {cell[0]: cell[1]}, "numerator": numerator[cell],
                           "denominator": None if denominator is None else denominator[cell]})

    chosen = {}  # the first quarter's quarter to date is the year to date: its tuples are written once
    for period_text, period in periods(first).values():
        chosen.setdefault(period_text, period)
    numbers = {}
    for end in sorted({period.end for period in chosen.values()}):
        together = {text: period for text, period in chosen.items() if period.end == end}
        for key in CODES:
            for text, parts in values_ending_together(counter, key, together).items():
                numbers[text, key] = parts
    for period_text, period in chosen.items():
        for key, code in CODES.items():
            add(code, period_text, *numbers[period_text, key])
        add("MAINTENANCE_COHORT", period_text, counter.stages(period.end)[0], None)
        add("EVENTS_AUDIENCE", period_text, {None: indicators.audience(period)}, None)
        add("TRAINING_HOURS", period_text, {None: training_hours(period)}, None)
    kinds = {code: "rate" if indicators.SPECS[key].percent else "count" for key, code in CODES.items()}
    kinds.update({code: kind for code, (_, kind) in EXTRAS.items()})
    return {"format": FORMAT, "station": station, "month": "%04d-%02d" % (first.year, first.month),
            "periods": {name: text for name, (text, _) in periods(first).items()},
            "generatedAt": utcnow().replace(microsecond=0).isoformat() + "Z", "dataElements": kinds,
            "breakdowns": {dim: list(codes) for dim, codes in BREAKDOWNS.items()}, "values": values}
