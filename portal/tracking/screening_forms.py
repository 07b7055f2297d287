"""Forms of a drug test (Screening): the inline form, and a testing day's shared header with one
row per person; both check a result the same way."""
import re

import wtforms
from wtforms import BooleanField, FieldList, FormField, HiddenField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..fields import Checklist, Form, clean_text, day_field, notes, text
from ..models import PANELS, RESULTS, SAMPLES, SCREENING_KINDS

TESTED = ("negative", "positive", "invalid")  # a sample was taken and read


def split_names(value):
    return [n for n in re.split(r"[、,，;；\s]+", value or "") if n]


def enough_collectors(value):
    """At least two persons take a sample (DOMAIN.md §3)."""
    return len(split_names(value)) >= 2


def collector_names(value):
    """The collectors as stored ("李明、陈丽"), if there are enough of them."""
    names = split_names(value)
    if not enough_collectors(value):
        raise ValidationError("采样/检测人员至少两人，请用顿号分隔姓名（如：李明、陈丽）。")
    return "、".join(names)


class ScreeningHeader(Form):
    """What a testing session shares: date, kind, sample, panel, collectors, police station."""

    tested_on = day_field("检测日期")
    kind = SelectField("检测方式", choices=list(SCREENING_KINDS.items()), default="onsite")
    sample = SelectField("样本", choices=list(SAMPLES.items()), default="urine")
    panels = Checklist("检测项目", choices=list(PANELS.items()), default=["opiates", "meth", "ketamine"])
    collectors = text("采样/检测人员", required=True, description="至少两人，用顿号分隔，如：李明、陈丽")
    female_collector = BooleanField("采样人员中有女性", description="女性尿样须由女性工作人员采集")
    police_station = text("协同派出所", max_length=60, description="如 新华路派出所")

    def validate_collectors(self, field):
        field.data = collector_names(field.data)

    def header_values(self):
        return {"tested_on": self.tested_on.data, "kind": self.kind.data, "sample": self.sample.data,
                "panels": ",".join(self.panels.data), "collectors": self.collectors.data,
                "female_collector": self.female_collector.data, "police_station": self.police_station.data or None}


class ResultFields:
    """The per-person part of a screening, checked the same way inline and on a testing day."""

    def check_result(self):
        """A positive needs its A/B sample numbers (B for the retest) and what it was positive for."""
        if self.result.data != "positive":
            return True
        ok = True
        for f in (self.sample_a, self.sample_b):
            if not f.data:
                f.errors = list(f.errors) + ["阳性结果须填写 A、B 样本编号（B 样用于复检）。"]
                ok = False
        if not self.positive_panels.data:
            self.positive_panels.errors = list(self.positive_panels.errors) + ["请选择阳性的检测项目。"]
            ok = False
        return ok

    def positives(self):
        data = self.positive_panels.data
        return "" if self.result.data != "positive" else (",".join(data) if isinstance(data, list) else data)


class ScreeningForm(ScreeningHeader, ResultFields):
    result = RadioField("检测结果", choices=list(RESULTS.items()), validators=[InputRequired("请选择检测结果。")])
    positive_panels = Checklist("阳性项目", choices=list(PANELS.items()), description="结果为阳性时勾选")
    sample_a = text("A 样本编号", max_length=40)
    sample_b = text("B 样本编号", max_length=40)
    random = BooleanField("随机抽检")
    signed = BooleanField("本人已签字确认", default=True)
    notes = notes("备注")
    version = HiddenField()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.result.data in TESTED and not self.panels.data:
            self.panels.errors = list(self.panels.errors) + ["请至少勾选一项检测项目。"]
            ok = False
        if self.result.data == "positive" and not set(self.positive_panels.data) <= set(self.panels.data):
            self.positive_panels.errors = list(self.positive_panels.errors) + ["阳性项目须是本次检测的项目之一。"]
            ok = False
        return self.check_result() and ok

    def values(self):
        return {**self.header_values(), "result": self.result.data, "positive_panels": self.positives(),
                "sample_a": self.sample_a.data or None,
                "sample_b": self.sample_b.data or None, "random": self.random.data, "signed": self.signed.data,
                "notes": self.notes.data or None}

    def fill(self, screening):
        self.process(obj=screening)
        self.panels.data = [p for p in screening.panels.split(",") if p]
        self.positive_panels.data = [p for p in screening.positive_panels.split(",") if p]
        self.version.data = screening.version


# A testing day: the header once, then one row per chosen person. Options start with a digit so
# that a keyboard user types 1-6 on the focused list to pick a result.
ROW_RESULTS = [("", "请选择")] + [(key, "%d %s" % (i, label)) for i, (key, label) in enumerate(RESULTS.items(), 1)]


class ScreeningRow(wtforms.Form, ResultFields):
    class Meta:
        locales = ["zh"]

    person_id = HiddenField()
    result = SelectField("检测结果", choices=ROW_RESULTS, validators=[InputRequired("请选择检测结果。")])
    positive_panels = SelectField("阳性项目", choices=[("", "—")] + list(PANELS.items()), default="")
    sample_a = StringField("A 样本编号", filters=[clean_text], validators=[Optional(), Length(max=40)])
    sample_b = StringField("B 样本编号", filters=[clean_text], validators=[Optional(), Length(max=40)])
    random = BooleanField("随机抽检")
    signed = BooleanField("已签字", default=True)
    notes = StringField("备注", filters=[clean_text], validators=[Optional(), Length(max=200)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.result.data:
            self.result.errors = ["请选择检测结果。"]
            ok = False
        return self.check_result() and ok

    def values(self):
        return {"result": self.result.data, "positive_panels": self.positives(), "sample_a": self.sample_a.data or None,
                "sample_b": self.sample_b.data or None, "random": self.random.data, "signed": self.signed.data,
                "notes": self.notes.data or None}


class TestingDayForm(ScreeningHeader):
    rows = FieldList(FormField(ScreeningRow))
