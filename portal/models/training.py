"""禁毒专干培训: the trainee roster (专干, volunteers, 网格员), training sessions and attendance."""
from peewee import BooleanField, CharField, DateField, DecimalField, ForeignKeyField, IntegerField, TextField

from .accounts import User
from .base import BaseModel, Versioned, check_in

TRAINEE_TYPES = {"worker": "禁毒专干", "volunteer": "志愿者", "grid": "网格员"}
TRAINING_TOPICS = {"law": "法律法规", "methods": "管理教育方法", "communication": "沟通技巧", "home_visits": "入户技巧",
                   "drugs": "毒品识别", "risk": "风险评估", "crisis": "心理危机识别", "other": "其他"}
ATTENDANCE = {"unrecorded": "未记录", "present": "出席", "absent": "缺席", "excused": "请假"}
MARKS = ("present", "absent", "excused")  # what a click records; "unrecorded" until then


class Trainee(Versioned):
    name = CharField()
    kind = CharField(constraints=[check_in("kind", TRAINEE_TYPES)])
    unit = CharField(null=True)
    phone = CharField(null=True)
    joined_on = DateField(null=True)
    user = ForeignKeyField(User, null=True, unique=True, backref="trainee")  # the account, when they have one
    active = BooleanField(default=True)


class TrainingSession(Versioned):
    held_on = DateField(index=True)
    title = CharField()
    audience = CharField(constraints=[check_in("audience", TRAINEE_TYPES)])
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
    """A trainee on a session's roster, 未记录 until marked; hours are credited when present."""

    session = ForeignKeyField(TrainingSession, backref="attendance")
    trainee = ForeignKeyField(Trainee, backref="attendance")
    status = CharField(default="unrecorded", constraints=[check_in("status", ATTENDANCE)])
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("session", "trainee"), True),)


VENUE_TYPES = {"school": "学校", "family": "家庭", "community": "社区", "village": "农村", "unit": "单位",
               "venue": "场所"}  # 禁毒宣传 "六进"
EVENT_FORMATS = {"lecture": "讲座", "exhibition": "展板", "consultation": "咨询", "performance": "文艺", "online": "线上"}
AUDIENCE_GROUPS = {"students": "学生", "residents": "居民", "workers": "职工", "villagers": "村民", "other": "其他"}


class PreventionEvent(Versioned):
    """A 禁毒宣传教育 event."""

    held_on = DateField(index=True)
    title = CharField()
    venue_type = CharField(constraints=[check_in("venue_type", VENUE_TYPES)])
    venue = CharField()
    partners = CharField(null=True)
    format = CharField(constraints=[check_in("format", EVENT_FORMATS)])
    audience = TextField(default="{}")  # JSON: AUDIENCE_GROUPS key -> head count
    leaflets = IntegerField(default=0)
    consultations = IntegerField(default=0)
    staff = ForeignKeyField(User)

    @property
    def audience_counts(self):
        import json
        return {k: v for k, v in json.loads(self.audience or "{}").items() if v}

    @property
    def audience_total(self):
        return sum(self.audience_counts.values())


class EventVolunteer(BaseModel):
    """A volunteer (or worker) who served at an event, with the hours logged."""

    event = ForeignKeyField(PreventionEvent, backref="volunteers")
    trainee = ForeignKeyField(Trainee, backref="events")
    hours = DecimalField(max_digits=4, decimal_places=1)

    class Meta:
        indexes = ((("event", "trainee"), True),)


class EventPhoto(BaseModel):
    """A photo of an event: stored under a random name outside static/, served as an attachment."""

    event = ForeignKeyField(PreventionEvent, backref="photos")
    stored_name = CharField(unique=True)
    original_name = CharField()
    mime = CharField()
    size = IntegerField()
    staff = ForeignKeyField(User)
