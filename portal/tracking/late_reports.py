"""A late report (逾期报到, 戒毒条例 14, 38), decided by a person, in one place.

A report after the 15 days records a 逾期报到 breach (cases/lifecycle.late_report). With a cause
given at the report (正当理由: in hospital, detained elsewhere …) it is excused at once; otherwise it
waits, in the tracking file and 今日待办, for a person to excuse it with its cause or to confirm
there was none: confirmed, it is a refusal to report (拒绝报到, 38), an incident to be reported to
the police like a serious breach or a relapse. The portal never decides it alone (the form is in
the tracking file: views.decide_late_report).
"""
from .. import audit
from ..models import Breach, Case
from . import breaches


def awaits_decision(breach):
    """Is this breach a late report that nobody has excused or confirmed yet?"""
    return breach.kind == "late_report" and breach.decision is None and breach.deleted_at is None


def sql_awaits_decision(model=Breach):
    """awaits_decision() in SQL, on the rows of `model` (the queue)."""
    return (model.kind == "late_report") & model.decision.is_null() & model.deleted_at.is_null()


def decide(breach, confirm, reason, person, user):
    """Record `user`'s decision (the caller holds the transaction); confirmed, open the incident for
    the police. Returns the messages, or None when someone decided a moment ago."""
    values = {"decision": "confirmed" if confirm else "excused", "decided_by": user.id,
              "excuse": reason or None, "version": Breach.version + 1}
    if not Breach.update(**values).where(Breach.id == breach.id, Breach.decision.is_null()).execute():
        return None
    audit.record("breach.decide", breach, person=person, user=user, detail={"decision": values["decision"]},
                 reason=reason or None)
    if not confirm:
        return ["已记录正当理由：逾期报到不计违反，无需批评教育。"]
    case = Case.get_by_id(breach.case_id)
    breaches.open_incident(case, "refused_report", breach.occurred_on, user,
                           detail="%s，无正当理由（《戒毒条例》第三十八条）" % (breach.description or "逾期报到"))
    return ["已确认逾期报到无正当理由：已登记为须报告公安机关的事件，请及时报告并记录；同时请记录批评教育情况。"]
