"""The case lifecycle on screen: each transition on its own form (rule and effect explained),
and the agreements signed after reporting and after a change of place."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from peewee import fn

from .. import audit
from ..dates import today
from ..db import database
from ..models import CASE_ACTIONS, CASE_STATUSES, Agreement
from ..permissions import load_current_case, requires
from ..tracking.forms import DEFAULT_LIABILITY, DEFAULT_MEASURES, DEFAULT_OBLIGATIONS, AgreementForm, TransitionForm
from . import lifecycle

bp = Blueprint("cases", __name__, url_prefix="/persons/<int:person_id>/cases/<int:case_id>")

# What each transition does, shown above its form.
EFFECTS = {
    "report": "登记报到后状态变为“执行中”，期限自报到之日起计算（《戒毒条例》第十四条）；超过 15 日报到的，记为逾期报到。",
    "suspend": "被羁押、逮捕期间中止执行（第二十四条）；中止的天数在恢复执行时计入，预计期满日相应顺延。",
    "resume": "恢复执行后，中止的天数顺延期满日。",
    "relocate": "变更执行地后期限连续计算，须重新签订协议（第二十二条）。",
    "release": "期限届满解除，解除通知应在 7 日内送达街道（第二十三条、第四十条）。",
    "terminate": "被判处刑罚等情形终止执行（第二十四条）。",
    "compulsory": "严重违反协议、复吸等情形，经公安机关决定转强制隔离戒毒。",
    "transfer": "变更执行地至其他工作站，本站不再管理；期限连续计算。",
    "death": "人员死亡，终止管理。",
}


@bp.route("/transition/<action>", methods=["GET", "POST"])
@requires("persons.write")
def transition(person_id, case_id, action):
    """One transition of the case: its rule, its form, and a Chinese reason when it is refused."""
    person, case = load_current_case(person_id, case_id)
    if action not in CASE_ACTIONS:
        abort(404)
    form = TransitionForm()
    rule = lifecycle.TRANSITIONS[action]
    form.document_number.flags.required = bool(rule.document)
    form.document_number.label.text = rule.document or "文书编号"
    form.place.flags.required = action in ("relocate", "transfer")
    refusal = None
    if form.validate_on_submit():
        try:
            lifecycle.transition(case, action, form.on.data, form.document_number.data, form.place.data,
                                 form.notes.data, user=current_user, cause=form.cause.data)
        except lifecycle.TransitionRefused as exc:
            if exc.field:
                form[exc.field].errors = list(form[exc.field].errors) + [str(exc)]
            else:
                refusal = str(exc)
        else:
            flash("已办理：%s。" % CASE_ACTIONS[action], "success")
            if action in ("report", "relocate"):
                flash("请及时签订%s社区戒毒/康复协议。" % ("新的" if action == "relocate" else ""), "info")
            return redirect(url_for("persons.show", person_id=person.id) + "#tracking")
    elif not form.errors:
        audit.record("case.view", case, person=person, detail={"form": action})
    status = 422 if (refusal or form.errors) else 200
    return render_template("cases/transition.html", person=person, case=case, action=action, form=form, rule=rule,
                           label=CASE_ACTIONS[action], effect=EFFECTS[action], refusal=refusal,
                           allowed=case.status in rule.sources, target=CASE_STATUSES.get(rule.target),
                           expected_end=lifecycle.expected_end(case), deadline=lifecycle.report_deadline(case),
                           today=today()), status


@bp.route("/agreements/new", methods=["GET", "POST"])
@requires("persons.write")
def new_agreement(person_id, case_id):
    """Sign the agreement (again after a change of place); editions are numbered per case."""
    person, case = load_current_case(person_id, case_id)
    if case.status not in ("active", "suspended"):
        flash("只有执行中的案件可以签订协议。", "error")
        return redirect(url_for("persons.show", person_id=person.id))
    form = AgreementForm(signed_on=today(), measures=DEFAULT_MEASURES, obligations=DEFAULT_OBLIGATIONS,
                         liability=DEFAULT_LIABILITY)
    if form.validate_on_submit():
        if case.report_date and form.signed_on.data < case.report_date:
            form.signed_on.errors.append("签订日期不能早于报到日期（%s）。" % case.report_date)
        else:
            with database.atomic():
                edition = (Agreement.select(fn.MAX(Agreement.edition)).where(Agreement.case == case.id).scalar()
                           or 0) + 1
                agreement = Agreement.create(case=case.id, edition=edition, staff=current_user.id, **form.values())
                audit.record("agreement.create", agreement, person=person, detail={"edition": edition})
            flash("第 %d 版协议已登记。" % edition, "success")
            return redirect(url_for("persons.show", person_id=person.id) + "#tracking")
    elif not form.errors:
        audit.record("case.view", case, person=person, detail={"form": "agreement"})
    return render_template("cases/agreement.html", person=person, case=case, form=form), 422 if form.errors else 200
