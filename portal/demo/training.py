"""The demo station's training: a roster of workers (the demo accounts among them), volunteers
and grid workers, and a year of sessions with their attendance."""
from datetime import timedelta

from ..dates import add_months
from ..models import Attendance, Trainee, TrainingSession

TOPIC_SETS = ["law,methods", "communication,home_visits", "drugs,risk", "crisis,communication", "law,drugs"]
TITLES = {"worker": "禁毒专干业务培训", "volunteer": "禁毒志愿者知识培训", "grid": "网格员禁毒知识培训"}


def build(rng, users, now, names):
    """Insert the roster and the sessions; return their counts."""
    people = [Trainee.create(name=users["worker"].display_name, kind="worker", unit="新华路街道", user=users["worker"].id),
              Trainee.create(name=users["worker2"].display_name, kind="worker", unit="花果园街道",
                             user=users["worker2"].id),
              Trainee.create(name=users["volunteer"].display_name, kind="volunteer", unit="新华路社区",
                             user=users["volunteer"].id)]
    for kind, count in (("worker", 6), ("volunteer", 24), ("grid", 10)):
        for _ in range(count):
            people.append(Trainee.create(name=names(rng), kind=kind, unit=rng.choice(["新华路社区", "花果园社区", "兴关路社区"]),
                                         joined_on=now - timedelta(days=rng.randrange(60, 900))))
    sessions = 0
    for kind, months in (("worker", 1), ("volunteer", 3), ("grid", 6)):
        held = add_months(now, -12)
        while held <= now:
            session = TrainingSession.create(
                held_on=held, title="%d年%d月%s" % (held.year, held.month, TITLES[kind]), audience=kind,
                trainer=rng.choice(["市禁毒办 王老师", "区禁毒办 李科长", "二级心理咨询师 刘静", "驻站民警 李明"]),
                topics=rng.choice(TOPIC_SETS), hours=rng.choice([2, 2.5, 3, 4]), venue="阳光驿站会议室",
                staff=users["officer"].id)
            for person in (p for p in people if p.kind == kind):
                status = rng.choices(["present", "excused", "absent"], [85, 6, 9])[0] if held < now else "unrecorded"
                Attendance.create(session=session, trainee=person, status=status)
            sessions += 1
            held = add_months(held, months)
    events = demo_events(rng, users, now, [p for p in people if p.kind == "volunteer"])
    return {"培训名单": len(people), "培训": sessions, "宣传活动": events}


EVENTS = [  # month, day, title, venue type, venue, format, audience group
    (6, 26, "6·26 国际禁毒日进校园", "school", "南明区第二中学", "lecture", "students"),
    (6, 26, "6·26 禁毒宣传广场活动", "community", "花果园中央广场", "exhibition", "residents"),
    (6, 24, "禁毒知识进企业", "unit", "贵阳某物流公司", "lecture", "workers"),
    (3, 15, "禁毒宣传进家庭（入户发放）", "family", "新华路社区", "consultation", "residents"),
    (4, 20, "禁毒宣传进乡村", "village", "永乐乡石塘村", "performance", "villagers"),
    (5, 18, "娱乐场所禁毒承诺签名", "venue", "兴关路 KTV 集中区", "consultation", "other"),
    (7, 10, "暑期青少年禁毒夏令营", "school", "区青少年活动中心", "lecture", "students"),
    (8, 22, "禁毒文艺进社区", "community", "沙冲路社区", "performance", "residents"),
    (9, 12, "新型毒品识别讲座", "unit", "区政务中心", "lecture", "workers"),
    (10, 16, "禁毒网络答题", "community", "线上（工作站公众号）", "online", "residents"),
    (11, 8, "禁毒宣传进农村集市", "village", "二戈寨集市", "exhibition", "villagers"),
    (11, 20, "校园禁毒讲座", "school", "南明区第一小学", "lecture", "students"),
]


def demo_events(rng, users, now, volunteers):
    import json

    from ..models import EventVolunteer, PreventionEvent

    count = 0
    for month, day, title, venue_type, venue, form, group in EVENTS:
        held = now.replace(month=month, day=day)
        if held > now:
            held = held.replace(year=now.year - 1)
        event = PreventionEvent.create(
            held_on=held, title=title, venue_type=venue_type, venue=venue, format=form,
            partners=rng.choice(["区禁毒办、辖区派出所", "街道办、社区居委会", "区教育局、学校", "区禁毒办"]),
            audience=json.dumps({group: rng.randrange(40, 600)}), leaflets=rng.randrange(50, 800),
            consultations=rng.randrange(5, 80), staff=users["worker"].id)
        for person in rng.sample(volunteers, min(len(volunteers), rng.randrange(3, 7))):
            EventVolunteer.create(event=event, trainee=person, hours=rng.choice([2, 3, 4]))
        count += 1
    return count
