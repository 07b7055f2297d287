"""禁毒专干培训: sessions with an HTMX attendance grid (one click or key per trainee, 全部出席,
live counts, late additions), hours credited per trainee, the sign-in sheet and attendance
record as PDFs, the roster, and each volunteer's own page."""
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import fn

from .. import audit, pdf
from ..web.responses import htmx
from ..dates import today
from ..db import database
from ..models import (ATTENDANCE, MARKS, TRAINEE_TYPES, Attendance, EventVolunteer, PreventionEvent, Trainee,
                      TrainingSession, User)
from ..permissions import requires
from .forms import SessionForm, TraineeForm

bp = Blueprint("training", __name__)


def hours_by_trainee(year, trainee_ids=None):
    """Hours credited per trainee in a year: the sessions they attended (出席)."""
    query = (Attendance.select(Attendance.trainee, fn.SUM(TrainingSession.hours).alias("hours"))
             .join(TrainingSession).where(Attendance.status == "present", TrainingSession.is_live(),
                                          fn.strftime("%Y", TrainingSession.held_on) == str(year))
             .group_by(Attendance.trainee))
    if trainee_ids is not None:
        query = query.where(Attendance.trainee.in_(trainee_ids))
    return {row.trainee_id: Decimal(str(row.hours)) for row in query}


def load_session(session_id):
    return TrainingSession.get_or_none(TrainingSession.id == session_id,
                                       TrainingSession.is_live()) or abort(404)


def roster(session):
    return list(Attendance.select(Attendance, Trainee).join(Trainee).where(Attendance.session == session.id)
                .order_by(Trainee.name))


def counts(rows):
    return {key: sum(1 for r in rows if r.status == key) for key in ATTENDANCE}


@bp.get("/training/")
@requires("training.read")
def index():
    """The year's sessions with their attendance, and the year's totals."""
    year = request.args.get("year", type=int) or today().year
    sessions = list(TrainingSession.live().where(fn.strftime("%Y", TrainingSession.held_on) == str(year))
                    .order_by(TrainingSession.held_on.desc()))
    marks = {}  # session id → {status: count}; a session nobody has marked yet shows 未记录, not 0 present
    for session_id, status, n in (Attendance.select(Attendance.session, Attendance.status, fn.COUNT(Attendance.id))
                                  .where(Attendance.session.in_([s.id for s in sessions]))
                                  .group_by(Attendance.session, Attendance.status).tuples()):
        marks.setdefault(session_id, {})[status] = n
    return render_template("training/index.html", sessions=sessions, marks=marks, year=year,
                           total_hours=sum((s.hours for s in sessions), Decimal(0)))


@bp.route("/training/new", methods=["GET", "POST"])
@requires("training.write")
def new():
    """Plan a session; its roster is every active trainee of the audience type."""
    form = SessionForm(held_on=today()) if request.method == "GET" else SessionForm()
    if request.method == "POST" and form.validate():
        with database.atomic():
            session = TrainingSession.create(staff=current_user.id, **form.values())
            trainees = Trainee.select().where(Trainee.kind == session.audience, Trainee.active,
                                              Trainee.is_live())
            Attendance.insert_many([{"session": session.id, "trainee": t.id} for t in trainees]).execute() \
                if trainees.exists() else None
            audit.record("training.create", session, detail={"roster": trainees.count()})
        flash("培训已建立，名单 %d 人。" % trainees.count(), "success")
        return redirect(url_for("training.show", session_id=session.id))
    return render_template("training/new.html", form=form), 422 if form.errors else 200


@bp.get("/training/<int:session_id>")
@requires("training.read")
def show(session_id):
    """The session and its attendance grid."""
    session = load_session(session_id)
    rows = roster(session)
    others = Trainee.select().where(Trainee.active, Trainee.is_live(),
                                    Trainee.id.not_in([r.trainee_id for r in rows])).order_by(Trainee.name)
    return render_template("training/show.html", session=session, rows=rows, counts=counts(rows), others=others,
                           attendance=ATTENDANCE)


@bp.post("/training/<int:session_id>/attendance/<int:trainee_id>")
@requires("training.write")
def mark(session_id, trainee_id):
    """Set one trainee's attendance; the row and the counts come back (HTMX)."""
    session = load_session(session_id)
    status = request.form.get("status")
    if status not in MARKS:
        abort(422)
    row = Attendance.get_or_none(Attendance.session == session.id, Attendance.trainee == trainee_id) or abort(404)
    with database.atomic():
        Attendance.update(status=status, version=Attendance.version + 1).where(Attendance.id == row.id).execute()
        audit.record("attendance.update", object_type="attendance", object_id=row.id,
                     detail={"session": session.id, "trainee": trainee_id, "status": status})
    rows = roster(session)
    row = next(r for r in rows if r.trainee_id == trainee_id)
    if not htmx():
        return redirect(url_for("training.show", session_id=session.id))
    return render_template("training/_row.html", session=session, row=row, counts=counts(rows),
                           attendance=ATTENDANCE, oob=True)


