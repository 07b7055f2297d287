"""A believable demo station in Guizhou: accounts, persons with cases and families, their routine
work (talks, visits, risk assessments) and, through demo_tracking, their abstinence tracking.

Everything is invented: names are drawn at random, ID numbers are valid in form only.
`build(persons=N)` also makes the benchmark dataset (5,000 persons in seconds).
"""
import random
from datetime import date, datetime, time, timedelta

from stdnum.cn import ric

from .. import audit
from . import attachments as demo_attachments, care as demo_care, tracking as demo_tracking, training as demo_training
from ..accounts import passwords
from ..dates import today, utcnow
from ..db import database
from ..models import (TALK_TOPICS, Absence, Agreement, Breach, Case, CaseEvent, FamilyMember, HomeVisit, Incident,
                      Person, RiskAssessment, Screening, Setting, Talk, User)
from ..records.risk_levels import FACTORS
from ..tracking.plan import add_months
from ..tracking.forms import DEFAULT_LIABILITY, DEFAULT_MEASURES, DEFAULT_OBLIGATIONS

DEMO_PASSWORD = "Demo@2026station"
ACCOUNTS = [
    ("lead", "王建国", "lead"), ("officer", "李明", "officer"), ("officer2", "张伟", "officer"),
    ("worker", "陈丽", "worker"), ("worker2", "杨芳", "worker"), ("counsellor", "刘静", "counsellor"),
    ("volunteer", "赵小雨", "volunteer"),
]
STREETS = ["新华路街道", "花果园街道", "兴关路街道", "沙冲路街道", "遵义路街道", "太慈桥街道", "二戈街道",
           "中曹司街道", "油榨街街道", "望城街道"]
