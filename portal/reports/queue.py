"""今日待办: the due-work queue, derived in SQL whenever it is read and never stored.

One query walks the current cases once, joined to each person's latest talk, visit, risk
assessment and screenings, and to the case's open follow-ups (grouped subqueries), and keeps
only the cases with something due.
"""
from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from peewee import JOIN, SQL, Select, fn

from .. import audit
from ..cases import after_release, lifecycle
from ..dates import END_OF_TIME, sql_add_months, today
from ..db import database
from ..models import (OPEN_ASSISTANCE, Absence, AssistanceCase, AssistanceStep, Breach, Case, CounsellingSession,
                      HomeVisit, Incident, Person, Screening, Talk, User)
from ..permissions import can, case_scope, requires, sees_all_cases
from ..records import risk_levels
from ..tracking import breaches, late_reports, returns
from ..tracking.plan import (TERM_WARNINGS, cadences, overdue_beyond_grace, screening_settings, sql_next_hair,
                             sql_next_screening)
from . import worklist

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50
KINDS = {"talk": "面对面谈话", "visit": "入户走访", "review": "风险复评", "screening": "尿检到期",
         "hair": "毛发检测", "missed": "疑似逃避检测", "police": "待报告公安", "agreement": "待签协议",
         "assistance": "帮扶跟进", "counselling": "心理疏导", "term": "期限届满", "report": "报到期限",
         "notice": "解除通知街道", "relocated": "新执行地报到", "overdue_return": "逾期未归待认定",
         "late_report": "逾期报到待认定"}


def current_cases(mine):
    """The current live cases the user works on: assigned ones for workers (or with `mine`)."""
    query = (Case.select().join(Person)
             .where(Case.is_current(), Case.is_live(), Person.listed()))
    if not sees_all_cases(current_user):
        query = query.where(case_scope(current_user))
    elif mine:
        query = query.where((Case.officer == current_user.id) | (Case.worker == current_user.id))
    return query


def latest(model, at):
    """Per person: the newest live record's time and its agreed next date (SQLite takes the bare
    column from the row holding the MAX)."""
    return (model.select(model.person.alias("person_id"), fn.date(fn.MAX(at)).alias("last"),
                         model.next_date.alias("agreed"))
            .where(model.is_live()).group_by(model.person))


def latest_screenings():
    """Per case: the last urine/blood test, the last hair test, and the oldest undecided 未到."""
    hair = Screening.sample == "hair"
    undecided = (Screening.result == "absent") & Screening.decided_by.is_null()
    return (Screening.select(Screening.case.alias("case_id"),
                             fn.MAX(fn.IIF(hair, None, Screening.tested_on)).alias("last"),
                             fn.MAX(fn.IIF(hair, Screening.tested_on, None)).alias("last_hair"),
                             fn.MIN(fn.IIF(undecided, Screening.tested_on, None)).alias("undecided"))
            .where(Screening.is_live()).group_by(Screening.case))


def unreported_incidents():
    """Per case: the oldest incident not yet reported to the police."""
    return (Incident.select(Incident.case.alias("case_id"), fn.MIN(Incident.occurred_on).alias("since"))
            .where(Incident.reported_on.is_null()).group_by(Incident.case))


def next_assistance_steps():
    """Per person: the earliest agreed next step of an open assistance case."""
    return (AssistanceStep.select(AssistanceCase.person.alias("person_id"),
                                  fn.MIN(AssistanceStep.next_date).alias("due"))
            .join(AssistanceCase).where(AssistanceCase.status.in_(OPEN_ASSISTANCE), AssistanceCase.is_live(),
                                        AssistanceStep.next_date.is_null(False))
            .group_by(AssistanceCase.person))


def next_counselling():
    """Per person: the next session agreed at the latest one."""
    return (CounsellingSession.select(CounsellingSession.person.alias("person_id"),
                                      fn.MAX(CounsellingSession.held_on).alias("last"),
                                      CounsellingSession.next_date.alias("due"))
            .where(CounsellingSession.is_live()).group_by(CounsellingSession.person))


