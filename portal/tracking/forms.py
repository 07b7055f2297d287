"""Forms of abstinence tracking: absences, breaches, decisions, reports to the police, the case's
transitions and agreements (a screening's forms are in screening_forms.py)."""
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..fields import (  # noqa: F401
    DAY_FORMATS,
    REQUIRED,
    Checklist,
    Form,
    clean_text,
    day_field,
    not_future,
    notes,
    text,
)
from ..models import ABSENCE_KINDS, BREACH_KINDS, DISCOVERED
from . import breaches


class DecisionForm(Form):
    """Confirm a candidate 逃避检测, or excuse it with a reason."""

    decision = RadioField("认定", choices=[("confirm", "确认为逃避检测"), ("excuse", "有正当理由，不计违反")],
                          validators=[InputRequired("请选择确认逃避检测或说明正当理由。")])
    reason = TextAreaField("理由/说明", filters=[clean_text], validators=[Length(max=300)],
                           description="说明正当理由时必填，如：住院治疗，有医院证明")
    due = HiddenField()

    def validate_reason(self, field):
        if self.decision.data == "excuse" and not field.data:
            raise ValidationError("不计违反须写明正当理由。")


class ReturnDecisionForm(DecisionForm):
    """Confirm an overdue return as 擅自外出, or excuse it (back on time, or a good reason)."""

    decision = RadioField("认定", choices=[("confirm", "确认为擅自外出"), ("excuse", "已按时返回/有正当理由")],
                          validators=[InputRequired("请选择确认为擅自外出或说明已按时返回/正当理由。")])


class LateReportDecisionForm(DecisionForm):
    """Excuse a late report with its cause (正当理由), or confirm there was none (拒绝报到, 38)."""

    decision = RadioField("认定", choices=[("confirm", "无正当理由（报告公安）"), ("excuse", "有正当理由，不计违反")],
                          validators=[InputRequired("请选择有无正当理由。")])


class AbsenceForm(Form):
    kind = RadioField("类型", choices=list(ABSENCE_KINDS.items()), default="reported",
                      validators=[InputRequired("请选择报备外出或擅自外出。")])
    destination = text("目的地", required=True, max_length=60, description="如 广东省深圳市")
    reason = text("外出事由", max_length=120)
    leave_on = day_field("离开日期")
    return_on = day_field("返回日期", required=False, future=True,
                          description="报备外出填计划返回日期；擅自外出尚未返回可留空（按至今天数计）")
    returned_on = day_field("实际返回日期", required=False,
                            description="报备外出：人员返回后填写；计划返回日期过后仍未填写的，列为疑似擅自外出待认定")
    written_report = BooleanField("已事先提交书面报告", description="离开县（市、区）3 日以上须事先书面报告（《戒毒条例》第十九条）")
    approved_by = text("批准人", max_length=32)
    discovered = SelectField("发现方式", choices=[("", "请选择")] + list(DISCOVERED.items()), validators=[Optional()],
                             description="擅自外出时必填")
    notes = notes("备注")
    version = HiddenField()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        leave, back = self.leave_on.data, self.return_on.data
        if leave and back and back < leave:
            self.return_on.errors = list(self.return_on.errors) + ["返回日期不能早于离开日期。"]
            return False
        returned = self.returned_on.data
        if self.kind.data == "reported" and leave and returned and returned < leave:
            self.returned_on.errors = list(self.returned_on.errors) + ["实际返回日期不能早于离开日期。"]
            ok = False
        if self.kind.data == "reported":
            if not back:
                self.return_on.errors = list(self.return_on.errors) + ["报备外出须填写计划返回日期。"]
                ok = False
            elif leave and breaches.needs_written_report(leave, back) and not self.written_report.data:
                self.written_report.errors = list(self.written_report.errors) + [
                    "外出 %d 日，须事先提交书面报告（3 日以上，《戒毒条例》第十九条）；未报告的请登记为擅自外出。"
                    % breaches.absence_days(leave, back)]
                ok = False
        elif self.kind.data == "unauthorised" and not self.discovered.data:
            self.discovered.errors = list(self.discovered.errors) + ["请选择发现方式。"]
            ok = False
        return ok

    def values(self):
        unauthorised = self.kind.data == "unauthorised"
        return {"kind": self.kind.data, "destination": self.destination.data, "reason": self.reason.data or None,
                "leave_on": self.leave_on.data, "return_on": self.return_on.data,
                "returned_on": None if unauthorised else self.returned_on.data,
                "written_report": self.written_report.data and not unauthorised,
                "approved_by": None if unauthorised else (self.approved_by.data or None),
                "discovered": (self.discovered.data or None) if unauthorised else None,
                "notes": self.notes.data or None}

    def fill(self, absence):
        self.process(obj=absence)
        self.discovered.data = absence.discovered or ""
        self.version.data = absence.version


