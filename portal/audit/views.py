"""The lead's audit pages: the trail, who viewed a person, what a user viewed (AU7)."""
from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request

from .. import audit
from ..dates import day_start_utc, parse_day
from ..web.listing import Sorting, View
from ..models import AuditLog, Person, User
from ..permissions import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")


def date_range(args):
    """Station-local date strings from the query → naive-UTC bounds (inclusive days)."""
    start, end = parse_day(args.get("start")), parse_day(args.get("end"))
    bounds = []
    if start:
        bounds.append(AuditLog.ts >= day_start_utc(start))
    if end:
        bounds.append(AuditLog.ts < day_start_utc(end + timedelta(days=1)))
    return bounds, {"start": start, "end": end}


# the trail is appended in time order, so its id sorts by time without an index on the timestamp
SORTS = Sorting({"time": ("时间", AuditLog.id), "user": ("用户", AuditLog.username), "action": ("操作", AuditLog.action),
                 "object": ("对象", AuditLog.object_type), "outcome": ("结果", AuditLog.outcome), "ip": ("IP", AuditLog.ip),
                 "reason": ("事由", AuditLog.reason)}, ("time", True), AuditLog.id)


def page_of(query, filters):
    """One page of rows, newest first unless sorted otherwise, with the names of the persons and accounts
    they concern (the person of a case record's row too); `view` draws the sortable headers and keeps the filters on every link."""
    page = max(request.args.get("page", 1, type=int), 1)
    used = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    view = View(request.endpoint, used, SORTS, request.args, per=current_app.config["PAGE_SIZE"] * 5,
                **request.view_args)
    size = view.per
    rows = list(SORTS.order(query, request.args).paginate(page, size))
    ids = {kind: {r.object_id for r in rows if r.object_type == kind} for kind in ("person", "user")}
    ids["person"] |= {r.person_id for r in rows if r.person_id}  # whose record a change or view concerns
    names = {("person", p.id): p.name for p in Person.select(Person.id, Person.name).where(Person.id.in_(ids["person"]))
             } if ids["person"] else {}  # the province has no person table (nor rows about persons)
    accounts = User.names()
    names.update({("user", i): n for i, n in accounts.items() if i in ids["user"]})
    return {"rows": rows, "page": page, "total": query.count(), "size": size, "names": names, "accounts": accounts,
            "view": view}


@bp.get("/")
@requires("audit.read")
def index():
    """The whole trail, filterable by user, action and date, with the chain check."""
    bounds, dates = date_range(request.args)
    query = AuditLog.select().where(*bounds) if bounds else AuditLog.select()
    action = request.args.get("action", "").strip()
    username = request.args.get("username", "").strip()
    if action:
        query = query.where(AuditLog.action == action)
    if username:
        query = query.where(AuditLog.username == username)
    listing = page_of(query, {**dates, "username": username, "action": action})
    audit.record("audit.view", object_type="audit")
    return render_template("audit/index.html", **listing, dates=dates, action=action, username=username,
                           users=User.select().order_by(User.username),
                           actions=[r.action for r in AuditLog.select(AuditLog.action).distinct()])


@bp.get("/verify")
@requires("audit.read")
def verify():
    """Recompute the whole keyed chain and compare it with the anchored heads (slow on a large trail,
    so only on request); names the first row concerned."""
    problems = audit.verify_trail()
    first = next((row for row, _ in problems if row), None)
    audit.record("audit.verify", object_type="audit", outcome="failed" if problems else "ok",
                 detail={"first_row": first, "problems": len(problems)} if problems else None)
    return render_template("audit/verify.html", problems=problems, first=first, total=AuditLog.select().count())


@bp.get("/persons/<int:person_id>")
@requires("audit.read")
def person(person_id):
    """Who viewed or changed this person."""
    if current_app.config["INSTANCE"] == "province":
        abort(404)  # no person data in the province
    target = Person.get_or_none(Person.id == person_id) or abort(404)
    bounds, dates = date_range(request.args)
    query = AuditLog.select().where(AuditLog.person_id == target.id, *bounds)
    listing = page_of(query, dates)
    audit.record("audit.person", target)
    return render_template("audit/person.html", person=target, **listing, dates=dates)


@bp.get("/users/<int:user_id>")
@requires("audit.read")
def user(user_id):
    """What this user viewed and did."""
    target = User.get_or_none(User.id == user_id) or abort(404)
    bounds, dates = date_range(request.args)
    query = AuditLog.select().where(AuditLog.user == target.id, *bounds)
    listing = page_of(query, dates)
    audit.record("audit.user", target)
    return render_template("audit/user.html", target=target, **listing, dates=dates)
