"""Face-to-face talks (面对面谈话): inline entry on the person page, corrections, the station list."""
from datetime import datetime, time

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import audit
from ..dates import parse_day
from ..db import database
from ..fields import ReasonForm
from ..web.listing import Sorting, by_choice, user_name
from ..models import ASSESSMENTS, TALK_KINDS, TALK_PLACES, Person, Talk, User
from ..permissions import holders, load_person, load_record, persons_in_scope, read_person, requires
from ..web.responses import fragment, list_page
from ..versions import history, save_versioned, soft_delete
from . import timeline
from .forms import TalkForm, default_held_at

bp = Blueprint("talks", __name__)
TITLE = "谈话记录"


def blank(person):
    """A new talk: now, rounded to the quarter hour."""
    return TalkForm(formdata=None, held_at=default_held_at())


def form_part(person, form, status=200, **context):
    return fragment("talks/_form.html", TITLE, status, person=person, form=form, **context)


@bp.get("/persons/<int:person_id>/talks/new")
@requires("records.write")
def new(person_id):
    """The inline talk form, opened on the person page; its own page (without JavaScript) is a read."""
    person = read_person(person_id, "talk", named_on_page_only=True)
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/talks/")
@requires("records.write")
def create(person_id):
    """Save a talk into the timeline, or return the form with its errors."""
    person = load_person(person_id)
    form = TalkForm()
    if not form.validate():
        return form_part(person, form, 422)
    with database.atomic():
        talk = Talk.create(person=person, staff=current_user.id, **form.values())
        audit.record("talk.create", talk, person=person)
    return timeline.saved(person, TITLE, talk)


@bp.get("/talks/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One talk with its earlier versions (also what "取消" of a correction returns to)."""
    talk, person = load_record(Talk, entry_id)
    audit.record("talk.view", talk, person=person)
    return fragment("talks/_entry.html", TITLE, person=person, item=talk, revisions=list(history(talk)))


@bp.route("/talks/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a talk inline, version-checked; the earlier version is kept."""
    talk, person = load_record(Talk, entry_id)
    form = TalkForm()
    if request.method == "GET":
        form.fill(talk)
        audit.record("talk.view", talk, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=talk)
    if not form.validate():
        return form_part(person, form, 422, entry=talk)
    conflict = save_versioned(talk, form, form.values(), "talk.update", person)
    if conflict:
        return form_part(person, form, 409, entry=talk, conflict=conflict)
    return timeline.corrected(person, Talk.get_by_id(talk.id), "talks/_entry.html")


@bp.post("/talks/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a talk with a reason; it leaves the timeline, the audit keeps the trace."""
    talk, person = load_record(Talk, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("talk.view", talk, person=person, detail={"form": "delete"})
        return render_template("talks/_entry.html", person=person, item=talk, reason_form=form), 422
    soft_delete(talk, "talk.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)


@bp.get("/talks/")
@requires("records.read")
def index():
    """All talks in the user's scope, filtered by date range, staff, assessment and place."""
    filters, query = list_query(request.args)
    listing = list_page(query, filters, "talk.list", SORTS)
    return render_template("talks/index.html", **listing, staff=holders("records.staff"),
                           staff_names=User.names(), assessments=ASSESSMENTS, places=TALK_PLACES)


SORTS = Sorting({
    "held": ("时间", Talk.held_at), "person": ("人员", Person.name_pinyin),
    "place": ("地点", by_choice(Talk.place, TALK_PLACES)), "kind": ("类型", by_choice(Talk.kind, TALK_KINDS)),
    "staff": ("谈话人", user_name(Talk.staff)), "assessment": ("评估", by_choice(Talk.assessment, ASSESSMENTS)),
    "next": ("下次谈话", Talk.next_date),
}, ("held", True), Talk.id)


def list_query(args):
    """The filters in `args` and the talks they select (sorted as asked, newest first by default); the Excel
    export and the print view use it too."""
    filters = {"start": parse_day(args.get("start")), "end": parse_day(args.get("end")),
               "staff": args.get("staff", type=int),
               "assessment": args.get("assessment") if args.get("assessment") in ASSESSMENTS else "",
               "place": args.get("place") if args.get("place") in TALK_PLACES else ""}
    query = persons_in_scope(current_user, Talk.select(Talk, Person).join(Person).where(
        Talk.is_live(), Person.listed()))
    if filters["start"]:
        query = query.where(Talk.held_at >= datetime.combine(filters["start"], time.min))
    if filters["end"]:
        query = query.where(Talk.held_at <= datetime.combine(filters["end"], time.max))
    for name in ("staff", "assessment", "place"):
        if filters[name]:
            query = query.where(getattr(Talk, name) == filters[name])
    return filters, SORTS.order(query, args)
