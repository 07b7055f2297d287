"""今日待办: the due-work queue, by the rules of DOMAIN.md §4 computed in SQL from the records.

One statement walks current cases, finds each person's latest talk, visit, risk assessment and tests
by index seeks and turns them into one row per kind of work owed with its due date (owed). Those rows
are stored and kept current by every save that moves them (due_store.py), so reading the queue reads
the stored dates due by the day asked for (due_items) and answers the counts by kind and the rows of
the page asked for (worklist.read): its cost follows the items due, not the records ever made.
"""
import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, make_response, render_template, request, url_for
from flask_login import current_user
from peewee import Select, fn
from werkzeug.datastructures import MultiDict

from .. import audit
from ..cases import after_release, lifecycle
from ..dates import sql_add_months, today
from ..fields import new_token
from ..models import (OPEN_ASSISTANCE, Absence, AssistanceCase, AssistanceStep, Breach, Case, CaseEvent, CounsellingSession,
                      HomeVisit, Incident, Person, ReleaseNotice, RiskAssessment, SAMPLES, Screening, Talk, User)
from ..permissions import can, case_scope, requires, sees_all_cases
from ..records import risk_levels
from ..tracking import late_reports, returns
from ..tracking.plan import cadences, screening_settings, sql_next_hair, sql_next_screening
from . import back_lists, due_store, worklist

bp = Blueprint("queue", __name__)
bp.add_app_template_global(new_token)  # the one-time token of a row's one-click form (web/once.py)
bp.add_app_template_global(back_lists.back_list)  # the station's lists only: the province has none
bp.add_app_template_global(back_lists.queue_back)
TARGET = re.compile(r"^q-[a-z_]+-\d+$")
# the kinds recorded inline in their queue row, with the form that records them (the person page's)
INLINE = {"talk": "talks.new", "visit": "visits.new", "review": "risks.new", "screening": "screenings.new"}
PAGE_SIZE = 50
KINDS = {"talk": "面对面谈话", "visit": "入户走访", "review": "风险复评", "screening": "尿检到期",
         "hair": "毛发检测", "missed": "疑似逃避检测", "police": "待报告公安", "agreement": "待签协议",
         "assistance": "帮扶跟进", "counselling": "心理疏导", "term": "期限届满", "report": "报到期限",
         "notice": "解除通知街道", "relocated": "新执行地报到", "overdue_return": "逾期未归待认定",
         "late_report": "逾期报到待认定"}


def all_current():
    """Every current live case of a listed person: the cases whose work the queue's rules compute."""
    return Case.select().join(Person).where(Case.is_current(), Case.is_live(), Person.listed())


def scope(mine):
    """The condition on Case of the cases the user works on (assigned ones for workers, or with `mine`),
    or None: all of them."""
    if not sees_all_cases(current_user):
        return case_scope(current_user)
    if mine:
        return (Case.officer == current_user.id) | (Case.worker == current_user.id)
    return None


def newest(model, at, value):
    """SQL, per current case: `value` of the person's newest live record of `model`, one step back along
    the index on (person, deleted_at, date)."""
    return model.select(value).where(model.person == Case.person, model.is_live()).order_by(at.desc()).limit(1)


def newest_risk(value):
    """SQL, per current case: `value` of the person's current risk assessment (same-day ties: the newer)."""
    return (RiskAssessment.select(value).where(RiskAssessment.person == Case.person, RiskAssessment.is_live())
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1))


def last_test(samples):
    """SQL, per case: the day of the last live test of these samples."""
    return Screening.select(fn.MAX(Screening.tested_on)).where(Screening.case == Case.id, Screening.is_live(),
                                                               Screening.sample.in_(samples))


def undecided_absence():
    """SQL, per case: the oldest 未到 not yet decided, or NULL."""
    return Screening.select(fn.MIN(Screening.tested_on)).where(
        Screening.result == "absent", Screening.case == Case.id, Screening.is_live(), Screening.decided_by.is_null())


def unreported_incident():
    """SQL, per case: the oldest incident not yet reported to the police, or NULL."""
    return Incident.select(fn.MIN(Incident.occurred_on)).where(Incident.case == Case.id, Incident.reported_on.is_null())


def next_assistance_step():
    """SQL, per person: the earliest agreed next step of an open assistance case, or NULL."""
    return (AssistanceStep.select(fn.MIN(AssistanceStep.next_date)).join(AssistanceCase)
            .where(AssistanceCase.person == Case.person, AssistanceCase.status.in_(OPEN_ASSISTANCE),
                   AssistanceCase.is_live(), AssistanceStep.next_date.is_null(False)))


def next_counselling():
    """SQL, per person: the next session agreed at the latest one, or NULL."""
    return newest(CounsellingSession, CounsellingSession.held_on, CounsellingSession.next_date)


def overdue_return():
    """SQL, per case: the first day away of the oldest return still undecided that is or will be overdue
    (the day after its planned return), or NULL; the queue lists it from that day on."""
    return Absence.select(fn.date(fn.MIN(Absence.return_on), "+1 day")).where(
        Absence.case == Case.id, returns.sql_return_overdue(date.max))


