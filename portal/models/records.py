"""The routine work recorded about a person: talks, home visits and risk assessments (the earlier
versions of corrected records are Revisions, in base.py)."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from .accounts import User
from .base import Versioned, check_in
from .persons import Person

TALK_PLACES = {"sunshine": "阳光驿站", "home": "家中", "work": "单位", "phone": "电话", "video": "视频"}
TALK_KINDS = {"routine": "例行", "after_breach": "违约后", "after_positive": "阳性后", "other": "其他"}
TALK_TOPICS = {
    "thoughts": "思想动态", "health": "身体/用药", "family": "家庭关系", "work": "就业/收入",
    "housing": "住所变动", "travel": "外出计划", "contacts": "毒友接触", "law": "法律教育",
}
ASSESSMENTS = {"stable": "稳定", "fluctuating": "波动", "high": "高危"}
SIGNATURES = {"signed": "本人已签字", "refused": "本人拒绝签字"}


class Talk(Versioned):
    """A face-to-face talk (面对面谈话)."""

    person = ForeignKeyField(Person, backref="talks")
    staff = ForeignKeyField(User, backref="talks")
    held_at = DateTimeField(index=True)  # the station list pages newest first
    place = CharField(constraints=[check_in("place", TALK_PLACES)])
    participants = CharField(null=True)
    kind = CharField(default="routine", constraints=[check_in("kind", TALK_KINDS)])
    topics = CharField(default="")  # comma-separated TALK_TOPICS keys
    risk_factors = TextField(null=True)
    assessment = CharField(constraints=[check_in("assessment", ASSESSMENTS)])
    actions = TextField(null=True)
    next_date = DateField(null=True)
    signature = CharField(constraints=[check_in("signature", SIGNATURES)])

    class Meta:
        # covers the timeline and the queue's "latest talk per person" without reading rows
        indexes = ((("person", "deleted_at", "held_at", "next_date"), False),)

    @property
    def topic_labels(self):
        return [TALK_TOPICS[t] for t in self.topics.split(",") if t in TALK_TOPICS]


VISIT_ANOMALIES = {"contacts": "疑似接触毒友", "separated": "人户分离", "lost": "失联", "other": "其他"}


class HomeVisit(Versioned):
    """A home visit (入户走访)."""

    person = ForeignKeyField(Person, backref="visits")
    staff = ForeignKeyField(User, backref="visits")
    visited_on = DateField(index=True)
    visitors = CharField()
    address = CharField()
    found_at_home = BooleanField()
    family_met = CharField(null=True)
    living_verified = BooleanField(default=False)
    employment_verified = BooleanField(default=False)
    anomalies = CharField(default="")  # comma-separated VISIT_ANOMALIES keys
    actions = TextField(null=True)
    next_date = DateField(null=True)

    class Meta:
        indexes = ((("person", "deleted_at", "visited_on", "next_date"), False),)

    @property
    def anomaly_labels(self):
        return [VISIT_ANOMALIES[a] for a in self.anomalies.split(",") if a in VISIT_ANOMALIES]


RISK_LEVELS = {"high": "高", "medium": "中", "low": "低"}


class RiskAssessment(Versioned):
    """A risk assessment; the rules that set and force levels live in records/risk_levels.py."""

    person = ForeignKeyField(Person, backref="risk_assessments")
    assessor = ForeignKeyField(User, null=True, backref="risk_assessments")
    assessed_on = DateField()
    level = CharField(constraints=[check_in("level", RISK_LEVELS)])
    factors = CharField(default="")  # comma-separated risk.FACTORS keys
    notes = TextField(null=True)
    next_review = DateField()
    forced_by = CharField(null=True)  # the trigger that forced "high", if any

    class Meta:
        indexes = ((("person", "deleted_at", "assessed_on", "level", "next_review"), False),
                   (("person", "deleted_at", "assessed_on"), False))  # the queue's current level (ties: the newer)

