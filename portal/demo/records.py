"""The demo station's routine work: monthly talks, quarterly home visits and risk assessments over
each case's term, and phone follow-ups after release."""
from datetime import datetime, time, timedelta

from ..dates import add_months, utcnow
from ..models import TALK_TOPICS
from ..records.risk_levels import FACTORS

RISK_TEXT = ["近期与原毒友有电话联系", "失业在家，经济压力大", "与家人关系紧张", "睡眠差，情绪低落", "外出务工计划未报备"]
ACTION_TEXT = ["按时参加尿检", "每周电话联系专干", "参加社区技能培训", "外出前书面报备", "家属协助监督"]


def work_history(rng, case_rows, addresses, now):
    """Monthly talks, quarterly visits and risk assessments over each term, ending so that the demo
    queue looks like a real morning: most up to date, some due today, some overdue."""
    talks, visits, risks = [], [], []
    stamp = {"created_at": utcnow(), "updated_at": utcnow()}
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
                signature="signed" if rng.random() < 0.95 else "refused", **stamp))
            if len(talks) % 3 == 1:
                level = rng.choices(["low", "medium", "high"], [55, 35, 10])[0]
                risks.append(dict(person=case["person"], assessor=staff, assessed_on=held, level=level,
                                  factors=",".join(rng.sample(list(FACTORS), rng.randrange(0, 4))),
                                  next_review=add_months(held, {"high": 1, "medium": 3, "low": 6}[level]),
                                  **stamp))
            held = next_date
        if lag == 1 and len(talks) > first:
            talks[-1]["next_date"] = now
        visited = start + timedelta(days=rng.randrange(3, 20))
        while visited <= end:
            anomalies = rng.choices(["", "contacts", "separated", "lost"], [90, 5, 4, 1])[0]
            visits.append(dict(
                person=case["person"], staff=staff, visited_on=visited, visitors="专干、民警",
                address=addresses[case["person"]], found_at_home=rng.random() < 0.85,
                family_met=rng.choice([None, "其母", "配偶", "其父、其母"]), living_verified=rng.random() < 0.9,
                employment_verified=rng.random() < 0.6, anomalies=anomalies,
                actions="加强电话联系，下周复访" if anomalies else None, next_date=None,
                **stamp))
            visited = add_months(visited, 3)
        if case["status"] == "released" and rng.random() < 0.85:  # 回访 after release; the rest are lost
            follow = add_months(end, 3)
            while follow <= now:
                talks.append(dict(person=case["person"], staff=staff, place="phone", kind="other",
                                  held_at=datetime.combine(follow, time(10, 0)), topics="thoughts,work",
                                  assessment="stable", actions="解除后电话回访，保持操守", signature="signed",
                                  **stamp))
                follow = add_months(follow, 3)
    return talks, visits, risks
