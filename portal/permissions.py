"""Roles, the permission matrix (SECURITY.md) and record scope, in one place.

Deny by default: a view that does not declare a permission with @requires or
@public is refused by check_request(), and tests walk app.url_map to prove
that every endpoint declares one.
"""
from flask import abort, current_app, make_response, request
from flask_login import current_user

from . import audit
from .models import PROVINCE_ROLES, ROLES, Case, Person, User

PUBLIC = "public"
ANY_STAFF = frozenset({"lead", "officer", "worker", "counsellor", "volunteer"})
CASE_STAFF = frozenset({"lead", "officer", "worker", "counsellor"})
# the province's roles (INSTANCE = "province"): the admin (org tree, keys, accounts), the viewer (tables)
PROVINCE_STAFF = frozenset({"province_admin", "province_viewer"})
EVERY_ACCOUNT = frozenset({"lead", "officer", "worker", "counsellor", "volunteer", "province_admin", "province_viewer"})

MATRIX = {
    "home": EVERY_ACCOUNT,
    "account": EVERY_ACCOUNT,
    "persons.read": CASE_STAFF,
    "persons.full": frozenset({"lead", "officer", "worker"}),  # contacts, addresses, family; counsellors see a summary
    "persons.write": frozenset({"lead", "officer", "worker"}),
    "persons.reveal_id": frozenset({"lead", "officer", "worker"}),
    "persons.delete": frozenset({"lead", "officer"}),
    "persons.restore": frozenset({"lead"}),
    "persons.open_sealed": frozenset({"lead"}),  # a sealed file (封存), after a reason, audited
    "persons.print": frozenset({"lead", "officer", "worker"}),  # case summaries; workers: assigned persons
    "records.read": CASE_STAFF,  # talks, risk assessments, the timeline (counsellors: a summary)
    "records.write": frozenset({"lead", "officer", "worker"}),
    "print.documents": frozenset({"lead", "officer", "worker"}),  # agreement, release notice, 批评教育, police report
    "queue.read": frozenset({"lead", "officer", "worker"}),
    # counselling: sessions are written by counsellors; workers and the lead read the shareable
    # summary; notes only by their author, or by the lead after a stated reason (SECURITY.md)
    "training.read": CASE_STAFF,  # sessions, roster and attendance (no case data)
    "training.write": frozenset({"lead", "officer", "worker"}),
    "training.own": ANY_STAFF,  # one's own trainings, attendance and hours (volunteers included)
    "counselling.read": frozenset({"lead", "worker", "counsellor"}),
    "counselling.write": frozenset({"counsellor"}),
    "counselling.reveal": frozenset({"lead"}),
    "counselling.caseload": frozenset({"counsellor"}),  # her own queue of sessions due, and her sessions
    "indicators.read": frozenset({"lead", "officer", "worker"}),  # workers: their assigned cases
    "lists.export": frozenset({"lead", "officer"}),  # Excel ledgers, masked; full numbers only by the lead
    "ledgers.import": frozenset({"lead", "officer"}),
    "settings.manage": frozenset({"lead"}),
    "users.manage": frozenset({"lead", "province_admin"}),
    "audit.read": frozenset({"lead", "province_admin"}),
    "exchange.package": frozenset({"lead"}),  # the signed monthly package (报送包) for the province
    "province.read": PROVINCE_STAFF,  # the province's tables, completeness, drill to a station
    "province.manage": frozenset({"province_admin"}),  # the org tree, stations' keys, the package inbox
    # decisions inside views and templates, not endpoints
    "cases.station_wide": frozenset({"lead", "officer"}),  # every case; the others only their own
    "cases.officer": frozenset({"lead", "officer"}),  # may be named a case's 责任民警
    "cases.worker": frozenset({"worker"}),  # may be named a case's 责任专干
    "cases.counsellor": frozenset({"counsellor"}),  # may be named a case's 心理咨询师
    "records.staff": frozenset({"lead", "officer", "worker"}),  # listed as who did a talk or a visit
    "persons.find_colleagues": frozenset({"worker"}),  # exact matches among colleagues' persons, masked
    "counselling.details": frozenset({"counsellor"}),  # scales, presenting issues, plan (clinical detail)
    "lists.export_full": frozenset({"lead"}),  # full ID numbers in an export of persons
    "print.full": frozenset({"lead", "officer"}),  # the case summary's three profiles
    "print.working": frozenset({"lead", "officer", "worker"}),
    "print.redacted": frozenset({"lead", "officer", "worker"}),
}


def roles():
    """The roles an account of this instance may hold (a station's five, or the province's two)."""
    return PROVINCE_ROLES if current_app.config.get("INSTANCE") == "province" else ROLES


