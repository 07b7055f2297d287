"""今日待办: the due-work queue, derived in SQL whenever it is read and never stored."""
from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from peewee import Select, fn

from . import audit, risk
from .clock import today
from .db import database
from .models import Case, HomeVisit, Person, RiskAssessment, Talk
from .permissions import case_scope, requires, sees_all_cases
from .schedule import REPORT_DEADLINE_DAYS, TERM_WARNINGS, cadences, sql_add_months

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50
KINDS = {"talk": "面对面谈话", "visit": "入户走访", "review": "风险复评", "term": "期限届满", "report": "报到期限"}


def current_cases(mine):
    """The current live cases the user works on: assigned ones for workers (or with `mine`)."""
    query = (Case.select().join(Person)
             .where(Case.is_current(), Case.deleted_at.is_null(), Person.deleted_at.is_null()))
    if mine or not sees_all_cases(current_user):
        query = query.where(case_scope(current_user) if not sees_all_cases(current_user)
                            else ((Case.officer == current_user.id) | (Case.worker == current_user.id)))
    return query


def talks_due(base, until):
    """Active cases whose next talk is due: the date agreed at the last talk, else at reporting."""
    last = (Talk.select(Talk.next_date).where(Talk.person == Case.person, Talk.deleted_at.is_null())
            .order_by(Talk.held_at.desc(), Talk.id.desc()).limit(1))
    last_held = Talk.select(fn.MAX(fn.date(Talk.held_at))).where(Talk.person == Case.person,
                                                                 Talk.deleted_at.is_null())
    due = fn.COALESCE(last, sql_add_months(last_held, cadences()["talk"]), Case.report_date)
    return rows(base.where(Case.status == "active"), "talk", due, until, last_held)


def visits_due(base, until):
    """Active cases whose home visit is due: the agreed date, else the last visit plus the cadence for
    the current risk level (monthly when high), else at reporting."""
    agreed = (HomeVisit.select(HomeVisit.next_date).where(HomeVisit.person == Case.person,
                                                          HomeVisit.deleted_at.is_null())
              .order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc()).limit(1))
    last_on = HomeVisit.select(fn.MAX(HomeVisit.visited_on)).where(HomeVisit.person == Case.person,
                                                                   HomeVisit.deleted_at.is_null())
    due = fn.COALESCE(agreed, sql_add_months(last_on, risk.visit_cadence_of(Case.person)), Case.report_date)
    return rows(base.where(Case.status == "active"), "visit", due, until, last_on)


def reviews_due(base, until):
    """Active cases whose risk review is due: the date set by the last assessment, else at reporting."""
    last = (RiskAssessment.select(RiskAssessment.next_review)
            .where(RiskAssessment.person == Case.person, RiskAssessment.deleted_at.is_null())
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1))
    return rows(base.where(Case.status == "active"), "review", fn.COALESCE(last, Case.report_date), until)


def terms_ending(base, until):
    """Active cases whose term (from the report date) ends within the first warning window."""
    end = sql_add_months(Case.report_date, Case.term_months)
    return rows(base.where(Case.status == "active", Case.report_date.is_null(False)), "term", end,
                until + timedelta(days=TERM_WARNINGS[0]))


def reports_due(base, until):
    """Persons served but not yet reported: the 15-day deadline of 戒毒条例 art. 14."""
    deadline = fn.date(Case.served_date, "+%d days" % REPORT_DEADLINE_DAYS)
    return rows(base.where(Case.status == "pending_report"), "report", deadline, None)


def rows(query, kind, due, until, last=None):
    """Select (person, due date) for one kind of work; `until` None means every row.

    The due date is computed once per case in an inner query and filtered outside it;
    the risk level is looked up only for the rows that are due.
    """
    inner = query.select(Person.id.alias("person_id"), Person.name, due.alias("due"),
                         (last if last is not None else Case.report_date).alias("last")).alias("work")
    outer = Select([inner], [inner.c.person_id, inner.c.name, inner.c.due, inner.c.last,
                             risk.level_of(inner.c.person_id, with_date=True).alias("risk_level")]).bind(database)
    if until is not None:
        outer = outer.where(inner.c.due <= until)
    return [dict(row, kind=kind) for row in outer.dicts()]


@bp.get("/queue/")
@requires("queue.read")
def index():
    """Everything due today or overdue, most overdue first."""
    day = today()
    mine = request.args.get("mine") == "1"
    base = current_cases(mine)
    items = (talks_due(base, day) + visits_due(base, day) + reviews_due(base, day) + terms_ending(base, day)
             + reports_due(base, day))
    for item in items:
        item["days"] = (day - _as_date(item["due"])).days
    items.sort(key=lambda item: (str(item["due"]), item["name"]))
    counts = {kind: sum(1 for i in items if i["kind"] == kind) for kind in KINDS}
    page = max(request.args.get("page", 1, type=int), 1)
    shown = items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    audit.record_or_abort("queue.view", object_type="queue", detail={"shown": len(shown), "mine": mine})
    return render_template("queue/index.html", items=shown, total=len(items), page=page, size=PAGE_SIZE,
                           counts=counts, kinds=KINDS, mine=mine, station_wide=sees_all_cases(current_user))


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
