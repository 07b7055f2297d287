"""The station's indicators (DOMAIN.md §6), in SQL, for any period and as-of date.

Each indicator is a numerator and a denominator, both given as a query of the ids behind them
(persons, cases or records), so that the value, its drill-down list and the report all count
the same rows. A case's state on a past date comes from its lifecycle events: a case is under
management from its service date until its closing event (release, termination, compulsory
detox, transfer, death). Every kind of record an indicator counts is now kept by the portal, so
none is shown as "unavailable" any more (a rate with a zero denominator shows "—", never 0).
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from peewee import DateTimeField, fn

from ..cases import after_release, running_time
from ..cases.lifecycle import REPORT_DEADLINE_DAYS
from ..dates import END_OF_TIME, add_months
from ..models import (Agreement, AssistanceCase, Attendance, Case, CounsellingSession, HomeVisit, Incident,
                      Person, PreventionEvent, RelapseFinding, Screening, Talk, TrainingSession)
from ..permissions import case_scope
from .maintenance import maintenance_queries



@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    def last_year(self):
        return Period(add_months(self.start, -12), add_months(self.end, -12), "上年同期")


def period_of(kind, year, number=1, today_=None):
    """A month (number 1-12), a quarter (1-4) or a year; a period not over yet ends today."""
    if kind == "month":
        start = date(year, number, 1)
        end = date(year, number, calendar.monthrange(year, number)[1])
        label = "%d年%d月" % (year, number)
    elif kind == "quarter":
        start = date(year, 3 * number - 2, 1)
        end = add_months(start, 3) - timedelta(days=1)
        label = "%d年第%d季度" % (year, number)
    else:
        start, end, label = date(year, 1, 1), date(year, 12, 31), "%d年" % year
    if today_ and end > today_ >= start:
        end, label = today_, label + "（截至%s）" % today_.isoformat()
    return Period(start, end, label)


@dataclass
class Indicator:
    key: str
    label: str
    definition: str
    numerator_label: str
    denominator_label: str = ""
    percent: bool = False
    numerator: int = 0
    denominator: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def value(self):
        if not self.percent:
            return self.numerator
        return None if not self.denominator else round(100.0 * self.numerator / self.denominator, 2)


@dataclass(frozen=True)
class Change:
    """同比: an indicator against the same period last year. `relative` is the change in % of last
    year's value (None when that was 0 or cannot be computed); `points`, for a rate, the change in
    percentage points (复吸率从 9.12% 下降到 2.71%: −6.41 points, −70.29%)."""
    relative: float = None
    points: float = None


def change(now, before):
    """The 同比 of one indicator, from this period's value and last year's."""
    if now.value is None or before.value is None:
        return Change()
    relative = None if before.value == 0 else round(100.0 * (now.value - before.value) / before.value, 2)
    return Change(relative, round(now.value - before.value, 2) if now.percent else None)


# --- the building blocks: which cases were under management when -------------------------------

def cases(user):
    """Live (not deleted) cases of live persons, in the user's scope."""
    return Case.select(Case.id).join(Person).where(Case.is_live(), Person.is_live(),
                                                   case_scope(user))


def registered_cases(user, day):
    """Cases under management on `day`: served by then and not yet closed."""
    closed = running_time.sql_ended_on(Case.id)
    return cases(user).where(Case.served_date <= day, fn.COALESCE(closed, END_OF_TIME) > day)


def managed_persons(user, period):
    """Persons with a case under management at some time in the period."""
    closed = running_time.sql_ended_on(Case.id)
    return (cases(user).select(Case.person).where(Case.served_date <= period.end,
                                                  fn.COALESCE(closed, END_OF_TIME) >= period.start).distinct())


def relapsed_persons(period):
    """Persons with confirmed relapse evidence in the period: a positive test or a police finding."""
    tested = Screening.select(Screening.person).where(Screening.result == "positive", Screening.is_live(),
                                                       Screening.tested_on.between(period.start, period.end))
    found = RelapseFinding.select(RelapseFinding.person).where(
        RelapseFinding.is_live(), RelapseFinding.found_on.between(period.start, period.end))
    return tested | found  # UNION: each person once


# --- the indicators: each a numerator and a denominator query over the ids behind them ----------

@dataclass(frozen=True)
class Spec:
    """What an indicator is: its name, its definition in words, what its numerator and denominator
    count, whether it is a rate, and what its drill-down lists (case, person, incident, talk…)."""
    label: str
    definition: str
    numerator: str
    denominator: str
    percent: bool
    lists: str


