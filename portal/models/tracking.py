"""Abstinence tracking (操守追踪) under 戒毒条例: screenings (drug tests), absences, breaches and
their follow-through (case events and agreements are in cases.py).

The rules that read these tables live in lifecycle.py and breaches.py.
"""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, Versioned, check_in
from .cases import Case
from .persons import Person

SCREENING_KINDS = {"onsite": "现场检测", "lab": "实验室检测", "retest": "复检"}
SAMPLES = {"urine": "尿液", "hair": "毛发", "blood": "血液"}
PANELS = {"opiates": "吗啡（阿片类）", "meth": "甲基苯丙胺", "ketamine": "氯胺酮", "mdma": "MDMA（摇头丸）",
          "thc": "大麻", "cocaine": "可卡因"}
RESULTS = {"negative": "阴性", "positive": "阳性", "invalid": "无效", "refused": "拒绝", "evaded": "逃避",
           "absent": "未到"}
MISSED_RESULTS = ("refused", "evaded")  # count toward 戒毒条例 20 (拒绝/逃避检测)


class Screening(Versioned):
    """A drug test (尿检/毛发检测) of a person within a case, or after the measure ended (随访检测,
    `case` None: after-release follow-up, relapse evidence that opens nothing on the closed case).

    A result of 未到 with no decision is a candidate 逃避检测: a person confirms it (the result
    becomes 逃避) or excuses it with a reason; the portal never decides it alone.
    """

    person = ForeignKeyField(Person, backref="screenings", index=False)  # the indexes below lead with it
    case = ForeignKeyField(Case, null=True, backref="screenings", index=False)  # None: a follow-up test
    staff = ForeignKeyField(User, backref="screenings")  # who entered it
    tested_on = DateField()
    kind = CharField(default="onsite", constraints=[check_in("kind", SCREENING_KINDS)])
    sample = CharField(default="urine", constraints=[check_in("sample", SAMPLES)])
    panels = CharField(default="")  # comma-separated PANELS keys
    result = CharField(constraints=[check_in("result", RESULTS)])
    positive_panels = CharField(default="")  # the PANELS keys that came back positive
    collectors = CharField(default="")  # names, separated by 、
    female_collector = BooleanField(default=False)
    sample_a = CharField(null=True)
    sample_b = CharField(null=True)
    random = BooleanField(default=False)
    police_station = CharField(null=True)
    signed = BooleanField(default=False)  # the person signed the record
    scheduled_for = DateField(null=True)  # the scheduled date a missed screening stood for
    decided_by = ForeignKeyField(User, null=True, index=False)  # who confirmed or excused a 未到
    excuse = TextField(null=True)
    notes = TextField(null=True)

    class Meta:
        indexes = (
            (("person", "deleted_at", "tested_on"), False),  # the timeline
            # covers the tracking file and the queue's latest tests per case without reading rows
            (("case", "deleted_at", "sample", "tested_on", "result", "decided_by"), False),
            (("result", "case", "deleted_at"), False),  # the breach counters touch only refusals
            (("case", "result", "decided_by", "deleted_at", "tested_on"), False),  # the queue's oldest undecided 未到
            (("tested_on",), False),  # the station list, newest first
        )

    @property
    def panel_labels(self):
        return [PANELS[p] for p in self.panels.split(",") if p in PANELS]

    @property
    def positive_labels(self):
        return [PANELS[p] for p in self.positive_panels.split(",") if p in PANELS]

    @property
    def undecided(self):
        return self.result == "absent" and self.decided_by_id is None

    @property
    def follow_up(self):
        """随访检测: taken after the person's measure ended, part of no case."""
        return self.case_id is None


ABSENCE_KINDS = {"reported": "报备外出", "unauthorised": "擅自外出"}
DISCOVERED = {"visit": "入户走访发现", "phone": "电话抽查发现", "police": "派出所通报", "self": "本人返回后说明",
              "other": "其他"}


DECISIONS = {"excused": "有正当理由，不计违反", "confirmed": "确认违反"}


