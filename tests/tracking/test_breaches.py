"""戒毒条例 19-21: written reports, the serious-breach thresholds, and their follow-through."""
import re
from datetime import date, timedelta

import pytest
from factories import in_app, make_person, make_user, person_page, text_of

from portal.models import Absence, Breach, Case, CaseEvent, Incident, RiskAssessment, Screening
from portal.tracking import breaches

TODAY = date(2026, 11, 20)


@in_app
def add_screening(person, result, on, **values):
    case = person.current_case()
    staff = values.pop("staff", None) or make_user.__wrapped__("officer")
    return Screening.create(person=person, case=case, staff=staff, tested_on=on, result=result,
                            collectors="李明、陈丽", **values)


@in_app
def add_absence(person, leave_on, return_on, kind="unauthorised"):
    staff = make_user.__wrapped__("officer")
    return Absence.create(person=person, case=person.current_case(), staff=staff, kind=kind, destination="广东",
                          leave_on=leave_on, return_on=return_on, discovered="visit")


@in_app
def counts(person):
    return breaches.counters_of(person.current_case().id, TODAY)


@pytest.mark.parametrize("missed, absences, days, serious", [
    (2, 0, 0, False), (3, 0, 0, True),       # refused/evaded tests: "3 次以上" includes 3
    (0, 2, 0, False), (0, 3, 0, True),       # unauthorised absences: 3 times or more
    (0, 1, 30, False), (0, 1, 31, True),     # "超过 30 日": 30 is not serious, 31 is
    (2, 2, 30, False),                       # the counters are not added together
])
def test_article_20_thresholds(missed, absences, days, serious):
    assert breaches.is_serious(missed, absences, days) is serious


def test_thresholds_on_real_records_two_then_three_refusals(app):
    person = make_person()
    add_screening(person, "refused", date(2026, 9, 1))
    add_screening(person, "evaded", date(2026, 10, 1))
    add_screening(person, "absent", date(2026, 10, 15))  # a 未到 not yet decided does not count
    assert counts(person)["missed"] == 2 and not counts(person)["serious"]
    add_screening(person, "refused", date(2026, 11, 1))
    assert counts(person)["missed"] == 3 and counts(person)["serious"]


def test_absence_days_thirty_then_thirty_one(app):
    person = make_person()
    add_absence(person, date(2026, 3, 1), date(2026, 3, 20))  # 20 days, both ends included
    add_absence(person, date(2026, 6, 1), date(2026, 6, 10))  # 10 days
    assert counts(person)["absent_days"] == 30 and not counts(person)["serious"]
    other = make_person("李四")
    add_absence(other, date(2026, 3, 1), date(2026, 3, 21))
    add_absence(other, date(2026, 6, 1), date(2026, 6, 10))
    assert counts(other)["absent_days"] == 31 and counts(other)["serious"]


def test_an_absence_not_yet_ended_counts_to_today(app):
    person = make_person()
    add_absence(person, TODAY - timedelta(days=30), None)  # 31 days including today
    assert counts(person)["absent_days"] == 31 and counts(person)["serious"]
    assert breaches.absence_days(TODAY - timedelta(days=30), None, TODAY) == 31


