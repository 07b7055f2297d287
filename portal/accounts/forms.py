"""Forms of accounts and sign-in."""
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from .. import permissions
from ..fields import REQUIRED, Form
from ..models import User
from . import passwords


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class ChangePasswordForm(Form):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField("再次输入新密码",
                            validators=[DataRequired(REQUIRED), EqualTo("new", "两次输入的新密码不一致。")])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.wrong_current = False  # set when validation found a wrong current password: it counts toward the lockout

    def validate_current(self, field):
        if not passwords.verify(self.user.password_hash, field.data):
            self.wrong_current = True
            raise ValidationError("当前密码不正确。连续输错将锁定账户。")

    def validate_new(self, field):
        issues = passwords.problems(field.data, self.user.username)
        if field.data == self.current.data:
            issues.append("新密码不能与当前密码相同。")
        if issues:
            raise ValidationError(" ".join(issues))


class UserForm(Form):
    username = StringField("用户名", validators=[
        DataRequired(REQUIRED), Length(3, 32, "用户名长度为 3-32 个字符。"),
        Regexp(r"^[a-z][a-z0-9_.-]*$", message="用户名只能用小写字母开头，包含小写字母、数字、点、下划线或连字符。")])
    display_name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    role = SelectField("角色", choices=[],
                       validators=[DataRequired("请选择角色：每个账户的权限由角色决定。")])
    is_active = BooleanField("账户启用", default=True)

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", "请选择角色")] + list(permissions.roles().items())  # the instance's roles, none chosen
        self.editing = editing

    def validate_username(self, field):
        clash = User.select().where(User.username == field.data)
        if self.editing is not None:
            clash = clash.where(User.id != self.editing.id)
        if clash.exists():
            raise ValidationError("该用户名已被使用。")
