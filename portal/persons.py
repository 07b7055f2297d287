"""Case files of supervised persons: list and search, detail, create, edit, soft delete."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import audit, idcard
from .clock import utcnow
from .db import database
from .models import ACTIVE_STATUSES, CASE_STATUSES, MEASURES, AuditLog, Case, Person, User
from .permissions import can, may_open, may_reveal_id, persons_in_scope, requires
from .person_forms import CaseForm, FamilyMemberForm, PersonForm, ReasonForm

bp = Blueprint("persons", __name__, url_prefix="/persons")


def load_person(person_id):
    """The live person if the current user may open it; 404 otherwise (AC2)."""
    person = Person.get_or_none(Person.id == person_id, Person.deleted_at.is_null())
    if person is None or not may_open(current_user, person):
        abort(404)
    return person


def masked_name(name):
    return name[:1] + "*" * (len(name) - 1)


# The list opens on the persons under management; a search looks at everyone.
STATUS_FILTERS = {"current": "在管（待报到/执行中/中止）", "all": "全部", **CASE_STATUSES}


def list_filters(args):
    q = args.get("q", "").strip()[:40]
    status = args.get("status")
    return {
        "q": q,
        "measure": args.get("measure") if args.get("measure") in MEASURES else "",
        "status": status if status in STATUS_FILTERS else ("all" if q else "current"),
        "worker": args.get("worker", type=int) or 0,
    }


def filtered(filters):
    """The person listing for the current user; workers searching see others masked."""
    query = Person.with_current_case().where(Person.deleted_at.is_null())
    if not (filters["q"] and current_user.role == "worker"):
        query = persons_in_scope(current_user, query)
    if filters["q"]:
        query = query.where(Person.matching(filters["q"]))
    if filters["measure"]:
        query = query.where(Case.measure == filters["measure"])
    if filters["status"] == "current":
        query = query.where(Case.status.in_(ACTIVE_STATUSES))
    elif filters["status"] != "all":
        query = query.where(Case.status == filters["status"])
    if filters["worker"]:
        query = query.where(Case.worker == filters["worker"])
    return query


@bp.get("/")
@requires("persons.read")
def index():
    """The list of persons with active search, filters and paging."""
    filters = list_filters(request.args)
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    query = filtered(filters)
    total = query.count()
    rows = list(query.order_by(Person.name_pinyin, Person.id).paginate(page, size))
    in_scope = {p.id for p in persons_in_scope(current_user, Person.select(Person.id).where(
        Person.id.in_([r.id for r in rows])))}
    audit.record_or_abort("person.list", object_type="person",
                          detail={**{k: v for k, v in filters.items() if v}, "page": page, "shown": len(rows)})
    return render_template("persons/index.html", rows=rows, total=total, page=page, size=size,
                           filters=filters, in_scope=in_scope, masked_name=masked_name,
                           workers=User.staff("worker"), measures=MEASURES, statuses=STATUS_FILTERS,
                           worker_names={u.id: u.display_name for u in User.select().where(User.role == "worker")})


@bp.get("/<int:person_id>")
@requires("persons.read")
def show(person_id):
    """A person's file; reading it is audited."""
    person = load_person(person_id)
    audit.record_or_abort("person.view", person)
    return render_template("persons/show.html", person=person, case=person.current_case(),
                           family=list(person.live_family()), form=FamilyMemberForm(formdata=None))


def staff_choices(form):
    workers = User.staff("worker")
    if current_user.role == "worker":
        workers = workers.where(User.id == current_user.id)
    form.set_staff(User.staff("officer", "lead"), workers, User.staff("counsellor"))


