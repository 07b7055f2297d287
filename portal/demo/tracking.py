"""The demo station's abstinence tracking: case events, agreements, screenings by preset A with
hair tests, absences, and what the law asks after them (made by breaches.follow_through itself),
plus a few persons ordered into community detox again after their release, and relapses found by
the police."""
from datetime import timedelta

from peewee import fn

from ..dates import add_months, utcnow
from ..models import (Absence, Breach, Case, CaseEvent, Incident, RelapseFinding, ReleaseNotice, RiskAssessment,
                      Screening, Setting)
from ..records import risk_levels
from ..cases import lifecycle
from ..tracking import breaches
from ..tracking import late_reports as late
from ..tracking.forms import DEFAULT_LIABILITY, DEFAULT_MEASURES, DEFAULT_OBLIGATIONS
from ..tracking.plan import HAIR_MONTHS, next_screening


def reordered(rng, case_rows, case_ids, now):
    """A few released persons relapse and are ordered into community detox again (the evidence the
    操守保持率 counts), with the new case's report, agreement and events."""
    cases = []
    for case in case_rows:
        released = case["report_date"] and add_months(case["report_date"], case["term_months"])
        if case["status"] != "released" or released > now - timedelta(days=400) or rng.random() > 0.1:
            continue
        decided = released + timedelta(days=rng.randrange(60, 300))
        cases.append(dict(case, decision_date=decided, served_date=decided + timedelta(days=2),
                          report_date=decided + timedelta(days=6), status="active", measure="community_detox",
                          term_months=36, decision_number="筑南公（禁）社戒决字〔%d〕%04d号" % (decided.year, 400 + len(cases))))
    return cases


CLOSING = {"released": ("release", "解除通知书"), "compulsory": ("compulsory", "强制隔离戒毒决定书"),
           "transferred": ("transfer", "变更执行地决定书"), "terminated": ("terminate", "刑事判决书"),
           "deceased": ("death", "死亡证明")}
WOMEN = ("worker", "worker2")  # 陈丽 and 杨芳, the accounts among the collectors of every test
DESTINATIONS = ["遵义市", "安顺市", "毕节市", "广东省深圳市", "浙江省温州市", "云南省昆明市", "重庆市"]


