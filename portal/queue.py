"""今日待办: the due-work queue, derived in SQL whenever it is read and never stored.

One query walks the current cases once, joined to each person's latest talk, visit and
risk assessment (grouped subqueries), and keeps only the cases with something due.
"""
from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from peewee import JOIN, SQL, Select, fn

from . import audit, risk
from .clock import today
from .db import database
from .models import Case, HomeVisit, Person, Talk
from .permissions import case_scope, requires, sees_all_cases
from .schedule import REPORT_DEADLINE_DAYS, TERM_WARNINGS, cadences, sql_add_months

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50
KINDS = {"talk": "面对面谈话", "visit": "入户走访", "review": "风险复评", "term": "期限届满", "report": "报到期限"}


def current_cases(mine):
    """The current live cases the user works on: assigned ones for workers (or with `mine`)."""
    query = (Case.select().join(Person)
             .where(Case.is_current(), Case.deleted_at.is_null(), Person.deleted_at.is_null()))
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
            .where(model.deleted_at.is_null()).group_by(model.person))


def due_dates(base):
    """Each current case with the due date of every kind of work, by the rules of DOMAIN.md §4:
    an agreed next date, else the last record plus the station cadence, else the report date."""
    months = cadences()
    talks = latest(Talk, Talk.held_at).alias("lt")
    visits = latest(HomeVisit, HomeVisit.visited_on).alias("lv")
    risks = risk.latest_per_person().alias("lr")
    return (base.switch(Case)
            .join(talks, JOIN.LEFT_OUTER, on=(talks.c.person_id == Case.person)).switch(Case)
            .join(visits, JOIN.LEFT_OUTER, on=(visits.c.person_id == Case.person)).switch(Case)
            .join(risks, JOIN.LEFT_OUTER, on=(risks.c.person_id == Case.person))
            .select(Person.id.alias("person_id"), Person.name, Case.status,
                    fn.COALESCE(talks.c.agreed, sql_add_months(talks.c.last, months["talk"]),
                                Case.report_date).alias("talk"),
                    fn.COALESCE(visits.c.agreed, sql_add_months(visits.c.last, risk.visit_months(risks.c.level)),
                                Case.report_date).alias("visit"),
                    fn.COALESCE(risks.c.next_review, Case.report_date).alias("review"),
                    sql_add_months(Case.report_date, Case.term_months).alias("term"),
                    fn.date(Case.served_date, "+%d days" % REPORT_DEADLINE_DAYS).alias("report"),
                    talks.c.last.alias("last_talk"), visits.c.last.alias("last_visit"),
                    risks.c.level.concat("|").concat(risks.c.assessed_on).alias("risk_level")))


def due_items(base, day):
    """One item per kind of work that is due today or overdue (terms: within the first warning)."""
    cases = due_dates(base).alias("c")
    until, term_until = day.isoformat(), (day + timedelta(days=TERM_WARNINGS[0])).isoformat()
    column = lambda name: SQL('"c"."%s"' % name)  # noqa: E731
    active = column("status") == "active"
    wanted = (active & ((column("talk") <= until) | (column("visit") <= until) | (column("review") <= until)
                        | (column("term") <= term_until))) | (column("status") == "pending_report")
    items = []
    for row in Select([cases], [SQL("*")]).where(wanted).bind(database).dicts():
        limits = {"talk": until, "visit": until, "review": until, "term": term_until} \
            if row["status"] == "active" else {"report": "9999-12-31"}
        for kind, limit in limits.items():
            if row[kind] is not None and str(row[kind]) <= limit:
                last = {"talk": row["last_talk"], "visit": row["last_visit"]}.get(kind)
                items.append({"kind": kind, "person_id": row["person_id"], "name": row["name"],
                              "due": row[kind], "last": last, "risk_level": row["risk_level"],
                              "days": (day - _as_date(row[kind])).days})
    return items


@bp.get("/queue/")
@requires("queue.read")
def index():
    """Everything due today or overdue, most overdue first."""
    day = today()
    mine = request.args.get("mine") == "1"
    items = due_items(current_cases(mine), day)
    items.sort(key=lambda item: (str(item["due"]), item["name"]))
    counts = {kind: sum(1 for i in items if i["kind"] == kind) for kind in KINDS}
    page = max(request.args.get("page", 1, type=int), 1)
    shown = items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    audit.record_or_abort("queue.view", object_type="queue", detail={"shown": len(shown), "mine": mine})
    return render_template("queue/index.html", items=shown, total=len(items), page=page, size=PAGE_SIZE,
                           counts=counts, kinds=KINDS, mine=mine, station_wide=sees_all_cases(current_user))


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