class Absence(Versioned):
    """Leaving the county: a reported absence (外出报备, 戒毒条例 19) or an unauthorised one (20).

    A reported absence's `return_on` is the planned return; `returned_on` the return as recorded. Past
    its planned return with no return recorded, it is a candidate 擅自外出 (tracking/returns.py) that a
    person excuses (decision 'excused', with the reason) or confirms ('confirmed': an unauthorised
    absence from the day after the planned return is recorded beside it)."""

    person = ForeignKeyField(Person, backref="absences", index=False)
    case = ForeignKeyField(Case, backref="absences", index=False)
    staff = ForeignKeyField(User, backref="absences")
    kind = CharField(constraints=[check_in("kind", ABSENCE_KINDS)])
    destination = CharField()
    reason = CharField(null=True)
    leave_on = DateField()
    return_on = DateField(null=True)  # unauthorised and not yet back: still counting
    written_report = BooleanField(default=False)
    approved_by = CharField(null=True)
    discovered = CharField(null=True, constraints=[check_in("discovered", DISCOVERED)])
    notes = TextField(null=True)
    returned_on = DateField(null=True)  # a reported absence: the day the person was back, once recorded
    decision = CharField(null=True, constraints=[check_in("decision", DECISIONS)])  # on an overdue return
    decided_by = ForeignKeyField(User, null=True, index=False)
    excuse = TextField(null=True)

    class Meta:
        indexes = ((("person", "deleted_at", "leave_on"), False), (("kind", "case", "deleted_at"), False),
                   (("case", "deleted_at", "leave_on"), False))


INCIDENT_KINDS = {"serious_breach": "严重违反协议", "relapse": "复吸（检测阳性）",
                  "refused_report": "逾期报到无正当理由（拒绝报到）"}


class Incident(BaseModel):
    """An event the police must be told of promptly (戒毒条例 21), with that report's record."""

    person = ForeignKeyField(Person, backref="incidents")
    case = ForeignKeyField(Case, backref="incidents")
    kind = CharField(constraints=[check_in("kind", INCIDENT_KINDS)])
    occurred_on = DateField()
    screening = ForeignKeyField(Screening, null=True)
    detail = CharField(null=True)
    reported_on = DateField(null=True)
    recipient = CharField(null=True)  # who at the police received the report
    report_notes = TextField(null=True)
    reported_by = ForeignKeyField(User, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("case", "kind"), False),)


BREACH_KINDS = {"refusal": "拒绝检测", "evasion": "逃避检测", "absence": "擅自外出", "late_report": "逾期报到",
                "missed_talk": "无故不参加谈话/活动", "other": "其他违反协议行为"}


class Breach(Versioned):
    """An ordinary breach with the 批评教育 given; refusals, evasions and unauthorised absences get
    one automatically (linked to their record) so that none is left without education."""

    person = ForeignKeyField(Person, backref="breaches")
    case = ForeignKeyField(Case, backref="breaches")
    kind = CharField(constraints=[check_in("kind", BREACH_KINDS)])
    occurred_on = DateField()
    description = TextField(null=True)
    screening = ForeignKeyField(Screening, null=True)
    absence = ForeignKeyField(Absence, null=True)
    educated_on = DateField(null=True)
    education = TextField(null=True)  # the 批评教育 given
    staff = ForeignKeyField(User, null=True)
    # a late report (逾期报到) is decided: excused with its cause, or confirmed (an incident for the police)
    decision = CharField(null=True, constraints=[check_in("decision", DECISIONS)])
    decided_by = ForeignKeyField(User, null=True, backref="+", index=False)
    excuse = TextField(null=True)

    class Meta:
        indexes = ((("person", "deleted_at", "occurred_on"), False),)


class RelapseFinding(Versioned):
    """公安查获复吸: the police found the person using drugs, during a measure or after it. Relapse
    evidence like a positive test: it forces the risk to high while a case runs and counts in the
    indicators. `case` is the running case when found (None after the measure)."""

    person = ForeignKeyField(Person, backref="relapse_findings")
    case = ForeignKeyField(Case, null=True, backref="relapse_findings")
    found_on = DateField()
    police_unit = CharField()  # the police station or unit that found it
    document_number = CharField()  # its written decision or record
    notes = TextField(null=True)
    staff = ForeignKeyField(User)

    class Meta:
        indexes = ((("person", "deleted_at", "found_on"), False),)