def tracking_history(rng, case_rows, case_ids, sexes, users, now):
    """Case events, agreements, screenings by preset A (hair every six months) and absences:
    mostly negative, a few positives, refusals and 未到, and one serious breach."""
    names = {u.id: u.display_name for u in users.values()}
    women = {users[username].id for username in WOMEN}
    rows = {"CaseEvent": [], "Agreement": [], "Screening": [], "Absence": [], "serious": None}
    serious = next((i for i, c in enumerate(case_rows) if i > 5 and c["status"] == "active" and c["report_date"]
                    and c["report_date"] < now - timedelta(days=400) and sexes[c["person"]] == "M"), None)
    stamp = {"created_at": utcnow(), "updated_at": utcnow()}
    relocated = 0  # the first change of place is four days old: its new agreement is still to sign
    for index, case in enumerate(case_rows):
        case_id, start = case_ids[case["person"]], case["report_date"]
        if start is None:
            continue
        number = "%s〔%d〕%03d号" % ("筑南", start.year, rng.randrange(1, 500))
        rows["CaseEvent"].append(dict(case=case_id, action="report", from_status="pending_report", to_status="active",
                                      on=start, user=case["worker"], created_at=stamp["created_at"]))
        end = min(now, add_months(start, case["term_months"]))
        if case["status"] in CLOSING:
            action, paper = CLOSING[case["status"]]
            closed = end if case["status"] == "released" else start + timedelta(days=rng.randrange(60, 700))
            end = min(closed, now)
            rows["CaseEvent"].append(dict(case=case_id, action=action, from_status="active", to_status=case["status"],
                                          on=end, document_number=paper + number, user=case["officer"],
                                          created_at=stamp["created_at"]))
        elif case["status"] == "suspended":
            end = now - timedelta(days=rng.randrange(5, 60))
            rows["CaseEvent"].append(dict(case=case_id, action="suspend", from_status="active", to_status="suspended",
                                          on=end, document_number="拘留通知书" + number, user=case["officer"],
                                          notes="因涉嫌其他违法行为被行政拘留", created_at=stamp["created_at"]))
        if start < now - timedelta(days=3) or case["status"] != "active":  # the newest sign in a day or two
            rows["Agreement"].append(dict(case=case_id, edition=1, signed_on=start + timedelta(days=rng.randrange(0, 3)),
                                          measures=DEFAULT_MEASURES, obligations=DEFAULT_OBLIGATIONS,
                                          liability=DEFAULT_LIABILITY, staff=case["worker"], **stamp))
        if case["status"] == "active" and start < now - timedelta(days=200) and rng.random() < 0.05:
            moved = now - timedelta(days=rng.randrange(3, 150) if relocated else 4)  # a change of place
            relocated += 1
            rows["CaseEvent"].append(dict(case=case_id, action="relocate", from_status="active", to_status="active",
                                          on=moved, document_number="变更执行地决定书" + number, place=case["street"],
                                          user=case["officer"], created_at=stamp["created_at"]))
            if moved < now - timedelta(days=10):
                rows["Agreement"].append(dict(case=case_id, edition=2, signed_on=moved + timedelta(days=1),
                                              measures=DEFAULT_MEASURES, obligations=DEFAULT_OBLIGATIONS,
                                              liability=DEFAULT_LIABILITY, staff=case["worker"], **stamp))
        # as a station tests: the worker collects with the officer and records the test; the workers (陈丽,
        # 杨芳) are women, so a woman's urine is collected by a woman (docs/law.md)
        collectors = "%s、%s" % (names[case["officer"]], names[case["worker"]])
        female = case["worker"] in women
        station = case["street"].replace("街道", "派出所")
        # up to date, or (for a few running cases) the next test overdue
        if case["status"] == "active" and rng.random() < 0.06 and index != serious:
            end = now - timedelta(days=rng.randrange(40, 70))
        relapse_at = rng.randrange(2, 20) if rng.random() < 0.08 and index not in (0, serious) else None
        tested, count, urine = None, 0, []  # this case's urine tests
        while True:
            tested = next_screening(start, tested, "A")
            if tested > end:
                break
            count += 1
            result = rng.choices(["negative", "refused", "absent", "invalid"], [985, 4, 8, 3])[0]
            if count == relapse_at:
                result = "positive"
            if index == 0:
                result = "negative"
            recent_absent = result == "absent" and tested > now - timedelta(days=20)
            row = dict(person=case["person"], case=case_id, staff=case["worker"], tested_on=tested, kind="onsite",
                       sample="urine", panels="opiates,meth,ketamine", result=result, collectors=collectors,
                       female_collector=female, random=rng.random() < 0.08, police_station=station,
                       signed=result in ("negative", "positive", "invalid"), **stamp)
            if result == "positive":
                row.update(kind="lab", positive_panels=rng.choice(["meth", "meth", "opiates", "ketamine"]), sample_a="A%s%03d" % (tested.strftime("%Y%m%d"), index),
                           sample_b="B%s%03d" % (tested.strftime("%Y%m%d"), index))
            if result == "absent" and not recent_absent:
                row.update(decided_by=case["worker"], excuse=rng.choice(["住院治疗，有医院证明", "外出务工已报备，返回后补检"]))
            urine.append(row)
        if case["status"] == "active" and urine and index != serious and (now - urine[-1]["tested_on"]).days <= 6 \
                and urine[-1]["result"] == "negative" and rng.random() < 0.5:
            urine.pop()  # its test is due these days: 尿检到期 in the queue
        if index == serious:  # three refusals in a row: 戒毒条例 20's first threshold
            for row in urine[-3:]:
                row.update(result="refused", signed=False, notes="拒绝采样，经劝说无效")
        rows["Screening"] += urine
        hair = start  # on reporting, then every six months (schedule.next_hair)
        while hair <= end:
            rows["Screening"].append(dict(person=case["person"], case=case_id, staff=case["worker"], tested_on=hair,
                                          kind="lab", sample="hair", panels="opiates,meth,ketamine", result="negative",
                                          collectors=collectors, female_collector=female, police_station=station,
                                          signed=True, **stamp))
            hair = add_months(hair, HAIR_MONTHS)
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            leave = start + timedelta(days=rng.randrange(10, max(11, (end - start).days - 10)))
            days = rng.choice([1, 2, 3, 5, 7, 10])
            unauthorised = rng.random() < 0.08 and index != 0
            rows["Absence"].append(dict(
                person=case["person"], case=case_id, staff=case["worker"],
                kind="unauthorised" if unauthorised else "reported", destination=rng.choice(DESTINATIONS),
                reason=None if unauthorised else rng.choice(["探亲", "务工", "就医", "子女升学"]), leave_on=leave,
                return_on=leave + timedelta(days=days - 1), written_report=days >= 3 and not unauthorised,
                returned_on=None if unauthorised or leave + timedelta(days=days - 1) > now
                else leave + timedelta(days=days - 1),
                approved_by=None if unauthorised else names[case["officer"]],
                discovered="visit" if unauthorised else None, **stamp))
    rows["serious"] = case_ids[case_rows[serious]["person"]] if serious is not None else None
    return rows


