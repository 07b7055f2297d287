"""禁毒宣传教育 ("六进" events): date, venue type and venue, partners, format, audience by group,
leaflets, consultations, the volunteers who served (hours logged), a few photos (SECURITY.md W11:
size limit, type by content, random stored name outside static/, served as an attachment)."""
import json
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import fn
from wtforms import DecimalField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from .. import audit, uploads
from ..dates import today
from ..db import database
from ..fields import Checklist, Form, day_field, text
from ..models import AUDIENCE_GROUPS, EVENT_FORMATS, VENUE_TYPES, EventPhoto, EventVolunteer, PreventionEvent, Trainee
from ..permissions import requires

bp = Blueprint("events", __name__, url_prefix="/events")
PHOTO_LIMIT = 5 * uploads.MB
PHOTOS_PER_EVENT = 6


class EventForm(Form):
    held_on = day_field("日期")
    title = text("主题", required=True, max_length=80, description="如：6·26 国际禁毒日进校园宣传")
    venue_type = SelectField("“六进”类型", choices=list(VENUE_TYPES.items()))
    venue = text("地点/单位", required=True, max_length=80)
    partners = text("协作单位", max_length=120, description="如：区禁毒办、新华路派出所、第二中学")
    format = SelectField("形式", choices=list(EVENT_FORMATS.items()))
    leaflets = IntegerField("发放资料（份）", default=0, validators=[Optional(), NumberRange(0, 100000, "请填写 0 或正数。")])
    consultations = IntegerField("现场咨询（人次）", default=0,
                                 validators=[Optional(), NumberRange(0, 100000, "请填写 0 或正数。")])
    volunteers = Checklist("参与志愿者/专干", coerce=int)
    hours = DecimalField("每人服务时长（小时）", places=1, default=Decimal("2"),
                         validators=[InputRequired("请填写服务时长。"), NumberRange(0.5, 24, "服务时长应在 0.5 到 24 小时之间。")])


for _key, _label in AUDIENCE_GROUPS.items():
    setattr(EventForm, "audience_" + _key, IntegerField("受众：%s（人）" % _label, default=0, validators=[
        Optional(), NumberRange(0, 100000, "请填写 0 或正数。")]))


def load(event_id):
    return PreventionEvent.get_or_none(PreventionEvent.id == event_id,
                                       PreventionEvent.is_live()) or abort(404)


@bp.get("/")
@requires("training.read")
def index():
    """The year's events, by venue type, with the year's totals."""
    year = request.args.get("year", type=int) or today().year
    venue_type = request.args.get("venue_type") if request.args.get("venue_type") in VENUE_TYPES else ""
    query = PreventionEvent.live().where(fn.strftime("%Y", PreventionEvent.held_on) == str(year))
    everything = list(query.order_by(PreventionEvent.held_on.desc()))
    totals = {}
    for event in everything:
        count, audience = totals.get(event.venue_type, (0, 0))
        totals[event.venue_type] = (count + 1, audience + event.audience_total)
    rows = [e for e in everything if not venue_type or e.venue_type == venue_type]
    return render_template("events/index.html", rows=rows, totals=totals, year=year, venue_type=venue_type,
                           venue_types=VENUE_TYPES)


@bp.route("/new", methods=["GET", "POST"])
@requires("training.write")
def new():
    """Record an event with its audience and the volunteers who served."""
    form = EventForm(held_on=today()) if request.method == "GET" else EventForm()
    form.volunteers.choices = [(t.id, "%s（%s）" % (t.name, t.kind == "volunteer" and "志愿者" or "专干/网格员"))
                               for t in Trainee.select().where(Trainee.active, Trainee.is_live())
                               .order_by(Trainee.kind.desc(), Trainee.name)]
    if request.method == "POST" and form.validate():
        audience = {key: form["audience_" + key].data or 0 for key in AUDIENCE_GROUPS}
        with database.atomic():
            event = PreventionEvent.create(
                held_on=form.held_on.data, title=form.title.data, venue_type=form.venue_type.data,
                venue=form.venue.data, partners=form.partners.data or None, format=form.format.data,
                audience=json.dumps(audience), leaflets=form.leaflets.data or 0,
                consultations=form.consultations.data or 0, staff=current_user.id)
            for trainee_id in form.volunteers.data:
                EventVolunteer.create(event=event, trainee=trainee_id, hours=form.hours.data)
            audit.record("event.create", event, detail={"volunteers": len(form.volunteers.data)})
        flash("宣传活动已登记，可上传现场照片。", "success")
        return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/new.html", form=form, groups=AUDIENCE_GROUPS), 422 if form.errors else 200


@bp.get("/<int:event_id>")
@requires("training.read")
def show(event_id):
    event = load(event_id)
    volunteers = list(EventVolunteer.select(EventVolunteer, Trainee).join(Trainee).where(
        EventVolunteer.event == event.id).order_by(Trainee.name))
    return render_template("events/show.html", event=event, volunteers=volunteers, photos=list(event.photos),
                           groups=AUDIENCE_GROUPS, limit=PHOTO_LIMIT // uploads.MB, per_event=PHOTOS_PER_EVENT)


@bp.post("/<int:event_id>/photos")
@requires("training.write")
def upload(event_id):
    """Store a photo (JPEG or PNG by content, ≤ 5 MB) under a random name outside static/."""
    event = load(event_id)
    upload_file = request.files.get("photo")
    data = uploads.read(upload_file, PHOTO_LIMIT)
    mime, problem = uploads.check(data, PHOTO_LIMIT, uploads.IMAGES, "照片")
    if not problem and event.photos.count() >= PHOTOS_PER_EVENT:
        problem = "每次活动最多 %d 张照片。" % PHOTOS_PER_EVENT
    if problem:
        flash(problem, "error")
        return redirect(url_for("events.show", event_id=event.id)), 303
    with uploads.stored(data, mime) as stored, database.atomic():
        photo = EventPhoto.create(event=event, stored_name=stored, mime=mime, size=len(data),
                                  original_name=uploads.client_name(upload_file), staff=current_user.id)
        audit.record("event.photo", photo, detail={"event": event.id, "size": len(data)})
    flash("照片已上传。", "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.get("/photos/<int:photo_id>")
@requires("training.read")
def photo(photo_id):
    """A photo, as an attachment with its checked type (never sniffed, never run as a page)."""
    item = EventPhoto.get_or_none(EventPhoto.id == photo_id) or abort(404)
    load(item.event_id)
    return uploads.send(item.stored_name, item.mime, "活动照片-%d%s" % (item.id, uploads.SUFFIXES[item.mime]))
