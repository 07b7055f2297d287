"""The case lifecycle of 戒毒条例 (DOMAIN.md §4): states, guarded transitions and the term's dates.

Every place that changes a case's state, or shows its deadlines and end, calls this module.
States: 待报到 → 执行中 ⇄ 中止 → 期满解除 | 终止 | 转强戒 | 转出 | 死亡.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import fn

from .. import audit
from ..dates import END_OF_TIME, add_months, sql_add_months, today
from ..db import database
from ..models import Agreement, Breach, Case, CaseEvent, RelapseFinding, ReleaseNotice, Screening, Setting

REPORT_DEADLINE_DAYS = 15  # 戒毒条例 14: report within 15 days of being served the decision
CONTROL_YEARS = 3  # dynamic control (动态管控) ends three years after the last release without relapse
NOTICE_DAYS = 7  # 戒毒条例 23, 40: the street or township office is told of a release within 7 days
RELOCATION_REPORT_DAYS = 15  # 戒毒条例 22: after a change of place, report at the new place within 15 days
LIVE = ("pending_report", "active", "suspended")


@dataclass(frozen=True)
class Transition:
    sources: tuple  # the states it may leave
    target: str  # the state it reaches ("" keeps the state: a change of place)
    document: str  # label of the document whose number it needs ("" when none is needed)


TRANSITIONS = {
    "report": Transition(("pending_report",), "active", ""),
    "suspend": Transition(("active",), "suspended", "羁押/逮捕文书编号"),  # 戒毒条例 24
    "resume": Transition(("suspended",), "active", "释放/恢复执行文书编号"),
    "relocate": Transition(("active", "suspended"), "", "变更执行地决定文号"),  # 22: the clock continues
    "release": Transition(("active",), "released", "解除社区戒毒/康复通知书编号"),  # 23
    "terminate": Transition(LIVE, "terminated", "判决书/终止决定文号"),  # 24: imprisonment
    "compulsory": Transition(LIVE, "compulsory", "强制隔离戒毒决定书文号"),
    "transfer": Transition(LIVE, "transferred", "变更执行地决定文号"),
    "death": Transition(LIVE, "deceased", "死亡证明编号"),
}


ENDING = tuple(action for action, rule in TRANSITIONS.items() if rule.target in (
    "released", "terminated", "compulsory", "transferred", "deceased"))


class TransitionRefused(ValueError):
    """A transition the law or the case's dates do not allow; the message is for the user, and
    `field` names the form field it is about (None: the transition itself)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def actions_for(case, day=None):
    """The transitions open to a case in its state, in display order (release once the term is over)."""
    actions = [action for action, rule in TRANSITIONS.items() if case.status in rule.sources]
    if "release" in actions and expected_end(case, day) > (day or today()):
        actions.remove("release")
    return actions


def report_deadline(case):
    return case.served_date + timedelta(days=REPORT_DEADLINE_DAYS)


def overdue_report(case, day=None):
    """逾期未报到: still not reported after the 15 days (a refusal unless there is a cause, 38)."""
    return case.status == "pending_report" and (day or today()) > report_deadline(case)


def suspended_since(case):
    """The date of the open suspension, or None."""
    if case.status != "suspended":
        return None
    return (CaseEvent.select(fn.MAX(CaseEvent.on)).where(CaseEvent.case == case.id, CaseEvent.action == "suspend")
            .scalar())


def expected_end(case, day=None):
    """Start + term − credited days (31) + suspended days (24), counting an open suspension to `day`."""
    if case.report_date is None:
        return None
    suspended = case.suspended_days
    since = suspended_since(case)
    if since is not None:
        suspended += ((day or today()) - since).days
    return add_months(case.report_date, case.term_months) + timedelta(days=suspended - case.credited_days)


def sql_expected_end(model=Case):
    """expected_end() in SQL for cases not suspended now (the queue shows only active cases' terms)."""
    return fn.date(sql_add_months(model.report_date, model.term_months),
                   fn.printf("%+d days", model.suspended_days - model.credited_days))


