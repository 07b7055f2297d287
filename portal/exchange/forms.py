"""The station code (a setting) and the month of a package."""
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import InputRequired

from ..fields import REQUIRED, Form, clean_text
from .package import code_problem


def hyphen(value):
    """A hyphen typed with a Chinese IME (－ — –) is the ASCII one."""
    return value.translate({0xFF0D: "-", 0x2014: "-", 0x2013: "-"}) if isinstance(value, str) else value


class StationCodeForm(Form):
    code = StringField("工作站代码", filters=[clean_text, hyphen], validators=[InputRequired(REQUIRED)],
                       description="县级行政区划代码（GB/T 2260，6 位）加“-”和 2 位站号，例如 520102-01；以省局分配的为准。")

    def validate_code(self, field):
        problem = code_problem(field.data)
        if problem:
            raise ValidationError(problem)


class MonthForm(Form):
    month = SelectField("报送月份", validators=[InputRequired("请选择月份。")], validate_choice=False)