ROADS = ["花果园大街", "宝山南路", "新华路", "沙冲南路", "遵义路", "市南路", "中华南路", "青云路", "解放路", "富源北路"]
AREA_CODES = ["520102"] * 6 + ["520103", "520111", "520112", "520113", "520115", "520302", "520402",
                               "520502", "522601", "522701", "520201"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗龙石潘韦罗宋谢唐韩冯邓曹彭曾肖田董袁蒋"
GIVEN_MALE = "伟强磊军洋勇杰涛明超平刚华飞鹏辉建国志俊斌峰浩宇晨阳鑫波宁亮林坤海江兵成龙"
GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英玉兰欣怡婷慧琳雪梅燕萍红琴莉"
DRUGS = ["海洛因"] * 4 + ["冰毒（甲基苯丙胺）"] * 5 + ["麻古"] * 2 + ["氯胺酮（K粉）", "大麻", "合成大麻素"]
JOBS = ["无业", "个体经营", "外卖骑手", "建筑工地务工", "餐馆帮厨", "网约车司机", "超市理货员", "公益性岗位",
        "待业（参加技能培训）", "灵活就业", "工厂普工", "物业保安"]
ETHNIC = ["汉族"] * 14 + ["苗族", "布依族", "侗族", "土家族", "彝族", "仡佬族"]


def id_number(rng, birth, male):
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = "%s%s%03d" % (rng.choice(AREA_CODES), birth.strftime("%Y%m%d"), seq)
    return body + ric.calc_check_digit(body + "0")


def name(rng, male):
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def phone(rng):
    return rng.choice(["138", "139", "135", "150", "151", "152", "158", "180", "187", "189", "199"]) + \
        "%08d" % rng.randrange(10 ** 8)


def address(rng, street):
    return "贵阳市南明区%s%s%d号%d栋%d单元%d0%d" % (
        street[:-2], rng.choice(ROADS), rng.randrange(1, 300), rng.randrange(1, 30), rng.randrange(1, 5),
        rng.randrange(1, 30), rng.randrange(1, 6))


def insert(model, rows):
    """Bulk insert; every row gets every column (insert_many takes its columns from the first
    row, so a key only some rows carry would be dropped), missing ones at the field default."""
    keys = sorted({key for row in rows for key in row})
    fields = {name: model._meta.fields[name] for name in keys if name in model._meta.fields}
    default = {name: field.default() if callable(field.default) else field.default for name, field in fields.items()}
    filled = [{name: row.get(name, default[name]) for name in fields} for row in rows]
    for chunk in range(0, len(filled), 500):
        model.insert_many(filled[chunk:chunk + 500]).execute()


def accounts():
    pw_hash = passwords.hash_password(DEMO_PASSWORD)
    return {username: User.create(username=username, display_name=display, role=role, password_hash=pw_hash,
                                  must_change_password=False)
            for username, display, role in ACCOUNTS}


def case_for(rng, person_id, users, now):
    measure = "community_detox" if rng.random() < 0.6 else "community_rehab"
    decided = now - timedelta(days=rng.randrange(20, 365 * 6))
    served = decided + timedelta(days=rng.randrange(0, 8))
    late = rng.random()
    report = served + timedelta(days=rng.randrange(0, 15) if late < 0.9 else rng.randrange(16, 40))
    term = 36 if measure == "community_detox" else rng.choice([12, 24, 36, 36, 36])
    if report > now:
        report, status = None, "pending_report"
    elif report + timedelta(days=term * 30) < now:
        status = rng.choices(["released", "compulsory", "transferred", "terminated", "deceased"],
                             [88, 5, 4, 2, 1])[0]
    else:
        status = rng.choices(["active", "suspended", "compulsory"], [92, 5, 3])[0]
    if served > now:
        served = now
    kind = "社戒" if measure == "community_detox" else "社康"
    worker = users["worker"] if person_id % 2 else users["worker2"]
    return dict(person=person_id, measure=measure,
                decision_number="筑南公（禁）%s决字〔%d〕%04d号" % (kind, decided.year, rng.randrange(1, 400)),
                decision_date=min(decided, served), served_date=served, report_date=report, term_months=term,
                street=rng.choice(STREETS), status=status,
                officer=(users["officer"] if person_id % 3 else users["officer2"]).id, worker=worker.id,
                counsellor=users["counsellor"].id if rng.random() < 0.3 else None)


def family_for(rng, person, male, birth):
    members = []
    if rng.random() < 0.6:
        members.append(("配偶", name(rng, not male), birth + timedelta(days=rng.randrange(-2000, 2000))))
    if rng.random() < 0.5:
        members.append(("母亲", rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE) + rng.choice("英芬秀珍兰"),
                        birth - timedelta(days=365 * rng.randrange(20, 32))))
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        child_birth = max(birth + timedelta(days=365 * rng.randrange(19, 35)), date(2006, 1, 1))
        if child_birth < today():
            son = rng.random() < 0.5
            members.append(("儿子" if son else "女儿", person["name"][0] + name(rng, son)[1:], child_birth))
    return [dict(person=person["id"], name=n, relation=r, phone=phone(rng) if r != "儿子" else None,
                 birth_date=b, is_guardian=(i == 0), created_at=utcnow()) for i, (r, n, b) in enumerate(members)]


def duplicate_registration(rng, row):
    """The same person registered again from the decision, with the ID number mistyped: what the
    疑似重复档案 list finds and a merge (dropping the repeated case) resolves."""
    original = Person.get_by_id(row["id"])
    case = original.current_case()
    while (number := id_number(rng, original.birth_date, original.sex == "M")) == original.id_number:
        pass
    twin = Person.create(name=original.name, **Person.search_keys(original.name), sex=original.sex,
                         birth_date=original.birth_date, id_number=number, ethnicity=original.ethnicity)
    Case.create(person=twin, measure=case.measure, decision_number=case.decision_number,
                decision_date=case.decision_date, served_date=case.served_date, term_months=case.term_months,
                street=case.street, status="pending_report", worker=case.worker_id, officer=case.officer_id)