# --- the running time: when the measure ran (戒毒条例 20 counts breaches "在社区戒毒期间") ---------
# From the report to the end (期满解除, 终止, 转强戒, 转出, 死亡), without the days of a 中止 (24),
# as half-open spans [start, stop): a record dated on the day of the report or of a resumption
# falls in the measure; one dated on the day of a suspension or of the end does not.

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


def recorded_since(key):
    """The first day a later-added duty is asked for through the portal (the migration that added it
    wrote the day; earlier events were handled on paper)."""
    stored = Setting.get_or_none(Setting.key == key)
    return date.fromisoformat(stored.value) if stored else date.min


def sql_recorded_since(key):
    return fn.COALESCE(Setting.select(Setting.value).where(Setting.key == key), "0000-01-01")


def awaited_relocation_report(case):
    """The change of place whose report at the new place is still awaited (22), or None."""
    return (CaseEvent.select().where(CaseEvent.case == case.id, CaseEvent.action == "relocate",
                                     CaseEvent.reported_on.is_null(),
                                     CaseEvent.on >= recorded_since("relocation_report.since"))
            .order_by(CaseEvent.on.desc(), CaseEvent.id.desc()).first())


def relocation_report_deadline(event):
    return event.on + timedelta(days=RELOCATION_REPORT_DAYS)


def sql_relocation_report_deadline(model=Case):
    """SQL: the last day to report at the new place after the awaited change of place, or NULL."""
    event = CaseEvent.alias()
    return event.select(fn.date(fn.MAX(event.on), "+%d days" % RELOCATION_REPORT_DAYS)).where(
        event.case == model.id, event.action == "relocate", event.reported_on.is_null(),
        event.on >= sql_recorded_since("relocation_report.since"))


def record_relocation_report(case, event, on, user):
    """The person reported at the new place on `on`; after the 15 days that is a 逾期报到 breach."""
    with database.atomic():
        if not CaseEvent.update(reported_on=on).where(CaseEvent.id == event.id,
                                                      CaseEvent.reported_on.is_null()).execute():
            raise TransitionRefused("该次变更执行地的报到已记录。")
        audit.record("case.relocation_report", case, person=case.person_id, user=user,
                     detail={"moved_on": event.on.isoformat(), "on": on.isoformat()})
        if on > relocation_report_deadline(event):
            breach = Breach.create(person=case.person_id, case=case.id, kind="late_report", occurred_on=on, staff=user,
                                   description="变更执行地后第 %d 日报到，超过 15 日期限" % (on - event.on).days)
            audit.record("breach.create", breach, person=case.person_id, user=user, detail={"kind": "late_report"})
            return True
    return False


def released_on(case):
    """The date the case was released (期满解除), or None."""
    return CaseEvent.select(fn.MIN(CaseEvent.on)).where(CaseEvent.case == case.id, CaseEvent.action == "release").scalar()


def notice_deadline(case):
    """The last day to tell the street office of the case's release, while no notice is recorded;
    None when there is nothing to notify (not released, released before notices began, or sent)."""
    released = released_on(case)
    if released is None or released < recorded_since("release_notice.since") or \
            ReleaseNotice.select().where(ReleaseNotice.case == case.id).exists():
        return None
    return released + timedelta(days=NOTICE_DAYS)


def sql_notice_deadline(model=Case):
    """notice_deadline() in SQL, for the queue."""
    release = CaseEvent.alias()
    released = release.select(fn.MIN(release.on)).where(release.case == model.id, release.action == "release")
    unsent = ~fn.EXISTS(ReleaseNotice.select(ReleaseNotice.id).where(ReleaseNotice.case == model.id))
    return fn.IIF(unsent & (released >= sql_recorded_since("release_notice.since")),
                  fn.date(released, "+%d days" % NOTICE_DAYS), None)


