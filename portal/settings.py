"""The lead's station settings: cadences of routine work (DOMAIN.md §4 defaults), backups, the station
code and key fingerprint of the monthly package."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from . import audit
from .backup.make import BackupError, backup_dir, human_size, last_backup, make_backup
from .dates import utcnow
from .db import database
from .exchange import package, signing
from .exchange.forms import StationCodeForm
from .fields import Form
from .models import Setting
from .persons import retention
from .permissions import requires
from .tracking.forms import PresetForm
from .tracking.plan import CADENCES, SCREENING_PRESETS, cadences, screening_settings

bp = Blueprint("settings", __name__, url_prefix="/settings")


def station_name():
    """The station's name as printed and shown: the lead's setting, else the configured one."""
    stored = Setting.get_or_none(Setting.key == "station_name")
    return stored.value if stored else current_app.config["STATION_NAME"]


class CadenceForm(Form):
    """One whole number of months per kind of work (fields added from CADENCES below)."""


for _key, (_label, _) in CADENCES.items():
    setattr(CadenceForm, _key, IntegerField(_label + "（每几个月一次）", validators=[
        InputRequired("请填写月数。"), NumberRange(1, 12, "请填写 1 到 12 之间的月数。")]))


@bp.route("/", methods=["GET", "POST"])
@requires("settings.manage")
def index():
    """Edit the cadences; the queue and default next dates follow them from the next read."""
    form = CadenceForm(data=cadences())
    if form.validate_on_submit():
        with database.atomic():
            for key in CADENCES:
                Setting.replace(key="cadence." + key, value=str(form[key].data)).execute()
            audit.record("settings.update", object_type="setting",
                         detail={key: form[key].data for key in CADENCES})
        flash("工作周期已保存。", "success")
        return redirect(url_for("settings.index"))
    return render_settings(form=form), 422 if form.errors else 200


class RetentionForm(Form):
    years = IntegerField("封存后保存年限（年）", validators=[
        InputRequired("请填写年数。"), NumberRange(1, 30, "请填写 1 到 30 之间的年数。")])


def render_settings(form=None, preset_form=None, retention_form=None, code_form=None):
    if preset_form is None:
        preset, grace = screening_settings()
        preset_form = PresetForm(formdata=None, preset=preset, grace_days=grace)
    preset_form.preset.choices = [(key, label) for key, (label, _, _) in SCREENING_PRESETS.items()]
    newest = last_backup()
    key = signing.load_key()
    return render_template("settings/index.html", form=form or CadenceForm(formdata=None, data=cadences()),
                           code_form=code_form or StationCodeForm(formdata=None, code=package.station_code()),
                           fingerprint=signing.fingerprint(key) if key else None,
                           defaults=CADENCES, preset_form=preset_form, last_backup=newest,
                           retention_form=retention_form or RetentionForm(formdata=None, years=retention.years()),
                           backup_dir=backup_dir(), backup_age=(utcnow() - newest["created_at"]).days if newest else None)


@bp.post("/screening")
@requires("settings.manage")
def screening():
    """Choose the station's test schedule and the grace before a missed test becomes a candidate."""
    form = PresetForm()
    form.preset.choices = [(key, label) for key, (label, _, _) in SCREENING_PRESETS.items()]
    if not form.validate():
        return render_settings(preset_form=form), 422
    with database.atomic():
        Setting.replace(key="screening.preset", value=form.preset.data).execute()
        Setting.replace(key="screening.grace_days", value=str(form.grace_days.data)).execute()
        audit.record("settings.update", object_type="setting",
                     detail={"screening.preset": form.preset.data, "screening.grace_days": form.grace_days.data})
    flash("检测方案已保存。", "success")
    return redirect(url_for("settings.index"))


@bp.post("/retention")
@requires("settings.manage")
def retention_years():
    """How many years a sealed file is kept before `flask retention` anonymises it."""
    form = RetentionForm()
    if not form.validate():
        return render_settings(retention_form=form), 422
    with database.atomic():
        Setting.replace(key="retention.years", value=str(form.years.data)).execute()
        audit.record("settings.update", object_type="setting", detail={"retention.years": form.years.data})
    flash("保存年限已保存。", "success")
    return redirect(url_for("settings.index", _anchor="retention"))


@bp.post("/backup")
@requires("settings.manage")
def backup():
    """Back up the database and uploads now; make_backup() writes the audit row."""
    try:
        made = make_backup()
    except BackupError as exc:
        flash(str(exc), "error")
    else:
        flash("备份完成：%s（%s），完整性检查通过。" % (made["path"].name, human_size(made["manifest"]["size"])),
              "success")
    return redirect(url_for("settings.index", _anchor="backup"))


@bp.post("/station-code")
@requires("settings.manage")
def station_code():
    """The station's code, which every monthly package carries (GB/T 2260 county code and station number)."""
    form = StationCodeForm()
    if not form.validate():
        return render_settings(code_form=form), 422
    with database.atomic():
        Setting.replace(key="station.code", value=form.code.data).execute()
        audit.record("settings.update", object_type="setting", detail={"station.code": form.code.data})
    flash("工作站代码已保存。", "success")
    return redirect(url_for("settings.index", _anchor="exchange"))
