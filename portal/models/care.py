"""Counselling (心理疏导) with notes restricted to their author, and assistance cases (the "N"
items: 民政救助, 医疗救助, 就业, 助学, 法律援助) with their timeline of steps."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, Versioned, check_in
from .persons import FamilyMember, Person

COUNSELLING_MODES = {"individual": "个体", "group": "团体", "family": "家庭", "sandplay": "沙盘"}
PRESENTING = {"mood": "情绪低落/焦虑", "sleep": "睡眠问题", "craving": "心瘾/渴求", "family": "家庭关系",
              "parenting": "亲子关系", "work": "就业/经济压力", "stigma": "社会歧视/自我否定", "other": "其他"}
SCALES = {"scl90": ("SCL-90 总分", 90, 450), "phq9": ("PHQ-9", 0, 27), "gad7": ("GAD-7", 0, 21)}


class CounsellingSession(Versioned):
    """A counselling session; `notes` are read only by their author (and the lead, with a reason),
    `summary` is what the counsellor shares with the person's worker."""

    person = ForeignKeyField(Person, backref="counselling", index=False)
    concerns = ForeignKeyField(FamilyMember, null=True)  # a session about a family member (e.g. the child)
    counsellor = ForeignKeyField(User, backref="counselling")
    held_on = DateField()
    mode = CharField(constraints=[check_in("mode", COUNSELLING_MODES)])
    presenting = CharField(default="")  # comma-separated PRESENTING keys
    scl90 = IntegerField(null=True)
    phq9 = IntegerField(null=True)
    gad7 = IntegerField(null=True)
    crisis = BooleanField(default=False)  # self-harm risk: forces the risk level to high
    plan = TextField(null=True)
    next_date = DateField(null=True)
    notes = TextField(null=True)
    summary = TextField(null=True)

    class Meta:
        indexes = ((("person", "deleted_at", "held_on"), False),)

    @property
    def presenting_labels(self):
        return [PRESENTING[p] for p in self.presenting.split(",") if p in PRESENTING]


ASSISTANCE_CATEGORIES = {
    "subsistence": "民政救助·低保", "temporary": "民政救助·临时救助", "medical": "医疗救助",
    "skills": "就业·技能培训", "placement": "就业·推荐就业", "public_post": "就业·公益岗位",
    "schooling": "助学", "legal": "法律援助", "other": "其他",
}
PARTNERS = {"civil": "民政", "women": "妇联", "street": "街道", "police": "派出所", "school": "学校",
            "politics": "政法委", "hrss": "人社", "health": "卫健", "justice": "司法所", "other": "其他"}
ASSISTANCE_STATUSES = {"applied": "申请", "accepted": "受理", "in_progress": "办理中", "closed": "办结",
                       "rejected": "未通过"}
OPEN_ASSISTANCE = ("applied", "accepted", "in_progress")


class AssistanceCase(Versioned):
    person = ForeignKeyField(Person, backref="assistance", index=False)
    beneficiary = ForeignKeyField(FamilyMember, null=True)  # None: the person themself
    category = CharField(constraints=[check_in("category", ASSISTANCE_CATEGORIES)])
    title = CharField()
    partners = CharField(default="")  # comma-separated PARTNERS keys
    status = CharField(default="applied", constraints=[check_in("status", ASSISTANCE_STATUSES)])
    opened_on = DateField()
    closed_on = DateField(null=True)
    outcome = TextField(null=True)
    amount = IntegerField(null=True)  # yuan
    staff = ForeignKeyField(User)

    class Meta:
        indexes = ((("person", "deleted_at", "opened_on"), False), (("status", "opened_on"), False))

    @property
    def partner_labels(self):
        return [PARTNERS[p] for p in self.partners.split(",") if p in PARTNERS]

    @property
    def helped_birth_date(self):
        """The birth date of the one helped: the family member the case is for, or the person."""
        return self.beneficiary.birth_date if self.beneficiary_id else self.person.birth_date


class AssistanceStep(BaseModel):
    """One step of an assistance case: what was done, by whom, and what comes next."""

    assistance = ForeignKeyField(AssistanceCase, backref="steps")
    on = DateField()
    who = CharField()
    done = TextField()
    next_step = CharField(null=True)
    next_date = DateField(null=True)
    staff = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)
