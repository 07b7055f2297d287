"""A new measure for a person already on file (再次被责令社区戒毒/康复): after their last one ended,
the decision is registered on the same file, so that their history and indicators stay one.
Opening it unseals a sealed file (persons/sealing.py)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..db import database
from ..models import MEASURES
from ..permissions import load_person, requires
from ..persons.forms import CaseForm
from ..persons.views import staff_choices
from . import lifecycle, running_time

bp = Blueprint("measures", __name__)
IN_FORCE = "该人员当前的社区戒毒/康复尚未结束，不能登记新的措施；如需变更，请在档案中办理相应手续。"


@bp.route("/persons/<int:person_id>/measures/new", methods=["GET", "POST"])
@requires("persons.write")
def new(person_id):
    """Register a new decision for the person once their current measure has ended."""
    person = load_person(person_id)
    current = person.current_case()
    form = CaseForm()
    staff_choices(form)
    if request.method == "GET":  # reading the person and their last measure is audited like any form
        audit.record("person.view", person, detail={"form": "measure"})
        if current is not None:  # the same street and staff, most often
            form.street.data = current.street
            for name in ("officer", "worker", "counsellor"):
                form[name].data = getattr(current, name + "_id") or 0
    ended = current and running_time.ended_on(current)
    if current is not None and current.in_force:
        form.form_errors.append(IN_FORCE)
    elif form.validate_on_submit() and after_the_last(form, ended):
        values = form.values()
        with database.atomic():
            lifecycle.open_case(person, values, values.pop("report_date"), user=current_user)
        flash("已登记新的%s。" % MEASURES[values["measure"]], "success")
        return redirect(url_for("persons.show", person_id=person.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("measures/new.html", person=person, current=current, ended=ended, form=form), status


def after_the_last(form, ended):
    """The new decision is served after the last measure ended (the same day is allowed)."""
    if ended and form.served_date.data < ended:
        form.served_date.errors.append("送达日期不能早于上一次措施结束的日期（%s）。" % ended)
        return False
    return True