def requires(permission):
    """Declare the permission a view needs; the check itself runs before every request."""
    if permission != PUBLIC and permission not in MATRIX:
        raise ValueError("unknown permission %r" % permission)

    def decorate(view):
        view.permission = permission
        return view

    return decorate


public = requires(PUBLIC)


def can(user, permission):
    """May this user do this? The one place a role is looked at (with role_can)."""
    return bool(user and user.is_authenticated and user.role in MATRIX.get(permission, ()))


def role_can(role, permission):
    """Would an account with this role hold the permission (e.g. a role about to be given)?"""
    return role in MATRIX.get(permission, ())


def may(permission):
    """Template global: may the current user do this?"""
    return can(current_user, permission)


def holding(permission):
    """SQL: the account's role holds the permission."""
    return User.role.in_(sorted(MATRIX[permission]))


def holders(permission):
    """The active accounts whose role holds the permission, by name (pickers and filters)."""
    return User.select().where(User.is_active, holding(permission)).order_by(User.display_name)


def reads_notes(user, session):
    """A counselling session's notes are their author's alone (the lead reads them only through
    counselling.reveal, with a reason)."""
    return user.id == session.counsellor_id


def reads_details(user, session):
    """Scales, presenting issues and plan of a session: the counsellors' (clinical detail)."""
    return can(user, "counselling.details")


def endpoint_permission(endpoint):
    """The permission an endpoint declared, or None when it declared nothing."""
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "permission", None)


def check_request():
    """before_request: refuse undeclared endpoints, anonymous users and wrong roles."""
    if request.endpoint is None:
        return None  # 404/405 are answered by the router
    permission = endpoint_permission(request.endpoint)
    if permission is None:
        abort(403)
    if permission == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can(current_user, permission):
        abort(403)
    return None


# --- record scope -------------------------------------------------------------

class _Station:
    """The station itself, with no account: what the monthly package, its command and its timer
    compute as (every case, like the lead). It never signs in and holds no permission."""
    is_authenticated = False
    id = username = None


STATION = _Station()


def sees_all_cases(user):
    return user is STATION or can(user, "cases.station_wide")


def case_scope(user):
    """Peewee expression limiting Case rows to those the user may open: all, or those naming them."""
    if sees_all_cases(user):
        return Case.id.is_null(False)
    if can(user, "cases.worker"):
        return Case.worker == user.id
    if can(user, "cases.counsellor"):
        return Case.counsellor == user.id
    return Case.id.is_null(True) & Case.id.is_null(False)


def scoped_person_ids(user):
    """Subquery of the ids of persons whose current case the user may open."""
    return Case.select(Case.person).where(case_scope(user), Case.is_live(), Case.is_current())


def persons_in_scope(user, query):
    """Restrict a Person query to persons whose current case the user may open."""
    return query if sees_all_cases(user) else query.where(Person.id.in_(scoped_person_ids(user)))


def may_open(user, person):
    return persons_in_scope(user, Person.select(Person.id).where(Person.id == person.id)).exists()


def load_person(person_id):
    """The live person if the current user may open it; 404 otherwise, and a refused open is audited."""
    person = Person.get_or_none(Person.id == person_id, Person.is_live())
    if person is None:
        abort(404)
    if not may_open(current_user, person):
        audit.record("person.view", person, outcome="denied", detail={"path": request.path})
        abort(404)
    if person.sealed_at:
        from .persons import sealing  # it builds on this module

        if not sealing.opened(person):
            audit.record("person.view", person, outcome="denied", detail={"path": request.path, "sealed": True})
            abort(make_response(sealing.gate(person)))
    return person


def read_person(person_id, form, named_on_page_only=False):
    """The person an empty form is about: a read of personal data when the answer shows any (the visit
    form's address, earlier counselling notes, family names; the person's name on a form's own page),
    audited as person.view with the form's name and refused with 503 when the audit cannot be written
    (AU1). `named_on_page_only`: the htmx fragment is an empty form naming no one, only the page (opened
    without JavaScript) names the person, so only that is audited."""
    from .web.responses import htmx  # web/ builds on this module

    person = load_person(person_id)
    if not (named_on_page_only and htmx()):
        audit.record("person.view", person, detail={"form": form})
    return person


def load_current_case(person_id, case_id):
    """The person (if the user may open them) and their current case, which must be `case_id`;
    404 otherwise: an older case is read on the person page, never changed."""
    person = load_person(person_id)
    case = person.current_case()
    if case is None or case.id != case_id:
        abort(404)
    return person, case


def load_record(model, record_id):
    """A live record (talk, test, session…) of a person the current user may open, with that person;
    404 otherwise."""
    record = model.live().where(model.id == record_id).get_or_none() or abort(404)
    return record, load_person(record.person_id)
