"""The demo's 云岩区 station, built so that its 2021→2022 figures are the seed article's: 在册 172 → 126
(同比下降26.74%), 戒断三年未复吸 98 → 121 (同比上升23.47%), 复吸率 25/274 = 9.12% → 6/221 = 2.71%, and at the
end of 2022 操守保持率 214/243 = 88.07%. Written into an empty station database (SQLite) as rows, in groups:

  group  persons  their measure                                   counts in
  A      77       served 2020–mid 2021, still running             在册 2021 and 2022, 在管 2021 and 2022
  B      95       served 2019–2020, released in 2022               在册 2021, 在管 both years, the cohort
  C      49       served in 2022, running                          在册 2022, 在管 2022
  D      102      served 2018–2019, released in 2021               在管 2021, the cohort
  E      56       released in 2020: 46 followed up, 29 of them     the cohort (not 在管 in 2021 or 2022)
                  positive after release; 10 never followed up
  F      121      released 2017–2019, clean since                  戒断三年: 98 (released by 2018) and 121
Relapse: 25 positive tests in 2021 (15 of A, 10 of B, before B's release), 6 in 2022 (of A).
"""
import random
from datetime import date, datetime, timedelta

from ..demo import accounts, insert
from ..demo.persons import person_rows
from ..models import Agreement, Case, CaseEvent, HomeVisit, Person, Screening, Setting, Talk
from ..tracking.forms import DEFAULT_LIABILITY, DEFAULT_MEASURES, DEFAULT_OBLIGATIONS

GROUPS = {"A": 77, "B": 95, "C": 49, "D": 102, "E": 56, "F": 121}
FOLLOWED_E, RELAPSED_E = 46, 29
RELAPSED_2021 = {"A": 15, "B": 10}
RELAPSED_2022 = 6
ABSTINENT_2021 = 98  # of F


def day_in(rng, first, last):
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def served_and_released(rng, group, index):
    """(served, released or None) of the index-th person of a group."""
    if group == "A":
        return day_in(rng, date(2020, 1, 1), date(2021, 6, 30)), None
    if group == "B":
        return day_in(rng, date(2019, 1, 1), date(2020, 12, 31)), day_in(rng, date(2022, 1, 1), date(2022, 11, 30))
    if group == "C":
        return day_in(rng, date(2022, 1, 1), date(2022, 11, 30)), None
    if group == "D":
        return day_in(rng, date(2018, 1, 1), date(2019, 12, 31)), day_in(rng, date(2021, 1, 1), date(2021, 12, 31))
    if group == "E":
        return day_in(rng, date(2017, 1, 1), date(2017, 12, 31)), day_in(rng, date(2020, 1, 1), date(2020, 12, 31))
    if index < ABSTINENT_2021:  # three years clean by the end of 2021; the others by the end of 2022
        released = day_in(rng, date(2016, 1, 1), date(2018, 12, 31))
    else:
        released = day_in(rng, date(2019, 1, 1), date(2019, 12, 31))
    return released - timedelta(days=rng.randrange(365, 1095)), released


def build(station_code="520103-01", name="云岩区专地融合工作站", seed=2021):
    """Write the station into the current (empty) station database; returns the number of persons."""
    rng = random.Random(seed)
    users = accounts()
    staff = users["worker"].id
    Setting.replace(key="demo", value="1").execute()
    Setting.replace(key="station_name", value=name).execute()
    Setting.replace(key="station.code", value=station_code).execute()
    groups = [(g, i) for g, n in GROUPS.items() for i in range(n)]
    persons = person_rows(rng, len(groups))
    insert(Person, persons)
    cases, events, agreements, talks, visits, tests = [], [], [], [], [], []
    members = {g: [] for g in GROUPS}
    for person, (group, index) in zip(persons, groups):
        served, released = served_and_released(rng, group, index)
        case_id = len(cases) + 1
        members[group].append((person["id"], case_id, released))
        cases.append(dict(id=case_id, person=person["id"], measure=rng.choice(["community_detox", "community_rehab"]),
                          decision_number="筑云公（禁）决字〔%d〕%04d号" % (served.year, case_id),
                          decision_date=served - timedelta(days=2), served_date=served,
                          report_date=served + timedelta(days=rng.randrange(1, 10)), term_months=36,
                          street=rng.choice(["毓秀路街道", "大营路街道"]), status="released" if released else "active"))
        events.append(dict(case=case_id, action="report", from_status="pending_report", to_status="active",
                           on=cases[-1]["report_date"], user=staff))
        agreements.append(dict(case=case_id, edition=1, signed_on=cases[-1]["report_date"], measures=DEFAULT_MEASURES,
                               obligations=DEFAULT_OBLIGATIONS, liability=DEFAULT_LIABILITY, staff=staff))
        if released:
            events.append(dict(case=case_id, action="release", from_status="active", to_status="released",
                               on=released, user=staff))
        for n, day in enumerate(routine_days(rng, served, released)):  # during the measure: never a follow-up
            talks.append(talk(person["id"], staff, day))
            if n % 2:
                tests.append(test(person["id"], case_id, staff, day, "negative"))
            if n % 3 == 2:
                visits.append(dict(person=person["id"], staff=staff, visited_on=day, visitors="驻站民警、禁毒专干",
                                   address="（演示）", found_at_home=True))
    follow_ups(rng, members, staff, talks, tests)
    for group, count in RELAPSED_2021.items():
        for pid, case_id, _ in members[group][:count]:
            tests.append(test(pid, case_id, staff, day_in(rng, date(2021, 1, 1), date(2021, 12, 31)), "positive"))
    for pid, case_id, _ in members["A"][40:40 + RELAPSED_2022]:
        tests.append(test(pid, case_id, staff, day_in(rng, date(2022, 1, 1), date(2022, 12, 31)), "positive"))
    for model, rows in ((Case, cases), (CaseEvent, events), (Agreement, agreements), (Talk, talks),
                        (HomeVisit, visits), (Screening, tests)):
        insert(model, rows)
    return len(persons)


def routine_days(rng, served, released):
    """About every two months while the measure runs (before its release), within 2021–2022 (the demo's months)."""
    first, last = max(served, date(2021, 1, 1)), min(released or date(2022, 12, 31), date(2022, 12, 31))
    days, day = [], first + timedelta(days=rng.randrange(1, 30))
    while day < last:
        days.append(day)
        day += timedelta(days=rng.randrange(45, 75))
    return days


def follow_ups(rng, members, staff, talks, tests):
    """After release: a talk for every one of B and D; of E, 29 positive tests and 17 clean talks (10 lost)."""
    for pid, _, released in members["B"] + members["D"]:
        talks.append(talk(pid, staff, min(released + timedelta(days=rng.randrange(5, 30)), date(2022, 12, 31))))
    for n, (pid, _, released) in enumerate(members["E"][:FOLLOWED_E]):
        on = day_in(rng, date(2021, 1, 1), date(2022, 12, 31))
        if n < RELAPSED_E:
            tests.append(test(pid, None, staff, on, "positive"))
        else:
            talks.append(talk(pid, staff, on))


def talk(pid, staff, day):
    return dict(person=pid, staff=staff, held_at=datetime.combine(day, datetime.min.time()).replace(hour=10),
                place="sunshine", assessment="stable", signature="signed")


def test(pid, case_id, staff, day, result):
    return dict(person=pid, case=case_id, staff=staff, tested_on=day, result=result, collectors="驻站民警、禁毒专干")