SPECS = {
    "registered": Spec("在册人数", "期末处于社区戒毒或社区康复中（含待报到、中止）的人数", "期末在册", "", False, "case"),
    "yoy": Spec("在册人数同比", "（本期末在册 − 上年同日在册）÷ 上年同日在册", "本期末在册 − 上年同日在册", "上年同日在册",
                True, None),
    "relapse": Spec("复吸率", "期内在管人员中有复吸证据（检测阳性或公安查获复吸）的人数 ÷ 期内在管人数", "期内复吸", "期内在管", True,
                    "person"),
    "maintenance": Spec("操守保持率", "期末前三年内（不含满三年当日）解除的人员中，解除后有回访记录（谈话、走访或检测）"
                        "且无复吸证据（无阳性检测、无公安查获复吸、无新的戒毒措施）的人数 ÷ 有回访记录的人数；没有回访记录的为失访",
                        "保持操守", "已回访", True, "person"),
    "abstinent3": Spec("戒断三年未复吸", "最后一次戒毒措施解除已满三年（含满三年当日）、此后无新的戒毒措施、无阳性检测和公安查获复吸的人数",
                       "戒断三年未复吸", "", False, "person"),
    "reported": Spec("报到率", "期内送达决定的人员中，送达后 15 日内报到的人数 ÷ 期内送达人数（期末尚未满 15 日且未报到的"
                     "不计入）", "按期报到", "期内送达", True, "case"),
    "executed": Spec("执行率", "期内送达决定的人员中，已签订社区戒毒/康复协议的人数 ÷ 期内送达人数（口径同报到率）",
                     "已签协议", "期内送达", True, "case"),
    "serious": Spec("严重违约（零违约）", "期内发生的严重违反协议事件数（《戒毒条例》第二十条），目标为 0", "严重违约事件", "",
                    False, "incident"),
    "talks": Spec("面对面谈话", "期内记录的面对面谈话次数", "谈话次数", "", False, "talk"),
    "visits": Spec("入户走访", "期内记录的入户走访次数", "走访次数", "", False, "visit"),
    "screenings": Spec("检测", "期内记录的尿检、毛发检测次数（含拒绝、未到）", "检测次数", "", False, "screening"),
    "positives": Spec("检测阳性", "期内检测结果为阳性的次数", "阳性次数", "", False, "screening"),
    "counselling": Spec("心理疏导", "期内心理疏导次数（含对家属的疏导）", "疏导次数", "", False, "counselling"),
    "assistance": Spec("帮扶救助（新开）", "期内新开的帮扶事项数", "新开事项", "", False, "assistance"),
    "assistance_closed": Spec("帮扶救助（办结）", "期内办结的帮扶事项数", "办结事项", "", False, "assistance"),
}
SPECS["training"] = Spec("专干培训出勤率", "期内培训的出席人次 ÷ 应到人次（名单人次）", "出席人次", "应到人次", True, None)
SPECS["events"] = Spec("禁毒宣传活动", "期内开展的禁毒宣传活动场次（受众人数见旁）", "场次", "", False, None)


# The date of a record that puts it in a period, for each indicator counting records by their own date
# (the rest of their conditions look at the period's end only).
DATED = {"reported": Case.served_date, "executed": Case.served_date, "serious": Incident.occurred_on,
         "talks": Talk.held_at, "visits": HomeVisit.visited_on, "counselling": CounsellingSession.held_on,
         "assistance": AssistanceCase.opened_on, "assistance_closed": AssistanceCase.closed_on,
         "screenings": Screening.tested_on, "positives": Screening.tested_on}


def dated_from(key, day):
    """SQL: the record's date (DATED) is `day` or later; a range on the column itself, so that its index serves it."""
    column = DATED[key]
    return column >= (datetime.combine(day, time.min) if isinstance(column, DateTimeField) else day)


def dated_in(key, period):
    """SQL: the record's date (DATED) is in the period."""
    column = DATED[key]
    if isinstance(column, DateTimeField):
        return dated_from(key, period.start) & (column < datetime.combine(period.end + timedelta(days=1), time.min))
    return column.between(period.start, period.end)