def test_written_report_from_three_days(client, users, login_as):
    assert not breaches.needs_written_report(date(2026, 11, 1), date(2026, 11, 2))  # 2 days
    assert breaches.needs_written_report(date(2026, 11, 1), date(2026, 11, 3))  # 3 days
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    form = {"kind": "reported", "destination": "遵义市", "reason": "探亲", "leave_on": "2026-11-01",
            "return_on": "2026-11-03", "approved_by": "李明"}
    response = client.post("/persons/%d/absences/" % person.id, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "须事先提交书面报告" in page and "遵义市" in page
    assert client.post("/persons/%d/absences/" % person.id, data={**form, "written_report": "y"}).status_code == 302
    assert in_app(Absence.select().count)() == 1 and counts(person)["absences"] == 0  # reported: no breach


def test_the_third_refusal_makes_a_serious_breach_everywhere(client, users, login_as):
    person = make_person("严重", worker=users["worker"].id)
    add_screening(person, "refused", date(2026, 9, 1))
    add_screening(person, "evaded", date(2026, 10, 1))
    login_as("officer")
    form = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "collectors": "李明、陈丽",
            "result": "refused", "police_station": "新华路派出所"}
    response = client.post("/persons/%d/screenings/" % person.id, data=form, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "已达到严重违反协议标准" in page and "拒绝/逃避检测 3 次" in page
    incident = in_app(Incident.get)(Incident.kind == "serious_breach")
    assert incident.person_id == person.id and incident.reported_on is None
    assert in_app(lambda: RiskAssessment.select().where(RiskAssessment.forced_by == "serious_breach").count())() == 1
    assert "严重违反协议" in text_of(client.get("/persons/?q=严重"))
    assert "严重违反协议" in text_of(person_page(client, person.id))
    queue = text_of(client.get("/queue/"))
    assert re.search(r"待报告公安\s+严重\s+严重违反协议", queue)
    # a fourth refusal does not open a second serious-breach incident
    client.post("/persons/%d/screenings/" % person.id, data={**form, "tested_on": "2026-11-20"})
    assert in_app(Incident.select().where(Incident.kind == "serious_breach").count)() == 1
    # the report to the police is recorded, and the queue item goes
    bad = client.post("/incidents/%d/report" % incident.id, data={"reported_on": "2026-11-20", "recipient": ""})
    assert bad.status_code == 422 and "此项为必填项" in bad.get_data(as_text=True)
    client.post("/incidents/%d/report" % incident.id, data={"reported_on": "2026-11-20", "recipient": "新华路派出所 王警官"})
    assert in_app(Incident.get_by_id)(incident.id).recipient == "新华路派出所 王警官"
    assert "待报告公安" not in text_of(client.get("/queue/")).split("事项")[-1]


def test_a_positive_screening_opens_a_relapse_with_the_same_follow_through(client, users, login_as):
    person = make_person("阳性", worker=users["worker"].id)
    login_as("worker")
    form = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["meth"],
            "collectors": "陈丽 杨芳", "result": "positive", "positive_panels": ["meth"], "sample_a": "A-1120-01",
            "sample_b": "B-1120-01"}
    saved = client.post("/persons/%d/screenings/" % person.id, data=form, headers={"HX-Request": "true"})
    page = saved.get_data(as_text=True)
    # the new test and the counters come back; the tracking file reloads itself (its own audited read)
    assert "已登记复吸事件" in page and 'id="tracking"' not in page and saved.headers["HX-Trigger"] == "tracking-changed"
    assert "高风险" in page  # the risk badge, out of band
    reloaded = client.get("/persons/%d/sections/tracking" % person.id, headers={"HX-Request": "true"})
    assert '<span id="person-flags" hx-swap-oob="true">' in reloaded.get_data(as_text=True)  # the header's badges
    incident = in_app(Incident.get)()
    assert incident.kind == "relapse" and incident.screening_id == in_app(Screening.get)().id
    assert in_app(RiskAssessment.get)().forced_by == "positive_screening"
    assert in_app(Screening.get)().collectors == "陈丽、杨芳"
    assert "阳性" in text_of(client.get("/queue/")) and "待报告公安" in text_of(client.get("/queue/"))


