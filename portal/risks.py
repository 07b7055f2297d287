"""Risk assessments entered on the person page; the rules themselves live in risk.py."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit, risk, timeline
from .clock import today, utcnow
from .db import database
from .fragments import render_fragment
from .models import RiskAssessment
from .permissions import load_person, requires
from .person_forms import ReasonForm
from .record_forms import RiskForm
from .versioning import history, save_versioned

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
        assessment = RiskAssessment.create(person=person, assessor=current_user.id, **form.values())
        audit.record_or_abort("risk.create", assessment, person=person, detail={"level": assessment.level})
    if not request.headers.get("HX-Request"):
        flash("风险评估已保存。", "success")
        return redirect(url_for("persons.show", person_id=person.id))
    items, more = timeline.entries(person.id)
    return render_template("risks/created.html", person=person, items=items, more=more, page=1,
                           risk=risk.current(person.id))


def load_assessment(assessment_id):
    """A live assessment of a person the user may open; 404 otherwise."""
    assessment = RiskAssessment.get_or_none(RiskAssessment.id == assessment_id,
                                            RiskAssessment.deleted_at.is_null()) or abort(404)
    return assessment, load_person(assessment.person_id)


@bp.get("/risks/<int:assessment_id>")
@requires("records.read")
def show(assessment_id):
    """One assessment entry, with its earlier versions."""
    assessment, person = load_assessment(assessment_id)
    audit.record_or_abort("risk.view", assessment, person=person)
    return render_fragment("risks/_entry.html", "风险评估", person=person, item=assessment,
                           revisions=list(history(assessment)))


@bp.route("/risks/<int:assessment_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(assessment_id):
    """Correct an assessment inline (a wrong level drives the queue), version-checked with history."""
    assessment, person = load_assessment(assessment_id)
    form = RiskForm()
    if request.method == "GET":
        form.fill(assessment)
        audit.record_or_abort("risk.view", assessment, person=person, detail={"form": "edit"})
    elif form.validate():
        conflict = save_versioned(assessment, form, form.values(), "risk.update", person)
        if conflict is None:
            if not request.headers.get("HX-Request"):
                return redirect(url_for("persons.show", person_id=person.id))
            return render_template("risks/_entry.html", person=person, item=RiskAssessment.get_by_id(assessment.id))
        return render_fragment("risks/_form.html", "更正风险评估", 409, person=person, form=form,
                               assessment=assessment, conflict=conflict)
    return render_fragment("risks/_form.html", "更正风险评估", 200 if request.method == "GET" else 422,
                           person=person, form=form, assessment=assessment)


@bp.post("/risks/<int:assessment_id>/delete")
@requires("records.write")
def delete(assessment_id):
    """Soft-delete an assessment entered in error; the previous one becomes current again."""
    assessment, person = load_assessment(assessment_id)
    form = ReasonForm()
    if not form.validate():
        audit.record_or_abort("risk.view", assessment, person=person, detail={"form": "delete"})
        return render_template("risks/_entry.html", person=person, item=assessment, reason_form=form), 422
    with database.atomic():
        RiskAssessment.update(deleted_at=utcnow(), version=RiskAssessment.version + 1).where(
            RiskAssessment.id == assessment.id).execute()
        audit.record_or_abort("risk.delete", assessment, person=person, reason=form.reason.data)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("persons.show", person_id=person.id))
    return "<p class=\"muted\">该风险评估已删除（审计日志保留记录）。</p>"
