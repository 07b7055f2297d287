"""Sealing (封存): when a person's dynamic control ends (three years after the release that ended
their last measure, with no relapse evidence since), the daily sweep seals the file
(cases/after_release.seal_ended).

A sealed file leaves the lists, search, the queue, exports and batch printing (`Person.listed()`);
only the lead opens it, after a reason that is audited, for the rest of the sign-in. A new
measure or relapse evidence for the person unseals it, audited with the reason. Indicators count
sealed persons exactly as before: they read `Person.is_live()`, never `listed()`.
"""
from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from .. import audit
from ..fields import ReasonForm
from ..models import Person
from ..permissions import can, requires

bp = Blueprint("sealing", __name__)
GRANTS = "opened_sealed"  # session key: ids of the sealed files the lead opened, with a reason, this sign-in


def unseal(person_id, reason, user=None):
    """A new measure or relapse evidence reopens a sealed file (inside the caller's transaction)."""
    unsealed = (Person.update(sealed_at=None, version=Person.version + 1)
                .where(Person.id == person_id, Person.sealed_at.is_null(False)).execute())
    if unsealed:
        audit.record("person.unseal", object_type="person", object_id=person_id, user=user, reason=reason)
    return bool(unsealed)


def opened(person):
    """May the current user read this sealed file: the lead, after opening it with a reason during
    this sign-in?"""
    return can(current_user, "persons.open_sealed") and person.id in session.get(GRANTS, [])


def gate(person, form=None, status=403):
    """The page a sealed file shows instead of itself: the lead's reason form, or who may open it."""
    return render_template("sealing/gate.html", person=person, case=person.current_case(),
                           form=form or ReasonForm(formdata=None)), status


@bp.post("/persons/<int:person_id>/open-sealed")
@requires("persons.open_sealed")
def open_sealed(person_id):
    """The lead opens a sealed file for this sign-in after giving a reason (audited)."""
    person = Person.get_or_none(Person.id == person_id, Person.is_live(), Person.sealed_at.is_null(False))
    if person is None:
        return redirect(url_for("persons.show", person_id=person_id))
    form = ReasonForm()
    if not form.validate():
        return gate(person, form, 422)
    audit.record("person.open_sealed", person, reason=form.reason.data)
    session[GRANTS] = sorted(set(session.get(GRANTS, [])) | {person.id})
    return redirect(url_for("persons.show", person_id=person.id))
