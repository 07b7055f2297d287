"""The counsellor's own work: the counselling sessions due or overdue for her clients (the next date
agreed at each client's latest session, as the station queue counts it) and the list of her sessions.
No notes, summaries or clinical details are shown here: only dates, modes and names."""
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user
from peewee import Select

from .. import audit
from ..dates import today
from ..db import database
from ..models import COUNSELLING_MODES, Case, CounsellingSession, Person
from ..permissions import requires
from ..reports.queue import newest, next_counselling

bp = Blueprint("caseload", __name__)
PAGE_SIZE = 50


def due_sessions(user, day):
    """Her current clients whose next agreed session is today or past, the most recent first."""
    clients = (Case.select(Person.id.alias("person_id"), Person.name, next_counselling().alias("due"),
                           newest(CounsellingSession, CounsellingSession.held_on, CounsellingSession.held_on)
                           .alias("last"))
               .join(Person).where(Case.is_current(), Case.is_live(), Person.listed(), Case.counsellor == user.id)
               .alias("c"))
    return (Select([clients], [clients.c.person_id, clients.c.name, clients.c.due, clients.c.last])
            .where(clients.c.due <= day.isoformat()).order_by(clients.c.due.desc(), clients.c.name))


def count_due(user):
    """The navigation's count for a counsellor."""
    return due_sessions(user, today()).bind(database).count()


def sessions_held(user):
    """Her live sessions with clients still listed, newest first."""
    return (CounsellingSession.select(CounsellingSession, Person).join(Person)
            .where(CounsellingSession.counsellor == user.id, CounsellingSession.is_live(), Person.listed())
            .order_by(CounsellingSession.held_on.desc(), CounsellingSession.id.desc()))


@bp.get("/caseload/")
@requires("counselling.caseload")
def index():
    """The counsellor's queue: sessions due today or overdue for her clients."""
    day = today()
    rows = list(due_sessions(current_user, day).bind(database).dicts())
    for row in rows:
        row["days"] = (day - _day(row["due"])).days
    audit.record("caseload.view", object_type="caseload", detail={"shown": len(rows)})
    return render_template("caseload/index.html", rows=rows, queue_count=len(rows))


@bp.get("/caseload/sessions")
@requires("counselling.caseload")
def sessions():
    """The sessions she held, newest first, paged."""
    page = max(request.args.get("page", 1, type=int), 1)
    query = sessions_held(current_user)
    rows = list(query.paginate(page, PAGE_SIZE))
    audit.record("caseload.sessions", object_type="caseload", detail={"shown": len(rows)})
    return render_template("caseload/sessions.html", rows=rows, page=page, size=PAGE_SIZE, total=query.count(),
                           modes=COUNSELLING_MODES)


def _day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
