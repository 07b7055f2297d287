"""The demo station's supervised persons: invented names, phones and addresses, ID numbers valid in
form only, a case each (a few newly served), their families, the seed's story of 罗秀英 and her
daughter, and one person registered twice for the merge screen."""
import random
from datetime import date, timedelta

from stdnum.cn import ric

from ..dates import today, utcnow
from ..models import Case, Person

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


def person_rows(rng, count):
    """`count` persons with distinct ID numbers, ids 1.., the first of them the seed's story."""
    seen, rows, stamp = set(), [], {"created_at": utcnow(), "updated_at": utcnow()}
    while len(rows) < count:
        male = rng.random() < 0.84
        birth = date(rng.randrange(1966, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        number = id_number(rng, birth, male)
        if number in seen:
            continue
        seen.add(number)
        full_name = name(rng, male)
        street = rng.choice(STREETS)
        rows.append(dict(
            id=len(rows) + 1, name=full_name, **Person.search_keys(full_name), sex="M" if male else "F",
            birth_date=birth, id_number=number, ethnicity=rng.choice(ETHNIC), phone=phone(rng),
            household_address=address(rng, rng.choice(STREETS)), residence_address=address(rng, street),
            employment=rng.choice(JOBS), drug_type=rng.choice(DRUGS), **stamp))
    story = rows[0]
    story.update(name="罗秀英", **Person.search_keys("罗秀英"), sex="F", employment="超市理货员",
                 notes="社康期间主动配合；女儿 16 岁曾辍学，经入户走访与街道、学校多次沟通，已进入职业学校就读。")
    story["id_number"] = id_number(random.Random(7), date(1982, 4, 17), False)
    story["birth_date"] = date(1982, 4, 17)
    return rows


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


def case_rows(rng, persons, users, now):
    """A case for each person row: the story's in community rehab, two newly served."""
    rows = [case_for(rng, p["id"], users, now) for p in persons]
    rows[0].update(measure="community_rehab", status="active", term_months=36,
                   report_date=now - timedelta(days=400), served_date=now - timedelta(days=405),
                   decision_date=now - timedelta(days=410), counsellor=users["counsellor"].id,
                   decision_number="筑南公（禁）社康决字〔%d〕0042号" % (now - timedelta(days=410)).year,
                   worker=users["worker"].id)
    for index, days in ((2, 5), (3, 22)):  # newly served: one within the 15 days, one past them
        if index < len(rows):
            served = now - timedelta(days=days)
            rows[index].update(status="pending_report", report_date=None, served_date=served,
                               decision_date=served - timedelta(days=2))
    return rows


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


def family_rows(rng, persons, now):
    """The families of the person rows, and the story's daughter."""
    rows = [m for p in persons for m in family_for(rng, p, p["sex"] == "M", p["birth_date"])]
    rows.append(dict(person=1, name="罗雨涵", relation="女儿", phone=None,
                     birth_date=now.replace(year=now.year - 16) - timedelta(days=40),
                     is_guardian=False, notes="职业学校在读", created_at=utcnow()))
    return rows


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
