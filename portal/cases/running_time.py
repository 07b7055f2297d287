"""The running time of a measure: when it ran (戒毒条例 20 counts breaches "在社区戒毒期间").

From the report to the end (期满解除, 终止, 转强戒, 转出, 死亡), without the days of a 中止 (24), as
half-open spans [start, stop): a record dated on the day of the report or of a resumption falls in
the measure; one dated on the day of a suspension or of the end does not. Each rule is written in
Python and in SQL, and tests/tracking/test_twins.py checks that they agree.
"""
from datetime import date, timedelta

from peewee import fn

from ..dates import END_OF_TIME
from ..models import CaseEvent
from .lifecycle import ENDING


def running_spans(case, events=None):
    """The spans [start, stop) the measure ran, in order; the last is open (stop = date.max) while it runs."""
    if case.report_date is None:
        return []
    if events is None:
        events = CaseEvent.select().where(CaseEvent.case == case.id).order_by(CaseEvent.on, CaseEvent.id)
    spans, start = [], case.report_date
    for event in events:
        if event.action == "suspend" and start is not None:
            spans.append((start, event.on))
            start = None
        elif event.action == "resume" and start is None:
            start = event.on
        elif event.action in ENDING:
            if start is not None:
                spans.append((start, event.on))
            start = None
            break
    if start is not None:
        spans.append((start, date.max))
    return [(a, b) for a, b in spans if b > a]


def ran_on(spans, day):
    """Was the measure running on `day`?"""
    return any(start <= day < stop for start, stop in spans)


def running_days(spans, first, last):
    """How many days of [first, last] (both included) the measure ran."""
    return sum(max(0, (min(last + timedelta(days=1), stop) - max(first, start)).days) for start, stop in spans)


def nth_running_day(spans, first, last, n):
    """The date of the n-th running day of [first, last], or None if it has fewer."""
    for start, stop in spans:
        a, b = max(first, start), min(last + timedelta(days=1), stop)
        if b > a:
            if n <= (b - a).days:
                return a + timedelta(days=n - 1)
            n -= (b - a).days
    return None


def ended_on(case):
    """The date the measure ended (its first ending event), or None while it runs."""
    return (CaseEvent.select(fn.MIN(CaseEvent.on)).where(CaseEvent.case == case.id, CaseEvent.action.in_(ENDING))
            .scalar())


def belongs_to(case, day):
    """Does a record dated `day` belong to `case`? Never once its measure had ended by then: dated on
    or after the end, a drug test is the person's after-release follow-up (随访检测), not the closed case's."""
    if case is None:
        return False
    end = ended_on(case)
    if end is None:
        return case.in_force  # an ended status without its dated event: nothing proves the day fell within
    return day < end


def sql_ended_on(case_column):
    """SQL: the date the measure ended (its first ending event), or NULL while it runs."""
    event = CaseEvent.alias()
    return event.select(fn.MIN(event.on)).where(event.case == case_column, event.action.in_(ENDING))


def sql_ran_on(case_column, report_column, day):
    """running_spans()/ran_on() in SQL: the measure of the case was running on `day`."""
    event = CaseEvent.alias()
    last_pause = (event.select(event.action).where(event.case == case_column, event.action.in_(("suspend", "resume")),
                                                   event.on <= day)
                  .order_by(event.on.desc(), event.id.desc()).limit(1))
    return (report_column.is_null(False) & (day >= report_column)
            & (day < fn.COALESCE(sql_ended_on(case_column), END_OF_TIME))
            & (fn.COALESCE(last_pause, "resume") != "suspend"))


def sql_running_days(case_column, report_column, first, last):
    """running_days() in SQL: the days of [first, last] the case's measure ran."""
    ended = sql_ended_on(case_column)
    low = fn.MAX(first, report_column)
    high = fn.MIN(last, fn.COALESCE(fn.date(ended, "-1 day"), last))
    suspension, resumption = CaseEvent.alias(), CaseEvent.alias()
    resumed = resumption.select(fn.MIN(resumption.on)).where(
        resumption.case == suspension.case, resumption.action == "resume", resumption.on >= suspension.on)
    paused_until = fn.date(fn.COALESCE(resumed, ended, fn.date(last, "+1 day")), "-1 day")
    overlap = fn.julianday(fn.MIN(paused_until, high)) - fn.julianday(fn.MAX(suspension.on, low)) + 1
    paused = suspension.select(fn.SUM(fn.MAX(overlap, 0))).where(
        suspension.case == case_column, suspension.action == "suspend")
    days = fn.MAX(fn.julianday(high) - fn.julianday(low) + 1, 0) - fn.COALESCE(paused, 0)
    return fn.IFNULL(fn.MAX(days, 0), 0)
