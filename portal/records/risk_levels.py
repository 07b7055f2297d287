"""Risk levels (DOMAIN.md §4): the factor checklist, review cadence, forced-high triggers.

Every place that needs a person's current level, or must force it to high, calls this module.
"""
from peewee import fn

from .. import audit
from ..dates import add_months, today
from ..models import RiskAssessment
from ..prepared import first, prepared
from ..tracking.plan import cadences

FACTORS = {
    "drug_type": "毒品种类（如海洛因、合成毒品）", "severity": "成瘾程度重", "behaviour": "近期行为异常",
    "prior": "多次戒毒史", "short_abstinence": "操守时间短", "family": "家庭支持差",
    "unemployed": "无稳定就业", "mental": "精神/心理状况差",
}
# Triggers that force the level to high whatever the checklist says.
FORCED_HIGH = {
    "serious_breach": "严重违反社区戒毒/康复协议",
    "refusal": "拒绝接受检测",
    "positive_screening": "检测结果阳性",
    "self_harm": "自伤/自杀风险",
    "police_finding": "公安查获复吸",
}


def next_review(level, assessed_on):
    """The next review date from the station's cadence for this level."""
    return add_months(assessed_on, cadences()["review_" + level])


def current(person_id):
    """The newest live assessment of a person, or None."""
    return first(RiskAssessment, _current(person_id))


@prepared
def _current(person_id):
    return (RiskAssessment.select().where(RiskAssessment.person == person_id, RiskAssessment.is_live())
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1))


def level_of(person_column, with_date=False):
    """Correlated subquery: the current level of the person in `person_column` ("high|2026-11-01"
    with its date), for lists and the queue."""
    latest = RiskAssessment.alias()
    column = latest.level.concat("|").concat(latest.assessed_on) if with_date else latest.level
    return (latest.select(column)
            .where(latest.person == person_column, latest.deleted_at.is_null())
            .order_by(latest.assessed_on.desc(), latest.id.desc()).limit(1))


def latest_per_person():
    """Per person: the current assessment's level, date and next review, in one grouped query
    (SQLite takes the bare columns from the row holding the MAX; ties go to the newer row)."""
    newest = fn.MAX(RiskAssessment.assessed_on.concat(fn.printf(" %010d", RiskAssessment.id)))  # index + rowid
    return (RiskAssessment.select(RiskAssessment.person.alias("person_id"), newest.alias("newest"),
                                  RiskAssessment.level, RiskAssessment.assessed_on, RiskAssessment.next_review)
            .where(RiskAssessment.is_live()).group_by(RiskAssessment.person))


def visit_months(level):
    """SQL: months between home visits for a level expression: monthly when high (DOMAIN.md §4)."""
    months = cadences()
    return fn.IIF(level == "high", months["visit_high"], months["visit"])


def force_high(person, trigger, user=None, on=None):
    """Record a forced high assessment (serious breach, refusal, positive test, self-harm)."""
    if trigger not in FORCED_HIGH:
        raise ValueError("unknown trigger %r" % trigger)
    on = on or today()
    assessment = RiskAssessment.create(person=person, assessor=user, assessed_on=on, level="high",
                                       notes="自动调为高风险：" + FORCED_HIGH[trigger], forced_by=trigger,
                                       next_review=next_review("high", on))
    audit.record("risk.force_high", assessment, person=person, user=user, detail={"trigger": trigger})
    return assessment


