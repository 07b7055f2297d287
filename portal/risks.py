"""Risk assessments entered on the person page; the rules themselves live in risk.py."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit, risk, timeline
from .clock import today
from .db import database
from .fragments import render_fragment
from .models import RiskAssessment
from .permissions import load_person, requires
from .record_forms import RiskForm

bp = Blueprint("risks", __name__)
timeline.register("risk", RiskAssessment, RiskAssessment.assessed_on, "risks/_entry.html")


@bp.get("/persons/<int:person_id>/risks/new")
@requires("records.write")
def new(person_id):
    """The inline risk assessment form."""
    person = load_person(person_id)
    form = RiskForm(formdata=None, assessed_on=today())
    return render_fragment("risks/_form.html", "风险评估", person=person, form=form)


@bp.post("/persons/<int:person_id>/risks/")
@requires("records.write")
def create(person_id):
    """Record an assessment; the next review date follows the level's cadence unless given."""
    person = load_person(person_id)
    form = RiskForm()
    if not form.validate():
        return render_fragment("risks/_form.html", "风险评估", 422, person=person, form=form)
    with database.atomic():
        assessment = RiskAssessment.create(
            person=person, assessor=current_user.id, assessed_on=form.assessed_on.data, level=form.level.data,
            factors=",".join(form.factors.data), notes=form.notes.data or None,
            next_review=form.next_review.data or risk.next_review(form.level.data, form.assessed_on.data))
        audit.record_or_abort("risk.create", assessment, person=person, detail={"level": assessment.level})
    if not request.headers.get("HX-Request"):
        flash("风险评估已保存。", "success")
        return redirect(url_for("persons.show", person_id=person.id))
    items, more = timeline.entries(person.id)
    return render_template("risks/created.html", person=person, items=items, more=more, page=1,
                           risk=risk.current(person.id))


@bp.get("/risks/<int:assessment_id>")
@requires("records.read")
def show(assessment_id):
    """One assessment entry."""
    assessment = RiskAssessment.get_or_none(RiskAssessment.id == assessment_id,
                                            RiskAssessment.deleted_at.is_null()) or abort(404)
    person = load_person(assessment.person_id)
    audit.record_or_abort("risk.view", assessment, person=person)
    return render_fragment("risks/_entry.html", "风险评估", person=person, item=assessment)
