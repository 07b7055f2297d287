"""The demo station's training: a roster of workers (the demo accounts among them), volunteers
and grid workers, and a year of sessions with their attendance."""
from datetime import timedelta

from .models import Attendance, Trainee, TrainingSession
from .schedule import add_months

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
                status = rng.choices(["present", "excused", "absent"], [85, 6, 9])[0] if held < now else "absent"
                Attendance.create(session=session, trainee=person, status=status)
            sessions += 1
            held = add_months(held, months)
    return {"培训名单": len(people), "培训": sessions}
