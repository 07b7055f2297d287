"""The overdue return of a reported absence (报备外出逾期未归), in one place.

A reported absence (戒毒条例 19) allows the person away up to the planned return day (`return_on`)
itself. From the day after, while no return by then is recorded and nobody has decided, it is a
candidate 擅自外出 (20): a person either excuses it (back on time, or a good reason) or confirms it;
confirmed, an unauthorised absence from the day after the planned return is recorded beside it and
counts through the breach follow-through. The portal never decides it alone. The rule is written in
Python and in SQL (for the queue); tests/tracking/test_twins.py checks that they agree.
"""
from datetime import timedelta

from flask_login import current_user

from .. import audit
from ..dates import today
from ..models import Absence
from . import breaches


def return_overdue(absence, day=None):
    """Is the reported absence past its planned return on `day` without a recorded return by then,
    and undecided?"""
    day = day or today()
    return (absence.kind == "reported" and absence.deleted_at is None and absence.decision is None
            and absence.return_on is not None and day > absence.return_on
            and (absence.returned_on is None or absence.returned_on > absence.return_on))


def sql_return_overdue(day, model=Absence):
    """return_overdue() in SQL, on the rows of `model`."""
    return ((model.kind == "reported") & model.deleted_at.is_null() & model.decision.is_null()
            & model.return_on.is_null(False) & (model.return_on < day)
            & (model.returned_on.is_null() | (model.returned_on > model.return_on)))


def overstay_from(absence):
    """The first day away without permission: the day after the planned return."""
    return absence.return_on + timedelta(days=1)


def decide(absence, confirm, reason, person):
    """Record the decision (the caller holds the transaction); confirmed, the unauthorised absence
    from the day after the planned return is recorded and followed through. Returns the messages,
    or None when someone decided a moment ago."""
    values = {"decision": "confirmed" if confirm else "excused", "decided_by": current_user.id,
              "excuse": reason or None, "version": Absence.version + 1}
    if not Absence.update(**values).where(Absence.id == absence.id, Absence.decision.is_null()).execute():
        return None
    audit.record("absence.decide", absence, person=person, detail={"decision": values["decision"]},
                 reason=reason or None)
    if not confirm:
        return []
    overstay = Absence.create(person=absence.person_id, case=absence.case_id, staff=current_user.id,
                              kind="unauthorised", destination=absence.destination, leave_on=overstay_from(absence),
                              return_on=absence.returned_on, discovered="other",
                              notes="报备外出逾期未归：计划 %s 返回（原报备外出记录已确认为擅自外出）" % absence.return_on)
    audit.record("absence.create", overstay, person=person, detail={"overdue_return": absence.id})
    return breaches.follow_through(overstay, current_user)
