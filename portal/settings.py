"""The lead's station settings: cadences of routine work (DOMAIN.md §4 defaults)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from . import audit
from .db import database
from .forms import Form
from .models import Setting
from .permissions import requires
from .schedule import CADENCES, cadences

bp = Blueprint("settings", __name__, url_prefix="/settings")


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
            audit.record_or_abort("settings.update", object_type="setting",
                                  detail={key: form[key].data for key in CADENCES})
        flash("工作周期已保存。", "success")
        return redirect(url_for("settings.index"))
    return render_template("settings/index.html", form=form, defaults=CADENCES), 422 if form.errors else 200
