"""Home visits (入户走访): inline entry on the person page, corrections, the station list."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import entries
from . import timeline
from ..dates import parse_day, today
from ..models import VISIT_ANOMALIES, HomeVisit, Person, User
from ..permissions import can, persons_in_scope, requires
from .forms import VisitForm

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
    """All visits in the user's scope, by date range, staff and (for full viewers) anomaly."""
    filters, query = listed(request.args)
    listing = entries.list_page(query, filters, "visit.list")
    return render_template("visits/index.html", **listing, staff=User.staff("lead", "officer", "worker"),
                           staff_names=User.names(), anomalies=VISIT_ANOMALIES)


def listed(args):
    """The filters in `args` and the visits they select (newest first); the Excel export uses it too."""
    anomaly = args.get("anomaly", "")  # findings, so only for those who may read them
    filters = {"start": parse_day(args.get("start")), "end": parse_day(args.get("end")),
               "staff": args.get("staff", type=int),
               "anomaly": anomaly if anomaly in VISIT_ANOMALIES and can(current_user, "persons.full") else ""}
    query = persons_in_scope(current_user, HomeVisit.select(HomeVisit, Person).join(Person).where(
        HomeVisit.deleted_at.is_null(), Person.deleted_at.is_null()))
    if filters["start"]:
        query = query.where(HomeVisit.visited_on >= filters["start"])
    if filters["end"]:
        query = query.where(HomeVisit.visited_on <= filters["end"])
    if filters["staff"]:
        query = query.where(HomeVisit.staff == filters["staff"])
    if filters["anomaly"]:
        query = query.where(HomeVisit.anomalies.contains(filters["anomaly"]))
    return filters, query.order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())
