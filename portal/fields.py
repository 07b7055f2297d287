"""What every form shares: the base form (WTForms' messages in Chinese), the field helpers and the
validators the areas' forms are built from, and the reason asked before an audited action."""
import re
import secrets

from flask import g, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (BooleanField, DateField, DecimalField, FloatField, HiddenField, IntegerField, SelectMultipleField,
                     StringField, TextAreaField, widgets)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .dates import DAY_FORMATS, today

REQUIRED = "此项为必填项。"
NOT_SAVED = "一键登记未保存，请核对下方各项后点“保存”。"  # a one-click save whose prefill did not do (Form.as_posted)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# Full-width digits and Latin letters (often typed with a Chinese IME) become ASCII;
# Chinese punctuation such as （）〔〕 is left as typed.
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
HALF_WIDTH[0x3000] = 0x20


def new_token():
    return secrets.token_urlsafe(24)


# Input hygiene, for every form in one place: C0 control characters (a \x0b pasted from Word, a \x00)
# never reach the database, where they would break every Excel export and PDF that shows them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")
LARGEST = 2 ** 53  # beyond this a number is no real value (and SQLite's integers end at 2**63)
NUMBER = "请输入有效的数字。"
ENGLISH = {  # messages WTForms has no Chinese for
    "is not a valid choice": "请从列表中选择，所填的不是可选项。",
    "Invalid Choice": "请从列表中选择，所填的不是可选项。",
    "Not a valid choice": "请从列表中选择，所填的不是可选项。",
}


def clean_controls(value, multiline):
    """Without control characters; a single-line value has no line breaks or tabs either (a space)."""
    if multiline:
        return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return CONTROL.sub("", LINE_BREAKS.sub(" ", value))


def chinese(message):
    return next((text for english, text in ENGLISH.items() if english.lower() in str(message).lower()), message)


class Form(FlaskForm):
    """Base form: WTForms' own messages in Simplified Chinese, input hygiene for every field, and a
    one-time token: a template renders it with `{{ form.form_token() }}` and the same form posted twice
    saves once (portal/web/once.py)."""

    form_token = HiddenField(default=new_token)

    class Meta:
        locales = ["zh"]

        def render_field(self, field, render_kw):
            """No `required` attribute: the browser's own bubble would speak its language (often English);
            an empty field is answered by the server, in Chinese, under the field."""
            return super().render_field(field, {**render_kw, "required": False})

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        for field in self:
            if isinstance(field.data, str):
                field.data = clean_controls(field.data, isinstance(field, TextAreaField))
            elif isinstance(field, (IntegerField, DecimalField, FloatField)) and field.data is not None \
                    and not _real_number(field.data):
                field.data = None  # sNaN, inf, 10**30: refused with a message, never stored
                field.process_errors.append(NUMBER)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:  # a list or sub-form's errors are its own forms' (translated there)
            if isinstance(field.errors, list) and all(isinstance(e, str) for e in field.errors):
                field.errors = list(dict.fromkeys(chinese(e) for e in field.errors if e))
        if valid and self.form_token.data and self.form_token.data == request.form.get("form_token"):
            g.form_token = self.form_token.data  # web/once.py keeps the answer to this save
        return valid

    def as_posted(self, **chosen):
        """This form's values as the browser would post them, with some fields `chosen` and the request's own
        CSRF and one-time tokens: a one-click save builds its form from them, so it is checked and saved the
        form's own way (a prefill that does not validate answers the form with its errors)."""
        posted = MultiDict()
        for field in self:
            if field.name in ("csrf_token", "form_token"):
                continue
            if isinstance(field, BooleanField):
                if field.data:
                    posted.add(field.name, "y")
            elif isinstance(field, SelectMultipleField):
                posted.setlist(field.name, [str(value) for value in field.data or []])
            elif hasattr(field, "_value"):
                posted.add(field.name, field._value())
            elif field.data is not None:
                posted.add(field.name, str(field.data))
        for name, value in chosen.items():
            posted[name] = value
        for name in ("csrf_token", "form_token"):
            if name in request.form:
                posted[name] = request.form[name]
        return posted


def _real_number(value):
    try:
        return value == value and abs(value) < LARGEST  # NaN is not equal to itself
    except (ArithmeticError, TypeError):  # a signalling NaN refuses even to be compared
        return False


def clean_text(value):
    """Full-width digits and letters to ASCII, surrounding spaces removed."""
    return value.translate(HALF_WIDTH).strip() if isinstance(value, str) else value


def check_phone(form, field):
    if field.data and not (MOBILE.match(field.data) or LANDLINE.match(field.data)):
        raise ValidationError("请输入 11 位手机号（如 13812345678）或带区号的固定电话（如 0851-86812345）。")


def not_future(form, field):
    if field.data and field.data > today():
        raise ValidationError("日期不能晚于今天。")


def day_field(label, required=True, future=False, **kwargs):
    """A date typed as text (one Tab stop, "2026-11-20"), as in the other record forms."""
    validators = [InputRequired(REQUIRED) if required else Optional()] + ([] if future else [not_future])
    return DateField(label, format=DAY_FORMATS, widget=widgets.TextInput(), validators=validators,
                     invalid_value_message="请按“2026-11-20”的格式填写日期。",
                     render_kw={"inputmode": "numeric", "placeholder": "如 2026-11-20", "autocomplete": "off"},
                     **kwargs)


def text(label, max_length=120, required=False, **kwargs):
    return StringField(label, filters=[clean_text], validators=[
        InputRequired(REQUIRED) if required else Optional(), Length(max=max_length)], **kwargs)


def notes(label, required=False, max_length=1000, **kwargs):
    return TextAreaField(label, filters=[clean_text], validators=[
        InputRequired(REQUIRED) if required else Optional(), Length(max=max_length)], **kwargs)


class Checklist(SelectMultipleField):
    """A group of checkboxes: one Tab stop each, Space ticks."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReasonForm(Form):
    """The reason asked before an audited action (a deletion, a full ID number, a lead reading notes)."""
    reason = StringField("事由", filters=[clean_text], validators=[
        DataRequired("请填写事由，此操作将记入审计日志。"), Length(min=2, max=200, message="事由为 2-200 个字。")])
