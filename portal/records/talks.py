"""Face-to-face talks (面对面谈话): inline entry on the person page, corrections, the station list."""
from datetime import datetime, time

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import entries
from . import timeline
from ..dates import parse_day
from ..models import ASSESSMENTS, TALK_PLACES, Person, Talk, User
from ..permissions import persons_in_scope, requires
from .forms import TalkForm, default_held_at

bp = Blueprint("talks", __name__)
timeline.register("talk", Talk, Talk.held_at, "talks/_entry.html")


TALK = entries.Kind("talk", Talk, TalkForm, "talks", "谈话记录", "staff",
                    lambda person: TalkForm(formdata=None, held_at=default_held_at()))


@bp.get("/persons/<int:person_id>/talks/new")
@requires("records.write")
def new(person_id):
    """The inline talk form, opened on the person page."""
    return entries.new(TALK, person_id)


@bp.post("/persons/<int:person_id>/talks/")
@requires("records.write")
def create(person_id):
    """Save a talk into the timeline, or return the form with its errors."""
    return entries.create(TALK, person_id)


@bp.get("/talks/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One talk with its earlier versions."""
    return entries.show(TALK, entry_id)


@bp.route("/talks/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a talk inline."""
    return entries.edit(TALK, entry_id)


@bp.post("/talks/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a talk with a reason."""
    return entries.delete(TALK, entry_id)


@bp.get("/talks/")
@requires("records.read")
def index():
    """All talks in the user's scope, filtered by date range, staff, assessment and place."""
    filters, query = listed(request.args)
    listing = entries.list_page(query, filters, "talk.list")
    return render_template("talks/index.html", **listing, staff=User.staff("lead", "officer", "worker"),
                           staff_names=User.names(), assessments=ASSESSMENTS, places=TALK_PLACES)


def listed(args):
    """The filters in `args` and the talks they select (newest first); the Excel export uses it too."""
    filters = {"start": parse_day(args.get("start")), "end": parse_day(args.get("end")),
               "staff": args.get("staff", type=int),
               "assessment": args.get("assessment") if args.get("assessment") in ASSESSMENTS else "",
               "place": args.get("place") if args.get("place") in TALK_PLACES else ""}
    query = persons_in_scope(current_user, Talk.select(Talk, Person).join(Person).where(
        Talk.deleted_at.is_null(), Person.deleted_at.is_null()))
    if filters["start"]:
        query = query.where(Talk.held_at >= datetime.combine(filters["start"], time.min))
    if filters["end"]:
        query = query.where(Talk.held_at <= datetime.combine(filters["end"], time.max))
    for name in ("staff", "assessment", "place"):
        if filters[name]:
            query = query.where(getattr(Talk, name) == filters[name])
    return filters, query.order_by(Talk.held_at.desc(), Talk.id.desc())