def test_each_refusal_asks_for_its_education(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    refusal = add_screening(person, "refused", date(2026, 11, 1))
    in_app(breaches.follow_through)(refusal, None)
    in_app(breaches.follow_through)(refusal, None)  # idempotent: a correction runs it again
    breach = in_app(Breach.get)()
    assert in_app(Breach.select().count)() == 1 and breach.kind == "refusal" and breach.education is None
    login_as("worker")
    assert "待记录批评教育" in text_of(person_page(client, person.id))
    client.post("/breaches/%d/educate" % breach.id, data={"educated_on": "2026-11-02",
                                                          "education": "当面批评教育，讲明第二十条后果"})
    assert in_app(Breach.get_by_id)(breach.id).education == "当面批评教育，讲明第二十条后果"
    assert "待记录批评教育" not in text_of(person_page(client, person.id))


def test_an_ordinary_breach_is_recorded_with_its_education(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    bad = client.post("/persons/%d/breaches/" % person.id, data={"kind": "missed_talk", "occurred_on": "2026-11-18"})
    assert bad.status_code == 422 and in_app(Breach.select().count)() == 0
    client.post("/persons/%d/breaches/" % person.id, data={
        "kind": "missed_talk", "occurred_on": "2026-11-18", "description": "无故未参加谈话",
        "educated_on": "2026-11-19", "education": "电话批评教育"})
    assert in_app(Breach.get)().kind == "missed_talk" and counts(person)["missed"] == 0


def test_the_counters_of_every_case_in_one_query(app):
    serious, fine = make_person("甲"), make_person("乙")
    for month in (7, 8, 9):
        add_screening(serious, "refused", date(2026, month, 1))
    add_absence(fine, date(2026, 5, 1), date(2026, 5, 3))
    rows = {r["case_id"]: r for r in in_app(lambda: list(breaches.counters(TODAY).dicts()))()}
    assert len(rows) == 2  # only cases with a breach are listed
    assert rows[in_app(serious.current_case)().id]["serious"] == 1
    assert rows[in_app(fine.current_case)().id] == {"case_id": in_app(fine.current_case)().id, "missed": 0,
                                                    "absences": 1, "absent_days": 3, "serious": 0}


def test_a_late_entry_does_not_move_the_serious_breach_to_its_own_date(app):
    person = make_person()
    for on in (date(2026, 3, 1), date(2026, 6, 1)):
        add_screening(person, "refused", on)
    late = add_screening(person, "refused", date(2025, 5, 2))  # typed in today, taken long ago (in the measure)
    in_app(breaches.follow_through)(late, None)
    assert in_app(Incident.get)(Incident.kind == "serious_breach").occurred_on == date(2026, 6, 1)


def test_the_thirty_first_day_away_is_the_day_of_the_breach(app):
    person = make_person()
    add_absence(person, date(2026, 3, 1), date(2026, 3, 20))  # 20 days
    add_absence(person, date(2026, 6, 1), date(2026, 6, 15))  # the 31st day away is 2026-06-11
    assert in_app(breaches.crossing_date)(in_app(person.current_case)().id, TODAY) == date(2026, 6, 11)


def test_an_absence_still_running_becomes_serious_when_its_31st_day_comes(client, runner, users, login_as, clock):
    """No record is saved on day 31: the daily sweep opens the incident; reading a page never does."""
    person = make_person("未归", worker=users["worker"].id)
    add_absence(person, date(2026, 10, 25), None)  # day 1 is 2026-10-25, day 31 is 2026-11-24
    clock.advance(days=3)  # 2026-11-23: the 30th day
    assert "新登记严重违反协议 0 起" in runner.invoke(args=["sweep"]).output
    assert in_app(Incident.select().count)() == 0
    clock.advance(days=1)  # 2026-11-24: the 31st day
    login_as("officer")
    client.get("/queue/")
    person_page(client, person.id)
    assert in_app(Incident.select().count)() == 0  # pages read, they do not write
    assert "新登记严重违反协议 1 起" in runner.invoke(args=["sweep"]).output
    assert "待报告公安" in text_of(client.get("/queue/")).split("事项")[-1]
    incident = in_app(Incident.get)()
    assert incident.kind == "serious_breach" and incident.occurred_on == date(2026, 11, 24)
    assert in_app(RiskAssessment.get)(RiskAssessment.forced_by == "serious_breach").level == "high"
    assert "新登记严重违反协议 0 起" in runner.invoke(args=["sweep"]).output  # once only


def test_a_third_refusal_during_a_long_absence_dates_the_breach(app):
    person = make_person()
    add_absence(person, date(2026, 3, 1), date(2026, 4, 30))  # day 31 would be 2026-03-31
    for on in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 10)):
        add_screening(person, "refused", on)
    assert in_app(breaches.crossing_date)(in_app(person.current_case)().id, TODAY) == date(2026, 3, 10)