def build(persons=120, seed=2026):
    """Create accounts and `persons` supervised persons with cases and families; return counts."""
    rng = random.Random(seed)
    now = today()
    with database.atomic():
        users = accounts()
        Setting.replace(key="demo", value="1").execute()
        Setting.replace(key="station_name", value="南明区专地融合工作站（演示）").execute()
        seen, person_rows = set(), []
        while len(person_rows) < persons - (1 if persons > 10 else 0):  # the last one: a duplicate, below
            male = rng.random() < 0.84
            birth = date(rng.randrange(1966, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
            number = id_number(rng, birth, male)
            if number in seen:
                continue
            seen.add(number)
            full_name = name(rng, male)
            street = rng.choice(STREETS)
            person_rows.append(dict(
                id=len(person_rows) + 1, name=full_name, **Person.search_keys(full_name), sex="M" if male else "F",
                birth_date=birth, id_number=number, ethnicity=rng.choice(ETHNIC), phone=phone(rng),
                household_address=address(rng, rng.choice(STREETS)), residence_address=address(rng, street),
                employment=rng.choice(JOBS), drug_type=rng.choice(DRUGS), created_at=utcnow(), updated_at=utcnow()))
        story = person_rows[0]
        story.update(name="罗秀英", **Person.search_keys("罗秀英"), sex="F", employment="超市理货员",
                     notes="社康期间主动配合；女儿 16 岁曾辍学，经入户走访与街道、学校多次沟通，已进入职业学校就读。")
        story["id_number"] = id_number(random.Random(7), date(1982, 4, 17), False)
        story["birth_date"] = date(1982, 4, 17)
        insert(Person, person_rows)
        case_rows = [case_for(rng, p["id"], users, now) for p in person_rows]
        case_rows[0].update(measure="community_rehab", status="active", term_months=36,
                            report_date=now - timedelta(days=400), served_date=now - timedelta(days=405),
                            decision_date=now - timedelta(days=410), counsellor=users["counsellor"].id,
                            decision_number="筑南公（禁）社康决字〔%d〕0042号" % (now - timedelta(days=410)).year,
                            worker=users["worker"].id)
        for index, days in ((2, 5), (3, 22)):  # newly served: one within the 15 days, one past them
            if index < len(case_rows):
                served = now - timedelta(days=days)
                case_rows[index].update(status="pending_report", report_date=None, served_date=served,
                                        decision_date=served - timedelta(days=2))
        insert(Case, case_rows)
        family_rows = [m for p in person_rows for m in family_for(rng, p, p["sex"] == "M", p["birth_date"])]
        family_rows.append(dict(person=1, name="罗雨涵", relation="女儿", phone=None,
                                birth_date=now.replace(year=now.year - 16) - timedelta(days=40),
                                is_guardian=False, notes="职业学校在读", created_at=utcnow()))
        insert(FamilyMember, family_rows)
        addresses = {p["id"]: p["residence_address"] for p in person_rows}
        for case in case_rows:
            case["address"] = addresses[case["person"]]
        talk_rows, visit_rows, risk_rows = work_history(rng, case_rows, now)
        for case in case_rows:
            del case["address"]
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
        care.update(demo_training.build(rng, users, now, lambda r: name(r, r.random() < 0.5)))
        care.update(demo_attachments.build(users))
        if persons > 10:
            duplicate_registration(rng, person_rows[5])
        audit.record("demo.load", user=users["lead"], detail={"persons": persons, "seed": seed})
    return {"账户": len(users), "人员": len(person_rows), "案件": len(case_rows), "家庭成员": len(family_rows),
            "谈话": len(talk_rows), "走访": len(visit_rows), "风险评估": len(risk_rows),
            "检测": len(tracking["Screening"]), "外出": len(tracking["Absence"]),
            "违反协议": Breach.select().count(), "须报告事件": Incident.select().count(), **care}


RISK_TEXT = ["近期与原毒友有电话联系", "失业在家，经济压力大", "与家人关系紧张", "睡眠差，情绪低落", "外出务工计划未报备"]
ACTION_TEXT = ["按时参加尿检", "每周电话联系专干", "参加社区技能培训", "外出前书面报备", "家属协助监督"]


def work_history(rng, case_rows, now):
    """Monthly talks, quarterly visits and risk assessments over each term, ending so that the demo
    queue looks like a real morning: most up to date, some due today, some overdue."""
    talks, visits, risks = [], [], []
    for case in case_rows:
        start = case["report_date"]
        if start is None:
            continue
        active = case["status"] in ("active", "suspended")
        staff = case["worker"] if rng.random() < 0.8 else case["officer"]
        # 0: up to date; 1: the next talk is due today; 2: overdue by up to ~6 weeks
        lag = rng.choices([0, 1, 2], [84, 8, 8])[0] if active else 0
        end = {0: now, 1: add_months(now, -1), 2: add_months(now, -1) - timedelta(days=rng.randrange(1, 40))}[lag]
        if not active:
            end = min(now, add_months(start, case["term_months"]))
        held, first = start, len(talks)
        while held <= end:
            next_date = add_months(held, 1)
            assessment = rng.choices(["stable", "fluctuating", "high"], [75, 20, 5])[0]
            talks.append(dict(
                person=case["person"], staff=staff, place=rng.choices(
                    ["sunshine", "home", "phone", "work", "video"], [55, 20, 12, 8, 5])[0],
                held_at=datetime.combine(held, time(rng.randrange(9, 17), rng.choice([0, 15, 30, 45]))),
                kind="routine", topics=",".join(rng.sample(list(TALK_TOPICS), rng.randrange(2, 5))),
                risk_factors=rng.choice(RISK_TEXT) if assessment != "stable" else None, assessment=assessment,
                actions=rng.choice(ACTION_TEXT), next_date=None,  # the station cadence applies
                signature="signed" if rng.random() < 0.95 else "refused", created_at=utcnow(), updated_at=utcnow()))
            if len(talks) % 3 == 1:
                level = rng.choices(["low", "medium", "high"], [55, 35, 10])[0]
                risks.append(dict(person=case["person"], assessor=staff, assessed_on=held, level=level,
                                  factors=",".join(rng.sample(list(FACTORS), rng.randrange(0, 4))),
                                  next_review=add_months(held, {"high": 1, "medium": 3, "low": 6}[level]),
                                  created_at=utcnow(), updated_at=utcnow()))
            held = next_date
        if lag == 1 and len(talks) > first:
            talks[-1]["next_date"] = now
        visited = start + timedelta(days=rng.randrange(3, 20))
        while visited <= end:
            anomalies = rng.choices(["", "contacts", "separated", "lost"], [90, 5, 4, 1])[0]
            visits.append(dict(
                person=case["person"], staff=staff, visited_on=visited, visitors="专干、民警",
                address=case["address"], found_at_home=rng.random() < 0.85,
                family_met=rng.choice([None, "其母", "配偶", "其父、其母"]), living_verified=rng.random() < 0.9,
                employment_verified=rng.random() < 0.6, anomalies=anomalies,
                actions="加强电话联系，下周复访" if anomalies else None, next_date=None,
                created_at=utcnow(), updated_at=utcnow()))
            visited = add_months(visited, 3)
        if case["status"] == "released" and rng.random() < 0.85:  # 回访 after release; the rest are lost
            follow = add_months(end, 3)
            while follow <= now:
                talks.append(dict(person=case["person"], staff=staff, place="phone", kind="other",
                                  held_at=datetime.combine(follow, time(10, 0)), topics="thoughts,work",
                                  assessment="stable", actions="解除后电话回访，保持操守", signature="signed",
                                  created_at=utcnow(), updated_at=utcnow()))
                follow = add_months(follow, 3)
    return talks, visits, risks
