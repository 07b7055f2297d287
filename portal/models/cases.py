"""Cases (the 社区戒毒 or 社区康复 measure ordered for a person) and their lifecycle under 戒毒条例:
case events and agreements.

The rules that read these tables live in lifecycle.py.
"""
from peewee import BooleanField, CharField, Check, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, Versioned, check_in
from .persons import Person

MEASURES = {"community_detox": "社区戒毒", "community_rehab": "社区康复"}
CASE_STATUSES = {
    "pending_report": "待报到",
    "active": "执行中",
    "suspended": "中止",
    "released": "期满解除",
    "terminated": "终止",
    "compulsory": "转强戒",
    "transferred": "转出",
    "deceased": "死亡",
}
ACTIVE_STATUSES = ("pending_report", "active", "suspended")  # the measure is in force (在册)
RUNNING_STATUSES = ("active", "suspended")  # reported and not ended: tests and absences belong to it


class Case(Versioned):
    """A 社区戒毒 or 社区康复 measure ordered for a person."""

    person = ForeignKeyField(Person, backref="cases")
    measure = CharField(constraints=[check_in("measure", MEASURES)])
    decision_number = CharField()
    decision_date = DateField()
    served_date = DateField()
    report_date = DateField(null=True)
    term_months = IntegerField(constraints=[Check("term_months BETWEEN 1 AND 36")])
    street = CharField()
    officer = ForeignKeyField(User, null=True, backref="officer_cases")
    worker = ForeignKeyField(User, null=True, backref="worker_cases", index=True)
    counsellor = ForeignKeyField(User, null=True, backref="counsellor_cases")
    status = CharField(default="pending_report", constraints=[check_in("status", CASE_STATUSES)])
    credited_days = IntegerField(default=0)  # days of 强制隔离戒毒 credited to the term (戒毒条例 31)
    suspended_days = IntegerField(default=0)  # days of closed suspensions (24), kept by lifecycle.py
    screening_preset = CharField(null=True)  # this person's test schedule; None = the station's
    # the person's newest live case: kept by the database's triggers on every write (migration 0026), never
    # set by code; read through is_current()
    current = BooleanField(default=False)

    class Meta:
        indexes = ((("person", "deleted_at", "id"), False),)  # the newest live case (migration 0026's triggers)
        constraints = [
            Check("report_date IS NULL OR report_date >= served_date"),
            Check("served_date >= decision_date"),
        ]

    @classmethod
    def current_of(cls, person_column):
        """SQL: the id of the current case of the person in `person_column` (NULL: none)."""
        other = cls.alias()
        return other.select(other.id).where(other.person == person_column, other.current)

    @classmethod
    def is_current(cls):
        """Expression: this case is the current case of its person (their newest live case)."""
        return cls.current

    @property
    def in_force(self):
        """The measure is in force: ordered and not ended (在册)."""
        return self.status in ACTIVE_STATUSES

    @property
    def is_running(self):
        """Reported and not ended: screenings and absences are recorded against it."""
        return self.status in RUNNING_STATUSES

    @property
    def code(self):
        """The case number that stands for the person on redacted papers (e.g. 个案 2025-0042)."""
        return "个案 %d-%04d" % (self.decision_date.year, self.id)

    @property
    def measure_label(self):
        return MEASURES[self.measure]

    @property
    def status_label(self):
        return CASE_STATUSES[self.status]


CASE_ACTIONS = {
    "report": "报到", "suspend": "中止执行", "resume": "恢复执行", "relocate": "变更执行地（本站内）",
    "release": "期满解除", "terminate": "终止执行", "compulsory": "转强制隔离戒毒", "transfer": "转出（变更执行地）",
    "death": "死亡",
}

CASE_ACTION_BUTTONS = {**CASE_ACTIONS, "report": "登记报到", "relocate": "变更执行地", "compulsory": "转强戒",
                       "transfer": "转出", "death": "登记死亡"}


# partial indexes over the current cases (migration 0026): a person's, and the counts by measure and status
Case.add_index(Case.index(Case.person, Case.current, where=Case.current, name="case_current_person"))
Case.add_index(Case.index(Case.measure, Case.status, Case.worker, Case.counsellor, Case.person, where=Case.current,
                          name="case_current_measure_status"))


class CaseEvent(BaseModel):
    """One transition of a case's state, dated and with its document (append-only history)."""

    case = ForeignKeyField(Case, backref="events")
    action = CharField(constraints=[check_in("action", CASE_ACTIONS)])
    from_status = CharField()
    to_status = CharField()
    on = DateField()
    document_number = CharField(null=True)
    place = CharField(null=True)  # the new place on a change of place
    notes = TextField(null=True)
    user = ForeignKeyField(User, null=True)
    created_at = DateTimeField(default=utcnow)
    reported_on = DateField(null=True)  # after a change of place: the report at the new place (22)

    class Meta:
        indexes = ((("case", "on"), False),)

    @property
    def action_label(self):
        return CASE_ACTIONS[self.action]


class Agreement(Versioned):
    """The 社区戒毒/康复协议 signed after reporting (戒毒条例 16) and again after a change of place (22)."""

    case = ForeignKeyField(Case, backref="agreements")
    edition = IntegerField()  # 1, 2, … per case
    signed_on = DateField()
    measures = TextField()
    obligations = TextField()
    liability = TextField()
    staff = ForeignKeyField(User)

    class Meta:
        indexes = ((("case", "edition"), True),)


class ReleaseNotice(BaseModel):
    """The notice of a release to the street or township office (戒毒条例 23, 40): who, when, its number."""

    case = ForeignKeyField(Case, backref="release_notices", unique=True)  # one notice per release
    sent_on = DateField()
    recipient = CharField()  # e.g. 新华路街道办事处
    document_number = CharField()
    staff = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)
