"""Absences from the county (外出报备 and 擅自外出): inline on the person page, corrected with a
version check, followed through by the breach rules."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from .. import audit
from ..dates import today
from ..db import database
from ..fields import ReasonForm
from ..models import Absence
from ..permissions import load_person, load_record, read_person, requires
from ..records import timeline
from ..web.responses import fragment
from ..versions import history, save_versioned, soft_delete
from . import breaches, returns
from . import views as tracking
from .forms import AbsenceForm, ReturnDecisionForm

bp = Blueprint("absences", __name__)
TITLE = "外出记录"
NOT_RUNNING = "该人员当前没有执行中的社区戒毒/康复，不能登记外出。"


def blank(person):
    return AbsenceForm(formdata=None)


def form_part(person, form, status=200, **context):
    return fragment("absences/_form.html", TITLE, status, person=person, form=form, **context)


@bp.get("/persons/<int:person_id>/absences/new")
@requires("records.write")
def new(person_id):
    """The inline absence form, opened on the person page; its own page (without JavaScript) is a read."""
    person = read_person(person_id, "absence", named_on_page_only=True)
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/absences/")
@requires("records.write")
def create(person_id):
    """Save an absence; an unauthorised one counts toward a serious breach (戒毒条例 20)."""
    person = load_person(person_id)
    form = AbsenceForm()
    if not form.validate():
        return form_part(person, form, 422)
    case = person.running_case()
    if case is None:
        form.form_errors.append(NOT_RUNNING)
        return form_part(person, form, 422)
    values = form.values()
    if values["kind"] == "reported" and values["return_on"] <= today() and not values["returned_on"]:
        values["returned_on"] = values["return_on"]  # recorded after the return: back on the day reported
    with database.atomic():
        absence = Absence.create(person=person, case=case.id, staff=current_user.id, **values)
        audit.record("absence.create", absence, person=person)
        warnings = breaches.follow_through(absence, current_user)
    return timeline.saved(person, TITLE, absence, warnings, tracking=True)


@bp.get("/absences/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One absence with its earlier versions."""
    absence, person = load_record(Absence, entry_id)
    audit.record("absence.view", absence, person=person)
    return fragment("absences/_entry.html", TITLE, person=person, item=absence, revisions=list(history(absence)))


@bp.route("/absences/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct an absence inline (e.g. the return date once the person is back)."""
    absence, person = load_record(Absence, entry_id)
    form = AbsenceForm()
    if request.method == "GET":
        form.fill(absence)
        audit.record("absence.view", absence, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=absence)
    if not form.validate():
        return form_part(person, form, 422, entry=absence)
    conflict = save_versioned(absence, form, form.values(), "absence.update", person)
    if conflict:
        return form_part(person, form, 409, entry=absence, conflict=conflict)
    absence = Absence.get_by_id(absence.id)
    with database.atomic():
        warnings = breaches.follow_through(absence, current_user)
    return timeline.corrected(person, absence, "absences/_entry.html", warnings)


@bp.post("/absences/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete an absence with a reason."""
    absence, person = load_record(Absence, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("absence.view", absence, person=person, detail={"form": "delete"})
        return render_template("absences/_entry.html", person=person, item=absence, reason_form=form), 422
    soft_delete(absence, "absence.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)


@bp.post("/absences/<int:entry_id>/decide")
@requires("records.write")
def decide(entry_id):
    """An overdue return (candidate 擅自外出): excuse it with a reason, or confirm it (戒毒条例 20)."""
    absence, person = tracking.load_case_row(Absence, entry_id)
    if not returns.return_overdue(absence):
        abort(409)  # decided, or its return recorded, a moment ago
    form = ReturnDecisionForm()
    if not form.validate():
        return tracking.render_file(person, 422, decision=form, failed="return-%d" % absence.id)
    with database.atomic():
        messages = returns.decide(absence, form.decision.data == "confirm", form.reason.data, person)
        if messages is None:
            abort(409)
    if form.decision.data == "excuse":
        messages = ["已记录：不计为擅自外出。"]
    return tracking.render_file(person, messages=messages, tone=None if form.decision.data == "confirm" else "success")
