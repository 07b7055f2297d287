"""Home visits (入户走访): inline entry on the person page, corrections, the station list."""
from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit, timeline
from .clock import today, utcnow
from .db import database
from .fragments import render_fragment
from .models import VISIT_ANOMALIES, HomeVisit, Person, User
from .permissions import can, load_person, persons_in_scope, requires
from .person_forms import ReasonForm
from .record_forms import VisitForm
from .versioning import history, save_versioned

bp = Blueprint("visits", __name__)
timeline.register("visit", HomeVisit, HomeVisit.visited_on, "visits/_entry.html")


def load_visit(visit_id):
    """A live visit of a person the user may open; 404 otherwise."""
    visit = HomeVisit.get_or_none(HomeVisit.id == visit_id, HomeVisit.deleted_at.is_null()) or abort(404)
    return visit, load_person(visit.person_id)


def render_form(person, form, status=200, visit=None, conflict=None):
    return render_fragment("visits/_form.html", "入户走访", status, person=person, form=form, visit=visit,
                           conflict=conflict)


def new_form(person):
    """A blank visit form, the address taken from the person's file."""
    return VisitForm(formdata=None, visited_on=today(), address=person.residence_address or "",
                     visitors=current_user.display_name)


@bp.get("/persons/<int:person_id>/visits/new")
@requires("records.write")
def new(person_id):
    """The inline home-visit form, opened on the person page."""
    person = load_person(person_id)
    return render_form(person, new_form(person))


@bp.post("/persons/<int:person_id>/visits/")
@requires("records.write")
def create(person_id):
    """Save a visit; it appears at the top of the timeline, or the form returns with its errors."""
    person = load_person(person_id)
    form = VisitForm()
    if not form.validate():
        return render_form(person, form, 422)
    with database.atomic():
        visit = HomeVisit.create(person=person, staff=current_user.id, **form.values())
        audit.record_or_abort("visit.create", visit, person=person)
    if not request.headers.get("HX-Request"):
        flash("走访记录已保存。", "success")
        return redirect(url_for("persons.show", person_id=person.id))
    items, more = timeline.entries(person.id)
    return render_template("timeline/saved.html", message="走访记录已保存，已加入下方工作记录。", person=person,
                           items=items, more=more, page=1)


@bp.get("/visits/<int:visit_id>")
@requires("records.read")
def show(visit_id):
    """One visit entry (also what "取消" of an inline correction returns to)."""
    visit, person = load_visit(visit_id)
    audit.record_or_abort("visit.view", visit, person=person)
    return render_fragment("visits/_entry.html", "入户走访记录", person=person, item=visit,
                           revisions=list(history(visit)))


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(visit_id):
    """Correct a visit inline, version-checked; the earlier version is kept."""
    visit, person = load_visit(visit_id)
    form = VisitForm()
    if request.method == "GET":
        form.fill(visit)
        audit.record_or_abort("visit.view", visit, person=person, detail={"form": "edit"})
        return render_form(person, form, visit=visit)
    if not form.validate():
        return render_form(person, form, 422, visit=visit)
    conflict = save_versioned(visit, form, form.values(), "visit.update", person)
    if conflict:
        return render_form(person, form, 409, visit=visit, conflict=conflict)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("persons.show", person_id=person.id))
    return render_template("visits/_entry.html", person=person, item=HomeVisit.get_by_id(visit.id))


@bp.post("/visits/<int:visit_id>/delete")
@requires("records.write")
def delete(visit_id):
    """Soft-delete a visit with a reason."""
    visit, person = load_visit(visit_id)
    form = ReasonForm()
    if not form.validate():
        audit.record_or_abort("visit.view", visit, person=person, detail={"form": "delete"})
        return render_template("visits/_entry.html", person=person, item=visit, reason_form=form), 422
    with database.atomic():
        HomeVisit.update(deleted_at=utcnow(), version=HomeVisit.version + 1).where(HomeVisit.id == visit.id).execute()
        audit.record_or_abort("visit.delete", visit, person=person, reason=form.reason.data)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("persons.show", person_id=person.id))
    return "<p class=\"muted\">该走访记录已删除（审计日志保留记录）。</p>"


@bp.get("/visits/")
@requires("records.read")
def index():
    """All visits in the user's scope, by date range, staff and anomaly."""
    def day(name):
        try:
            return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
        except ValueError:
            return None
    anomaly = request.args.get("anomaly", "")  # findings, so only for those who may read them
    anomaly = anomaly if anomaly in VISIT_ANOMALIES and can(current_user, "persons.full") else ""
    filters = {"start": day("start"), "end": day("end"), "staff": request.args.get("staff", type=int),
               "anomaly": anomaly}
    query = persons_in_scope(current_user, HomeVisit.select(HomeVisit, Person).join(Person).where(
        HomeVisit.deleted_at.is_null(), Person.deleted_at.is_null()))
    if filters["start"]:
        query = query.where(HomeVisit.visited_on >= filters["start"])
    if filters["end"]:
        query = query.where(HomeVisit.visited_on <= filters["end"])
    if filters["staff"]:
        query = query.where(HomeVisit.staff == filters["staff"])
    if anomaly:
        query = query.where(HomeVisit.anomalies.contains(anomaly))
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    rows = list(query.order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())
                .limit(size + 1).offset((page - 1) * size))
    more, rows = len(rows) > size, rows[:size]
    audit.record_or_abort("visit.list", object_type="visit", detail={
        **{k: str(v) for k, v in filters.items() if v}, "page": page, "shown": len(rows)})
    args = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    return render_template("visits/index.html", rows=rows, more=more, page=page, filters=filters, args=args,
                           staff=User.staff("lead", "officer", "worker"), anomalies=VISIT_ANOMALIES,
                           staff_names={u.id: u.display_name for u in User.select(User.id, User.display_name)})
