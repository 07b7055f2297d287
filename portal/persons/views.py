"""Case files of supervised persons: list and search, detail, create, edit, soft delete."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import IntegrityError, fn

from .. import audit, idcard

from ..web import listing
from ..cases import lifecycle
from ..dates import utcnow
from ..db import database
from ..models import ACTIVE_STATUSES, CASE_STATUSES, MEASURES, RISK_LEVELS, SEXES, Case, Person, User
from ..permissions import (can, holders, holding, load_current_case, load_person, persons_in_scope, requires,
                           scoped_person_ids, sees_all_cases)
from ..records import risk_levels
from ..web.responses import region
from ..tracking import breaches
from ..versions import save_versioned
from . import merges, retention
from .forms import CaseForm, PersonForm, ReasonForm

bp = Blueprint("persons", __name__, url_prefix="/persons")
DUPLICATE_ID = "该身份证号已登记（可能已被删除，请联系站长恢复）。"

# The list opens on the persons under management; a search looks at everyone.
STATUS_FILTERS = {"current": "在管（待报到/执行中/中止）", "ended": "已结束（期满解除/终止/转强戒/转出/死亡）", "all": "全部",
                  **CASE_STATUSES}
SEALED = {"sealed": "已封存（解除动态管控满三年无复吸，仅站长）"}


SORTS = listing.Sorting({
    "name": ("姓名", Person.name_pinyin), "sex": ("性别", listing.by_choice(Person.sex, SEXES)),
    # the ID number by what the screen shows of it (first 6, last 4): the masked digits give no order
    "id_number": ("身份证号", (fn.substr(Person.id_number, 1, 6), fn.substr(Person.id_number, -4))),
    "measure": ("措施", listing.by_choice(Case.measure, MEASURES)),
    "status": ("状态", listing.by_choice(Case.status, CASE_STATUSES)),
    # low to high (descending: the highest risk first), the persons not yet assessed below the low
    "risk": ("风险", listing.by_choice(risk_levels.level_of(Person.id), tuple(reversed(RISK_LEVELS)), missing=-1)),
    "street": ("执行地", Case.street), "worker": ("责任专干", listing.user_name(Case.worker)),
    "report_date": ("报到日期", Case.report_date),
}, ("name", False), Person.id)
# a sealed file shows its case number, not the name or ID number: the list sorts by what it shows
SEALED_SORTS = listing.Sorting(
    {**{k: v for k, v in SORTS.columns.items() if k not in ("name", "id_number")},
     "name": ("档案", (fn.strftime("%Y", Case.decision_date), Case.id))}, ("name", False), Person.id)


def sorting_for(filters):
    return SEALED_SORTS if filters["status"] == "sealed" else SORTS


def list_filters(args):
    q = args.get("q", "").strip()[:40]
    status = args.get("status")
    statuses = statuses_for(current_user)
    return {
        "q": q,
        "measure": args.get("measure") if args.get("measure") in MEASURES else "",
        "status": status if status in statuses else ("all" if q else "current"),
        "worker": args.get("worker", type=int) or 0,
    }


def statuses_for(user):
    """The status filters the user may choose: the lead also lists the sealed files."""
    return {**STATUS_FILTERS, **SEALED} if can(user, "persons.open_sealed") else STATUS_FILTERS


def filtered(filters):
    """The persons the current user may open, narrowed by the filters; sealed files only when asked for."""
    shown = Person.is_live() & Person.sealed_at.is_null(False) if filters["status"] == "sealed" else Person.listed()
    query = persons_in_scope(current_user, Person.with_current_case().where(shown))
    if filters["q"]:
        query = query.where(Person.matching(filters["q"]))
    if filters["measure"]:
        query = query.where(Case.measure == filters["measure"])
    if filters["status"] == "current":
        query = query.where(Case.status.in_(ACTIVE_STATUSES))
    elif filters["status"] == "ended":
        query = query.where(Case.status.not_in(ACTIVE_STATUSES))
    elif filters["status"] not in ("all", "sealed"):
        query = query.where(Case.status == filters["status"])
    if filters["worker"]:
        query = query.where(Case.worker == filters["worker"])
    return query


def others_matching(q):
    """For a worker: persons of colleagues matching the full name or full ID number exactly (shown masked)."""
    if not q or not can(current_user, "persons.find_colleagues"):
        return []
    exact = (Person.name == q) | (Person.id_number == idcard.normalize(q))
    return list(Person.select(Person.id, Person.name, Person.sex, Person.id_number)
                .where(Person.listed(), exact, Person.id.not_in(scoped_person_ids(current_user)))
                .limit(10))


@bp.get("/")
@requires("persons.read")
def index():
    """The list of persons with active search, filters, sorting and paging."""
    filters, query = list_query(request.args)
    page = max(request.args.get("page", 1, type=int), 1)
    view = listing.View("persons.index", {k: v for k, v in filters.items() if v}, sorting_for(filters), request.args)
    total = query.count()
    rows = list(query.paginate(page, view.per))
    others = others_matching(filters["q"])
    shown = {k: v for k, v in filters.items() if v}
    if idcard.FULL_ID.fullmatch(filters["q"]):
        shown["q"] = idcard.mask(filters["q"])
    audit.record("person.list", object_type="person",
                 detail={**shown, "page": page, "shown": len(rows) + len(others)})
    return region("persons/index.html", "persons/_results.html", rows=rows, others=others, total=total, page=page,
                  size=view.per, filters=filters, view=view, export_args=view.args,
                  workers=holders("cases.worker"), measures=MEASURES, statuses=statuses_for(current_user),
                  worker_names=User.names())


def list_query(args):
    """The filters in `args` and the persons they select, sorted as asked, with their risk and serious-breach
    badges; the print view uses it too."""
    filters = list_filters(args)
    query = filtered(filters).select_extend(risk_levels.level_of(Person.id, with_date=True).alias("risk_level"),
                                            breaches.sql_serious_case(Case.id).alias("serious"))
    return filters, sorting_for(filters).order(query, args)


def staff_choices(form, case=None):
    """Active staff to assign, plus whoever is assigned now (even if since disabled)."""
    keep = [getattr(case, name + "_id") for name in ("officer", "worker", "counsellor")] if case else []
    pick = (User.is_active | User.id.in_([k for k in keep if k]))
    workers = User.select().where(pick, holding("cases.worker"))
    if not sees_all_cases(current_user):  # a worker registers and keeps their own persons
        workers = workers.where(User.id == current_user.id)
    form.set_staff(User.select().where(pick, holding("cases.officer")).order_by(User.display_name),
                   workers.order_by(User.display_name),
                   User.select().where(pick, holding("cases.counsellor")).order_by(User.display_name))


@bp.route("/new", methods=["GET", "POST"])
@requires("persons.write")
def new():
    """Register a person with their case in one form."""
    form, case_form = PersonForm(prefix="p"), CaseForm(prefix="c")
    staff_choices(case_form)
    if request.method == "GET" and can(current_user, "cases.worker"):
        case_form.worker.data = current_user.id
    similar = []
    if request.method == "POST" and all([form.validate(), case_form.validate()]):
        values = form.values()
        # a file with the same name and birth date (another ID number) is shown to check first
        similar = [f for f in merges.warnings_for(values["name"], values["id_number"]) if not f["same_id"]]
        person = register(form, case_form, values) if not similar or request.form.get("distinct") else None
        if person:
            flash("已登记。", "success")
            return redirect(url_for("persons.show", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("persons/new.html", form=form, case_form=case_form, found=similar), status


def register(form, case_form, values):
    """Create the person (or take back their anonymised file) and their case (lifecycle.open_case);
    None when the ID number is taken."""
    try:
        with database.atomic():
            person = retention.revive(values, current_user)
            if person is None:
                person = Person.create(**values, **Person.search_keys(values["name"]))
                audit.record("person.create", person)
            case_values = case_form.values()
            lifecycle.open_case(person, case_values, case_values.pop("report_date"), user=current_user)
    except IntegrityError:
        form.id_number.errors.append(DUPLICATE_ID)
    else:
        return person
    return None


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("persons.write")
def edit(person_id):
    """Edit identity with a version check; the ID number stays masked unless it is retyped."""
    person = load_person(person_id)
    form = PersonForm(obj=person)
    masked = idcard.mask(person.id_number)
    form.id_number.description = "显示为部分隐藏；保持原样即不修改，如需更正请输入完整的 18 位号码"
    conflict = None
    if request.method == "GET":
        form.version.data = person.version
        form.id_number.data = masked
        audit.record("person.view", person, detail={"form": "edit"})
    else:
        if form.id_number.data == masked:
            form.id_number.data = person.id_number
        if form.validate():
            values = {**form.values(), **Person.search_keys(form.name.data)}
            try:
                conflict = save_versioned(person, form, values, "person.update", person)
            except IntegrityError:
                form.id_number.errors.append("该身份证号已属于另一条登记记录。")
            else:
                if conflict is None:
                    flash("已保存。", "success")
                    return redirect(url_for("persons.show", person_id=person.id))
        if form.id_number.data == person.id_number:
            form.id_number.data = masked
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render_template("persons/edit.html", person=person, form=form, conflict=conflict), status


@bp.route("/<int:person_id>/cases/<int:case_id>/edit", methods=["GET", "POST"])
@requires("persons.write")
def edit_case(person_id, case_id):
    """Edit the person's current case, version-checked like the identity."""
    person, case = load_current_case(person_id, case_id)
    form = CaseForm(obj=case)
    staff_choices(form, case)
    conflict = None
    if request.method == "GET":
        form.version.data = case.version
        for name in ("officer", "worker", "counsellor"):
            form[name].data = getattr(case, name + "_id") or 0
        audit.record("case.view", case, person=person, detail={"form": "edit"})
    elif form.validate() and report_date_kept(form, case):
        conflict = save_versioned(case, form, form.values(), "case.update", person)
        if conflict is None:
            flash("案件信息已保存。", "success")
            return redirect(url_for("persons.show", person_id=person.id))
    status = 200 if request.method == "GET" else (409 if conflict else 422)
    return render_template("persons/edit_case.html", person=person, case=case, form=form,
                           conflict=conflict), status


