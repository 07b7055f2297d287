"""Drug tests (Screening): inline on the person page, a testing day's grid, candidate 逃避检测
confirmed or excused by a person, and the station list."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..cases import running_time
from ..dates import parse_day, today
from ..db import database
from ..fields import NOT_SAVED, ReasonForm
from ..web.listing import Sorting, by_choice, user_name
from ..models import RESULTS, SAMPLES, SCREENING_KINDS, Person, Screening, User
from ..permissions import load_person, load_record, persons_in_scope, read_person, requires
from ..records import timeline
from ..web.responses import back, fragment, htmx, list_page
from ..versions import history, save_versioned, soft_delete
from . import breaches, choices
from . import views as tracking
from .forms import DecisionForm
from .screening_forms import TESTED, ScreeningForm

bp = Blueprint("screenings", __name__)
TITLE = "检测记录"
NOT_RUNNING = "该人员尚未报到执行社区戒毒/康复，不能登记检测（措施解除后的随访检测可以登记）。"


def follow_through(screening):
    """The law's follow-through (breach, relapse, risk) and the collector warning (a woman's urine,
    no woman collecting): the messages the user must see."""
    messages = breaches.follow_through(screening, current_user)
    person = Person.get_by_id(screening.person_id)
    if Screening.select().where(Screening.person == screening.person_id, Screening.tested_on == screening.tested_on,
                                Screening.kind == screening.kind, Screening.id != screening.id,
                                Screening.is_live()).exists():
        messages.append("提醒：%s当天已有一次%s记录，请核对是否重复录入；如属重复，请删除其中一条。"
                        % (person.name, SCREENING_KINDS.get(screening.kind, "同类检测")))
    reminder = collector_reminder(person, screening.sample, screening.result, screening.female_collector)
    return messages + ([reminder] if reminder else [])


def collector_reminder(person, sample, result, female_collector):
    """A woman's urine is collected by a woman (DOMAIN.md §3): the reminder when a sample read from her
    urine has no woman among its collectors, else None. Checked while a form is filled and on save."""
    if person.sex == "F" and sample == "urine" and result in TESTED and not female_collector:
        return "提醒：%s为女性，尿样应由女性工作人员采集；本次采样人员中未勾选女性。" % person.name
    return None


def blank(person):
    """A new test: today, with the collectors and 协同派出所 this user entered last (as a visit's visitors)."""
    return ScreeningForm(formdata=None, tested_on=today(), **choices.last_used(current_user))


def form_part(person, form, status=200, **context):
    case = person.current_case()
    return fragment("screenings/_form.html", TITLE, status, person=person, form=form,
                    follow_up=case is not None and not case.in_force, choices=choices.lists(), **context)


@bp.get("/persons/<int:person_id>/screenings/new")
@requires("records.write")
def new(person_id):
    """The inline screening form, opened on the person page; its own page (without JavaScript) is a read."""
    person = read_person(person_id, "screening", named_on_page_only=True)
    return form_part(person, blank(person))


@bp.post("/persons/<int:person_id>/screenings/")
@requires("records.write")
def create(person_id):
    """Save a screening and follow it through (breach, relapse, risk), or return the form; with
    step=check, only the female-collector reminder for the form as it stands (nothing saved)."""
    person = load_person(person_id)
    form = ScreeningForm()
    if request.form.get("step") == "check":
        return render_template("screenings/_check.html", person=person, reminder=collector_reminder(
            person, form.sample.data, form.result.data, form.female_collector.data))
    if not form.validate():
        return form_part(person, form, 422)
    return save(person, form)


@bp.post("/persons/<int:person_id>/screenings/negative")
@requires("records.write")
def negative(person_id):
    """One click in a 今日待办 row: today's negative urine test with the values the form opens with (the
    collectors and 协同派出所 this user entered last, the usual panels, signed), through the same form and
    save; a prefill that does not validate, or a woman's urine with no woman among the collectors,
    answers the form with its errors and nothing is saved."""
    person = load_person(person_id)
    form = ScreeningForm(formdata=blank(person).as_posted(result="negative"))
    valid = form.validate()
    reminder = collector_reminder(person, form.sample.data, form.result.data, form.female_collector.data)
    if not valid or reminder:
        form.form_errors.extend([NOT_SAVED] + ([reminder] if reminder else []))
        return form_part(person, form, 422)
    return save(person, form)


def save(person, form):
    """Save a validated screening and follow it through (breach, relapse, risk), or return the form when
    no measure runs."""
    case = person.current_case()  # a running measure's test, or an ended one's follow-up (随访检测)
    if case is None or case.status == "pending_report":
        form.form_errors.append(NOT_RUNNING)
        return form_part(person, form, 422)
    with database.atomic():
        case_id = case.id if running_time.belongs_to(case, form.tested_on.data) else None
        screening = Screening.create(person=person, case=case_id, staff=current_user.id, **form.values())
        audit.record("screening.create", screening, person=person)
        warnings = follow_through(screening)
    return timeline.saved(person, TITLE, screening, warnings, tracking=True)


@bp.get("/screenings/<int:entry_id>")
@requires("records.read")
def show(entry_id):
    """One screening with its earlier versions."""
    screening, person = load_record(Screening, entry_id)
    audit.record("screening.view", screening, person=person)
    return fragment("screenings/_entry.html", TITLE, person=person, item=screening,
                    revisions=list(history(screening)))


@bp.route("/screenings/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("records.write")
def edit(entry_id):
    """Correct a screening inline, version-checked, and follow the corrected result through."""
    screening, person = load_record(Screening, entry_id)
    form = ScreeningForm()
    if request.method == "GET":
        form.fill(screening)
        audit.record("screening.view", screening, person=person, detail={"form": "edit"})
        return form_part(person, form, entry=screening)
    if not form.validate():
        return form_part(person, form, 422, entry=screening)
    values = form.values()
    if screening.case_id and not running_time.belongs_to(screening.case, form.tested_on.data):
        values["case"] = None  # dated after the measure's end now: a follow-up test, never the closed case's
    conflict = save_versioned(screening, form, values, "screening.update", person)
    if conflict:
        return form_part(person, form, 409, entry=screening, conflict=conflict)
    screening = Screening.get_by_id(screening.id)
    with database.atomic():
        warnings = follow_through(screening)
    return timeline.corrected(person, screening, "screenings/_entry.html", warnings)


@bp.post("/screenings/<int:entry_id>/delete")
@requires("records.write")
def delete(entry_id):
    """Soft-delete a screening with a reason."""
    screening, person = load_record(Screening, entry_id)
    form = ReasonForm()
    if not form.validate():
        audit.record("screening.view", screening, person=person, detail={"form": "delete"})
        return render_template("screenings/_entry.html", person=person, item=screening, reason_form=form), 422
    soft_delete(screening, "screening.delete", person, form.reason.data)
    return timeline.deleted(person, TITLE)


@bp.get("/screenings/")
@requires("records.read")
def index():
    """All screenings in the user's scope, filtered by date range, result and sample."""
    filters, query = list_query(request.args)
    listing = list_page(query, filters, "screening.list", SORTS)
    return render_template("screenings/index.html", **listing, results=RESULTS, samples=SAMPLES,
                           staff_names=User.names())


SORTS = Sorting({
    "tested": ("日期", Screening.tested_on), "person": ("人员", Person.name_pinyin),
    "kind": ("方式", by_choice(Screening.kind, SCREENING_KINDS)), "sample": ("样本", by_choice(Screening.sample, SAMPLES)),
    "result": ("结果", by_choice(Screening.result, RESULTS)), "collectors": ("采样人员", Screening.collectors),
    "police": ("派出所", Screening.police_station), "staff": ("登记人", user_name(Screening.staff)),
}, ("tested", True), Screening.id, restricted={"collectors": "persons.full", "police": "persons.full"})


def list_query(args):
    """The filters in `args` and the screenings they select (sorted as asked, newest first by default); the
    Excel export and the print view use it too."""
    filters = {"start": parse_day(args.get("start")), "end": parse_day(args.get("end")),
               "result": args.get("result") if args.get("result") in RESULTS else "",
               "sample": args.get("sample") if args.get("sample") in SAMPLES else ""}
    query = persons_in_scope(current_user, Screening.select(Screening, Person).join(Person).where(
        Screening.is_live(), Person.listed()))
    if filters["start"]:
        query = query.where(Screening.tested_on >= filters["start"])
    if filters["end"]:
        query = query.where(Screening.tested_on <= filters["end"])
    for name in ("result", "sample"):
        if filters[name]:
            query = query.where(getattr(Screening, name) == filters[name])
    return filters, SORTS.order(query, args)


def decide(screening, form, person):
    """Apply a decision on a 未到: confirmed it becomes 逃避 (and counts, 20); excused it stays 未到."""
    values = {"decided_by": current_user.id, "version": Screening.version + 1}
    if form.decision.data == "confirm":
        values["result"] = "evaded"
    values["excuse"] = form.reason.data or None
    if not Screening.update(**values).where(Screening.id == screening.id, Screening.result == "absent",
                                            Screening.decided_by.is_null()).execute():
        abort(409)  # decided by someone else a moment ago
    audit.record("screening.decide", screening, person=person,
                 detail={"decision": form.decision.data}, reason=form.reason.data or None)
    if form.decision.data == "confirm":
        return breaches.follow_through(Screening.get_by_id(screening.id), current_user)
    return []


def decided(person, messages):
    """A decision changes the tracking file: HTMX gets it again; without JavaScript, back to it."""
    if htmx():
        return tracking.render_file(person, messages=messages)
    return back(url_for("persons.show", person_id=person.id) + "#tracking", *messages)


@bp.post("/screenings/<int:entry_id>/decide")
@requires("records.write")
def decide_absent(entry_id):
    """Confirm a recorded 未到 as 逃避检测, or excuse it with a reason."""
    screening, person = tracking.load_case_row(Screening, entry_id)
    form = DecisionForm()
    if not screening.undecided:
        abort(409)
    if not form.validate():
        return tracking.render_file(person, 422, decision=form, failed=screening.id)
    with database.atomic():
        messages = decide(screening, form, person)
    return decided(person, messages)


@bp.post("/persons/<int:person_id>/screenings/missed")
@requires("records.write")
def decide_missed(person_id):
    """A scheduled test that did not happen: recorded as 未到 on its due date, then decided."""
    person = load_person(person_id)
    form = DecisionForm()
    plan = (tracking.file_for(person) or {}).get("plan") or {}
    due = plan.get("missed")
    if due is None or form.due.data != due.isoformat():
        abort(409)  # the schedule moved since the page was drawn
    if not form.validate():
        return tracking.render_file(person, 422, decision=form, failed="missed")
    with database.atomic():
        case = person.current_case()
        if Screening.select().where(Screening.case == case.id, Screening.scheduled_for == due).exists():
            abort(409)  # a double submit: this missed test is already recorded
        screening = Screening.create(person=person.id, case=case.id, staff=current_user.id, tested_on=due,
                                     result="absent", scheduled_for=due, notes="按计划应检未检")
        audit.record("screening.create", screening, person=person, detail={"missed": due})
        messages = decide(screening, form, person)
    return decided(person, messages)


from . import testing_day  # noqa: E402,F401  (the testing day's routes, on this blueprint)
