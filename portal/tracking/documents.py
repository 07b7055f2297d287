"""The papers the law's steps produce, printed from their records: the agreement for signature
(协议书, 戒毒条例 16, 38), the release notice (解除通知书, 23, 40), the record of a 批评教育 (禁毒法 35)
and the report of an incident to the police (21). Each print is audited; each PDF shows no more
than the tracking file shows the same user.
"""
from flask import Blueprint, abort
from flask_login import current_user

from .. import audit, pdf
from ..cases import after_release, lifecycle
from ..dates import today
from ..models import Agreement, Breach, Case, CaseEvent, Incident, ReleaseNotice, Screening, User
from ..permissions import load_person, requires
from ..web.security import error_page
from . import breaches

bp = Blueprint("documents", __name__)

RULES = {  # the figures the agreement states, from the modules that enforce them
    "written_report_days": breaches.WRITTEN_REPORT_DAYS, "serious_missed": breaches.SERIOUS_MISSED,
    "serious_absences": breaches.SERIOUS_ABSENCES, "serious_days": breaches.SERIOUS_DAYS - 1,
    "relocation_days": lifecycle.RELOCATION_REPORT_DAYS, "notice_days": after_release.NOTICE_DAYS,
}
ARTICLES = {  # 戒毒条例: the agreement, the release notice (社区康复 follows 社区戒毒, 禁毒法 48)
    "community_detox": {"agreement": "第十六条", "release": "第二十三条"},
    "community_rehab": {"agreement": "第三十八条", "release": "第四十条"},
}


def load_case_record(model, row_id):
    """A live record of a live case whose person the user may open (any case of theirs); 404 otherwise."""
    row = model.get_or_none(model.id == row_id)
    if row is None or getattr(row, "deleted_at", None):
        abort(404)
    case = Case.live().where(Case.id == row.case_id).get_or_none() or abort(404)
    return row, case, load_person(case.person_id)


def paper(template, name, person, case, **context):
    """Render one paper for the current user and send it as a download named `name`-<person>."""
    document = pdf.render_pdf(template, current_user, person=person, case=case, staff=User.names(),
                              articles=ARTICLES[case.measure], day=today(), **context)
    return pdf.send_pdf(document, "%s-%s.pdf" % (name, person.name))


@bp.get("/agreements/<int:agreement_id>/agreement.pdf")
@requires("print.documents")
def agreement(agreement_id):
    """The agreement (社区戒毒/社区康复协议书) with the law's obligations and signature lines."""
    row, case, person = load_case_record(Agreement, agreement_id)
    audit.record("agreement.print", row, person=person, detail={"edition": row.edition})
    return paper("documents/agreement.html", "%s协议书-第%d版" % (case.measure_label, row.edition), person, case,
                 agreement=row, rules=RULES, expected_end=lifecycle.expected_end(case))


@bp.get("/notices/<int:notice_id>/notice.pdf")
@requires("print.documents")
def notice(notice_id):
    """The notice of the release to the street or township office (解除通知书)."""
    row, case, person = load_case_record(ReleaseNotice, notice_id)
    release = (CaseEvent.select().where(CaseEvent.case == case.id, CaseEvent.action == "release")
               .order_by(CaseEvent.on, CaseEvent.id).first())
    audit.record("notice.print", row, person=person, detail={"document_number": row.document_number})
    return paper("documents/notice.html", "解除%s通知书" % case.measure_label, person, case, notice=row,
                 release=release, notice_days=after_release.NOTICE_DAYS)


@bp.get("/breaches/<int:breach_id>/education.pdf")
@requires("print.documents")
def education(breach_id):
    """The record of the 批评教育 given for a breach; none before it is recorded."""
    row, case, person = load_case_record(Breach, breach_id)
    if not row.educated_on:
        return error_page(409, message="该违反协议行为尚未记录批评教育情况，请先在操守追踪档案中记录，再打印批评教育记录。")
    audit.record("breach.print", row, person=person, detail={"kind": row.kind})
    return paper("documents/education.html", "批评教育记录-%s" % row.occurred_on, person, case, breach=row,
                 counts=breaches.counters_of(case.id))


@bp.get("/incidents/<int:incident_id>/report.pdf")
@requires("print.documents")
def incident(incident_id):
    """The report of a serious breach or a relapse to the police (戒毒条例 21), before or after it is made."""
    row, case, person = load_case_record(Incident, incident_id)
    counts = breaches.counters_of(case.id)
    audit.record("incident.print", row, person=person, detail={"kind": row.kind})
    return paper("documents/incident.html", "向公安机关报告-%s" % row.occurred_on, person, case, incident=row,
                 counts=counts, counted=breaches.describe(counts), expected_end=lifecycle.expected_end(case),
                 screening=row.screening_id and Screening.get_or_none(Screening.id == row.screening_id),
                 breaches=list(Breach.live().where(Breach.case == case.id).order_by(Breach.occurred_on, Breach.id)),
                 thresholds=RULES)
