"""Family members and guardians of a person, added and removed inline (HTMX)."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from .. import audit
from ..web.responses import fragment, htmx
from ..dates import utcnow
from ..db import database
from ..models import FamilyMember
from ..fields import ReasonForm
from ..permissions import can, load_person, read_person, requires
from .forms import FamilyMemberForm
from .page import render_show

bp = Blueprint("family", __name__, url_prefix="/persons/<int:person_id>/family")


def removed(person):
    """Soft-deleted family members, for the lead to restore; nobody else sees them."""
    return list(person.removed_family()) if can(current_user, "persons.restore") else []


def render_list(person, form=None, status=200, reason_form=None, failed=None):
    """The family partial for HTMX; without JavaScript, the person page it belongs to."""
    if not htmx():
        if status == 200:
            return redirect(url_for("persons.show", person_id=person.id))
        return render_show(person, form, status)
    return render_template("family/_list.html", person=person, family=list(person.live_family()),
                           form=form, removed=removed(person), reason_form=reason_form, failed=failed), status


@bp.get("/new")
@requires("persons.write")
def new(person_id):
    """The empty form, fetched when 添加家庭成员 is first opened (its own page without JavaScript, which
    names the person: a read)."""
    person = read_person(person_id, "family", named_on_page_only=True)
    return fragment("family/_form.html", "%s · 添加家庭成员" % person.name, person=person,
                    form=FamilyMemberForm(formdata=None))


@bp.post("/")
@requires("persons.write")
def create(person_id):
    """Add a family member; an invalid entry comes back with its errors and what was typed."""
    person = load_person(person_id)
    form = FamilyMemberForm()
    if not form.validate():
        return render_list(person, form, 422)
    with database.atomic():
        member = FamilyMember.create(person=person, **form.values())
        audit.record("family.create", member, person=person)
    return render_list(person)


@bp.post("/<int:member_id>/delete")
@requires("persons.write")
def delete(person_id, member_id):
    """Soft-delete a family member entry, with a reason (audited); the lead can restore it."""
    person = load_person(person_id)
    member = FamilyMember.get_or_none(FamilyMember.id == member_id, FamilyMember.person == person,
                                      FamilyMember.is_live()) or abort(404)
    form = ReasonForm()
    if not form.validate():
        return render_list(person, status=422, reason_form=form, failed=member.id)
    with database.atomic():
        FamilyMember.update(deleted_at=utcnow()).where(FamilyMember.id == member.id).execute()
        audit.record("family.delete", member, person=person, reason=form.reason.data)
    return render_list(person)


@bp.post("/<int:member_id>/restore")
@requires("persons.restore")
def restore(person_id, member_id):
    """The lead puts back a family member removed by mistake (audited)."""
    person = load_person(person_id)
    member = FamilyMember.get_or_none(FamilyMember.id == member_id, FamilyMember.person == person,
                                      FamilyMember.deleted_at.is_null(False)) or abort(404)
    with database.atomic():
        FamilyMember.update(deleted_at=None).where(FamilyMember.id == member.id).execute()
        audit.record("family.restore", member, person=person)
    return render_list(person)