def undecided_late_report():
    """SQL, per case: the day of the oldest late report (逾期报到) still awaiting its decision, or NULL."""
    return Breach.select(fn.MIN(Breach.occurred_on)).where(Breach.case == Case.id, late_reports.sql_awaits_decision())


def owes_after_ending():
    """SQL, per case: it may still owe something after its measure ended (an incident not reported, a
    late report undecided, a release notice not sent): the few ended cases worth a look. Seeks by the
    case, so recomputing one person reads only their rows."""
    release = CaseEvent.alias()
    unsent = fn.EXISTS(release.select(release.id).where(
        release.case == Case.id, release.action == "release",
        release.on >= lifecycle.sql_recorded_since("release_notice.since"))) & ~fn.EXISTS(
        ReleaseNotice.select(ReleaseNotice.id).where(ReleaseNotice.case == Case.id))
    return (fn.EXISTS(Incident.select(Incident.id).where(Incident.case == Case.id, Incident.reported_on.is_null()))
            | fn.EXISTS(Breach.select(Breach.id).where(Breach.case == Case.id, late_reports.sql_awaits_decision()))
            | unsent)


def latest(base):
    """Each current case with its persons' latest records and open follow-ups, found by index seeks
    (never by grouping a whole table); each is looked up only for the statuses that list it."""
    status = lambda *names: Case.status.in_(names)  # noqa: E731
    ended = Case.status.not_in(("active", "pending_report", "suspended"))
    active = status("active")
    when = lambda condition, value: fn.IIF(condition, value, None)  # noqa: E731  (IIF evaluates lazily)
    return base.where(status("active", "pending_report", "suspended") | owes_after_ending()).select(
        Case.id.alias("case_id"), Person.id.alias("person_id"), Person.name, Case.status,
        Case.worker.alias("worker_id"), Case.report_date, Case.screening_preset,
        when(active, fn.date(newest(Talk, Talk.held_at, Talk.held_at))).alias("last_talk"),
        when(active, newest(Talk, Talk.held_at, Talk.next_date)).alias("talk_next"),
        when(active, fn.date(newest(HomeVisit, HomeVisit.visited_on, HomeVisit.visited_on))).alias("last_visit"),
        when(active, newest(HomeVisit, HomeVisit.visited_on, HomeVisit.next_date)).alias("visit_next"),
        when(active, newest_risk(RiskAssessment.level)).alias("level"),
        when(active, newest_risk(RiskAssessment.next_review)).alias("next_review"),
        when(active, last_test([s for s in SAMPLES if s != "hair"])).alias("last_test"),
        when(active, last_test(["hair"])).alias("last_hair"),
        when(active, undecided_absence()).alias("undecided"),
        when(active, next_assistance_step()).alias("assistance"),
        when(active, next_counselling()).alias("counselling"),
        when(active, lifecycle.sql_agreement_due()).alias("agreement"),
        when(active, lifecycle.sql_expected_end()).alias("term"),
        unreported_incident().alias("police"),
        when(status("pending_report"), fn.date(Case.served_date, "+%d days" % lifecycle.REPORT_DEADLINE_DAYS))
        .alias("report"),
        when(ended, after_release.sql_notice_deadline()).alias("notice"),
        when(status("active", "suspended"), lifecycle.sql_relocation_report_deadline()).alias("relocated"),
        when(status("active", "suspended"), overdue_return()).alias("overdue_return"),
        when(~status("pending_report"), undecided_late_report()).alias("late_report"))


def due_dates(base):
    """Each current case with the due date of every kind of work, by the rules of DOMAIN.md §4:
    an agreed next date, else the last record plus the station cadence, else the report date."""
    months = cadences()
    preset, _ = screening_settings()
    found = latest(base).cte("queue_latest", materialized=True)
    c = found.c
    visit_months = risk_levels.visit_months(c.level)
    dates = Select([found], [
        c.case_id, c.person_id, c.name, c.status, c.worker_id, c.last_talk, c.last_visit, c.last_test,
        c.undecided, c.assistance, c.counselling, c.agreement, c.term, c.police, c.report, c.notice, c.relocated,
        c.overdue_return, c.late_report,
        fn.IIF(c.status == "active", fn.COALESCE(c.talk_next, sql_add_months(c.last_talk, months["talk"]),
                                                 c.report_date), None).alias("talk"),
        fn.IIF(c.status == "active", fn.COALESCE(c.visit_next, sql_add_months(c.last_visit, visit_months),
                                                 c.report_date), None).alias("visit"),
        fn.IIF(c.status == "active", fn.COALESCE(c.next_review, c.report_date), None).alias("review"),
        fn.IIF(c.status == "active", sql_next_screening(c.report_date, c.last_test,
                                                        fn.COALESCE(c.screening_preset, preset)), None)
        .alias("screening"),
        fn.IIF(c.status == "active", sql_next_hair(c.report_date, c.last_hair), None).alias("hair")])
    return found, dates