# 戒毒条例 20 counts breaches "在社区戒毒期间". A station built by hand: the case is reported on
# 2026-01-10, detained (中止) on 2026-03-01, resumed on 2026-04-01 and released on 2026-09-01, so it
# ran [01-10, 03-01) and [04-01, 09-01): 19 running days from 02-10 to 02-28, none in March.
@in_app
def measured(person, *events):
    case = person.current_case()
    Case.update(report_date=date(2026, 1, 10), served_date=date(2026, 1, 5)).where(Case.id == case.id).execute()
    for action, on in events:
        CaseEvent.create(case=case.id, action=action, from_status="active", to_status="active", on=on)
    return case.id


LIFE = (("suspend", date(2026, 3, 1)), ("resume", date(2026, 4, 1)), ("release", date(2026, 9, 1)))


@pytest.mark.parametrize("leave_on, serious", [
    (date(2026, 8, 1), True),    # 08-01..08-31: 31 running days, then the release stops the count
    (date(2026, 8, 2), False),   # 30 running days: still open today, but the measure ended on 09-01
])
def test_an_absence_open_across_the_release_stops_counting_there(app, leave_on, serious):
    person = make_person()
    case_id = measured(person, *LIFE)
    add_absence(person, leave_on, None)
    assert in_app(breaches.counters_of)(case_id, TODAY)["serious"] is serious
    assert (in_app(breaches.crossing_date)(case_id, TODAY) == date(2026, 8, 31)) is serious


@pytest.mark.parametrize("return_on, days", [
    (date(2026, 4, 12), 31),     # 02-10..02-28 (19) and 04-01..04-12 (12): the suspension does not count
    (date(2026, 4, 11), 30),
])
def test_the_days_of_a_suspension_do_not_count(app, return_on, days):
    person = make_person()
    case_id = measured(person, *LIFE)
    add_absence(person, date(2026, 2, 10), return_on)
    counts = in_app(breaches.counters_of)(case_id, TODAY)
    assert counts["absent_days"] == days and counts["serious"] is (days == 31)
    if days == 31:  # the 31st running day is 04-12, not 03-12
        assert in_app(breaches.crossing_date)(case_id, TODAY) == date(2026, 4, 12)


@pytest.mark.parametrize("third, serious", [
    (date(2026, 8, 31), True),   # the last day of the measure
    (date(2026, 9, 1), False),   # the day of the release: after the measure, a follow-up test
    (date(2026, 3, 15), False),  # while detained
])
def test_a_refusal_counts_only_while_the_measure_runs(app, third, serious):
    person = make_person()
    case_id = measured(person, *LIFE)
    add_screening(person, "refused", date(2026, 2, 1))
    add_screening(person, "refused", date(2026, 5, 1))
    late = add_screening(person, "refused", third)  # e.g. from the Excel test ledger
    messages = in_app(breaches.follow_through)(late, None)
    assert in_app(breaches.counters_of)(case_id, TODAY)["missed"] == (3 if serious else 2)
    assert in_app(Incident.select().where(Incident.kind == "serious_breach").exists)() is serious
    assert in_app(Breach.select().where(Breach.screening == late.id).exists)() is serious
    assert bool(messages) is serious
    forced = in_app(RiskAssessment.select().where(RiskAssessment.forced_by == "refusal").count)()
    assert forced == (1 if serious else 0)