def overdue_return(day):
    """SQL, per case: the first day of the oldest overdue return still undecided (the day after its
    planned return), or NULL."""
    return Absence.select(fn.date(fn.MIN(Absence.return_on), "+1 day")).where(
        Absence.case == Case.id, returns.sql_return_overdue(day))


def undecided_late_report():
    """SQL, per case: the day of the oldest late report (逾期报到) still awaiting its decision, or NULL."""
    return Breach.select(fn.MIN(Breach.occurred_on)).where(Breach.case == Case.id, late_reports.sql_awaits_decision())


def due_dates(base, day):
    """Each current case with the due date of every kind of work, by the rules of DOMAIN.md §4:
    an agreed next date, else the last record plus the station cadence, else the report date."""
    months = cadences()
    preset, _ = screening_settings()
    talks = latest(Talk, Talk.held_at).alias("lt")
    visits = latest(HomeVisit, HomeVisit.visited_on).alias("lv")
    risks = risk_levels.latest_per_person().alias("lr")
    tests = latest_screenings().alias("ls")
    incidents = unreported_incidents().alias("li")
    helps = next_assistance_steps().alias("la")
    sessions = next_counselling().alias("lc")
    return (base.switch(Case)
            .join(talks, JOIN.LEFT_OUTER, on=(talks.c.person_id == Case.person)).switch(Case)
            .join(visits, JOIN.LEFT_OUTER, on=(visits.c.person_id == Case.person)).switch(Case)
            .join(risks, JOIN.LEFT_OUTER, on=(risks.c.person_id == Case.person)).switch(Case)
            .join(tests, JOIN.LEFT_OUTER, on=(tests.c.case_id == Case.id)).switch(Case)
            .join(incidents, JOIN.LEFT_OUTER, on=(incidents.c.case_id == Case.id)).switch(Case)
            .join(helps, JOIN.LEFT_OUTER, on=(helps.c.person_id == Case.person)).switch(Case)
            .join(sessions, JOIN.LEFT_OUTER, on=(sessions.c.person_id == Case.person))
            .select(helps.c.due.alias("assistance"), sessions.c.due.alias("counselling"), Person.id.alias("person_id"),
                    Person.name, Case.status, Case.worker.alias("worker_id"),
                    fn.COALESCE(talks.c.agreed, sql_add_months(talks.c.last, months["talk"]),
                                Case.report_date).alias("talk"),
                    fn.COALESCE(visits.c.agreed, sql_add_months(visits.c.last, risk_levels.visit_months(risks.c.level)),
                                Case.report_date).alias("visit"),
                    fn.COALESCE(risks.c.next_review, Case.report_date).alias("review"),
                    sql_next_screening(Case.report_date, tests.c.last,
                                       fn.COALESCE(Case.screening_preset, preset)).alias("screening"),
                    sql_next_hair(Case.report_date, tests.c.last_hair).alias("hair"),
                    tests.c.undecided.alias("undecided"), incidents.c.since.alias("police"),
                    lifecycle.sql_agreement_due().alias("agreement"),
                    lifecycle.sql_expected_end().alias("term"),
                    fn.date(Case.served_date, "+%d days" % lifecycle.REPORT_DEADLINE_DAYS).alias("report"),
                    after_release.sql_notice_deadline().alias("notice"),
                    lifecycle.sql_relocation_report_deadline().alias("relocated"),
                    overdue_return(day).alias("overdue_return"),
                    undecided_late_report().alias("late_report"),
                    breaches.sql_serious_case(Case.id).alias("serious"),
                    talks.c.last.alias("last_talk"), visits.c.last.alias("last_visit"), tests.c.last.alias("last_test"),
                    risks.c.level.concat("|").concat(risks.c.assessed_on).alias("risk_level")))