@bp.route("/new", methods=["GET", "POST"])
@requires("persons.write")
def new():
    """Register a person with their case in one form."""
    form, case_form = PersonForm(prefix="p"), CaseForm(prefix="c")
    staff_choices(case_form)
    if request.method == "GET" and current_user.role == "worker":
        case_form.worker.data = current_user.id
    if request.method == "POST" and all([form.validate(), case_form.validate()]):
        values = form.values()
        if Person.select().where(Person.id_number == values["id_number"]).exists():
            form.id_number.errors.append("该身份证号已登记（可能已被删除，请联系站长恢复）。")
        else:
            with database.atomic():
                person = Person.create(**values, **Person.search_keys(values["name"]))
                case = Case.create(person=person, **case_form.values())
                audit.record_or_abort("person.create", person)
                audit.record_or_abort("case.create", case)
            flash("已登记 %s。" % person.name, "success")
            return redirect(url_for("persons.show", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("persons/new.html", form=form, case_form=case_form), status


def conflict_rows(form, current, fields):
    """(label, what the user typed, what is saved now) for each field that differs."""
    rows = []
    for name in fields:
        mine, saved = form[name].data, getattr(current, name)
        if (mine or None) != (saved or None):
            rows.append((form[name].label.text, mine, saved))
    return rows


def last_editor(obj, action):
    row = (AuditLog.select().where(AuditLog.object_type == type(obj).__name__.lower(),
                                   AuditLog.object_id == obj.id, AuditLog.action == action)
           .order_by(AuditLog.id.desc()).first())
    return row


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("persons.write")
def edit(person_id):
    """Edit identity with a version check: a concurrent save is shown, never overwritten."""
    person = load_person(person_id)
    form = PersonForm(obj=person)
    conflict = None
    if request.method == "GET":
        form.version.data = person.version
    elif form.validate():
        values = form.values()
        clash = Person.select().where(Person.id_number == values["id_number"], Person.id != person.id)
        if clash.exists():
            form.id_number.errors.append("该身份证号已属于另一条登记记录。")
        else:
            with database.atomic():
                saved = Person.update_if_version(person.id, int(form.version.data or 0),
                                                 **values, **Person.search_keys(values["name"]))
                if saved:
                    changed = sorted(k for k, v in values.items() if getattr(person, k) != v)
                    audit.record_or_abort("person.update", person, detail={"fields": changed})
            if saved:
                flash("已保存。", "success")
                return redirect(url_for("persons.show", person_id=person.id))
            current = Person.get_by_id(person.id)
            conflict = {"rows": conflict_rows(form, current, values.keys() - {"sex", "birth_date"}),
                        "editor": last_editor(current, "person.update")}
            form.version.data = current.version
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render_template("persons/edit.html", person=person, form=form, conflict=conflict), status


@bp.route("/<int:person_id>/cases/<int:case_id>/edit", methods=["GET", "POST"])
@requires("persons.write")
def edit_case(person_id, case_id):
    """Edit the case of a person, version-checked like the identity."""
    person = load_person(person_id)
    case = Case.get_or_none(Case.id == case_id, Case.person == person, Case.deleted_at.is_null()) \
        or abort(404)
    form = CaseForm(obj=case)
    staff_choices(form)
    conflict = None
    if request.method == "GET":
        form.version.data = case.version
        for name in ("officer", "worker", "counsellor"):
            form[name].data = getattr(case, name + "_id") or 0
    elif form.validate():
        values = form.values()
        with database.atomic():
            saved = Case.update_if_version(case.id, int(form.version.data or 0), **values)
            if saved:
                audit.record_or_abort("case.update", case, detail={
                    "fields": sorted(k for k, v in values.items() if getattr(case, k + ("_id" if k in (
                        "officer", "worker", "counsellor") else "")) != v)})
        if saved:
            flash("案件信息已保存。", "success")
            return redirect(url_for("persons.show", person_id=person.id))
        current = Case.get_by_id(case.id)
        conflict = {"rows": conflict_rows(form, current, ("decision_number", "street", "report_date",
                                                         "served_date", "term_months")),
                    "editor": last_editor(current, "case.update")}
        form.version.data = current.version
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render_template("persons/edit_case.html", person=person, case=case, form=form,
                           conflict=conflict), status


@bp.post("/<int:person_id>/reveal")
@requires("persons.reveal_id")
def reveal_id(person_id):
    """Show the full ID number after a stated reason, which is audited (AC7)."""
    person = load_person(person_id)
    if not may_reveal_id(current_user, person):
        abort(404)
    form = ReasonForm()
    if not form.validate():
        return render_template("persons/_id_number.html", person=person, reason_form=form), 422
    audit.record_or_abort("person.reveal_id", person, reason=form.reason.data)
    return render_template("persons/_id_number.html", person=person, revealed=True)


@bp.post("/<int:person_id>/delete")
@requires("persons.delete")
def delete(person_id):
    """Soft-delete a person with a reason; the lead can restore it."""
    person = load_person(person_id)
    form = ReasonForm()
    if not form.validate():
        flash("删除需要填写事由：" + "；".join(form.reason.errors), "error")
        return redirect(url_for("persons.show", person_id=person.id))
    with database.atomic():
        Person.update(deleted_at=utcnow(), deleted_by=current_user.id, deleted_reason=form.reason.data,
                      version=Person.version + 1).where(Person.id == person.id).execute()
        audit.record_or_abort("person.delete", person, reason=form.reason.data)
    flash("已删除 %s 的档案。站长可在“已删除档案”中恢复。" % person.name, "success")
    return redirect(url_for("persons.index"))


@bp.get("/deleted")
@requires("persons.restore")
def deleted():
    """Soft-deleted persons, for the lead to review and restore."""
    rows = (Person.select(Person, User).join(User, on=(Person.deleted_by == User.id))
            .where(Person.deleted_at.is_null(False)).order_by(Person.deleted_at.desc()))
    audit.record_or_abort("person.list_deleted", object_type="person")
    return render_template("persons/deleted.html", rows=rows, mask=idcard.mask)


@bp.post("/<int:person_id>/restore")
@requires("persons.restore")
def restore(person_id):
    """Undo a soft delete."""
    person = Person.get_or_none(Person.id == person_id, Person.deleted_at.is_null(False)) or abort(404)
    with database.atomic():
        Person.update(deleted_at=None, deleted_by=None, deleted_reason=None,
                      version=Person.version + 1).where(Person.id == person.id).execute()
        audit.record_or_abort("person.restore", person)
    flash("已恢复 %s 的档案。" % person.name, "success")
    return redirect(url_for("persons.show", person_id=person.id))


@bp.app_template_global()
def may(permission):
    return can(current_user, permission)
