"""集中检测: a testing day with the police station. Step one ticks the persons (by name, a whole street
or everyone due a test today; ticks survive the filter); step two has one row each, 全部阴性 for the
rows still empty, and the female-collector reminder shown while the grid is filled in, before saving."""
from itertools import groupby

from flask import flash, render_template, request
from flask_login import current_user
from peewee import fn

from .. import audit
from ..dates import today
from ..db import database
from ..models import SAMPLES, Case, Person, Screening
from ..permissions import persons_in_scope, requires
from ..reports.queue import last_test
from ..web.security import error_page
from . import breaches, choices
from .plan import screening_settings, sql_next_screening
from .screening_forms import TestingDayForm
from .screenings import bp, collector_reminder, follow_through

DAY_LIMIT = 60  # persons on one testing day's grid
SHOWN_LIMIT = 500  # candidates listed at once
HEADER = ("tested_on", "kind", "sample", "panels", "collectors", "female_collector", "police_station")


def testable(due_by=None):
    """Persons whose current case is running, in the user's scope, by street and name, with their case,
    the serious-breach flag and `due`: the date of their next scheduled urine test (as in 今日待办);
    with `due_by`, only those due by that day."""
    preset, _ = screening_settings()
    last = fn.date(last_test([sample for sample in SAMPLES if sample != "hair"]))  # an index seek, as in 今日待办
    due = sql_next_screening(Case.report_date, last, fn.COALESCE(Case.screening_preset, preset))
    query = persons_in_scope(current_user, Person.with_current_case().where(
        Person.listed(), Case.status == "active"))
    query = (query.select_extend(breaches.sql_serious_case(Case.id).alias("serious"), due.alias("due"))
             .order_by(Case.street, Person.name_pinyin))
    return query if due_by is None else query.where(due <= due_by.isoformat())


def due_today(person):
    """Is the person's scheduled test due today or overdue?"""
    return person.due is not None and str(person.due)[:10] <= today().isoformat()


def tested_today():
    """Ids of persons with a screening today: a second test the same day is rarely meant."""
    return set(Screening.select(Screening.person).where(Screening.tested_on == today(),
                                                        Screening.is_live()).scalars())


def ticked():
    """The ticked persons, then those a 勾选本街道 or 勾选今日应检 adds, at most DAY_LIMIT, in order."""
    ids = [int(i) for i in request.values.getlist("person") if i.isdecimal()]
    add = request.values.get("add")
    if add == "street":
        ids += [p.id for p in testable().where(Case.street == request.values.get("street", ""))]
    elif add == "due":
        ids += [p.id for p in testable(due_by=today())]
    ids = list(dict.fromkeys(ids))
    if len(ids) > DAY_LIMIT:
        flash("一次最多 %d 人，已勾选前 %d 人；其余人员请下一批登记。" % (DAY_LIMIT, DAY_LIMIT), "warning")
    return ids[:DAY_LIMIT]


@bp.route("/screenings/day", methods=["GET", "POST"])
@requires("records.write")
def day():
    """A testing day: choose the persons, then enter their results row by row; one submit saves every
    valid row and keeps the others, with their errors, on the grid."""
    step = request.form.get("step")
    if request.method == "GET" or step == "choose":
        return choose(ticked())
    form = TestingDayForm()
    if step in ("fill", "check"):  # 全部阴性, or the reminder while the grid is filled in: nothing saved
        rows = grid_rows(form)
        if rows is None:
            return refused()
        if step == "fill":
            for row in rows:
                row.form.result.data = row.form.result.data or "negative"
        return render_grid(form, rows, [])
    form.validate()  # the header and every row; each row keeps its own errors
    rows = grid_rows(form)
    if rows is None:
        return refused()
    saved, failed = earlier_rows(), rows
    if not any(form[name].errors for name in HEADER):
        failed = [row for row in rows if row.errors]
        with database.atomic():
            for row in rows:
                if row.errors:
                    continue
                screening = Screening.create(person=row.person.id, case=row.person.case.id, staff=current_user.id,
                                             **form.header_values(), **row.form.values())
                audit.record("screening.create", screening, person=row.person, detail={"batch": True})
                saved.append((row.person, screening, follow_through(screening)))
    if saved and not failed:
        flash("已保存 %d 人的检测结果。" % len(saved), "success")
    return render_grid(form, failed, saved, 422 if failed else 200)


def grid_rows(form):
    """The grid's rows whose person the user may test, each with its `person`; None for a crafted post
    with more rows than persons (refused whole)."""
    ids = {row: int(row.person_id.data) for row in form.rows if (row.person_id.data or "").isdecimal()}
    if len(form.rows) > DAY_LIMIT or len(set(ids.values())) < len(form.rows):
        return None
    persons = {p.id: p for p in testable().where(Person.id.in_(list(ids.values())))}
    rows = [row for row in form.rows if ids.get(row) in persons]  # others are out of scope or not running
    for row in rows:
        row.person = persons[ids[row]]
    return rows


def refused():
    return error_page(422, message="检测表的行数多于所选人员（每人只能有一行，每次最多 %d 人），本次没有保存任何内容。"
                                   "请重新选择检测人员。" % DAY_LIMIT)


def render_grid(form, rows, saved, status=200):
    """Step two, with the female-collector reminders of the rows as they stand."""
    reminders = [collector_reminder(row.person, form.sample.data, row.form.result.data, form.female_collector.data)
                 for row in rows]
    return render_template("screenings/day.html", form=form, rows=rows, saved=saved, choices=choices.lists(),
                           reminders=[r for r in reminders if r]), status


def earlier_rows():
    """The rows this user saved by earlier submits of the same grid (listed again, not saved again)."""
    ids = [int(i) for i in request.form.getlist("saved") if i.isdecimal()][:DAY_LIMIT]
    screenings = Screening.select(Screening, Person).join(Person).where(
        Screening.id.in_(ids), Screening.staff == current_user.id, Screening.is_live())
    return [(s.person, s, []) for s in screenings]


def choose(chosen):
    """Step one: tick the persons to be tested; the filter narrows the list by street or name and the
    ticked persons it hides stay ticked, listed apart."""
    q = request.values.get("q", "").strip()[:40]
    query = testable()
    if q:
        query = query.where(Person.matching(q) | (Case.street.contains(q)))
    candidates = list(query.limit(SHOWN_LIMIT))
    shown = {p.id for p in candidates}
    kept = list(testable().where(Person.id.in_([i for i in chosen if i not in shown]))) if chosen else []
    audit.record("screening.day", object_type="person",
                 detail={"q": q, "shown": len(candidates), "persons": len(chosen)})
    context = {"streets": [(street, list(group)) for street, group in groupby(candidates, lambda p: p.case.street)],
               "kept": kept, "q": q, "shown": len(candidates), "tested_today": tested_today(), "due_today": due_today,
               "due_count": testable(due_by=today()).count()}
    if request.method == "POST":
        if not chosen:
            flash("请至少选择一名检测人员。", "error")
            return render_template("screenings/choose.html", chosen=set(), **context), 422
        persons = {p.id: p for p in testable().where(Person.id.in_(chosen))}
        form = TestingDayForm(formdata=None, tested_on=today(), **choices.last_used(current_user))
        for person_id in chosen:
            if person_id in persons:
                form.rows.append_entry({"person_id": person_id, "signed": True})
                form.rows[-1].person = persons[person_id]
        return render_grid(form, list(form.rows), [])
    return render_template("screenings/choose.html", chosen=set(chosen), **context)