@bp.post("/training/<int:session_id>/attendance")
@requires("training.write")
def mark_all(session_id):
    """全部出席: everyone on the roster present at once."""
    session = load_session(session_id)
    with database.atomic():
        changed = Attendance.update(status="present", version=Attendance.version + 1).where(
            Attendance.session == session.id, Attendance.status != "present").execute()
        audit.record("attendance.all_present", session, detail={"changed": changed})
    return grid(session)


@bp.post("/training/<int:session_id>/roster")
@requires("training.write")
def add_to_roster(session_id):
    """A late addition to the roster (未记录 until marked)."""
    session = load_session(session_id)
    trainee = Trainee.get_or_none(Trainee.id == request.form.get("trainee", type=int), Trainee.is_live())
    if trainee is None:
        abort(422)
    with database.atomic():
        Attendance.insert(session=session.id, trainee=trainee.id).on_conflict_ignore().execute()
        audit.record("attendance.add", session, detail={"trainee": trainee.id})
    return grid(session)


def grid(session):
    if not htmx():
        return redirect(url_for("training.show", session_id=session.id))
    rows = roster(session)
    return render_template("training/_grid.html", session=session, rows=rows, counts=counts(rows),
                           attendance=ATTENDANCE)


@bp.get("/training/<int:session_id>/sheet.pdf")
@requires("training.read")
def sheet(session_id):
    """The sign-in sheet (签到表) before the session, or the attendance record (?record=1) after it."""
    session = load_session(session_id)
    record = request.args.get("record") == "1"
    rows = roster(session)
    audit.record("training.print", session, detail={"record": record})
    document = pdf.render_pdf("training/sheet.html", current_user, session=session, rows=rows, record=record,
                              counts=counts(rows), types=TRAINEE_TYPES)
    return pdf.send_pdf(document, "%s-%s-%s.pdf" % ("培训出勤记录" if record else "培训签到表", session.held_on,
                                                   session.title[:20]))


def trainee_form():
    form = TraineeForm()
    form.user.choices = [(0, "（无账户）")] + [(u.id, "%s（%s）" % (u.display_name, u.role_label))
                                           for u in User.select().where(User.is_active).order_by(User.display_name)]
    return form


def render_roster(form, status=200):
    people = list(Trainee.live().order_by(Trainee.kind, Trainee.name))
    return render_template("training/trainees.html", people=people, form=form, types=TRAINEE_TYPES,
                           hours=hours_by_trainee(today().year), year=today().year), status


@bp.get("/trainees/")
@requires("training.read")
def trainees():
    """The roster, with this year's hours."""
    return render_roster(trainee_form())


@bp.post("/trainees/")
@requires("training.write")
def add_trainee():
    """Add a trainee to the roster (with their account, when they have one)."""
    form = trainee_form()
    if not form.validate():
        return render_roster(form, 422)
    with database.atomic():
        trainee = Trainee.create(**form.values())
        audit.record("trainee.create", trainee)
    flash("已加入名单：%s。" % trainee.name, "success")
    return redirect(url_for("training.trainees"))


def history(trainee):
    return list(Attendance.select(Attendance, TrainingSession).join(TrainingSession).where(
        Attendance.trainee == trainee.id, TrainingSession.is_live())
        .order_by(TrainingSession.held_on.desc()))


@bp.get("/trainees/<int:trainee_id>")
@requires("training.read")
def trainee(trainee_id):
    """One trainee's trainings, attendance and yearly hours."""
    person = Trainee.get_or_none(Trainee.id == trainee_id, Trainee.is_live()) or abort(404)
    return render_trainee(person)


def render_trainee(person, mine=False):
    rows = history(person)
    years = {}
    for row in rows:
        if row.status == "present":
            year = row.session.held_on.year
            years[year] = years.get(year, Decimal(0)) + row.session.hours
    served = list(EventVolunteer.select(EventVolunteer, PreventionEvent).join(PreventionEvent).where(
        EventVolunteer.trainee == person.id, PreventionEvent.is_live())
        .order_by(PreventionEvent.held_on.desc()))
    service = {}
    for row in served:
        service[row.event.held_on.year] = service.get(row.event.held_on.year, Decimal(0)) + row.hours
    return render_template("training/trainee.html", person=person, rows=rows, years=years, mine=mine,
                           attendance=ATTENDANCE, types=TRAINEE_TYPES, served=served, service=service)


@bp.get("/my/training")
@requires("training.own")
def mine():
    """A volunteer's own trainings, attendance and hours (and nothing of any case)."""
    person = Trainee.get_or_none(Trainee.user == current_user.id, Trainee.is_live())
    if person is None:
        return render_template("training/trainee.html", person=None, rows=[], years={}, mine=True,
                               attendance=ATTENDANCE, types=TRAINEE_TYPES)
    return render_trainee(person, mine=True)
