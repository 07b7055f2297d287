"""Accounts, sessions, the audit trail, settings, and the case files: persons, cases, families."""
import re

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

from .. import pinyin
from ..dates import utcnow
from ..db import database

ROLES = {
    "lead": "站长",
    "officer": "驻站民警",
    "worker": "禁毒专干",
    "counsellor": "心理咨询师",
    "volunteer": "志愿者",
}
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
SEXES = {"M": "男", "F": "女"}
RELATIONS = ("父亲", "母亲", "配偶", "儿子", "女儿", "兄弟", "姐妹", "祖父母", "其他亲属", "监护人")


def _in(column, values):
    quoted = ", ".join("'%s'" % v for v in values)
    return Check("%s IN (%s)" % (column, quoted))


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    @classmethod
    def is_live(cls):
        """The condition of every list, count and lookup: not deleted. Rows are never removed, only
        marked with deleted_at (soft-deletable models only)."""
        return cls.deleted_at.is_null()

    @classmethod
    def live(cls, *fields):
        """The live rows."""
        return cls.select(*fields).where(cls.is_live())


class Versioned(BaseModel):
    """A soft-deletable record whose saves are version-checked (never a silent overwrite)."""

    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)  # not indexed: nearly every row is live, and such an
    # index would lure SQLite away from the name index that lets a list page stop after 20 rows

    @classmethod
    def update_if_version(cls, row_id, version, **values):
        """Optimistic update: True when the row still had `version`, which is then bumped."""
        query = cls.update(version=cls.version + 1, updated_at=utcnow(), **values).where(
            cls.id == row_id, cls.version == version, cls.is_live())
        return query.execute() == 1


class User(BaseModel):
    username = CharField(unique=True)
    display_name = CharField()
    role = CharField(constraints=[_in("role", ROLES)])
    password_hash = CharField()
    password_changed_at = DateTimeField(default=utcnow)
    must_change_password = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return str(self.id)

    @property
    def role_label(self):
        return ROLES[self.role]

    @classmethod
    def names(cls):
        """Display names of every account by id (for tables that show who did what)."""
        return {u.id: u.display_name for u in cls.select(cls.id, cls.display_name)}

    @classmethod
    def staff(cls, *roles):
        """Active accounts with one of the given roles, by name."""
        return cls.select().where(cls.is_active, cls.role.in_(roles)).order_by(cls.display_name)


class UserSession(BaseModel):
    """Server-side session: the cookie carries only a random id whose hash is stored here."""

    token_hash = CharField(unique=True)
    user = ForeignKeyField(User, backref="sessions")
    created_at = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revoked_reason = CharField(null=True)
    ip = CharField(null=True)


class AuditLog(BaseModel):
    """Append-only, hash-chained audit trail (triggers refuse UPDATE and DELETE)."""

    ts = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_rows")
    username = CharField(null=True)
    action = CharField(index=True)
    object_type = CharField(null=True)
    object_id = IntegerField(null=True)
    person_id = IntegerField(null=True, index=True)  # the person a case or family row belongs to
    outcome = CharField(default="ok", constraints=[_in("outcome", ("ok", "denied", "failed"))])
    ip = CharField(null=True)
    reason = TextField(null=True)
    detail = TextField(null=True)
    prev_hash = CharField()
    hash = CharField()

    class Meta:
        indexes = ((("object_type", "object_id"), False),)


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class Person(Versioned):
    """A supervised person (两社人员)."""

    name = CharField()
    name_pinyin = CharField(index=True)
    name_initials = CharField(index=True)
    sex = CharField(constraints=[_in("sex", SEXES)])
    birth_date = DateField()
    id_number = CharField(unique=True, constraints=[Check("length(id_number) = 18")])
    ethnicity = CharField(default="汉族")
    phone = CharField(null=True)
    household_address = CharField(null=True)
    residence_address = CharField(null=True)
    employment = CharField(null=True)
    drug_type = CharField(null=True)
    notes = TextField(null=True)
    deleted_by = ForeignKeyField(User, null=True)
    deleted_reason = CharField(null=True)

    @staticmethod
    def search_keys(name):
        return pinyin.search_keys(name)

    @classmethod
    def with_current_case(cls):
        """Persons joined to their current case (None when they have none)."""
        return (cls.select(cls, Case)
                .join(Case, JOIN.LEFT_OUTER, on=(Case.id == Case.newest_id(cls.id)), attr="case"))

    @classmethod
    def matching(cls, q):
        """Expression for a search by name, pinyin, initials or ID number (last 4 or all 18)."""
        q = q.strip().lower()
        if re.fullmatch(r"[0-9x]{4}", q):
            return fn.substr(cls.id_number, 15) == q.upper()
        if re.fullmatch(r"[0-9x]{18}", q):
            return cls.id_number == q.upper()
        if re.fullmatch(r"[a-z]+", q):  # keys are stored lower-case: a range uses their indexes
            upper = q + "{"  # "{" sorts right after "z"
            return ((cls.name_initials >= q) & (cls.name_initials < upper)) | \
                ((cls.name_pinyin >= q) & (cls.name_pinyin < upper))
        return cls.name.contains(q)

    def current_case(self):
        """The newest live case (the one every screen and rule means by "the case"), or None."""
        return Case.select().where(Case.id == Case.newest_id(self.id)).first()

    def running_case(self):
        """The current case if its measure runs (reported, not ended), else None."""
        case = self.current_case()
        return case if case is not None and case.is_running else None

    def live_family(self):
        return self.family.where(FamilyMember.is_live()).order_by(FamilyMember.id)


class Case(Versioned):
    """A 社区戒毒 or 社区康复 measure ordered for a person."""

    person = ForeignKeyField(Person, backref="cases")
    measure = CharField(constraints=[_in("measure", MEASURES)])
    decision_number = CharField()
    decision_date = DateField()
    served_date = DateField()
    report_date = DateField(null=True)
    term_months = IntegerField(constraints=[Check("term_months BETWEEN 1 AND 36")])
    street = CharField()
    officer = ForeignKeyField(User, null=True, backref="officer_cases")
    worker = ForeignKeyField(User, null=True, backref="worker_cases", index=True)
    counsellor = ForeignKeyField(User, null=True, backref="counsellor_cases")
    status = CharField(default="pending_report", constraints=[_in("status", CASE_STATUSES)])
    credited_days = IntegerField(default=0)  # days of 强制隔离戒毒 credited to the term (戒毒条例 31)
    suspended_days = IntegerField(default=0)  # days of closed suspensions (24), kept by lifecycle.py
    screening_preset = CharField(null=True)  # this person's test schedule; None = the station's

    class Meta:
        indexes = ((("person", "deleted_at", "id"), False),)  # covers is_current()
        constraints = [
            Check("report_date IS NULL OR report_date >= served_date"),
            Check("served_date >= decision_date"),
        ]

    @classmethod
    def newest_id(cls, person_column):
        """SQL: the id of the newest live case of the person in `person_column`: their current case."""
        other = cls.alias()
        return other.select(fn.MAX(other.id)).where(other.person == person_column, other.deleted_at.is_null())

    @classmethod
    def is_current(cls):
        """Expression: this case is the current case of its person."""
        return cls.id == cls.newest_id(cls.person)

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


class FamilyMember(BaseModel):
    person = ForeignKeyField(Person, backref="family")
    name = CharField()
    relation = CharField()
    phone = CharField(null=True)
    birth_date = DateField(null=True)
    is_guardian = BooleanField(default=False)
    notes = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)
