"""The case lifecycle of 戒毒条例 (DOMAIN.md §4): states, guarded transitions and the term's dates.

Every place that changes a case's state, or shows its deadlines and end, calls this module.
States: 待报到 → 执行中 ⇄ 中止 → 期满解除 | 终止 | 转强戒 | 转出 | 死亡.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import fn

from .. import audit
from ..dates import add_months, sql_add_months, today
from ..db import database
from ..models import Agreement, Breach, Case, CaseEvent, Setting
from ..persons import sealing

REPORT_DEADLINE_DAYS = 15  # 戒毒条例 14: report within 15 days of being served the decision
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
    sealing.unseal(case.person_id, "登记新的社区戒毒/康复措施", user)
    if report_date:
        CaseEvent.create(case=case.id, action="report", from_status="pending_report", to_status="active",
                         on=report_date, user=user)
        late_report(case, report_date, user)
        audit.record("case.transition", case, person=case.person_id, user=user, detail={
            "action": "report", "from": "pending_report", "to": "active", "on": report_date.isoformat()})
    return case


def late_report(case, on, user, cause=None):
    """A report after the 15 days (戒毒条例 14) is a breach (逾期报到), with its own audit row: excused
    at once with a cause (正当理由), else awaiting a decision (tracking/late_reports.py, 38)."""
    if on > report_deadline(case):
        decided = {"decision": "excused", "excuse": cause, "decided_by": user} if cause else {}
        breach = Breach.create(person=case.person_id, case=case.id, kind="late_report", occurred_on=on, staff=user,
                               description="送达后第 %d 日报到，超过 15 日期限" % (on - case.served_date).days,
                               **decided)
        audit.record("breach.create", breach, person=case.person_id, user=user, reason=cause or None,
                     detail={"kind": "late_report", "decision": "excused" if cause else None})


def transition(case, action, on, document_number=None, place=None, notes=None, user=None, cause=None):
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
            late_report(case, on, user, cause)
        audit.record("case.transition", case, person=case.person_id, user=user,
                     detail={"action": action, "from": case.status, "to": values["status"],
                                      "on": on.isoformat()})
    return event
