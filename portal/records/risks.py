"""Risk assessments entered on the person page; the levels' rules live in risk_levels.py."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import audit
from ..dates import today
from ..db import database
from ..fields import ReasonForm
from ..models import RiskAssessment
from ..permissions import load_person, load_record, read_person, requires
from ..web.responses import fragment
from ..versions import history, save_versioned, soft_delete
from . import timeline
from .forms import RiskForm

bp = Blueprint("risks", __name__)
TITLE = "风险评估"


def blank(person):
    return RiskForm(formdata=None, assessed_on=today())


def form_part(person, form, status=200, **context):
    return fragment("risks/_form.html", TITLE, status, person=person, form=form, **context)


@bp.get("/persons/<int:person_id>/risks/new")
@requires("records.write")
def new(person_id):
    """The inline risk assessment form; its own page (without JavaScript) is a read."""
    person = read_person(person_id, "risk", named_on_page_only=True)
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/risks/")
@requires("records.write")
def create(person_id):
    """Record an assessment; a blank next review follows the level's cadence."""
    person = load_person(person_id)
    form = RiskForm()
    if not form.validate():
        return form_part(person, form, 422)
    with database.atomic():
        assessment = RiskAssessment.create(person=person, assessor=current_user.id, **form.values())
        audit.record("risk.create", assessment, person=person)
    return timeline.saved(person, TITLE, assessment)


@bp.get("/risks/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One assessment with its earlier versions."""
    assessment, person = load_record(RiskAssessment, entry_id)
    audit.record("risk.view", assessment, person=person)
    return fragment("risks/_entry.html", TITLE, person=person, item=assessment,
                    revisions=list(history(assessment)))


@bp.route("/risks/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct an assessment inline (a wrong level drives the queue)."""
    assessment, person = load_record(RiskAssessment, entry_id)
    form = RiskForm()
    if request.method == "GET":
        form.fill(assessment)
        audit.record("risk.view", assessment, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=assessment)
    if not form.validate():
        return form_part(person, form, 422, entry=assessment)
    conflict = save_versioned(assessment, form, form.values(), "risk.update", person)
    if conflict:
        return form_part(person, form, 409, entry=assessment, conflict=conflict)
    return timeline.corrected(person, RiskAssessment.get_by_id(assessment.id), "risks/_entry.html")


@bp.post("/risks/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete an assessment entered in error; the previous one becomes current again."""
    assessment, person = load_record(RiskAssessment, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("risk.view", assessment, person=person, detail={"form": "delete"})
        return render_template("risks/_entry.html", person=person, item=assessment, reason_form=form), 422
    soft_delete(assessment, "risk.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)