def last_move(model=Case):
    """SQL: the date the case last changed place within the station, or NULL."""
    return CaseEvent.select(fn.MAX(CaseEvent.on)).where(CaseEvent.case == model.id, CaseEvent.action == "relocate")


def sql_needs_agreement(model=Case):
    """SQL: an active case without an agreement signed since it started or last changed place (16, 22)."""
    signed = Agreement.select(fn.MAX(Agreement.signed_on)).where(Agreement.case == model.id,
                                                                 Agreement.is_live())
    return (model.status == "active") & (fn.COALESCE(signed, "") < fn.COALESCE(last_move(model), "0001-01-01"))


def sql_agreement_due(model=Case):
    """SQL: since when an agreement is missing (reporting or the last change of place), else NULL."""
    return fn.IIF(sql_needs_agreement(model), fn.COALESCE(last_move(model), model.report_date), None)


def needs_agreement(case):
    return Case.select().where(Case.id == case.id, sql_needs_agreement()).exists()


def refuse_unless(condition, message, field=None):
    if not condition:
        raise TransitionRefused(message, field)


def check(case, action, on, document_number, place):
    """Raise TransitionRefused with the reason when this transition may not happen."""
    rule = TRANSITIONS.get(action)
    refuse_unless(rule is not None, "未知的办理事项。")
    refuse_unless(case.status in rule.sources, "当前状态为“%s”，不能办理此事项。" % case.status_label)
    refuse_unless(on <= today(), "日期不能晚于今天。", "on")
    refuse_unless(on >= case.served_date, "日期不能早于决定书送达日期（%s）。" % case.served_date, "on")
    last = CaseEvent.select(fn.MAX(CaseEvent.on)).where(CaseEvent.case == case.id).scalar()
    refuse_unless(last is None or on >= last, "日期不能早于上一次办理（%s）。" % last, "on")
    refuse_unless(not rule.document or document_number, "请填写%s。" % rule.document, "document_number")
    if action in ("relocate", "transfer"):
        refuse_unless(place and place != case.street, "请填写新的执行地（与现执行地不同）。", "place")
    if action == "release":
        end = expected_end(case, on)
        refuse_unless(on >= end, "期限尚未届满：预计 %s 期满，届满后方可解除（《戒毒条例》第二十三条）。" % end)


def open_case(person, values, report_date=None, user=None, detail=None):
    """Register a case; one that has already reported starts in 执行中 with its 报到 event.

    The same outcome as creating it 待报到 and then running the 报到 transition (the checks
    of that transition are the case form's own), in three inserts, which a ledger import of
    thousands of rows needs. A report after the 15 days records the 逾期报到 breach.
    """
    case = Case.create(person=person, status="active" if report_date else "pending_report",
                       report_date=report_date, **values)
    audit.record("case.create", case, person=person, user=user, detail=detail)
    if report_date:
        CaseEvent.create(case=case.id, action="report", from_status="pending_report", to_status="active",
                         on=report_date, user=user)
        late_report(case, report_date, user)
        audit.record("case.transition", case, person=case.person_id, user=user, detail={
            "action": "report", "from": "pending_report", "to": "active", "on": report_date.isoformat()})
    return case


def late_report(case, on, user):
    """A report after the 15 days (戒毒条例 14) is a breach (逾期报到), with its own audit row."""
    if on > report_deadline(case):
        breach = Breach.create(person=case.person_id, case=case.id, kind="late_report", occurred_on=on, staff=user,
                               description="送达后第 %d 日报到，超过 15 日期限" % (on - case.served_date).days)
        audit.record("breach.create", breach, person=case.person_id, user=user,
                     detail={"kind": "late_report"})


