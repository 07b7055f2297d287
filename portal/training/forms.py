"""Forms of the trainee roster and training sessions."""
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, NumberRange

from ..fields import Checklist, Form, check_phone, day_field, notes, text
from ..models import TRAINEE_TYPES, TRAINING_TOPICS


class TraineeForm(Form):
    name = text("姓名", required=True, max_length=32)
    kind = SelectField("类型", choices=list(TRAINEE_TYPES.items()), default="volunteer")
    unit = text("单位/社区", max_length=60)
    phone = text("联系电话", max_length=20)
    joined_on = day_field("加入日期", required=False)
    user = SelectField("登录账户", coerce=int, default=0, description="有账户的可登录查看自己的培训和时长")

    def validate_phone(self, field):
        check_phone(self, field)

    def values(self):
        return {"name": self.name.data, "kind": self.kind.data, "unit": self.unit.data or None,
                "phone": self.phone.data or None, "joined_on": self.joined_on.data, "user": self.user.data or None}


class SessionForm(Form):
    held_on = day_field("日期", future=True)
    title = text("主题", required=True, max_length=80, description="如：2026 年第三季度禁毒专干业务培训")
    audience = SelectField("培训对象", choices=list(TRAINEE_TYPES.items()), default="worker")
    trainer = text("授课人", required=True, max_length=60)
    topics = Checklist("培训内容", choices=list(TRAINING_TOPICS.items()))
    hours = DecimalField("学时", places=1, validators=[InputRequired("请填写学时。"),
                                                     NumberRange(0.5, 24, "学时应在 0.5 到 24 之间。")])
    venue = text("地点", required=True, max_length=60, description="如：阳光驿站会议室")
    materials = notes("培训材料", max_length=1000)

    def validate_topics(self, field):
        if not field.data:
            from wtforms.validators import ValidationError
            raise ValidationError("请至少勾选一项培训内容。")

    def values(self):
        return {"held_on": self.held_on.data, "title": self.title.data, "audience": self.audience.data,
                "trainer": self.trainer.data, "topics": ",".join(self.topics.data), "hours": self.hours.data,
                "venue": self.venue.data, "materials": self.materials.data or None}