def report_date_kept(form, case):
    """The report date is set by the 报到 transition; the case form may only correct it."""
    if case.status == "pending_report" and form.report_date.data:
        form.report_date.errors.append("尚未报到的案件请在档案中办理“登记报到”。")
        return False
    if case.status != "pending_report" and not form.report_date.data:
        form.report_date.errors.append("已报到的案件不能清空报到日期（可更正为正确日期）。")
        return False
    return True


@bp.post("/<int:person_id>/reveal")
@requires("persons.reveal_id")
def reveal_id(person_id):
    """Show the full ID number after a stated reason, which is audited (AC7)."""
    person = load_person(person_id)
    form = ReasonForm()
    if not form.validate():
        return render_template("persons/_id_number.html", person=person, reason_form=form), 422
    audit.record("person.reveal_id", person, reason=form.reason.data)
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
        audit.record("person.delete", person, reason=form.reason.data)
    flash("档案已删除。站长可在“已删除档案”中恢复。", "success")
    return redirect(url_for("persons.index"))


@bp.get("/deleted")
@requires("persons.restore")
def deleted():
    """Soft-deleted persons, for the lead to review and restore."""
    rows = (Person.select(Person, User).join(User, on=(Person.deleted_by == User.id))
            .where(Person.deleted_at.is_null(False)).order_by(Person.deleted_at.desc()))
    audit.record("person.list_deleted", object_type="person")
    return render_template("persons/deleted.html", rows=rows)


@bp.post("/<int:person_id>/restore")
@requires("persons.restore")
def restore(person_id):
    """Undo a soft delete."""
    person = Person.get_or_none(Person.id == person_id, Person.deleted_at.is_null(False)) or abort(404)
    with database.atomic():
        Person.update(deleted_at=None, deleted_by=None, deleted_reason=None,
                      version=Person.version + 1).where(Person.id == person.id).execute()
        audit.record("person.restore", person)
    flash("档案已恢复。", "success")
    return redirect(url_for("persons.show", person_id=person.id))


from . import page  # noqa: E402,F401  the person page's routes, on this blueprint
