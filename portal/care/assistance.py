"""Assistance cases (the "N" items): opened on the person page, a timeline of steps added inline
(HTMX), status through to 办结 or 未通过 with the outcome and amount; the station list with
yearly totals by category and status. Each case appears in the person's timeline."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import fn

from .. import audit
from ..persons import minors
from ..dates import today
from ..db import database
from ..web.listing import Sorting, by_choice
from ..models import ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, OPEN_ASSISTANCE, AssistanceCase, AssistanceStep, Person
from ..permissions import load_person, load_record, persons_in_scope, read_person, requires
from ..web.responses import htmx, list_page
from ..web.security import error_page
from .forms import AssistanceForm, StatusForm, StepForm

bp = Blueprint("assistance", __name__)


@bp.route("/persons/<int:person_id>/assistance/new", methods=["GET", "POST"])
@requires("records.write")
def new(person_id):
    """Open an assistance case for the person or a family member (e.g. the child's schooling)."""
    person = read_person(person_id, "assistance") if request.method == "GET" else load_person(person_id)
    form = AssistanceForm(opened_on=today()) if request.method == "GET" else AssistanceForm()
    form.set_family(person)
    if request.method == "POST" and form.validate():
        with database.atomic():
            case = AssistanceCase.create(person=person.id, staff=current_user.id, **form.values())
            audit.record("assistance.create", case, person=person)
        flash("帮扶事项已建立，请逐步记录办理过程。", "success")
        return redirect(url_for("assistance.show", assistance_id=case.id))
    return render_template("assistance/new.html", person=person, form=form), 422 if form.errors else 200


def render_case(case, person, status=200, **forms):
    steps = list(case.steps.order_by(AssistanceStep.on, AssistanceStep.id))
    template = "assistance/_steps.html" if forms.get("fragment") else "assistance/show.html"
    return render_template(template, case=case, person=person, steps=steps,
                           step_form=forms.get("step_form") or StepForm(formdata=None, on=today()),
                           status_form=forms.get("status_form") or StatusForm(formdata=None, status=case.status,
                                                                             closed_on=case.closed_on or today(),
                                                                             outcome=case.outcome, amount=case.amount)
                           ), status


@bp.get("/assistance/<int:assistance_id>")
@requires("records.read")
def show(assistance_id):
    """One assistance case with its steps."""
    case, person = load_record(AssistanceCase, assistance_id)
    if minors.hidden(case.helped_birth_date):
        audit.record("assistance.view", case, person=person, outcome="denied", detail={"minor": True})
        return error_page(403, message="该帮扶事项的受助人未满 %d 周岁，您的角色不查看其详情；如需了解，请联系责任专干。"
                          % minors.MINOR_AGE)
    audit.record("assistance.view", case, person=person)
    return render_case(case, person)


@bp.post("/assistance/<int:assistance_id>/steps")
@requires("records.write")
def add_step(assistance_id):
    """Add a step inline; the steps list comes back (HTMX) with an empty form for the next one."""
    case, person = load_record(AssistanceCase, assistance_id)
    if case.status not in OPEN_ASSISTANCE:
        abort(409)
    form = StepForm()
    if not form.validate():
        return render_case(case, person, 422, step_form=form, fragment=htmx())
    with database.atomic():
        step = AssistanceStep.create(assistance=case.id, staff=current_user.id, **form.values())
        if case.status == "applied":
            AssistanceCase.update(status="accepted", version=AssistanceCase.version + 1).where(
                AssistanceCase.id == case.id).execute()
        audit.record("assistance.step", step, person=person, detail={"assistance": case.id})
    if not htmx():
        return redirect(url_for("assistance.show", assistance_id=case.id))
    return render_case(AssistanceCase.get_by_id(case.id), person, fragment=True)


@bp.post("/assistance/<int:assistance_id>/status")
@requires("records.write")
def set_status(assistance_id):
    """Move the case on; 办结 and 未通过 need the date and the outcome (and the amount if any)."""
    case, person = load_record(AssistanceCase, assistance_id)
    form = StatusForm()
    if not form.validate():
        return render_case(case, person, 422, status_form=form)
    closing = form.status.data in ("closed", "rejected")
    with database.atomic():
        AssistanceCase.update(status=form.status.data, closed_on=form.closed_on.data if closing else None,
                              outcome=form.outcome.data or None, amount=form.amount.data,
                              version=AssistanceCase.version + 1).where(AssistanceCase.id == case.id).execute()
        audit.record("assistance.update", case, person=person, detail={"status": form.status.data})
    flash("帮扶事项状态已更新为“%s”。" % ASSISTANCE_STATUSES[form.status.data], "success")
    return redirect(url_for("assistance.show", assistance_id=case.id))


@bp.get("/assistance/")
@requires("records.read")
def index():
    """All assistance cases in scope, by category, status and year, with the year's totals."""
    filters, query = list_query(request.args)
    totals = {}
    for row in year_of(filters["year"]).select(
            AssistanceCase.category, AssistanceCase.status, fn.COUNT(AssistanceCase.id).alias("n"),
            fn.SUM(AssistanceCase.amount).alias("amount")).group_by(AssistanceCase.category, AssistanceCase.status).dicts():
        totals.setdefault(row["category"], {})[row["status"]] = (row["n"], row["amount"] or 0)
    listing = list_page(query, filters, "assistance.list", SORTS)
    total = query.count()  # a station's few cases a year: counted, so the pager says 共 N 条
    return render_template("assistance/index.html", **listing, total=total, size=listing["view"].per, totals=totals,
                           categories=ASSISTANCE_CATEGORIES, statuses=ASSISTANCE_STATUSES, year=filters["year"])


def year_of(year):
    """The assistance cases in the user's scope opened in `year`."""
    return persons_in_scope(current_user, AssistanceCase.select(AssistanceCase, Person).join(Person).where(
        AssistanceCase.is_live(), Person.listed(),
        fn.strftime("%Y", AssistanceCase.opened_on) == str(year)))


SORTS = Sorting({
    "opened": ("开始日期", AssistanceCase.opened_on), "person": ("人员", Person.name_pinyin),
    "title": ("事项", AssistanceCase.title), "category": ("类别", by_choice(AssistanceCase.category, ASSISTANCE_CATEGORIES)),
    "status": ("状态", by_choice(AssistanceCase.status, ASSISTANCE_STATUSES)),
}, ("opened", True), AssistanceCase.id)


def list_query(args):
    """The filters in `args` and the assistance cases they select (sorted as asked, newest first by default);
    the Excel export and the print view use it too."""
    filters = {"category": args.get("category") if args.get("category") in ASSISTANCE_CATEGORIES else "",
               "status": args.get("status") if args.get("status") in ASSISTANCE_STATUSES else "",
               "year": args.get("year", type=int) or today().year}
    query = year_of(filters["year"])
    for name in ("category", "status"):
        if filters[name]:
            query = query.where(getattr(AssistanceCase, name) == filters[name])
    return filters, SORTS.order(query, args)
