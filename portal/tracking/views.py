"""The abstinence tracking file (操守追踪档案) on the person page, and its follow-ups: reports
to the police of incidents, the 批评教育 of breaches, ordinary breaches recorded by hand."""
from datetime import timedelta

from flask import Blueprint, abort
from flask_login import current_user

from .. import audit
from ..cases import after_release, lifecycle
from ..dates import today
from ..db import database
from ..models import (Absence, Agreement, Attachment, Breach, CaseEvent, Incident, RelapseFinding, ReleaseNotice,
                      Screening)
from ..permissions import load_current_case, load_person, requires
from ..web.responses import fragment
from . import breaches, late_reports, returns
from .forms import (BreachForm, EducationForm, LateReportDecisionForm, NoticeForm, PoliceReportForm,
                    RelocationReportForm)
from .plan import SCREENING_PRESETS, next_hair, next_screening, overdue_beyond_grace, screening_settings

bp = Blueprint("tracking", __name__)
RECENT = 12  # screenings shown in the file; the station list has them all


def of_case(model, case):
    """The live rows of a case's own records (tests, absences, breaches, agreements)."""
    return model.select().where(model.case == case.id, model.is_live())


def essentials(case, day):
    """What the case summary prints of the file (reports/summaries.py): the screening plan, the breach
    counters, the tests' totals, incidents, breaches, the case's events and agreements, its expected end."""
    station_preset, grace = screening_settings()
    preset = case.screening_preset or station_preset
    tests = of_case(Screening, case).order_by(Screening.tested_on.desc(), Screening.id.desc())
    urine = [s for s in tests.where(Screening.sample != "hair").limit(1)]
    hair = [s for s in tests.where(Screening.sample == "hair").limit(1)]
    plan = {}
    if case.status == "active" and case.report_date:
        due = next_screening(case.report_date, urine[0].tested_on if urine else None, preset)
        plan = {"due": due, "missed": due if overdue_beyond_grace(due, day, grace) else None,
                "hair": next_hair(case.report_date, hair[0].tested_on if hair else None)}
    return {
        "case": case, "tests": tests, "preset": preset, "preset_label": SCREENING_PRESETS[preset][0],
        "random_minimum": SCREENING_PRESETS[preset][2], "grace": grace, "plan": plan,
        "counts": breaches.counters_of(case.id, day),
        "thresholds": (breaches.SERIOUS_MISSED, breaches.SERIOUS_ABSENCES, breaches.SERIOUS_DAYS),
        "total": tests.count(), "positives": tests.where(Screening.result == "positive").count(),
        "incidents": list(Incident.select().where(Incident.case == case.id).order_by(Incident.occurred_on.desc())),
        "breaches": list(of_case(Breach, case).order_by(Breach.educated_on.is_null(False), Breach.occurred_on.desc())),
        "events": list(CaseEvent.select().where(CaseEvent.case == case.id).order_by(CaseEvent.on, CaseEvent.id)),
        "agreements": list(of_case(Agreement, case).order_by(Agreement.edition.desc())),
        "needs_agreement": lifecycle.needs_agreement(case), "expected_end": lifecycle.expected_end(case, day),
        "day": day,
    }


def file_for(person, day=None):
    """Everything the tracking file shows about the person's current case, or None without one."""
    case = person.current_case()
    if case is None:
        return None
    day = day or today()
    relocation = lifecycle.awaited_relocation_report(case)
    file = essentials(case, day)
    tests, incidents, breach_rows = file["tests"], file["incidents"], file["breaches"]
    file.update({
        "screenings": list(tests.limit(RECENT)), "random": tests.where(Screening.random).count(),
        "undecided": list(tests.where(Screening.result == "absent", Screening.decided_by.is_null())),
        "absences": list(of_case(Absence, case).order_by(Absence.leave_on.desc())),
        "overdue_returns": list(of_case(Absence, case).where(returns.sql_return_overdue(day))
                                .order_by(Absence.return_on)),
        "notice": ReleaseNotice.get_or_none(ReleaseNotice.case == case.id),
        "relocation": relocation, "relocation_deadline": relocation and lifecycle.relocation_report_deadline(relocation),
        "notice_deadline": after_release.notice_deadline(case),
        "follow_ups": list(Screening.live().where(Screening.person == person.id, Screening.case.is_null())
                           .order_by(Screening.tested_on.desc(), Screening.id.desc()).limit(RECENT)),
        "findings": list(RelapseFinding.live().where(RelapseFinding.person == person.id)
                         .order_by(RelapseFinding.found_on.desc())),
        "serious_unreported": any(i.kind == "serious_breach" and not i.reported_on for i in incidents),
        "late_reports": [b for b in breach_rows if late_reports.awaits_decision(b)],
        "scans": Attachment.by_agreement(case.id),
        "deadline": lifecycle.report_deadline(case),
        "overdue_report": lifecycle.overdue_report(case, day), "actions": lifecycle.actions_for(case, day),
        "suspended_since": lifecycle.suspended_since(case),
        "soon": day + timedelta(days=30),
    })
    return file


def render_file(person, status=200, **forms):
    """The file as a fragment (or a page without JavaScript), with any form that failed."""
    return fragment("tracking/_file.html", "%s 的操守追踪档案" % person.name, status, person=person,
                           tracking=file_for(person), **forms)


@bp.app_template_global()
def blank_breach_form():
    return BreachForm(formdata=None, occurred_on=today(), educated_on=today())


@bp.get("/persons/<int:person_id>/tracking")
@requires("records.read")
def show(person_id):
    """The tracking file alone (refreshed after a change, or opened without JavaScript)."""
    person = load_person(person_id)
    audit.record("tracking.view", person)
    return render_file(person)


