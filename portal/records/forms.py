"""Forms of the routine work records: face-to-face talks, home visits and risk assessments."""
from datetime import timedelta

from wtforms import (DateField, DateTimeLocalField, HiddenField, RadioField, SelectField, StringField, TextAreaField,
                     widgets)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..dates import local, utcnow
from ..fields import REQUIRED, Checklist, Form, clean_text, day_field, not_future
from ..models import ASSESSMENTS, RISK_LEVELS, SIGNATURES, TALK_KINDS, TALK_PLACES, TALK_TOPICS, VISIT_ANOMALIES
from .risk_levels import FACTORS, next_review


def not_after_now(form, field):
    if field.data and field.data > local(utcnow()).replace(tzinfo=None) + timedelta(minutes=10):
        raise ValidationError("谈话时间不能晚于现在。")


class TalkForm(Form):
    # Plain text, not datetime-local: the browser's date widgets put several Tab stops
    # inside one field, and typing "2026-11-20 09:30" is faster for keyboard users.
    held_at = DateTimeLocalField("谈话时间", format=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M"],
                                 widget=widgets.TextInput(), validators=[InputRequired(REQUIRED), not_after_now],
                                 description="如 2026-11-20 09:30", render_kw={"inputmode": "numeric"})
    place = SelectField("地点", choices=list(TALK_PLACES.items()), default="sunshine")
    kind = SelectField("谈话类型", choices=list(TALK_KINDS.items()), default="routine")
    participants = StringField("参加人员", filters=[clean_text], validators=[Optional(), Length(max=120)],
                               description="工作人员、家属等，如：陈丽、李明、其母")
    topics = Checklist("谈话内容", choices=list(TALK_TOPICS.items()))
    risk_factors = TextAreaField("发现的风险因素", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    assessment = RadioField("评估", choices=list(ASSESSMENTS.items()),
                            validators=[InputRequired("请选择评估结果：稳定、波动或高危。")])
    actions = TextAreaField("约定事项", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    next_date = DateField("下次谈话日期", format=["%Y-%m-%d", "%Y/%m/%d"], validators=[Optional()],
                          widget=widgets.TextInput(), render_kw={"placeholder": "如 2026-12-20", "inputmode": "numeric"},
                          description="留空则按站点周期自动推算")
    signature = RadioField("本人签字", choices=list(SIGNATURES.items()),
                           validators=[InputRequired("请选择本人已签字或拒绝签字。")])
    version = HiddenField()

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError("请至少勾选一项谈话内容。")

    def validate_next_date(self, field):
        if field.data and self.held_at.data and field.data <= self.held_at.data.date():
            raise ValidationError("下次谈话日期应晚于本次谈话。")

    def values(self):
        return {"held_at": self.held_at.data, "place": self.place.data, "kind": self.kind.data,
                "participants": self.participants.data or None, "topics": ",".join(self.topics.data),
                "risk_factors": self.risk_factors.data or None, "assessment": self.assessment.data,
                "actions": self.actions.data or None, "next_date": self.next_date.data,
                "signature": self.signature.data}

    def fill(self, talk):
        """Show a saved talk in the form (its topics are stored comma-separated)."""
        self.process(obj=talk)
        self.topics.data = [t for t in talk.topics.split(",") if t]
        self.version.data = talk.version


class VisitForm(Form):
    visited_on = DateField("走访日期", format=["%Y-%m-%d", "%Y/%m/%d"], widget=widgets.TextInput(),
                           render_kw={"inputmode": "numeric"}, description="如 2026-11-20",
                           validators=[InputRequired(REQUIRED), not_future])
    visitors = StringField("走访人员", filters=[clean_text], validators=[InputRequired(REQUIRED), Length(max=120)])
    address = StringField("走访地址", filters=[clean_text], validators=[InputRequired(REQUIRED), Length(max=120)])
    found_at_home = RadioField("是否在家", choices=[("yes", "在家"), ("no", "不在家")],
                               validators=[InputRequired("请选择本人是否在家。")])
    family_met = StringField("见到的家属", filters=[clean_text], validators=[Optional(), Length(max=120)])
    verified = Checklist("核实情况", choices=[("living", "居住情况属实"), ("employment", "就业情况属实")])
    anomalies = Checklist("异常情况", choices=list(VISIT_ANOMALIES.items()))
    actions = TextAreaField("处置措施", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    next_date = DateField("下次走访日期", format=["%Y-%m-%d", "%Y/%m/%d"], validators=[Optional()],
                          widget=widgets.TextInput(), render_kw={"placeholder": "如 2027-02-20", "inputmode": "numeric"},
                          description="留空则按风险等级的走访周期推算")
    version = HiddenField()

    def validate_next_date(self, field):
        if field.data and self.visited_on.data and field.data <= self.visited_on.data:
            raise ValidationError("下次走访日期应晚于本次走访。")

    def values(self):
        return {"visited_on": self.visited_on.data, "visitors": self.visitors.data, "address": self.address.data,
                "found_at_home": self.found_at_home.data == "yes", "family_met": self.family_met.data or None,
                "living_verified": "living" in self.verified.data,
                "employment_verified": "employment" in self.verified.data,
                "anomalies": ",".join(self.anomalies.data), "actions": self.actions.data or None,
                "next_date": self.next_date.data}

    def fill(self, visit):
        """Show a saved visit in the form."""
        self.process(obj=visit)
        self.found_at_home.data = "yes" if visit.found_at_home else "no"
        self.verified.data = [k for k, on in (("living", visit.living_verified),
                                              ("employment", visit.employment_verified)) if on]
        self.anomalies.data = [a for a in visit.anomalies.split(",") if a]
        self.version.data = visit.version


class RiskForm(Form):
    assessed_on = day_field("评估日期")
    level = RadioField("风险等级", choices=list(RISK_LEVELS.items()),
                       validators=[InputRequired("请选择风险等级：高、中或低。")])
    factors = Checklist("风险因素", choices=list(FACTORS.items()))
    notes = TextAreaField("评估说明", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    next_review = day_field("下次复评日期", required=False, future=True, description="留空则按风险等级的复评周期推算")
    version = HiddenField()

    def fill(self, assessment):
        """Show a saved assessment in the form."""
        self.process(obj=assessment)
        self.factors.data = [f for f in assessment.factors.split(",") if f]
        self.version.data = assessment.version

    def values(self):
        """Model values; a blank next review follows the level's cadence."""
        return {"assessed_on": self.assessed_on.data, "level": self.level.data,
                "factors": ",".join(self.factors.data), "notes": self.notes.data or None,
                "next_review": self.next_review.data or next_review(self.level.data, self.assessed_on.data)}

    def validate_next_review(self, field):
        if field.data and self.assessed_on.data and field.data <= self.assessed_on.data:
            raise ValidationError("下次复评日期应晚于评估日期。")


def default_held_at():
    """Now, in station time, to the minute."""
    return local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