class TransitionForm(Form):
    on = day_field("办理日期")
    document_number = text("文书编号", max_length=60)
    place = text("新执行地（街道/乡镇）", max_length=60)
    cause = notes("逾期报到的正当理由", max_length=300, description=(
        "超过 15 日报到的，如有正当理由（如住院治疗、在外地被羁押）请写明，即不计违反；不填的，"
        "由工作人员在操守追踪档案中认定"))
    notes = notes("说明", max_length=500)


DEFAULT_MEASURES = "定期接受检测；按时参加面对面谈话；接受入户走访；参加心理疏导和帮扶活动。"
DEFAULT_OBLIGATIONS = ("遵守法律法规，自觉履行协议；不得吸食、注射毒品；按要求接受检测；"
                       "离开县（市、区）3 日以上须事先书面报告；变更住址及时告知。")
DEFAULT_LIABILITY = ("拒绝接受检测、擅自外出等违反协议的，予以批评教育；严重违反协议的，"
                     "依照《禁毒法》第三十八条报告公安机关处理。")


class AgreementForm(Form):
    signed_on = day_field("签订日期")
    measures = notes("戒毒/康复措施", required=True)
    obligations = notes("应遵守的规定", required=True)
    liability = notes("违反协议的责任", required=True)

    def values(self):
        return {"signed_on": self.signed_on.data, "measures": self.measures.data,
                "obligations": self.obligations.data, "liability": self.liability.data}


class PoliceReportForm(Form):
    reported_on = day_field("报告日期")
    recipient = text("接收单位/人员", required=True, max_length=60, description="如 新华路派出所 王警官")
    report_notes = notes("报告方式及处理情况", max_length=500)


class NoticeForm(Form):
    """The notice of a release to the street or township office (戒毒条例 23, 40)."""
    sent_on = day_field("通知日期")
    recipient = text("接收单位", required=True, max_length=60, description="如 新华路街道办事处")
    document_number = text("通知书编号", required=True, max_length=60)


class RelocationReportForm(Form):
    """The report at the new place after a change of place (戒毒条例 22)."""
    reported_on = day_field("报到日期")


class EducationForm(Form):
    educated_on = day_field("批评教育日期")
    education = notes("批评教育内容", required=True, max_length=1000)


class BreachForm(EducationForm):
    """An ordinary breach recorded by hand, with the 批评教育 given."""

    kind = SelectField("违反情形", choices=[(k, BREACH_KINDS[k]) for k in ("missed_talk", "late_report", "other")])
    occurred_on = day_field("发生日期")
    description = notes("具体情况", required=True, max_length=500)

    def values(self):
        return {"kind": self.kind.data, "occurred_on": self.occurred_on.data, "description": self.description.data,
                "educated_on": self.educated_on.data, "education": self.education.data}


class PresetForm(Form):
    """The lead's choice of test schedule for the station."""

    preset = RadioField("检测方案", validators=[InputRequired("请选择检测方案。")])
    grace_days = IntegerField("逾期几天列为疑似逃避检测", validators=[
        InputRequired("请填写天数。"), NumberRange(1, 30, "请填写 1 到 30 之间的天数。")])


class FindingForm(Form):
    """公安查获复吸: the police found the person using drugs."""
    found_on = day_field("查获日期")
    police_unit = text("查获单位", required=True, max_length=60, description="如 新华路派出所")
    document_number = text("文书编号", required=True, max_length=60, description="如 筑南公（禁）检字〔2026〕031号")
    notes = notes("情况说明")
    version = HiddenField()

    def values(self):
        return {"found_on": self.found_on.data, "police_unit": self.police_unit.data,
                "document_number": self.document_number.data, "notes": self.notes.data or None}

    def fill(self, finding):
        self.process(obj=finding)
        self.version.data = finding.version