def follow_ups(rows, now):
    """What the law asks after the demo's refusals, evasions, absences and positives, through the
    same rules module as the screens; older incidents carry their report to the police."""
    tested = Screening.select().where(Screening.result.in_(("positive", "refused", "evaded")))
    away = Absence.select().where(Absence.kind == "unauthorised")
    for record in list(tested.order_by(Screening.tested_on)) + list(away):
        breaches.follow_through(record, None)
    Breach.update(educated_on=Breach.occurred_on, education="当面批评教育，讲明违反协议的后果，本人表示改正").where(
        Breach.occurred_on < now - timedelta(days=20)).execute()
    for incident in Incident.select().where(Incident.kind == "serious_breach"):  # later reviews keep it high
        RiskAssessment.update(level="high", forced_by=None, next_review=fn.date(RiskAssessment.assessed_on, "+1 month")
                              ).where(RiskAssessment.person == incident.person_id,
                                      RiskAssessment.assessed_on >= incident.occurred_on).execute()
    Incident.update(reported_on=Incident.occurred_on, recipient="辖区派出所值班民警",
                    report_notes="电话报告并移交书面材料").where(
        Incident.occurred_on < now - timedelta(days=30), Incident.case != rows["serious"]).execute()


def police_findings(users, now):
    """Two relapses found by the police: one during a running measure (the risk forced high, as
    the screen would), one a year after a release (relapse evidence for the indicators)."""
    running = (Case.select().where(Case.status == "active", Case.report_date < now - timedelta(days=200))
               .order_by(Case.id.desc()).first())
    release = (CaseEvent.select().where(CaseEvent.action == "release", CaseEvent.on < now - timedelta(days=400))
               .order_by(CaseEvent.case).first())
    made = 0
    if running is not None:
        found = now - timedelta(days=40)
        RelapseFinding.create(person=running.person_id, case=running.id, found_on=found, police_unit="新华路派出所",
                              document_number="筑南公（禁）检字〔%d〕031号" % found.year, staff=users["officer"],
                              notes="社区民警走访时发现，尿检吗啡阳性")
        risk_levels.force_high(running.person_id, "police_finding", user=users["officer"], on=found)
        made += 1
    if release is not None:
        found = release.on + timedelta(days=365)
        RelapseFinding.create(person=release.case.person_id, case=None, found_on=found, police_unit="油榨街派出所",
                              document_number="筑南公（禁）检字〔%d〕107号" % found.year, staff=users["officer"],
                              notes="解除后查获，已移交处理")
        made += 1
    return made


def release_notices(users, now):
    """The station has recorded release notices for 90 days: each release since then is notified
    to its street office two days after, but the latest, which waits in 今日待办."""
    since = now - timedelta(days=90)
    Setting.replace(key="release_notice.since", value=since.isoformat()).execute()
    releases = list(CaseEvent.select().where(CaseEvent.action == "release", CaseEvent.on >= since)
                    .order_by(CaseEvent.on.desc()))
    for event in releases[1:]:
        ReleaseNotice.create(case=event.case_id, sent_on=event.on + timedelta(days=2),
                             recipient="%s办事处" % event.case.street, staff=users["worker"],
                             document_number="南社戒解通〔%d〕%03d号" % (event.on.year, event.case_id))
    return len(releases) - 1 if releases else 0


