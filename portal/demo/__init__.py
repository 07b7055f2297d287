"""A believable demo station in Guizhou. build() makes the accounts and settings and then, drawing
from one seeded random generator: persons.py (persons with cases and families), records.py (their
routine work: talks, visits, risk assessments), tracking.py (their abstinence tracking), care.py
(counselling and assistance), training.py (training and prevention events) and attachments.py
(scanned pages); rows.py writes the rows they make in memory, in bulk.

Everything is invented: names are drawn at random, ID numbers are valid in form only; the same seed
makes the same station. `build(persons=N)` also makes the benchmark datasets: about 6 CPU-seconds
per 1,000 persons, linear (20,000 persons: about 2 CPU-minutes).
"""
import random

from .. import audit
from ..accounts import passwords
from ..cases import after_release
from ..dates import today
from ..db import database
from ..models import (Absence, Agreement, Breach, Case, CaseEvent, FamilyMember, HomeVisit, Incident, Person,
                      RiskAssessment, Screening, Setting, Talk, User)
from ..tracking.forms import DEFAULT_LIABILITY, DEFAULT_MEASURES, DEFAULT_OBLIGATIONS
from . import attachments as demo_attachments
from . import care as demo_care
from . import persons as demo_persons
from . import records as demo_records
from . import tracking as demo_tracking
from . import training as demo_training
from .rows import insert

DEMO_PASSWORD = "Demo@2026station"
ACCOUNTS = [
    ("lead", "王建国", "lead"), ("officer", "李明", "officer"), ("officer2", "张伟", "officer"),
    ("worker", "陈丽", "worker"), ("worker2", "杨芳", "worker"), ("counsellor", "刘静", "counsellor"),
    ("volunteer", "赵小雨", "volunteer"),
]


def accounts():
    pw_hash = passwords.hash_password(DEMO_PASSWORD)
    return {username: User.create(username=username, display_name=display, role=role, password_hash=pw_hash,
                                  must_change_password=False)
            for username, display, role in ACCOUNTS}


def build(persons=120, seed=2026):
    """Create accounts and `persons` supervised persons with cases and families; return counts."""
    # One generator, drawn from in this order: moving a step changes the station every seed makes.
    rng = random.Random(seed)
    now = today()
    with database.atomic(), audit.batch():  # the audit rows chained in one insert at the end
        users = accounts()
        Setting.replace(key="demo", value="1").execute()
        Setting.replace(key="station_name", value="南明区专地融合工作站（演示）").execute()
        Setting.replace(key="station.code", value="520102-01").execute()  # 南明区, station 01: packages can be built
        count = persons - (1 if persons > 10 else 0)  # the last one: a duplicate, below
        person_rows = demo_persons.person_rows(rng, count)
        insert(Person, person_rows)
        case_rows = demo_persons.case_rows(rng, person_rows, users, now)
        insert(Case, case_rows)
        family_rows = demo_persons.family_rows(rng, person_rows, now)
        insert(FamilyMember, family_rows)
        addresses = {p["id"]: p["residence_address"] for p in person_rows}
        talk_rows, visit_rows, risk_rows = demo_records.work_history(rng, case_rows, addresses, now)
        case_ids = dict(Case.select(Case.person, Case.id).tuples())
        sexes = {p["id"]: p["sex"] for p in person_rows}
        tracking = demo_tracking.tracking_history(rng, case_rows, case_ids, sexes, users, now)
        for rows, model in ((talk_rows, Talk), (visit_rows, HomeVisit), (risk_rows, RiskAssessment),
                            *((tracking[m.__name__], m) for m in (CaseEvent, Agreement, Screening, Absence))):
            insert(model, rows)
        demo_tracking.follow_ups(tracking, now)
        again = demo_tracking.reordered(rng, case_rows, case_ids, now)
        if again:
            insert(Case, again)
            for case in Case.select().where(Case.id > max(case_ids.values())):
                CaseEvent.create(case=case, action="report", from_status="pending_report", to_status="active",
                                 on=case.report_date, user=case.worker_id)
                Agreement.create(case=case, edition=1, signed_on=case.report_date, measures=DEFAULT_MEASURES,
                                 obligations=DEFAULT_OBLIGATIONS, liability=DEFAULT_LIABILITY, staff=case.worker_id)
        care = demo_care.build(rng, case_rows, users, now)
        care.update(demo_training.build(rng, users, now, lambda r: demo_persons.name(r, r.random() < 0.5)))
        care.update(demo_attachments.build(users))
        care["公安查获复吸"] = demo_tracking.police_findings(users, now)
        care["解除通知"] = demo_tracking.release_notices(users, now)
        care["变更执行地待报到"] = demo_tracking.relocation(users, now)
        care["解除后随访检测"] = demo_tracking.follow_up_tests(users, now)
        care["报备外出逾期未归"] = demo_tracking.overdue_returns(users, now)
        care["逾期报到"] = demo_tracking.late_reports(users, now)
        care["已封存档案"] = after_release.seal_ended(now)  # as the daily sweep would have
        if persons > 10:
            demo_persons.duplicate_registration(rng, person_rows[5])
        audit.record("demo.load", user=users["lead"], detail={"persons": persons, "seed": seed})
    return {"账户": len(users), "人员": len(person_rows), "案件": len(case_rows), "家庭成员": len(family_rows),
            "谈话": len(talk_rows), "走访": len(visit_rows), "风险评估": len(risk_rows),
            "检测": len(tracking["Screening"]), "外出": len(tracking["Absence"]),
            "违反协议": Breach.select().count(), "须报告事件": Incident.select().count(), **care}
