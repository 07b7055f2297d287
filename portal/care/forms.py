"""Forms of counselling sessions and assistance cases."""
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..fields import Checklist, Form, day_field, notes, text
from ..models import ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, COUNSELLING_MODES, PARTNERS, PRESENTING, SCALES


def scale(key):
    label, low, high = SCALES[key]
    return IntegerField("%s（%d-%d）" % (label, low, high), validators=[
        Optional(), NumberRange(low, high, "%s 的分数应在 %d 到 %d 之间。" % (label, low, high))])


class CounsellingForm(Form):
    held_on = day_field("日期")
    mode = RadioField("形式", choices=list(COUNSELLING_MODES.items()), default="individual",
                      validators=[InputRequired("请选择形式。")])
    concerns = SelectField("对象", coerce=int, default=0)
    presenting = Checklist("主要问题", choices=list(PRESENTING.items()))
    scl90 = scale("scl90")
    phq9 = scale("phq9")
    gad7 = scale("gad7")
    crisis = BooleanField("存在自伤/自杀风险（风险等级将自动调为高）")
    plan = notes("干预计划", max_length=1000)
    next_date = day_field("下次疏导日期", required=False, future=True)
    summary = notes("可共享摘要", max_length=1000, description="专干可见；请勿写入隐私细节")
    notes = notes("咨询记录（仅本人可见）", max_length=5000,
                  description="仅您本人可见；站长须填写事由方可查看，并记入审计日志")
    version = HiddenField()

    def set_family(self, person):
        """本人 and each family member by relation only: counsellors see no family names (minimum exposure)."""
        family, seen = list(person.live_family()), {}
        choices = [(0, "本人")]
        for member in family:
            seen[member.relation] = seen.get(member.relation, 0) + 1
            same = sum(1 for m in family if m.relation == member.relation)
            choices.append((member.id, member.relation + ("（%d）" % seen[member.relation] if same > 1 else "")))
        self.concerns.choices = choices

    def validate_next_date(self, field):
        if field.data and self.held_on.data and field.data <= self.held_on.data:
            raise ValidationError("下次疏导日期应晚于本次。")

    def validate_presenting(self, field):
        if not field.data:
            raise ValidationError("请至少勾选一项主要问题。")

    def values(self):
        return {"held_on": self.held_on.data, "mode": self.mode.data, "concerns": self.concerns.data or None,
                "presenting": ",".join(self.presenting.data), "scl90": self.scl90.data, "phq9": self.phq9.data,
                "gad7": self.gad7.data, "crisis": self.crisis.data, "plan": self.plan.data or None,
                "next_date": self.next_date.data, "summary": self.summary.data or None,
                "notes": self.notes.data or None}


class AssistanceForm(Form):
    category = SelectField("类别", choices=[("", "请选择")] + list(ASSISTANCE_CATEGORIES.items()),
                           validators=[InputRequired("请选择帮扶类别。")])
    title = text("事项", required=True, max_length=80, description="如：协调女儿入读职业学校")
    beneficiary = SelectField("受助对象", coerce=int, default=0)
    partners = Checklist("协作单位", choices=list(PARTNERS.items()))
    opened_on = day_field("开始日期")

    def set_family(self, person):
        self.beneficiary.choices = [(0, "本人")] + [(m.id, "%s（%s）" % (m.name, m.relation))
                                                   for m in person.live_family()]

    def validate_category(self, field):
        if field.data not in ASSISTANCE_CATEGORIES:
            raise ValidationError("请选择帮扶类别。")

    def values(self):
        return {"category": self.category.data, "title": self.title.data,
                "beneficiary": self.beneficiary.data or None, "partners": ",".join(self.partners.data),
                "opened_on": self.opened_on.data}


class StepForm(Form):
    on = day_field("日期")
    who = text("经办人/单位", required=True, max_length=60, description="如：陈丽、街道办王主任")
    done = TextAreaField("做了什么", validators=[InputRequired("请填写做了什么。"), Length(max=1000)])
    next_step = text("下一步", max_length=200)
    next_date = day_field("下一步日期", required=False, future=True)

    def validate_next_date(self, field):
        if field.data and self.on.data and field.data < self.on.data:
            raise ValidationError("下一步日期不能早于本次。")

    def values(self):
        return {"on": self.on.data, "who": self.who.data, "done": self.done.data.strip(),
                "next_step": self.next_step.data or None, "next_date": self.next_date.data}


class StatusForm(Form):
    status = SelectField("状态", choices=list(ASSISTANCE_STATUSES.items()))
    closed_on = day_field("办结/结束日期", required=False)
    outcome = notes("结果", max_length=1000)
    amount = IntegerField("救助金额（元）", validators=[Optional(), NumberRange(0, 10_000_000, "金额应为 0 或正数。")])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.status.data in ("closed", "rejected"):
            for f, message in ((self.closed_on, "请填写结束日期。"), (self.outcome, "请填写结果。")):
                if not f.data:
                    f.errors = list(f.errors) + [message]
                    ok = False
        return ok
