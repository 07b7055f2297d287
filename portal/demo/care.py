"""The demo station's counselling and assistance: a year of monthly sessions for the counsellor's
clients (notes private to her, a shareable summary), and a dozen assistance cases in every status,
among them the seed's story of a mother whose 16-year-old daughter went back to school."""
from datetime import timedelta

from ..dates import add_months, utcnow
from ..models import PRESENTING, AssistanceCase, AssistanceStep, CounsellingSession, FamilyMember
from ..records import risk_levels
from .rows import insert

SUMMARIES = ["情绪较前平稳，睡眠改善，建议家属多陪伴", "对就业有顾虑，已转介技能培训", "心瘾偶有出现，能运用应对技巧",
             "与家人沟通增多，家庭支持改善", "压力较大，约定两周后复访"]
NOTES = ["自述近期与母亲争吵，回忆童年经历时情绪激动", "谈及既往用药经历，存在羞耻感", "讨论复吸高危情境及应对计划",
         "家庭治疗：子女表达担忧，母亲表示愿意改变", "沙盘呈现孤立主题，继续观察"]
STORY_STEPS = [
    (0, "陈丽", "入户走访，了解到女儿罗雨涵（16 岁）已辍学在家", "联系街道、学校了解复学政策"),
    (9, "陈丽、街道办", "与街道办、妇联沟通，说明家庭困难情况", "联系职业学校"),
    (21, "陈丽", "先后联系三所职业学校，说明情况", "陪同到校面谈"),
    (35, "陈丽、职业学校", "陪同母女到校面谈，学校同意接收", "办理入学手续"),
    (48, "职业学校", "入学手续办妥，减免部分学费", None),
]
OTHER_CASES = [  # category, title, status, steps, amount
    ("subsistence", "申请城乡低保", "closed", 3, 4800), ("temporary", "临时救助（住院期间）", "closed", 2, 1500),
    ("medical", "申请医疗救助（慢性病）", "in_progress", 2, None), ("skills", "参加电工技能培训", "closed", 3, None),
    ("placement", "推荐到物业公司就业", "in_progress", 1, None), ("public_post", "申请公益性岗位", "accepted", 1, None),
    ("legal", "劳动报酬纠纷法律援助", "applied", 0, None), ("schooling", "子女义务教育入学", "closed", 2, None),
    ("subsistence", "申请低保（收入超标）", "rejected", 2, None), ("skills", "参加家政服务培训", "applied", 0, None),
    ("temporary", "临时救助（火灾受损）", "in_progress", 2, 2000),
]


def build(rng, case_rows, users, now):
    """Insert the sessions and cases; return their counts."""
    counsellor, worker = users["counsellor"], users["worker"]
    rows, stamp = [], utcnow()
    clients = [c for c in case_rows if c["counsellor"] and c["status"] == "active"]
    daughters = {}  # each client's first daughter, for the family sessions
    for person, member in (FamilyMember.select(FamilyMember.person, FamilyMember.id)
                           .where(FamilyMember.relation == "女儿").order_by(FamilyMember.id).tuples()):
        daughters.setdefault(person, member)
    for index, case in enumerate(clients):
        held = max(case["report_date"], add_months(now, -12)) + timedelta(days=rng.randrange(3, 20))
        daughter = daughters.get(case["person"])
        first = len(rows)
        while held < now - timedelta(days=3):
            family = daughter is not None and rng.random() < 0.3
            crisis = index == 3 and len(rows) % 7 == 0
            if crisis:  # as the screen does it: self-harm risk forces the level to high
                risk_levels.force_high(case["person"], "self_harm", user=counsellor, on=held)
            rows.append(dict(
                person=case["person"], counsellor=counsellor.id, held_on=held,
                mode="family" if family else rng.choice(["individual"] * 4 + ["sandplay", "group"]),
                concerns=daughter if family else None,
                presenting=",".join(rng.sample(list(PRESENTING)[:7], rng.randrange(1, 4))),
                scl90=rng.randrange(120, 220) if rng.random() < 0.3 else None, phq9=rng.randrange(2, 16),
                gad7=rng.randrange(1, 13), crisis=crisis, plan="每月一次，必要时加密",
                summary=rng.choice(SUMMARIES), notes=rng.choice(NOTES),
                next_date=None, created_at=stamp, updated_at=stamp))
            held = add_months(held, 1)
        if len(rows) > first:  # the next session agreed: some of them already due
            rows[-1]["next_date"] = add_months(rows[-1]["held_on"], 1)
    insert(CounsellingSession, rows)
    sessions = len(rows)
    cases = story(now, worker)
    running = [c for c in case_rows if c["status"] == "active"]
    chosen = rng.sample(running, min(len(running), len(OTHER_CASES)))  # a tiny demo gets fewer
    for (category, title, status, steps, amount), case in zip(OTHER_CASES, chosen):
        opened = now - timedelta(days=rng.randrange(20, 300))
        closed = opened + timedelta(days=rng.randrange(20, 60)) if status in ("closed", "rejected") else None
        a = AssistanceCase.create(
            person=case["person"], category=category, title=title, status=status, opened_on=opened,
            closed_on=min(closed, now) if closed else None, staff=case["worker"], amount=amount,
            partners=rng.choice(["civil,street", "hrss,street", "justice", "health,civil", "street,women"]),
            outcome={"closed": "已办结", "rejected": "经审核收入超过标准，未通过；已告知其他救助渠道"}.get(status),
            created_at=utcnow(), updated_at=utcnow())
        for n in range(steps):
            on = opened + timedelta(days=7 * n)
            AssistanceStep.create(assistance=a, on=on, who="专干", done="第 %d 次跟进：递交材料/电话沟通" % (n + 1),
                                  next_step="等待审批结果" if n == steps - 1 and not closed else None,
                                  next_date=on + timedelta(days=14) if n == steps - 1 and not closed else None,
                                  staff=case["worker"])
        cases += 1
    return {"心理疏导": sessions, "帮扶事项": cases}


def story(now, worker):
    """The seed: 罗秀英 (person 1) in 社康; her daughter back at school after visits and calls."""
    daughter = FamilyMember.get_or_none(FamilyMember.person == 1, FamilyMember.name == "罗雨涵")
    if daughter is None:
        return 0
    opened = now - timedelta(days=150)
    a = AssistanceCase.create(person=1, beneficiary=daughter.id, category="schooling", title="协调女儿罗雨涵入读职业学校",
                              partners="street,women,school", status="closed", opened_on=opened,
                              closed_on=opened + timedelta(days=48), outcome="已入读职业学校，学费部分减免",
                              amount=3000, staff=worker.id, created_at=utcnow(), updated_at=utcnow())
    for days, who, done, next_step in STORY_STEPS:
        AssistanceStep.create(assistance=a, on=opened + timedelta(days=days), who=who, done=done, next_step=next_step,
                              staff=worker.id)
    return 1
