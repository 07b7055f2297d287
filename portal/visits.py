"""Home visits (入户走访): inline entry on the person page, corrections, the station list."""
from datetime import date, datetime

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from . import audit, entries, timeline
from .clock import today
from .models import VISIT_ANOMALIES, HomeVisit, Person, User
from .permissions import can, persons_in_scope, requires
from .record_forms import VisitForm

bp = Blueprint("visits", __name__)
timeline.register("visit", HomeVisit, HomeVisit.visited_on, "visits/_entry.html")


def blank(person):
    """A new visit: today, by the current user, at the address on file."""
    return VisitForm(formdata=None, visited_on=today(), address=person.residence_address or "",
                     visitors=current_user.display_name)


VISIT = entries.Kind("visit", HomeVisit, VisitForm, "visits", "走访记录", "staff", blank)


@bp.get("/persons/<int:person_id>/visits/new")
@requires("records.write")
def new(person_id):
    """The inline home-visit form, opened on the person page."""
    return entries.new(VISIT, person_id)


@bp.post("/persons/<int:person_id>/visits/")
@requires("records.write")
def create(person_id):
    """Save a visit into the timeline, or return the form with its errors."""
    return entries.create(VISIT, person_id)


@bp.get("/visits/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One visit with its earlier versions."""
    return entries.show(VISIT, entry_id)


@bp.route("/visits/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a visit inline."""
    return entries.edit(VISIT, entry_id)


@bp.post("/visits/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a visit with a reason."""
    return entries.delete(VISIT, entry_id)


@bp.get("/visits/")
@requires("records.read")
def index():
    """All visits in the user's scope, by date range, staff and anomaly."""
    def day(name):
        try:
            return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
        except ValueError:
            return None
    anomaly = request.args.get("anomaly", "")  # findings, so only for those who may read them
    anomaly = anomaly if anomaly in VISIT_ANOMALIES and can(current_user, "persons.full") else ""
    filters = {"start": day("start"), "end": day("end"), "staff": request.args.get("staff", type=int),
               "anomaly": anomaly}
    query = persons_in_scope(current_user, HomeVisit.select(HomeVisit, Person).join(Person).where(
        HomeVisit.deleted_at.is_null(), Person.deleted_at.is_null()))
    if filters["start"]:
        query = query.where(HomeVisit.visited_on >= filters["start"])
    if filters["end"]:
        query = query.where(HomeVisit.visited_on <= filters["end"])
    if filters["staff"]:
        query = query.where(HomeVisit.staff == filters["staff"])
    if anomaly:
        query = query.where(HomeVisit.anomalies.contains(anomaly))
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    rows = list(query.order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())
                .limit(size + 1).offset((page - 1) * size))
    more, rows = len(rows) > size, rows[:size]
    audit.record_or_abort("visit.list", object_type="visit", detail={
        **{k: str(v) for k, v in filters.items() if v}, "page": page, "shown": len(rows)})
    args = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    return render_template("visits/index.html", rows=rows, more=more, page=page, filters=filters, args=args,
                           staff=User.staff("lead", "officer", "worker"), anomalies=VISIT_ANOMALIES,
                           staff_names={u.id: u.display_name for u in User.select(User.id, User.display_name)})