def relocation(users, now):
    """One person moved to another street of the station ten days ago and has yet to report there (22);
    the earlier changes of place were reported at the new place three days after."""
    Setting.replace(key="relocation_report.since", value=(now - timedelta(days=90)).isoformat()).execute()
    CaseEvent.update(reported_on=fn.MIN(fn.date(CaseEvent.on, "+3 days"), now.isoformat())).where(
        CaseEvent.action == "relocate").execute()  # never a report after today
    case = (Case.select().where(Case.status == "active", Case.report_date < now - timedelta(days=300))
            .order_by(Case.id).first())
    if case is None:
        return 0
    moved = now - timedelta(days=10)
    CaseEvent.create(case=case.id, action="relocate", from_status="active", to_status="active", on=moved,
                     place="太慈桥街道", document_number="筑南公（禁）变更决字〔%d〕008号" % moved.year,
                     user=users["officer"])
    Case.update(street="太慈桥街道", version=Case.version + 1).where(Case.id == case.id).execute()
    return 1


def follow_up_tests(users, now):
    """Two persons tested after their release (随访检测, part of no case): one clean, one positive
    (relapse evidence, followed through as the screen would: nothing opens on the closed case)."""
    releases = list(CaseEvent.select().where(CaseEvent.action == "release", CaseEvent.on < now - timedelta(days=60))
                    .order_by(CaseEvent.on.desc()).limit(2))
    for event, result in zip(releases, ("negative", "positive")):
        tested = min(event.on + timedelta(days=45), now)
        positive = {"positive_panels": "meth", "sample_a": "A%s901" % tested.strftime("%Y%m%d"),
                    "sample_b": "B%s901" % tested.strftime("%Y%m%d")} if result == "positive" else {}
        screening = Screening.create(
            person=event.case.person_id, case=None, staff=users["officer"], tested_on=tested, kind="onsite",
            sample="urine", panels="opiates,meth,ketamine", result=result, collectors="李明、陈丽",
            police_station="新华路派出所", signed=True, notes="解除后随访检测", **positive)
        breaches.follow_through(screening, None)
    return len(releases)


def overdue_returns(users, now):
    """Two reported absences past their planned return: one still awaiting a decision in 今日待办,
    one excused with its reason (its return recorded two days late)."""
    cases = list(Case.select().where(Case.status == "active", Case.report_date < now - timedelta(days=120))
                 .order_by(Case.id.desc()).limit(2))
    for case, (leave, back, returned, excuse) in zip(cases, (
            (12, 4, None, None), (25, 14, 12, "返程遇暴雨停运，提供了车票改签记录，已电话核实"))):
        Absence.create(person=case.person_id, case=case.id, staff=users["worker"], kind="reported",
                       destination="广东省深圳市", reason="探亲", leave_on=now - timedelta(days=leave),
                       return_on=now - timedelta(days=back), written_report=True, approved_by="王站长",
                       returned_on=returned and now - timedelta(days=returned),
                       decision="excused" if excuse else None, decided_by=users["worker"] if excuse else None,
                       excuse=excuse)
    return len(cases)


def late_reports(users, now):
    """Three recent reports made after the 15 days (逾期报到): one excused at the report with its cause,
    one confirmed without one (an incident for the police), one still awaiting its decision."""
    cases = list(Case.select().where(Case.status == "active", Case.report_date.between(
        now - timedelta(days=80), now - timedelta(days=20))).order_by(Case.id).limit(3))
    causes = ("住院治疗（急性阑尾炎），提供了出院小结", None, None)
    for case, cause, confirm in zip(cases, causes, (False, True, False)):
        served = case.report_date - timedelta(days=lifecycle.REPORT_DEADLINE_DAYS + 4)
        Case.update(served_date=served, decision_date=min(case.decision_date, served)).where(Case.id == case.id).execute()
        lifecycle.late_report(Case.get_by_id(case.id), case.report_date, users["worker"], cause)
        if confirm:
            breach = Breach.get(Breach.case == case.id, Breach.kind == "late_report")
            late.decide(breach, True, "本人称忘记报到，经核实无正当理由", case.person_id, users["worker"])
    return len(cases)
