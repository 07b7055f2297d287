"""Persons (两社人员) with their family members, and the merges of duplicate person files: what
moved where, so that the lead can undo it."""
import json
import re

from peewee import (JOIN, BooleanField, CharField, Check, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField, fn)

from .. import pinyin
from ..dates import utcnow
from .accounts import User
from .base import BaseModel, Versioned, check_in

SEXES = {"M": "男", "F": "女"}
RELATIONS = ("父亲", "母亲", "配偶", "儿子", "女儿", "兄弟", "姐妹", "祖父母", "其他亲属", "监护人")


class Person(Versioned):
    """A supervised person (两社人员)."""

    name = CharField()
    name_pinyin = CharField(index=True)
    name_initials = CharField(index=True)
    sex = CharField(constraints=[check_in("sex", SEXES)])
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
    sealed_at = DateTimeField(null=True)  # 封存 when dynamic control ended (persons/sealing.py)
    anonymised_at = DateTimeField(null=True)  # past the retention age (persons/retention.py)
    id_hash = CharField(null=True, index=True)  # keyed hash of the removed ID number, to match a re-registration

    @classmethod
    def listed(cls):
        """Live and not sealed: the persons that lists, search, the queue, exports and batch prints show."""
        return cls.is_live() & cls.sealed_at.is_null()

    @staticmethod
    def search_keys(name):
        return pinyin.search_keys(name)

    @classmethod
    def with_current_case(cls):
        """Persons joined to their current case (None when they have none). Joined through a lookup by the
        person, so SQLite starts from the persons: a list sorted by name stops after its page."""
        Case = cases.Case
        return (cls.select(cls, Case)
                .join(Case, JOIN.LEFT_OUTER, on=(Case.id == Case.current_of(cls.id)), attr="case"))

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
        Case = cases.Case
        return Case.select().where(Case.person == self.id, Case.is_current()).first()

    def running_case(self):
        """The current case if its measure runs (reported, not ended), else None."""
        case = self.current_case()
        return case if case is not None and case.is_running else None

    def live_family(self):
        return self.family.where(FamilyMember.is_live()).order_by(FamilyMember.id)

    def removed_family(self):
        """Soft-deleted family members, newest removal first (the lead may restore them)."""
        return self.family.where(FamilyMember.deleted_at.is_null(False)).order_by(FamilyMember.deleted_at.desc())


# the persons outside every list, few: counts leave them out by this index (migration 0026)
Person.add_index(Person.index(Person.id, where=~Person.listed(), name="person_unlisted"))

# Late, as cases.py needs Person; here, not at the end, so Person.cases precedes .family (the merge page's order)
from . import cases


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


class PersonMerge(BaseModel):
    """The duplicate's records moved to the survivor; the duplicate is soft-deleted, never removed."""

    survivor = ForeignKeyField(Person, backref="+")
    merged = ForeignKeyField(Person, backref="+")
    reason = TextField()
    survivor_before = TextField()  # JSON: the survivor's identity fields before the merge
    survivor_version = IntegerField()  # the survivor's version right after the merge
    moved = TextField()  # JSON: {"table.column": [row ids]} moved from the duplicate
    merged_by = ForeignKeyField(User, backref="+")
    merged_at = DateTimeField(default=utcnow)
    undone_by = ForeignKeyField(User, null=True, backref="+")
    undone_at = DateTimeField(null=True)
    undo_reason = TextField(null=True)

    @property
    def moved_rows(self):
        return json.loads(self.moved)

    @property
    def moved_count(self):
        return sum(len(ids) for key, ids in self.moved_rows.items() if not key.endswith(".deleted_at"))