def queries(user, period, key):
    """(numerator, denominator) queries of the indicator `key`; the denominator may be None."""
    as_of = period.end
    if key == "registered":
        return registered_cases(user, as_of), None
    if key == "yoy":
        return None, registered_cases(user, add_months(as_of, -12))
    if key == "relapse":
        managed = managed_persons(user, period)
        return Person.select(Person.id).where(Person.id.in_(managed), Person.id.in_(relapsed_persons(period))), \
            Person.select(Person.id).where(Person.id.in_(managed))
    if key == "maintenance":
        _, followed, clean = maintenance_queries(user, as_of)
        return clean, followed
    if key == "abstinent3":
        return abstinent_query(user, as_of), None
    if key in ("reported", "executed"):  # cases whose 15 days ran out in the period, or that reported
        deadline = fn.date(Case.served_date, "+%d days" % REPORT_DEADLINE_DAYS)
        ordered = cases(user).where(dated_in(key, period),
                                    (deadline <= period.end) | (Case.report_date <= period.end))
        if key == "reported":
            return ordered.where(Case.report_date.is_null(False), Case.report_date <= fn.date(
                Case.served_date, "+%d days" % REPORT_DEADLINE_DAYS)), ordered
        return ordered.where(fn.EXISTS(Agreement.select(Agreement.id).where(
            Agreement.case == Case.id, Agreement.is_live()))), ordered
    if key == "serious":
        return Incident.select(Incident.id).where(
            Incident.kind == "serious_breach", dated_in(key, period),
            Incident.case.in_(cases(user))), None
    if key == "talks":
        return Talk.select(Talk.id).where(
            Talk.is_live(), dated_in(key, period), Talk.person.in_(cases(user).select(Case.person))), None
    if key == "visits":
        return HomeVisit.select(HomeVisit.id).where(HomeVisit.is_live(), dated_in(key, period),
                                                    HomeVisit.person.in_(cases(user).select(Case.person))), None
    persons = cases(user).select(Case.person)
    if key == "counselling":
        return CounsellingSession.select(CounsellingSession.id).where(
            CounsellingSession.is_live(), dated_in(key, period),
            CounsellingSession.person.in_(persons)), None
    if key in ("assistance", "assistance_closed"):
        query = AssistanceCase.select(AssistanceCase.id).where(
            AssistanceCase.is_live(), dated_in(key, period), AssistanceCase.person.in_(persons))
        return (query if key == "assistance" else query.where(AssistanceCase.status == "closed")), None
    if key == "events":
        return PreventionEvent.select(PreventionEvent.id).where(
            PreventionEvent.is_live(), PreventionEvent.held_on.between(period.start, period.end)), None
    if key == "training":  # not case data: the station's own staff and volunteers
        roster = Attendance.select(Attendance.id).join(TrainingSession).where(
            TrainingSession.is_live(), TrainingSession.held_on.between(period.start, period.end))
        return roster.where(Attendance.status == "present"), roster
    tests = Screening.select(Screening.id).where(Screening.is_live(), dated_in(key, period),
                                                 Screening.case.in_(cases(user)))
    return (tests.where(Screening.result == "positive") if key == "positives" else tests), None


def compute(user, period):
    """Every indicator for the period, each with its numerator and denominator."""
    results = {}
    for key, spec in SPECS.items():
        numerator, denominator = queries(user, period, key)
        indicator = Indicator(key, spec.label, spec.definition, spec.numerator, spec.denominator, spec.percent)
        indicator.denominator = denominator.count() if denominator is not None else 0
        if key == "yoy":
            indicator.numerator = results["registered"].numerator - indicator.denominator
        else:
            indicator.numerator = numerator.count()
        results[key] = indicator
    results["registered"].extra = {m: registered_cases(user, period.end).where(Case.measure == m).count()
                                   for m in ("community_detox", "community_rehab")}
    results["events"].extra = {"audience": audience(period)}
    cohort, followed, _ = maintenance_queries(user, period.end)
    results["maintenance"].extra = {"cohort": cohort.count(), "lost": cohort.count() - followed.count()}
    return results


def audience(period):
    """The audience of the period's prevention events, every group together."""
    held = PreventionEvent.live().where(PreventionEvent.held_on.between(period.start, period.end))
    return sum(e.audience_total for e in held)


def monthly_screenings(user, first, last):
    """Per month from `first` to `last` ("2026-01"): the tests and the positives, in one query."""
    month = fn.strftime("%Y-%m", Screening.tested_on)
    rows = (Screening.select(month.alias("month"), fn.COUNT(Screening.id).alias("tests"),
                             fn.SUM(Screening.result == "positive").alias("positives"))
            .where(Screening.is_live(), Screening.tested_on.between(first, last),
                   Screening.case.in_(cases(user)))
            .group_by(month).dicts())
    return {row["month"]: (row["tests"], row["positives"] or 0) for row in rows}


def abstinent_query(user, as_of):
    """Persons three years clean at `as_of` (戒断三年未复吸): their dynamic control has ended."""
    return Person.select(Person.id).where(Person.id.in_(
        cases(user).select(Case.person).where(after_release.sql_control_ended(as_of))))
