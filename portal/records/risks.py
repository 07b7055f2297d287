"""Risk assessments entered on the person page; the rules themselves live in risk.py."""
from flask import Blueprint

from .. import entries
from . import timeline
from ..dates import today
from ..models import RiskAssessment
from ..permissions import requires
from .forms import RiskForm

bp = Blueprint("risks", __name__)
timeline.register("risk", RiskAssessment, RiskAssessment.assessed_on, "risks/_entry.html")
RISK = entries.Kind("risk", RiskAssessment, RiskForm, "risks", "风险评估", "assessor",
                    lambda person: RiskForm(formdata=None, assessed_on=today()))


@bp.get("/persons/<int:person_id>/risks/new")
@requires("records.write")
def new(person_id):
    """The inline risk assessment form."""
    return entries.new(RISK, person_id)


@bp.post("/persons/<int:person_id>/risks/")
@requires("records.write")
def create(person_id):
    """Record an assessment; a blank next review follows the level's cadence."""
    return entries.create(RISK, person_id)


@bp.get("/risks/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One assessment with its earlier versions."""
    return entries.show(RISK, entry_id)


@bp.route("/risks/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct an assessment inline (a wrong level drives the queue)."""
    return entries.edit(RISK, entry_id)


@bp.post("/risks/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete an assessment entered in error; the previous one becomes current again."""
    return entries.delete(RISK, entry_id)
