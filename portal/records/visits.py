"""Home visits (入户走访): inline entry on the person page, corrections, the station list."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import audit
from ..dates import parse_day, today
from ..db import database
from ..fields import NOT_SAVED, ReasonForm
from ..web.listing import Sorting, user_name
from ..models import VISIT_ANOMALIES, HomeVisit, Person, User
from ..permissions import can, holders, load_person, load_record, persons_in_scope, read_person, requires
from ..web.responses import fragment, list_page
from ..versions import history, save_versioned, soft_delete
from . import timeline
from .forms import VisitForm

bp = Blueprint("visits", __name__)
TITLE = "走访记录"


def blank(person):
    """A new visit: today, by the current user, at the address on file."""
    return VisitForm(formdata=None, visited_on=today(), address=person.residence_address or "",
                     visitors=current_user.display_name)


def form_part(person, form, status=200, **context):
    return fragment("visits/_form.html", TITLE, status, person=person, form=form, **context)


@bp.get("/persons/<int:person_id>/visits/new")
@requires("records.write")
def new(person_id):
    """The inline home-visit form, opened on the person page; it shows the address, so it is a read (AU1)."""
    person = read_person(person_id, "visit")
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/visits/")
@requires("records.write")
def create(person_id):
    """Save a visit into the timeline, or return the form with its errors."""
    person = load_person(person_id)
    form = VisitForm()
    if not form.validate():
        return form_part(person, form, 422)
    return save(person, form)


@bp.post("/persons/<int:person_id>/visits/at-home")
@requires("records.write")
def at_home(person_id):
    """One click in a 今日待办 row: today's visit, found at home, with the values the form opens with
    (address on file, the user as visitor), through the same form and save; a prefill that does not
    validate answers the form with its errors (it shows the address, so that is a read, AU1)."""
    person = load_person(person_id)
    form = VisitForm(formdata=blank(person).as_posted(found_at_home="yes"))
    if not form.validate():
        audit.record("person.view", person, detail={"form": "visit"})
        form.form_errors.append(NOT_SAVED)
        return form_part(person, form, 422)
    return save(person, form)


def save(person, form):
    """Save a validated visit into the timeline."""
    with database.atomic():
        visit = HomeVisit.create(person=person, staff=current_user.id, **form.values())
        audit.record("visit.create", visit, person=person)
    return timeline.saved(person, TITLE, visit)


@bp.get("/visits/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One visit with its earlier versions."""
    visit, person = load_record(HomeVisit, entry_id)
    audit.record("visit.view", visit, person=person)
    return fragment("visits/_entry.html", TITLE, person=person, item=visit, revisions=list(history(visit)))


@bp.route("/visits/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a visit inline, version-checked; the earlier version is kept."""
    visit, person = load_record(HomeVisit, entry_id)
    form = VisitForm()
    if request.method == "GET":
        form.fill(visit)
        audit.record("visit.view", visit, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=visit)
    if not form.validate():
        return form_part(person, form, 422, entry=visit)
    conflict = save_versioned(visit, form, form.values(), "visit.update", person)
    if conflict:
        return form_part(person, form, 409, entry=visit, conflict=conflict)
    return timeline.corrected(person, HomeVisit.get_by_id(visit.id), "visits/_entry.html")


@bp.post("/visits/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a visit with a reason."""
    visit, person = load_record(HomeVisit, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("visit.view", visit, person=person, detail={"form": "delete"})
        return render_template("visits/_entry.html", person=person, item=visit, reason_form=form), 422
    soft_delete(visit, "visit.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)


@bp.get("/visits/")
@requires("records.read")
def index():
    """All visits in the user's scope, by date range, staff and (for full viewers) anomaly."""
    filters, query = list_query(request.args)
    listing = list_page(query, filters, "visit.list", SORTS)
    return render_template("visits/index.html", **listing, staff=holders("records.staff"),
                           staff_names=User.names(), anomalies=VISIT_ANOMALIES)


SORTS = Sorting({
    "visited": ("日期", HomeVisit.visited_on), "person": ("人员", Person.name_pinyin),
    "home": ("是否在家", HomeVisit.found_at_home), "anomaly": ("异常情况", HomeVisit.anomalies),
    "staff": ("记录人", user_name(HomeVisit.staff)), "next": ("下次走访", HomeVisit.next_date),
}, ("visited", True), HomeVisit.id, restricted={"home": "persons.full", "anomaly": "persons.full"})


def list_query(args):
    """The filters in `args` and the visits they select (sorted as asked, newest first by default); the Excel
    export and the print view use it too."""
    anomaly = args.get("anomaly", "")  # findings, so only for those who may read them
    filters = {"start": parse_day(args.get("start")), "end": parse_day(args.get("end")),
               "staff": args.get("staff", type=int),
               "anomaly": anomaly if anomaly in VISIT_ANOMALIES and can(current_user, "persons.full") else ""}
    query = persons_in_scope(current_user, HomeVisit.select(HomeVisit, Person).join(Person).where(
        HomeVisit.is_live(), Person.listed()))
    if filters["start"]:
        query = query.where(HomeVisit.visited_on >= filters["start"])
    if filters["end"]:
        query = query.where(HomeVisit.visited_on <= filters["end"])
    if filters["staff"]:
        query = query.where(HomeVisit.staff == filters["staff"])
    if filters["anomaly"]:
        query = query.where(HomeVisit.anomalies.contains(filters["anomaly"]))
    return filters, SORTS.order(query, args)
