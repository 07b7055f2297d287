"""禁毒专干培训: the trainee roster (专干, volunteers, 网格员), training sessions and attendance."""
from peewee import BooleanField, CharField, DateField, DecimalField, ForeignKeyField, IntegerField, TextField

from .core import BaseModel, User, Versioned, _in

TRAINEE_TYPES = {"worker": "禁毒专干", "volunteer": "志愿者", "grid": "网格员"}
TRAINING_TOPICS = {"law": "法律法规", "methods": "管理教育方法", "communication": "沟通技巧", "home_visits": "入户技巧",
                   "drugs": "毒品识别", "risk": "风险评估", "crisis": "心理危机识别", "other": "其他"}
ATTENDANCE = {"present": "出席", "absent": "缺席", "excused": "请假"}


class Trainee(Versioned):
    name = CharField()
    kind = CharField(constraints=[_in("kind", TRAINEE_TYPES)])
    unit = CharField(null=True)
    phone = CharField(null=True)
    joined_on = DateField(null=True)
    user = ForeignKeyField(User, null=True, unique=True, backref="trainee")  # the account, when they have one
    active = BooleanField(default=True)


class TrainingSession(Versioned):
    held_on = DateField(index=True)
    title = CharField()
    audience = CharField(constraints=[_in("audience", TRAINEE_TYPES)])
    trainer = CharField()
    topics = CharField(default="")  # comma-separated TRAINING_TOPICS keys
    hours = DecimalField(max_digits=4, decimal_places=1)
    venue = CharField()
    materials = TextField(null=True)
    staff = ForeignKeyField(User)

    @property
    def topic_labels(self):
        return [TRAINING_TOPICS[t] for t in self.topics.split(",") if t in TRAINING_TOPICS]


class Attendance(BaseModel):
    """A trainee on a session's roster; hours are credited when present."""

    session = ForeignKeyField(TrainingSession, backref="attendance")
    trainee = ForeignKeyField(Trainee, backref="attendance")
    status = CharField(default="absent", constraints=[_in("status", ATTENDANCE)])
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("session", "trainee"), True),)