def load_case_row(model, row_id):
    """A row of the person's current case, which the user may open; 404 otherwise."""
    row = model.get_or_none(model.id == row_id) or abort(404)
    person, _ = load_current_case(row.person_id, row.case_id)
    if getattr(row, "deleted_at", None):
        abort(404)
    return row, person


@bp.post("/incidents/<int:incident_id>/report")
@requires("records.write")
def report(incident_id):
    """Record the report of an incident to the police (戒毒条例 21)."""
    incident, person = load_case_row(Incident, incident_id)
    form = PoliceReportForm()
    if incident.reported_on or not form.validate():
        return render_file(person, 422, report_form=form, failed=incident.id)
    with database.atomic():
        Incident.update(reported_on=form.reported_on.data, recipient=form.recipient.data,
                        report_notes=form.report_notes.data or None, reported_by=current_user.id).where(
            Incident.id == incident.id, Incident.reported_on.is_null()).execute()
        audit.record("incident.report", incident, person=person,
                     detail={"reported_on": form.reported_on.data, "recipient": form.recipient.data})
    return render_file(person, messages=["已记录向公安机关报告。"], tone="success")


@bp.post("/persons/<int:person_id>/cases/<int:case_id>/notice")
@requires("records.write")
def notify(person_id, case_id):
    """Record the notice of the release to the street or township office (戒毒条例 23, 40)."""
    person, case = load_current_case(person_id, case_id)
    if after_release.notice_deadline(case) is None:  # not released, or notified a moment ago
        return render_file(person, 409, messages=["该案件没有待记录的解除通知（可能已由他人记录），请核对。"])
    form = NoticeForm()
    valid = form.validate()
    released = after_release.released_on(case)
    if valid and form.sent_on.data < released:
        form.sent_on.errors = ["通知日期不能早于解除日期（%s）。" % released]
        valid = False
    if not valid:
        return render_file(person, 422, notice_form=form)
    with database.atomic():  # IMMEDIATE: the check and the insert see the same state
        if after_release.notice_deadline(case) is None:
            abort(409)  # notified a moment ago
        notice = ReleaseNotice.create(case=case.id, staff=current_user.id, sent_on=form.sent_on.data,
                                      recipient=form.recipient.data, document_number=form.document_number.data)
        audit.record("case.notice", notice, person=person, detail={"sent_on": notice.sent_on,
                                                                   "recipient": notice.recipient})
    return render_file(person, messages=["已记录解除通知。"], tone="success")


@bp.post("/persons/<int:person_id>/cases/<int:case_id>/relocation-report")
@requires("records.write")
def relocation_report(person_id, case_id):
    """Record the report at the new place after a change of place (22); late, it is a breach."""
    person, case = load_current_case(person_id, case_id)
    event = lifecycle.awaited_relocation_report(case)
    if event is None:  # recorded a moment ago, or no change of place awaits it
        return render_file(person, 409, messages=["没有待记录的到新执行地报到（可能已由他人记录），请核对。"])
    form = RelocationReportForm()
    valid = form.validate()
    if valid and form.reported_on.data < event.on:
        form.reported_on.errors = ["报到日期不能早于变更执行地日期（%s）。" % event.on]
        valid = False
    if not valid:
        return render_file(person, 422, relocation_form=form)
    try:
        late = lifecycle.record_relocation_report(case, event, form.reported_on.data, current_user)
    except lifecycle.TransitionRefused:
        abort(409)  # recorded a moment ago
    if late:
        return render_file(person, messages=["已记录报到：超过 15 日期限，已计入逾期报到，请记录批评教育情况。"])
    return render_file(person, messages=["已记录到新执行地报到。"], tone="success")


@bp.post("/breaches/<int:breach_id>/educate")
@requires("records.write")
def educate(breach_id):
    """Record the 批评教育 given for a breach."""
    breach, person = load_case_row(Breach, breach_id)
    if breach.educated_on:
        abort(409)  # recorded already; a correction is not a second education
    form = EducationForm()
    if not form.validate():
        return render_file(person, 422, education_form=form, failed=breach.id)
    with database.atomic():
        Breach.update(educated_on=form.educated_on.data, education=form.education.data, staff=current_user.id,
                      version=Breach.version + 1).where(Breach.id == breach.id).execute()
        audit.record("breach.educate", breach, person=person)
    return render_file(person, messages=["批评教育情况已记录。"], tone="success")


@bp.post("/persons/<int:person_id>/breaches/")
@requires("records.write")
def create_breach(person_id):
    """Record an ordinary breach by hand, with the 批评教育 given."""
    person = load_person(person_id)
    case = person.current_case()
    if case is None or case.status not in lifecycle.LIVE:
        abort(404)
    form = BreachForm()
    if not form.validate():
        return render_file(person, 422, breach_form=form)
    with database.atomic():
        breach = Breach.create(person=person.id, case=case.id, staff=current_user.id, **form.values())
        audit.record("breach.create", breach, person=person, detail={"kind": breach.kind})
    return render_file(person, messages=["违反协议情况已登记。"], tone="success")


@bp.post("/breaches/<int:breach_id>/decide")
@requires("records.write")
def decide_late_report(breach_id):
    """Excuse a late report with its cause, or confirm there was none (an incident for the police)."""
    breach, person = load_case_row(Breach, breach_id)
    if not late_reports.awaits_decision(breach):
        abort(409)  # decided a moment ago
    form = LateReportDecisionForm()
    if not form.validate():
        return render_file(person, 422, decision=form, failed="late-%d" % breach.id)
    with database.atomic():
        messages = late_reports.decide(breach, form.decision.data == "confirm", form.reason.data, person,
                                       current_user)
        if messages is None:
            abort(409)
    return render_file(person, messages=messages, tone=None if form.decision.data == "confirm" else "success")