def limits(status, day):
    """The latest due date still listed today, per kind of work, for a case in `status`."""
    until = day.isoformat()
    if status == "pending_report":
        return {"report": END_OF_TIME, "police": END_OF_TIME}
    if status == "suspended":
        return {"police": END_OF_TIME, "relocated": END_OF_TIME, "overdue_return": END_OF_TIME,
                "late_report": END_OF_TIME}
    if status != "active":  # ended: what is still owed for the ending
        return {"police": END_OF_TIME, "notice": END_OF_TIME, "late_report": END_OF_TIME}
    return {"talk": until, "visit": until, "review": until, "screening": until, "hair": until, "missed": END_OF_TIME,
            "police": END_OF_TIME, "agreement": END_OF_TIME, "assistance": until, "counselling": until,
            "relocated": END_OF_TIME, "overdue_return": END_OF_TIME, "late_report": END_OF_TIME,
            "term": (day + timedelta(days=TERM_WARNINGS[0])).isoformat()}


def due_items(base, day):
    """One item per kind of work that is due today or overdue (terms: within the first warning).

    A scheduled test still missing after the days of grace, or a 未到 not yet decided, is listed
    as a candidate 逃避检测 for a person to confirm or excuse (DOMAIN.md §4)."""
    _, grace = screening_settings()
    cases = due_dates(base, day).alias("c")
    column = lambda name: SQL('"c"."%s"' % name)  # noqa: E731
    until = day.isoformat()
    active = column("status") == "active"
    wanted = (active & ((column("talk") <= until) | (column("visit") <= until) | (column("review") <= until)
                        | (column("screening") <= until) | (column("hair") <= until)
                        | column("undecided").is_null(False) | column("agreement").is_null(False)
                        | (column("assistance") <= until) | (column("counselling") <= until)
                        | (column("term") <= (day + timedelta(days=TERM_WARNINGS[0])).isoformat()))) \
        | (column("status") == "pending_report") | column("police").is_null(False) | column("notice").is_null(False) \
        | column("late_report").is_null(False) \
        | (((column("status") == "active") | (column("status") == "suspended"))
           & (column("relocated").is_null(False) | column("overdue_return").is_null(False)))
    items = []
    for row in Select([cases], [SQL("*")]).where(wanted).bind(database).dicts():
        screening = row["screening"] and _as_date(row["screening"])
        if screening and overdue_beyond_grace(screening, day, grace):  # the scheduled test became a candidate
            row["missed"], row["screening"] = row["undecided"] or screening, None
        else:
            row["missed"] = row["undecided"]
        for kind, limit in limits(row["status"], day).items():
            if kind == "counselling" and not can(current_user, "counselling.read"):
                continue  # officers are not told who is in counselling
            if row[kind] is not None and str(row[kind]) <= limit:
                last = {"talk": row["last_talk"], "visit": row["last_visit"], "screening": row["last_test"],
                        "missed": row["last_test"]}.get(kind)
                items.append({"kind": kind, "person_id": row["person_id"], "name": row["name"],
                              "worker_id": row["worker_id"],
                              "due": _as_date(row[kind]), "last": last, "risk_level": row["risk_level"],
                              "serious": bool(row["serious"]), "days": (day - _as_date(row[kind])).days})
    return items


@bp.get("/queue/")
@requires("queue.read")
def index():
    """Everything due today or overdue as a worklist: filtered by kind and worker, sorted, paged."""
    state = worklist.chosen(request.args, KINDS)
    items = due_items(current_cases(state["mine"]), today())
    workers, everything = {i["worker_id"] for i in items if i["worker_id"]}, len(items)
    items = worklist.by_worker(items, state["worker"])
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = worklist.shown(items, state, page, PAGE_SIZE)
    audit.record("queue.view", object_type="queue", detail={"shown": len(rows), "mine": bool(state["mine"])})
    names = User.names()
    return render_template("queue/index.html", items=rows, total=total, page=page, size=PAGE_SIZE,
                           counts=worklist.counts(items, KINDS), all_items=len(items), kinds=KINDS, state=state,
                           args=worklist.query_args(state), query_args=worklist.query_args, orders=worklist.ORDERS,
                           workers=sorted((names.get(w, ""), w) for w in workers), queue_count=everything,
                           station_wide=sees_all_cases(current_user))


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
