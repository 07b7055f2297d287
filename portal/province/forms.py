"""The province's forms: a station under a county, its registered key."""
import base64
import binascii

from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..exchange.package import code_problem
from ..fields import REQUIRED, Form
from ..models import OrgUnit


def raw_key(text):
    """The 32 raw bytes of a base64 Ed25519 public key, or None when it is not one."""
    try:
        raw = base64.b64decode((text or "").strip().encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    return raw if len(raw) == 32 else None


def validate_key(form, field):
    raw = raw_key(field.data)
    if raw is None:
        raise ValidationError("公钥应为 Base64 编码的 Ed25519 公钥（32 字节，44 个字符，即该站报送包文件中 key 一项）。")
    holder = OrgUnit.get_or_none(OrgUnit.public_key == base64.b64encode(raw).decode("ascii"))
    if holder is not None:  # one key, one station: no station may sign for another
        raise ValidationError("该公钥已登记给 %s %s：每个工作站应有自己的密钥。" % (holder.code, holder.name))


class StationForm(Form):
    code = StringField("工作站代码", validators=[DataRequired(REQUIRED), Length(max=9)])
    name = StringField("工作站名称", validators=[DataRequired(REQUIRED), Length(max=64)])
    public_key = TextAreaField("公钥（Base64）", validators=[DataRequired(REQUIRED), validate_key])

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county

    def validate_code(self, field):
        field.data = (field.data or "").strip()
        problem = code_problem(field.data)
        if problem:
            raise ValidationError(problem)
        if self.county is not None and field.data[:6] != self.county.code:
            raise ValidationError("工作站代码应以所在县（市、区）的代码 %s 开头。" % self.county.code)
        if OrgUnit.select().where(OrgUnit.code == field.data).exists():
            raise ValidationError("代码 %s 已登记。" % field.data)


class KeyForm(Form):
    public_key = TextAreaField("新公钥（Base64）", validators=[DataRequired(REQUIRED), validate_key])


class UploadForm(Form):
    files = MultipleFileField("报送包文件（可多选）")
