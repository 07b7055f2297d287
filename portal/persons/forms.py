"""Forms of a person's identity, case and family, with the station's validation rules."""

from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import idcard
from ..dates import today
from ..fields import REQUIRED, Form, ReasonForm, check_phone, clean_text, day_field, not_future  # noqa: F401 (ReasonForm)
from ..models import MEASURES, RELATIONS, SEXES
from ..tracking.plan import SCREENING_PRESETS

COMMUNITY_DETOX_MONTHS = 36  # 禁毒法 33: the term of 社区戒毒 is three years
MAX_TERM_MONTHS = 36  # 禁毒法 48: 社区康复 up to three years
DRUG_TYPES = ("", "海洛因", "冰毒（甲基苯丙胺）", "麻古", "氯胺酮（K粉）", "大麻", "摇头丸", "合成大麻素", "其他")
ETHNICITIES = ("汉族", "苗族", "布依族", "侗族", "土家族", "彝族", "仡佬族", "水族", "回族", "白族", "瑶族", "壮族", "其他")


class PersonForm(Form):
    name = StringField("姓名", filters=[clean_text], validators=[
        DataRequired(REQUIRED), Length(max=32, message="姓名不超过 32 个字。")])
    id_number = StringField("身份证号", filters=[idcard.normalize], validators=[DataRequired(REQUIRED)],
                            description="18 位，末位 X 大小写均可；出生日期和性别将按号码核对")
    sex = SelectField("性别", choices=[("", "按身份证号自动填写")] + list(SEXES.items()), validators=[Optional()])
    birth_date = DateField("出生日期", validators=[Optional()],
                           description="可留空，按身份证号自动填写")
    ethnicity = SelectField("民族", choices=[(e, e) for e in ETHNICITIES], default="汉族")
    phone = StringField("联系电话", filters=[clean_text], validators=[Optional(), check_phone])
    household_address = StringField("户籍地址", filters=[clean_text], validators=[Optional(), Length(max=120)])
    residence_address = StringField("现住址", filters=[clean_text], validators=[Optional(), Length(max=120)])
    employment = StringField("就业情况", filters=[clean_text], validators=[Optional(), Length(max=60)])
    drug_type = SelectField("滥用毒品种类", choices=[(d, d or "（未填写）") for d in DRUG_TYPES])
    notes = TextAreaField("备注", filters=[clean_text], validators=[Optional(), Length(max=2000)])
    version = HiddenField()

    def validate_id_number(self, field):
        try:
            number, birth, sex = idcard.parse(field.data, today())
        except idcard.InvalidIdNumber as exc:
            raise ValidationError(str(exc)) from None
        field.data = number
        self.parsed = (birth, sex)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        parsed = getattr(self, "parsed", None)
        if parsed:
            birth, sex = parsed
            if self.sex.data and self.sex.data != sex:
                self.sex.errors.append("性别与身份证号不符（号码第 17 位表示%s）。" % SEXES[sex])
                ok = False
            if self.birth_date.data and self.birth_date.data != birth:
                self.birth_date.errors.append("出生日期与身份证号不符（号码中为 %s）。" % birth.isoformat())
                ok = False
        return ok

    def values(self):
        """Model values from the form; sex and birth date come from the ID number."""
        birth, sex = self.parsed
        data = {name: self[name].data for name in (
            "name", "id_number", "ethnicity", "phone", "household_address", "residence_address",
            "employment", "drug_type", "notes")}
        data.update(birth_date=birth, sex=sex)
        return {k: (v if v != "" else None) for k, v in data.items()}


class CaseForm(Form):
    measure = SelectField("措施类型", choices=list(MEASURES.items()))
    decision_number = StringField("决定书文号", filters=[clean_text], validators=[
        DataRequired(REQUIRED), Length(max=60)], description="如 筑南公（禁）社戒决字〔2024〕15号")
    decision_date = DateField("决定日期", validators=[InputRequired(REQUIRED), not_future])
    served_date = DateField("送达日期", validators=[InputRequired(REQUIRED), not_future])
    report_date = DateField("报到日期", validators=[Optional(), not_future],
                            description="尚未报到可留空，报到时在档案中办理“报到”；期限自报到之日起计算")
    term_months = IntegerField("期限（月）", default=COMMUNITY_DETOX_MONTHS,
                               validators=[InputRequired("请填写期限月数。")])
    street = StringField("执行地街道/乡镇", filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=60)])
    officer = SelectField("责任民警", coerce=int)
    worker = SelectField("责任专干", coerce=int)
    counsellor = SelectField("心理咨询师", coerce=int)
    credited_days = IntegerField("折抵天数", default=0, validators=[
        InputRequired("请填写折抵天数，没有则填 0。"), NumberRange(0, 1095, "折抵天数为 0-1095。")],
        description="强制隔离戒毒期间折抵社区戒毒期限的天数（《戒毒条例》第三十一条），没有填 0")
    screening_preset = SelectField("检测方案", choices=[("", "按本站检测方案")] + [
        (key, label) for key, (label, _, _) in SCREENING_PRESETS.items()])
    version = HiddenField()

    def set_staff(self, officers, workers, counsellors):
        none = [(0, "（未指定）")]
        self.officer.choices = none + [(u.id, u.display_name) for u in officers]
        self.worker.choices = none + [(u.id, u.display_name) for u in workers]
        self.counsellor.choices = none + [(u.id, u.display_name) for u in counsellors]

    def validate_served_date(self, field):
        if field.data and self.decision_date.data and field.data < self.decision_date.data:
            raise ValidationError("送达日期不能早于决定日期。")

    def validate_report_date(self, field):
        if field.data and self.served_date.data and field.data < self.served_date.data:
            raise ValidationError("报到日期不能早于送达日期。")

    def validate_term_months(self, field):
        if field.data is None:
            return
        if self.measure.data == "community_detox" and field.data != COMMUNITY_DETOX_MONTHS:
            raise ValidationError("社区戒毒期限为三年（36 个月，《禁毒法》第三十三条）。")
        if not 1 <= field.data <= MAX_TERM_MONTHS:
            raise ValidationError("社区康复期限为 1-36 个月（不超过三年，《禁毒法》第四十八条）。")

    def values(self):
        data = {name: self[name].data for name in (
            "measure", "decision_number", "decision_date", "served_date", "report_date",
            "term_months", "street", "credited_days")}
        data["screening_preset"] = self.screening_preset.data or None
        for name in ("officer", "worker", "counsellor"):
            data[name] = self[name].data or None
        return data


class FamilyMemberForm(Form):
    name = StringField("姓名", filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=32)])
    relation = SelectField("关系", choices=[("", "请选择")] + [(r, r) for r in RELATIONS],
                           validators=[DataRequired("请选择与本人的关系。")])
    phone = StringField("联系电话", filters=[clean_text], validators=[Optional(), check_phone])
    birth_date = day_field("出生日期", required=False)
    is_guardian = BooleanField("监护人/紧急联系人")
    notes = StringField("备注", filters=[clean_text], validators=[Optional(), Length(max=200)])

    def values(self):
        return {name: (self[name].data if self[name].data != "" else None) for name in (
            "name", "relation", "phone", "birth_date", "is_guardian", "notes")}


