"""Face-to-face talks (面对面谈话): inline entry on the person page, corrections, the station list."""
from datetime import date, datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit, timeline
from .clock import utcnow
from .db import database
from .fragments import render_fragment
from .models import ASSESSMENTS, TALK_PLACES, Person, Talk, User
from .permissions import load_person, persons_in_scope, requires
from .person_forms import ReasonForm
from .record_forms import TalkForm, default_held_at
from .versioning import history, save_versioned

bp = Blueprint("talks", __name__)
timeline.register("talk", Talk, Talk.held_at, "talks/_entry.html")


def load_talk(talk_id):
    """A live talk of a person the user may open; 404 otherwise."""
    talk = Talk.get_or_none(Talk.id == talk_id, Talk.deleted_at.is_null()) or abort(404)
    return talk, load_person(talk.person_id)


def render_form(person, form, status=200, talk=None, conflict=None):
    return render_fragment("talks/_form.html", "记录谈话", status, person=person, form=form, talk=talk,
                           conflict=conflict)


@bp.get("/persons/<int:person_id>/talks/new")
@requires("records.write")
def new(person_id):
    """The inline talk form, opened on the person page."""
    person = load_person(person_id)
    form = TalkForm(formdata=None, held_at=default_held_at())
    return render_form(person, form)


@bp.post("/persons/<int:person_id>/talks/")
@requires("records.write")
def create(person_id):
    """Save a talk; it appears at the top of the timeline, or the form returns with its errors."""
    person = load_person(person_id)
    form = TalkForm()
    if not form.validate():
        return render_form(person, form, 422)
    values = form.values()
    with database.atomic():
        talk = Talk.create(person=person, staff=current_user.id, **values)
        audit.record_or_abort("talk.create", talk, person=person)
    if not request.headers.get("HX-Request"):
        flash("谈话记录已保存。", "success")
        return redirect(url_for("persons.show", person_id=person.id))
    items, more = timeline.entries(person.id)
    return render_template("timeline/saved.html", message="谈话记录已保存，已加入下方工作记录。", person=person,
                           items=items, more=more, page=1)


@bp.get("/talks/<int:talk_id>")
@requires("records.read")
def show(talk_id):
    """One talk entry (also what "取消" of an inline correction returns to)."""
    talk, person = load_talk(talk_id)
    audit.record_or_abort("talk.view", talk, person=person)
    return render_fragment("talks/_entry.html", "谈话记录", person=person, item=talk,
                           revisions=list(history(talk)))


@bp.route("/talks/<int:talk_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(talk_id):
    """Correct a talk inline, version-checked; the earlier version is kept."""
    talk, person = load_talk(talk_id)
    form = TalkForm()
    if request.method == "GET":
        form.fill(talk)
        audit.record_or_abort("talk.view", talk, person=person, detail={"form": "edit"})
        return render_form(person, form, talk=talk)
    if not form.validate():
        return render_form(person, form, 422, talk=talk)
    conflict = save_versioned(talk, form, form.values(), "talk.update", person)
    if conflict:
        return render_form(person, form, 409, talk=talk, conflict=conflict)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("persons.show", person_id=person.id))
    return render_template("talks/_entry.html", person=person, item=Talk.get_by_id(talk.id))


@bp.post("/talks/<int:talk_id>/delete")
@requires("records.write")
def delete(talk_id):
    """Soft-delete a talk with a reason; it leaves the timeline and the audit keeps the trace."""
    talk, person = load_talk(talk_id)
    form = ReasonForm()
    if not form.validate():
        audit.record_or_abort("talk.view", talk, person=person, detail={"form": "delete"})
        return render_template("talks/_entry.html", person=person, item=talk, reason_form=form), 422
    with database.atomic():
        Talk.update(deleted_at=utcnow(), version=Talk.version + 1).where(Talk.id == talk.id).execute()
        audit.record_or_abort("talk.delete", talk, person=person, reason=form.reason.data)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("persons.show", person_id=person.id))
    return "<p class=\"muted\">该谈话记录已删除（审计日志保留记录）。</p>"


def day_arg(name):
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/talks/")
@requires("records.read")
def index():
    """All talks in the user's scope, filtered by date range, staff, assessment and place."""
    filters = {"start": day_arg("start"), "end": day_arg("end"), "staff": request.args.get("staff", type=int),
               "assessment": request.args.get("assessment") if request.args.get("assessment") in ASSESSMENTS else "",
               "place": request.args.get("place") if request.args.get("place") in TALK_PLACES else ""}
    query = (Talk.select(Talk, Person).join(Person)
             .where(Talk.deleted_at.is_null(), Person.deleted_at.is_null()))
    query = persons_in_scope(current_user, query)
    if filters["start"]:
        query = query.where(Talk.held_at >= datetime.combine(filters["start"], time.min))
    if filters["end"]:
        query = query.where(Talk.held_at < datetime.combine(filters["end"], time.max))
    for name in ("staff", "assessment", "place"):
        if filters[name]:
            query = query.where(getattr(Talk, name) == filters[name])
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    rows = list(query.order_by(Talk.held_at.desc(), Talk.id.desc()).limit(size + 1).offset((page - 1) * size))
    more, rows = len(rows) > size, rows[:size]  # no total: counting every talk costs more than the page
    audit.record_or_abort("talk.list", object_type="talk", detail={
        **{k: str(v) for k, v in filters.items() if v}, "page": page, "shown": len(rows)})
    args = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    return render_template("talks/index.html", rows=rows, more=more, page=page, filters=filters,
                           args=args, staff=User.staff("lead", "officer", "worker"),
                           staff_names={u.id: u.display_name for u in User.select(User.id, User.display_name)},
                           assessments=ASSESSMENTS, places=TALK_PLACES)