def transition(case, action, on, document_number=None, place=None, notes=None, user=None):
    """Move a case to its next state: checked, dated, recorded as a CaseEvent and audited.

    Reporting sets the report date (the term starts then, 14); resuming adds the days of the
    suspension (24); a change of place keeps the clock and calls for a new agreement (22).
    """
    check(case, action, on, document_number, place)
    rule = TRANSITIONS[action]
    values = {"status": rule.target or case.status}
    if action == "report":
        values["report_date"] = on
    elif action == "resume":
        values["suspended_days"] = case.suspended_days + (on - suspended_since(case)).days
    if action in ("relocate", "transfer"):
        values["street"] = place
    with database.atomic():
        if not Case.update_if_version(case.id, case.version, **values):
            raise TransitionRefused("该案件刚被他人修改，请刷新页面后重新办理。")
        event = CaseEvent.create(case=case.id, action=action, from_status=case.status, to_status=values["status"],
                                 on=on, document_number=document_number or None, place=place or None,
                                 notes=notes or None, user=user)
        if action == "report":
            late_report(case, on, user)
        audit.record("case.transition", case, person=case.person_id, user=user,
                     detail={"action": action, "from": case.status, "to": values["status"],
                                      "on": on.isoformat()})
    return event


# --- after the measure: relapse evidence and the end of dynamic control (解除动态管控) ----------------
# Three years after the release that ended a person's last measure, with no relapse evidence since
# (a positive test, a police finding), dynamic control ends: the person counts as 戒断三年未复吸.

def relapse_evidence(person_id, after, until):
    """Is there relapse evidence for the person in (after, until]?"""
    tests = Screening.live().where(Screening.person == person_id, Screening.result == "positive",
                                   Screening.tested_on > after, Screening.tested_on <= until)
    found = RelapseFinding.live().where(RelapseFinding.person == person_id, RelapseFinding.found_on > after,
                                        RelapseFinding.found_on <= until)
    return tests.exists() or found.exists()


def sql_relapse_evidence(person, after, until):
    """relapse_evidence() in SQL, for the person in the column `person`."""
    return fn.EXISTS(Screening.select(Screening.id).where(
        Screening.person == person, Screening.result == "positive", Screening.is_live(),
        Screening.tested_on > after, Screening.tested_on <= until)) | fn.EXISTS(
        RelapseFinding.select(RelapseFinding.id).where(
            RelapseFinding.person == person, RelapseFinding.is_live(), RelapseFinding.found_on > after,
            RelapseFinding.found_on <= until))


def control_ends_on(person, as_of=None):
    """The day the person's dynamic control ends (or ended): three years after the release that ended
    their last measure; None while a measure runs, when the last one ended otherwise (终止, 转强戒 …)
    or when there is relapse evidence since that release."""
    as_of = as_of or today()
    ends = []
    for case in Case.live().where(Case.person == person.id, Case.served_date <= as_of):
        event = (CaseEvent.select().where(CaseEvent.case == case.id, CaseEvent.action.in_(ENDING))
                 .order_by(CaseEvent.on, CaseEvent.id).first())
        if event is None:
            return None  # a measure still runs
        ends.append((event.on, event.action))
    if not ends:
        return None
    released, action = max(ends)
    if action != "release" or relapse_evidence(person.id, released, as_of):
        return None
    return add_months(released, 12 * CONTROL_YEARS)


def sql_control_ended(as_of):
    """control_ends_on(person) <= as_of in SQL, as a condition on the Case whose release ended the
    person's last measure (no other measure of theirs ran later, whatever order they were entered in)."""
    release = CaseEvent.alias()
    released = release.select(fn.MIN(release.on)).where(release.case == Case.id, release.action == "release")
    other = Case.alias()
    later_measure = fn.EXISTS(other.select(other.id).where(
        other.person == Case.person, other.id != Case.id, other.deleted_at.is_null(), other.served_date <= as_of,
        fn.COALESCE(sql_ended_on(other.id), END_OF_TIME) > released))
    return ((released <= add_months(as_of, -12 * CONTROL_YEARS)) & ~later_measure
            & ~sql_relapse_evidence(Case.person, released, as_of))

