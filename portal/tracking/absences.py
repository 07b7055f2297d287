"""Absences from the county (外出报备 and 擅自外出): inline on the person page, corrected with a
version check, followed through by the breach rules."""
from flask import Blueprint
from flask_login import current_user

from . import breaches
from .. import entries
from ..records import timeline
from ..models import Absence
from ..permissions import requires
from .screenings import current_case
from .forms import AbsenceForm

bp = Blueprint("absences", __name__)
timeline.register("absence", Absence, Absence.leave_on, "absences/_entry.html")

ABSENCE = entries.Kind("absence", Absence, AbsenceForm, "absences", "外出记录", "staff",
                       lambda person: AbsenceForm(formdata=None),
                       attach=current_case, follow_up=lambda absence: breaches.follow_through(absence, current_user))


@bp.get("/persons/<int:person_id>/absences/new")
@requires("records.write")
def new(person_id):
    """The inline absence form, opened on the person page."""
    return entries.new(ABSENCE, person_id)


@bp.post("/persons/<int:person_id>/absences/")
@requires("records.write")
def create(person_id):
    """Save an absence; an unauthorised one counts toward a serious breach (戒毒条例 20)."""
    return entries.create(ABSENCE, person_id)


@bp.get("/absences/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One absence with its earlier versions."""
    return entries.show(ABSENCE, entry_id)


@bp.route("/absences/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct an absence inline (e.g. the return date once the person is back)."""
    return entries.edit(ABSENCE, entry_id)


@bp.post("/absences/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete an absence with a reason."""
    return entries.delete(ABSENCE, entry_id)
