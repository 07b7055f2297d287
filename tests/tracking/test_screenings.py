"""Screenings: the inline form, a testing day's grid, missed tests as candidates, the list."""
import re
from datetime import date

from factories import in_app, make_person, person_page, text_of

from portal.models import Absence, AuditLog, Breach, Case, Screening, Setting

FORM = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
        "collectors": "李明、陈丽", "female_collector": "y", "police_station": "新华路派出所", "result": "negative",
        "signed": "y"}


def count(model=Screening):
    return in_app(model.select().count)()


def test_inline_screening_is_saved_into_the_timeline(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    page = client.post("/persons/%d/screenings/" % person.id, data=FORM,
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "检测记录已保存" in page and "阴性" in page and "新华路派出所" in page
    screening = in_app(Screening.get)()
    assert screening.case_id == in_app(person.current_case)().id and screening.panels == "opiates,meth"
    assert in_app(AuditLog.get)(AuditLog.action == "screening.create").person_id == person.id


def test_refused_entries_keep_what_was_typed(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    response = client.post("/persons/%d/screenings/" % person.id,
                           data={**FORM, "collectors": "李明", "result": "positive", "notes": "本人称感冒服药"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and count() == 0
    assert "至少两人" in page and "阳性结果须填写 A、B 样本编号" in page and "本人称感冒服药" in page
    assert "请选择阳性的检测项目" in page
    response = client.post("/persons/%d/screenings/" % person.id, data={
        **FORM, "result": "positive", "positive_panels": ["ketamine"], "sample_a": "A1", "sample_b": "B1"})
    assert response.status_code == 422 and "须是本次检测的项目之一" in response.get_data(as_text=True)
    response = client.post("/persons/%d/screenings/" % person.id, data={**FORM, "panels": []})
    assert response.status_code == 422 and "请至少勾选一项检测项目" in response.get_data(as_text=True)


def test_a_womans_urine_without_a_female_collector_warns_but_saves(client, users, login_as):
    person = make_person("王芳", worker=users["worker"].id, male=False)
    login_as("worker")
    form = {k: v for k, v in FORM.items() if k != "female_collector"}
    page = client.post("/persons/%d/screenings/" % person.id, data=form,
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert count() == 1 and "尿样应由女性工作人员采集" in page
    page = client.post("/persons/%d/screenings/" % person.id, data=FORM,
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "尿样应由女性工作人员采集" not in page


def test_no_screening_before_the_report(client, users, login_as):
    person = make_person(worker=users["worker"].id, status="pending_report", report_date=None)
    login_as("worker")
    response = client.post("/persons/%d/screenings/" % person.id, data=FORM)
    assert response.status_code == 422 and "尚未报到执行社区戒毒/康复" in response.get_data(as_text=True)
    assert count() == 0


def test_a_missed_scheduled_test_is_a_candidate_not_a_breach(client, users, login_as):
    person = make_person("漏检", worker=users["worker"].id)
    in_app(lambda: Screening.create(person=person, case=person.current_case(), staff=users["worker"].id,
                                    tested_on=date(2026, 10, 1), result="negative", collectors="甲、乙"))()
    # preset A, year 2 (reported 2025-01-10): next test 2026-12-01, not yet due
    login_as("worker")
    assert not re.search(r"(尿检到期|疑似逃避检测)\s+漏检", text_of(client.get("/queue/")))
    in_app(lambda: Screening.update(tested_on=date(2026, 9, 1)).execute())()  # next: 2026-11-01, 19 days late
    queue = text_of(client.get("/queue/"))
    assert re.search(r"疑似逃避检测\s+漏检", queue)
    page = text_of(person_page(client, person.id))
    assert "按计划应于 2026-11-01 检测" in page and count(Breach) == 0
    assert "0 次 拒绝/逃避检测" in re.sub(r"\s+", " ", page)
    # excusing needs a reason; the excuse is kept and nothing counts
    url = "/persons/%d/screenings/missed" % person.id
    bad = client.post(url, data={"decision": "excuse", "due": "2026-11-01"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "须写明正当理由" in bad.get_data(as_text=True) and count() == 1
    client.post(url, data={"decision": "excuse", "reason": "住院治疗，有医院证明", "due": "2026-11-01"})
    missed = in_app(Screening.get)(Screening.scheduled_for == date(2026, 11, 1))
    assert missed.result == "absent" and missed.excuse == "住院治疗，有医院证明" and count(Breach) == 0
    assert "疑似逃避检测" not in text_of(client.get("/queue/")).split("事项")[-1]


def test_a_confirmed_candidate_counts_as_evasion(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    in_app(lambda: Screening.create(person=person, case=person.current_case(), staff=users["worker"].id,
                                    tested_on=date(2026, 11, 18), result="absent", collectors="甲、乙"))()
    assert "登记为“未到”" in text_of(person_page(client, person.id))
    screening = in_app(Screening.get)()
    client.post("/screenings/%d/decide" % screening.id, data={"decision": "confirm"})
    screening = in_app(Screening.get_by_id)(screening.id)
    assert screening.result == "evaded" and screening.decided_by_id == users["worker"].id
    assert in_app(Breach.get)().kind == "evasion"
    assert client.post("/screenings/%d/decide" % screening.id, data={"decision": "confirm"}).status_code == 409


def test_a_stale_candidate_is_not_decided_twice(client, users, login_as):
    person = make_person(worker=users["worker"].id)  # never tested: due on the report date 2025-01-10
    login_as("worker")
    url = "/persons/%d/screenings/missed" % person.id
    assert client.post(url, data={"decision": "confirm", "due": "2025-01-10"}).status_code == 302
    assert client.post(url, data={"decision": "confirm", "due": "2025-01-10"}).status_code == 409
    assert count() == 1


def test_a_person_may_follow_another_preset(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    in_app(lambda: Case.update(screening_preset="B", report_date=date(2026, 10, 1),
                               served_date=date(2026, 9, 25), decision_date=date(2026, 9, 20)).execute())()
    in_app(lambda: Screening.create(person=person, case=person.current_case(), staff=users["worker"].id,
                                    tested_on=date(2026, 11, 1), result="negative", collectors="甲、乙"))()
    login_as("worker")
    page = text_of(person_page(client, person.id))
    assert "方案B" in page and "2026-11-16" in page  # first half-year: twice a month


def test_the_lead_chooses_the_station_preset(client, users, login_as):
    login_as("lead")
    assert client.post("/settings/screening", data={"preset": "B", "grace_days": "10"}).status_code == 302
    assert in_app(Setting.get_by_id)("screening.preset").value == "B"
    bad = client.post("/settings/screening", data={"preset": "Z", "grace_days": "0"})
    assert bad.status_code == 422 and "1 到 30" in bad.get_data(as_text=True)


def day_form(persons, **header):
    data = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
            "collectors": "李明、陈丽", "female_collector": "y", "police_station": "新华路派出所", **header}
    for i, person in enumerate(persons):
        data.update({"rows-%d-person_id" % i: str(person.id), "rows-%d-result" % i: "negative",
                     "rows-%d-signed" % i: "y"})
    return data


def test_a_testing_day_saves_valid_rows_and_keeps_the_others(client, users, login_as):
    persons = [make_person("人员%02d" % i, worker=users["worker"].id) for i in range(10)]
    login_as("officer")
    chosen = client.post("/screenings/day", data={"step": "choose", "person": [str(p.id) for p in persons]})
    assert chosen.status_code == 200 and all(p.name in chosen.get_data(as_text=True) for p in persons)
    data = day_form(persons)
    data.update({"rows-3-result": "positive", "rows-3-positive_panels": "meth",
                 "rows-3-sample_a": "A-03"})  # B missing: this row fails
    data.update({"rows-5-result": "refused", "rows-5-notes": "拒绝采样"})
    response = client.post("/screenings/day", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and count() == 9
    assert "人员03：阳性结果须填写 A、B 样本编号" in text_of(response) and 'value="A-03"' in page
    assert "已保存 9 人" in page and 'name="rows-3-result"' in page and 'name="rows-4-result"' not in page
    fixed = {k: v for k, v in data.items() if not re.match(r"rows-(?!3-)", k)}
    fixed["rows-3-sample_b"] = "B-03"
    fixed["saved"] = re.findall(r'name="saved" value="(\d+)"', page)
    response = client.post("/screenings/day", data=fixed)
    assert response.status_code == 200 and count() == 10
    assert "已保存 10 人" in response.get_data(as_text=True)  # the earlier nine are listed again
    assert in_app(Screening.get)(Screening.result == "positive").sample_b == "B-03"
    assert in_app(Breach.get)().kind == "refusal"


def test_a_header_error_saves_no_row(client, users, login_as):
    persons = [make_person("人员%02d" % i, worker=users["worker"].id) for i in range(3)]
    login_as("officer")
    response = client.post("/screenings/day", data=day_form(persons, collectors="李明"))
    assert response.status_code == 422 and count() == 0 and "至少两人" in response.get_data(as_text=True)


def test_a_worker_tests_only_assigned_persons_on_a_testing_day(client, users, login_as):
    mine, theirs = make_person("我的", worker=users["worker"].id), make_person("别人的", worker=users["worker2"].id)
    login_as("worker")
    assert "别人的" not in text_of(client.get("/screenings/day"))
    client.post("/screenings/day", data=day_form([mine, theirs]))
    assert [s.person_id for s in in_app(lambda: list(Screening.select()))()] == [mine.id]


def test_station_list_filters_by_result_and_hides_details_from_counsellors(client, users, login_as):
    person = make_person("列表", worker=users["worker"].id, counsellor=users["counsellor"].id)
    login_as("worker")
    client.post("/persons/%d/screenings/" % person.id, data=FORM)
    client.post("/persons/%d/screenings/" % person.id, data={**FORM, "result": "invalid"})
    assert text_of(client.get("/screenings/?result=invalid")).count("无效") >= 2  # the filter and the row
    assert "阴性" not in text_of(client.get("/screenings/?result=invalid")).split("登记人")[-1]
    login_as("counsellor")
    page = text_of(person_page(client, person.id))
    assert "阴性" in page and "李明、陈丽" not in page and "新华路派出所" not in page


def test_every_read_of_tracking_records_is_audited(client, users, login_as):
    person = make_person("审计", worker=users["worker"].id)
    case = in_app(person.current_case)()
    login_as("officer")
    client.post("/persons/%d/screenings/" % person.id, data=FORM)
    client.post("/persons/%d/absences/" % person.id, data={
        "kind": "reported", "destination": "遵义市", "leave_on": "2026-11-01", "return_on": "2026-11-02"})
    screening, absence = in_app(Screening.get)(), in_app(Absence.get)()
    reads = {
        "/persons/%d/tracking" % person.id: ("tracking.view", person.id),
        "/screenings/%d" % screening.id: ("screening.view", person.id),
        "/absences/%d" % absence.id: ("absence.view", person.id),
        "/screenings/%d/edit" % screening.id: ("screening.view", person.id),
        "/persons/%d/cases/%d/transition/suspend" % (person.id, case.id): ("case.view", person.id),
        "/persons/%d/cases/%d/agreements/new" % (person.id, case.id): ("case.view", person.id),
        "/screenings/": ("screening.list", None),
        "/screenings/day": ("screening.day", None),
    }
    for url, (action, person_id) in reads.items():
        before = in_app(AuditLog.select().count)()
        assert client.get(url).status_code == 200, url
        rows = in_app(lambda: list(AuditLog.select().order_by(AuditLog.id.desc()).limit(1)))()
        assert in_app(AuditLog.select().count)() == before + 1, url
        assert rows[0].action == action and rows[0].person_id == person_id, url


def test_a_decision_is_taken_once(client, users, login_as):
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    absent = in_app(lambda: Screening.create(person=person, case=person.current_case(), staff=users["worker"].id,
                                             tested_on=date(2026, 11, 18), result="absent", collectors="甲、乙"))()
    assert client.post("/screenings/%d/decide" % absent.id, data={"decision": "excuse", "reason": "住院"}).status_code == 302
    assert client.post("/screenings/%d/decide" % absent.id, data={"decision": "confirm"}).status_code == 409
    assert in_app(Screening.get_by_id)(absent.id).result == "absent" and count(Breach) == 0


def test_the_history_of_a_test_shows_every_field_in_chinese(client, users, login_as):
    """The screening form inherits its date, sample and collectors from a base form: the earlier
    version lists them too, with their labels (样本 尿液, not "urine")."""
    person = make_person(worker=users["worker"].id)
    login_as("worker")
    hx = {"HX-Request": "true"}
    client.post("/persons/%d/screenings/" % person.id, data=FORM, headers=hx)
    screening = in_app(Screening.get)()
    client.post("/screenings/%d/edit" % screening.id, headers=hx, data={**FORM, "sample": "hair", "version": "1"})
    history = client.get("/screenings/%d" % screening.id, headers=hx).get_data(as_text=True).split("更正记录（")[1]
    assert "样本" in history and "尿液" in history and "urine" not in history
    assert "采样人员" in history and "李明、陈丽" in history