ROUTINE = ("talk", "visit", "review", "screening", "hair", "assistance", "counselling")
# Per kind of work: the case statuses it is listed for ("ended" = neither active, pending nor suspended)
# and how far ahead it is listed: "today" (due today or overdue), "term" (within the first warning),
# "any" (whenever it is owed).
KIND_RULES = {**{kind: (("active",), "today") for kind in ROUTINE},
              "missed": (("active",), "any"), "agreement": (("active",), "any"), "term": (("active",), "term"),
              "report": (("pending_report",), "any"),
              "police": (("active", "pending_report", "suspended", "ended"), "any"),
              "relocated": (("active", "suspended"), "any"), "overdue_return": (("active", "suspended"), "today"),
              "late_report": (("active", "suspended", "ended"), "any"), "notice": (("ended",), "any")}
LAST = {"talk": "last_talk", "visit": "last_visit", "screening": "last_test", "missed": "last_test"}


def kind_listed(column, statuses):
    named = [s for s in statuses if s != "ended"]
    condition = column("status").in_(named)
    if "ended" in statuses:
        condition |= column("status").not_in(("active", "pending_report", "suspended"))
    return condition


def read(state, page=1, size=0, person_id=None):
    """The counts per (kind, worker) of the user's due items today (of one person, when given), and the
    rows of one page of them."""
    day = today()
    ctes, items = due_store.due_items(scope(state["mine"]), day, person_id)
    counts, rows = worklist.read(ctes, items, state, day, page, size)
    for row in rows:
        row["due"] = _as_date(row["due"])
        row["days"], row["serious"] = (day - row["due"]).days, bool(row["serious"])
    return counts, rows


@bp.get("/queue/")
@requires("queue.read")
def index():
    """Everything due today or overdue as a worklist: filtered by kind and worker, sorted, paged."""
    state = worklist.chosen(request.args, KINDS)
    page = max(request.args.get("page", 1, type=int), 1)
    counts, rows = read(state, page, PAGE_SIZE)
    per_kind = worklist.by_kind(counts, KINDS, state["worker"])
    all_items, total = sum(per_kind.values()), _total(per_kind, state)
    audit.record("queue.view", object_type="queue", detail={"shown": len(rows), "mine": bool(state["mine"])})
    names = User.names()
    return render_template("queue/index.html", items=rows, total=total, page=page, size=PAGE_SIZE,
                           counts=per_kind, all_items=all_items, kinds=KINDS, state=state,
                           args=worklist.query_args(state), query_args=worklist.query_args, orders=worklist.ORDERS,
                           workers=sorted((names.get(w, ""), w) for w in {w for _, w in counts if w}),
                           queue_count=sum(counts.values()), station_wide=sees_all_cases(current_user),
                           inline=INLINE)


@bp.app_template_global()
def queue_target():
    """The 今日待办 row a record form was opened from (`target`, e.g. q-talk-12), or None: the form then
    saves into that row instead of the person page."""
    target = request.values.get("target", "")
    return target if TARGET.match(target) else None


def saved(person, title, warnings=(), edit=None, entry_id=None):
    """A record saved from a queue row: the row gives way to a confirmation (or says what is still
    due) with the warnings the user must see (a breach, a relapse, the collectors) and a 修改 that opens
    the saved record's correction (`edit`, swapped into `entry_id`); the counts by kind and the
    navigation's count follow out of band."""
    target = queue_target()
    kind = target.split("-")[1]
    shown = urlsplit(request.headers.get("HX-Current-URL", ""))
    args = MultiDict(parse_qsl(shown.query)) if shown.path == url_for("queue.index") else MultiDict()
    state = worklist.chosen(args, KINDS)
    counts, _ = read(state)
    still, _ = read(worklist.EVERYTHING, person_id=person.id)
    per_kind = worklist.by_kind(counts, KINDS, state["worker"])
    page = max(args.get("page", 1, type=int), 1)
    response = make_response(render_template(
        "queue/_saved.html", person=person, title=title, warnings=warnings, target=target, kind=KINDS.get(kind, ""),
        edit=edit, entry_id=entry_id,
        still_due=any(k == kind for k, _ in still), counts=per_kind, all_items=sum(per_kind.values()), state=state,
        kinds=KINDS, query_args=worklist.query_args, queue_count=sum(counts.values()),
        page=page, size=PAGE_SIZE, total=_total(per_kind, state), args=worklist.query_args(state)))
    response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#%s-item" % target, "outerHTML"
    return response


@bp.get("/queue/closed")
@requires("queue.read")
def closed():
    """An inline form's 取消 in a queue row: the row's slot empties."""
    return ""


def _total(per_kind, state):
    """How many items the list holds under its filters: the pager's 共 N 项."""
    return per_kind.get(state["kind"], 0) if state["kind"] else sum(per_kind.values())


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
