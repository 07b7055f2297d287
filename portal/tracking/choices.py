"""The station's remembered entries for a test's 采样/检测人员 and 协同派出所: its own past entries and
those the lead adds, offered as a choice list; the lead hides an entry with a reason (audited, never
deleted) and may show it again."""
import json

from flask import Blueprint, flash, redirect, render_template, url_for
from peewee import fn
from wtforms import HiddenField, SelectField
from wtforms.validators import ValidationError

from .. import audit
from ..db import database
from ..fields import Form, text
from ..models import Screening, Setting
from ..permissions import requires
from .screening_forms import collector_names, enough_collectors

bp = Blueprint("choices", __name__, url_prefix="/settings/choices")
KINDS = {"collectors": "采样/检测人员", "police_station": "协同派出所"}
PAST_LIMIT = 30  # the most recently used past entries of each kind


def stored(kind, part):
    """The lead's `added` or `hidden` entries of a kind."""
    row = Setting.get_or_none(Setting.key == "choices.%s.%s" % (kind, part))
    return json.loads(row.value) if row else []


def store(kind, part, values):
    Setting.replace(key="choices.%s.%s" % (kind, part), value=json.dumps(values, ensure_ascii=False)).execute()


def past(kind):
    """The distinct entries of live tests, the most recently used first."""
    column = getattr(Screening, kind)
    return list(Screening.select(column).where(Screening.is_live(), column.is_null(False), column != "")
                .group_by(column).order_by(fn.MAX(Screening.tested_on).desc(), column)
                .limit(PAST_LIMIT).scalars())


def entries(kind):
    """(entry, added by the lead) offered for a kind: added first, then past ones, none hidden."""
    hidden, added = set(stored(kind, "hidden")), stored(kind, "added")
    listed = [(value, True) for value in added if value not in hidden]
    return listed + [(value, False) for value in past(kind) if value not in hidden and value not in added]


def lists():
    """The choice lists of the test forms, by kind."""
    return {kind: [value for value, _ in entries(kind)] for kind in KINDS}


def last_used(user):
    """What `user` entered last as collectors and 协同派出所 (unless hidden since), to prefill a test form; the
    collectors only when they meet the rule (two or more): else the field stays empty, with its hint and the
    station's entries to choose from, rather than one name the form would refuse. 采样人员中有女性 comes with
    the collectors it was ticked for (the same names, the same people), never without them."""
    last = (Screening.select(Screening.collectors, Screening.police_station, Screening.female_collector)
            .where(Screening.staff == user.id, Screening.is_live(), Screening.collectors != "")
            .order_by(Screening.id.desc()).first())
    values = {"collectors": "", "police_station": ""}
    for kind in KINDS:
        value = getattr(last, kind, None) if last else None
        if value and value not in stored(kind, "hidden") and (kind != "collectors" or enough_collectors(value)):
            values[kind] = value
    values["female_collector"] = bool(values["collectors"] and last.female_collector)
    return values


class EntryForm(Form):
    kind = SelectField("常用项", choices=list(KINDS.items()))
    value = text("内容", required=True, max_length=60, description="采样人员至少两人，用顿号分隔，如：李明、陈丽")

    def validate_value(self, field):
        if self.kind.data == "collectors":
            field.data = collector_names(field.data)
        if field.data in [value for value, _ in entries(self.kind.data)]:
            raise ValidationError("该项已在列表中。")


class HideForm(Form):
    kind = HiddenField()
    value = HiddenField()
    reason = text("停用原因", required=True, max_length=100, description="如 已调离本站")


def render(form=None, hide_form=None, failed=None, status=200):
    return render_template("settings/choices.html", kinds=KINDS, entries={k: entries(k) for k in KINDS},
                           hidden={k: stored(k, "hidden") for k in KINDS}, form=form or EntryForm(formdata=None),
                           hide_form=hide_form or HideForm(formdata=None), failed=failed), status


@bp.get("/")
@requires("settings.manage")
def index():
    """The remembered entries of the test forms, to add to, hide or show again."""
    return render()


@bp.post("/")
@requires("settings.manage")
def add():
    """Add an entry to a choice list."""
    form = EntryForm()
    if not form.validate():
        return render(form=form, status=422)
    with database.atomic():
        store(form.kind.data, "added", stored(form.kind.data, "added") + [form.value.data])
        audit.record("choice.add", object_type="setting", detail={"category": KINDS[form.kind.data],
                                                                   "name": form.value.data})
    flash("已添加：%s。" % form.value.data, "success")
    return redirect(url_for("choices.index"))


@bp.post("/hide")
@requires("settings.manage")
def hide():
    """Stop offering an entry, with a reason; past tests keep it, and it can be shown again."""
    form = HideForm()
    if form.kind.data not in KINDS:
        return render(status=422)
    if not form.validate():
        return render(hide_form=form, failed=(form.kind.data, form.value.data), status=422)
    return set_hidden(form, True, "已停用：%s（以往检测记录不受影响，可随时恢复）。")


@bp.post("/restore")
@requires("settings.manage")
def restore():
    """Offer a hidden entry again."""
    form = HideForm()
    if form.kind.data not in KINDS or form.value.data not in stored(form.kind.data, "hidden"):
        return render(status=422)
    return set_hidden(form, False, "已恢复：%s。")


def set_hidden(form, hidden, message):
    """Hide or show again the entry named by `form`, audited (with the reason given for hiding)."""
    kind, value = form.kind.data, form.value.data
    entries_hidden = set(stored(kind, "hidden"))
    with database.atomic():
        store(kind, "hidden", sorted(entries_hidden | {value} if hidden else entries_hidden - {value}))
        detail = {"category": KINDS[kind], "name": value}
        if hidden:
            audit.record("choice.hide", object_type="setting", reason=form.reason.data, detail=detail)
        else:
            audit.record("choice.restore", object_type="setting", detail=detail)
    flash(message % value, "success")
    return redirect(url_for("choices.index"))
