"""公安查获复吸 (relapse found by the police): recorded inline on the person page, during a measure or
after it. It is relapse evidence like a positive test: while a case runs it forces the risk to high;
the indicators count it (复吸率, 操守保持率, 戒断三年未复吸)."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import audit
from ..cases import running_time
from ..dates import today
from ..db import database
from ..fields import ReasonForm
from ..models import RelapseFinding
from ..persons import sealing
from ..permissions import load_person, load_record, read_person, requires
from ..records import risk_levels, timeline
from ..web.responses import fragment
from ..versions import history, save_versioned, soft_delete
from .forms import FindingForm

bp = Blueprint("findings", __name__)
TITLE = "公安查获复吸记录"


def blank(person):
    return FindingForm(formdata=None, found_on=today())


def form_part(person, form, status=200, **context):
    return fragment("findings/_form.html", TITLE, status, person=person, form=form, **context)


def running_case(case, on):
    """The case if its measure was running on `on`, else None (the finding is after the measure)."""
    return case if running_time.ran_on(running_time.running_spans(case), on) else None


def follow_through(finding, person):
    """Relapse evidence unseals a sealed file; while a measure runs it forces the risk to high; the
    messages for the user."""
    sealing.unseal(person.id, "公安查获复吸（复吸证据）", current_user)
    if finding.case_id is None:
        return ["已登记为解除后的复吸证据，计入操守保持率和戒断三年未复吸。"]
    risk_levels.force_high(person.id, "police_finding", user=current_user, on=finding.found_on)
    return ["公安查获复吸：风险已调为高，请安排谈话并记录。"]


@bp.get("/persons/<int:person_id>/findings/new")
@requires("records.write")
def new(person_id):
    """The inline form, opened on the person page; its own page (without JavaScript) is a read."""
    person = read_person(person_id, "finding", named_on_page_only=True)
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/findings/")
@requires("records.write")
def create(person_id):
    """Record a relapse found by the police and follow it through, or return the form."""
    person = load_person(person_id)
    form = FindingForm()
    if not form.validate():
        return form_part(person, form, 422)
    current = person.current_case()
    if current is None:
        form.form_errors.append("该人员没有社区戒毒/康复记录，不能登记。")
        return form_part(person, form, 422)
    with database.atomic():
        case = running_case(current, form.found_on.data)
        finding = RelapseFinding.create(person=person, case=case, staff=current_user.id, **form.values())
        audit.record("finding.create", finding, person=person, detail={"in_measure": case is not None})
        warnings = follow_through(finding, person)
    return timeline.saved(person, TITLE, finding, warnings, tracking=True)


@bp.get("/findings/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One finding with its earlier versions."""
    finding, person = load_record(RelapseFinding, entry_id)
    audit.record("finding.view", finding, person=person)
    return fragment("findings/_entry.html", TITLE, person=person, item=finding, revisions=list(history(finding)))


@bp.route("/findings/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a finding inline, version-checked (its date decides whether it fell in the measure)."""
    finding, person = load_record(RelapseFinding, entry_id)
    form = FindingForm()
    if request.method == "GET":
        form.fill(finding)
        audit.record("finding.view", finding, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=finding)
    if not form.validate():
        return form_part(person, form, 422, entry=finding)
    current = person.current_case()
    case = running_case(current, form.found_on.data) if current else None
    values = {**form.values(), "case": case.id if case else None}
    conflict = save_versioned(finding, form, values, "finding.update", person)
    if conflict:
        return form_part(person, form, 409, entry=finding, conflict=conflict)
    corrected = RelapseFinding.get_by_id(finding.id)
    warnings = []
    if corrected.case_id and not finding.case_id:  # moved into the measure: it now forces the risk
        with database.atomic():
            warnings = follow_through(corrected, person)
    return timeline.corrected(person, corrected, "findings/_entry.html", warnings)


@bp.post("/findings/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a finding entered in error, with a reason."""
    finding, person = load_record(RelapseFinding, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("finding.view", finding, person=person, detail={"form": "delete"})
        return render_template("findings/_entry.html", person=person, item=finding, reason_form=form), 422
    soft_delete(finding, "finding.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)
