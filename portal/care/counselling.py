"""Counselling (心理疏导): sessions written by counsellors; the notes are read only by the counsellor
who wrote them, or by the lead after a stated reason (audited); workers and the lead see the
shareable summary; officers and volunteers see neither (SECURITY.md). This module is the one
place that decides who reads what of a session."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from peewee import fn

from .. import audit
from ..dates import today
from ..db import database
from ..fields import ReasonForm
from ..models import CounsellingSession
from ..permissions import load_person, load_record, read_person, reads_notes, requires
from ..prepared import prepared, scalar
from ..records import risk_levels
from ..web.responses import fragment, htmx
from ..versions import save_versioned
from .forms import CounsellingForm

bp = Blueprint("counselling", __name__)


def sessions_of(person):
    return list(CounsellingSession.select().where(CounsellingSession.person == person.id,
                                                  CounsellingSession.is_live())
                .order_by(CounsellingSession.held_on.desc(), CounsellingSession.id.desc()))


def count(person):
    return scalar(_count(person.id))


@prepared
def _count(person_id):
    return CounsellingSession.select(fn.COUNT(CounsellingSession.id)).where(CounsellingSession.person == person_id,
                                                                          CounsellingSession.is_live())


def render_section(person, status=200, **context):
    return fragment("counselling/_section.html", "%s 的心理疏导" % person.name, status, person=person,
                           sessions=sessions_of(person), **context)


def blank(person):
    form = CounsellingForm(formdata=None, held_on=today())
    form.set_family(person)
    return form


def form_part(person, form, status=200):
    return fragment("counselling/_form.html", "%s 的心理疏导" % person.name, status, person=person, form=form)


@bp.get("/persons/<int:person_id>/counselling/new")
@requires("counselling.write")
def new(person_id):
    """The session form, inline in the counselling section above the author's earlier sessions
    (their notes included), so it is a read (AU1)."""
    person = read_person(person_id, "counselling")
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/counselling/")
@requires("counselling.write")
def create(person_id):
    """Save a session; a crisis flag forces the risk level to high through the risk module. HTMX gets the
    message where the form was, the new session first in the list and the counters, not the section again."""
    person = load_person(person_id)
    form = CounsellingForm()
    form.set_family(person)
    if not form.validate():
        return form_part(person, form, 422)
    with database.atomic():
        session = CounsellingSession.create(person=person.id, counsellor=current_user.id, **form.values())
        audit.record("counselling.create", session, person=person)
        if session.crisis:
            risk_levels.force_high(person.id, "self_harm", user=current_user, on=session.held_on)
    message = "疏导记录已保存。" + ("已登记自伤/自杀风险，风险等级调为高，请通知责任民警和专干。" if session.crisis else "")
    if not htmx():
        flash(message, "success")
        return redirect(url_for("persons.show", person_id=person.id, _anchor="counselling"))
    from ..persons import page  # the person page builds on this module

    return page.saved_answer("counselling/_saved.html", person, s=session, message=message)


def own_session(session_id):
    """A live session the current counsellor wrote, of a person they may open; 404 otherwise."""
    session, person = load_record(CounsellingSession, session_id)
    if not reads_notes(current_user, session):
        abort(404)
    return session, person


@bp.route("/counselling/<int:session_id>/edit", methods=["GET", "POST"])
@requires("counselling.write")
def edit(session_id):
    """Correct one's own session, version-checked with its history."""
    session, person = own_session(session_id)
    form = CounsellingForm()
    form.set_family(person)
    if not form.is_submitted():
        form.process(obj=session)
        form.presenting.data = [p for p in session.presenting.split(",") if p]
        form.concerns.data = session.concerns_id or 0
        form.version.data = session.version
        audit.record("counselling.view", session, person=person, detail={"form": "edit"})
        return render_section(person, session_form=form, editing=session)
    if not form.validate():
        return render_section(person, 422, session_form=form, editing=session)
    conflict = save_versioned(session, form, form.values(), "counselling.update", person)
    if conflict:
        return render_section(person, 409, session_form=form, editing=session, conflict=conflict)
    return render_section(person, message="疏导记录已更正。")


@bp.post("/counselling/<int:session_id>/reveal")
@requires("counselling.reveal")
def reveal(session_id):
    """The lead reads a session's notes after stating a reason; the reason goes to the audit row."""
    session, person = load_record(CounsellingSession, session_id)
    form = ReasonForm()
    if not form.validate():
        return render_template("counselling/_notes.html", session=session, reason_form=form), 422
    audit.record("counselling.reveal_notes", session, person=person, reason=form.reason.data)
    return render_template("counselling/_notes.html", session=session, revealed=True)
