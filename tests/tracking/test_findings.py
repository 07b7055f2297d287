"""公安查获复吸: relapse found by the police, during a measure or after it, is relapse evidence."""
from datetime import date

from portal.models import AuditLog, CaseEvent, RelapseFinding, RiskAssessment
from portal.reports import indicators

from factories import in_app, make_person, person_page, text_of

HX = {"HX-Request": "true"}


def finding(**overrides):
    return {"found_on": "2026-11-18", "police_unit": "新华路派出所", "document_number": "筑南公（禁）检字〔2026〕031号",
            "notes": "尿检阳性，已行政拘留", **overrides}


@in_app
def released_on(person, day):
    case = person.current_case()
    CaseEvent.create(case=case.id, action="release", from_status="active", to_status="released", on=day)
    case.status = "released"
    case.save()


def test_a_finding_during_the_measure_forces_high_risk_and_joins_the_timeline(client, users, login_as):
    person = make_person("查获", worker=users["worker"].id)
    login_as("worker")
    page = client.post("/persons/%d/findings/" % person.id, data=finding(), headers=HX).get_data(as_text=True)
    assert "公安查获复吸记录已保存" in page and "风险已调为高" in page and "执行期间复吸证据" in page
    row = in_app(RelapseFinding.get)()
    assert row.case_id == in_app(person.current_case)().id and row.staff_id == users["worker"].id
    assert in_app(RiskAssessment.get)(RiskAssessment.forced_by == "police_finding").level == "high"
    assert in_app(AuditLog.select().where(AuditLog.action == "finding.create").count)() == 1
    shown = text_of(person_page(client, person.id))
    assert "公安查获复吸" in shown and "新华路派出所" in shown


def test_a_finding_after_release_is_evidence_without_touching_the_closed_case(client, users, login_as):
    """Released on 2026-09-01: a finding on 09-01 (the end day) or later is after the measure."""
    person = make_person("解除后", worker=users["worker"].id)
    released_on(person, date(2026, 9, 1))
    login_as("officer")
    page = client.post("/persons/%d/findings/" % person.id, data=finding(found_on="2026-09-01"), headers=HX)
    assert page.status_code == 200 and "解除后的复吸证据" in page.get_data(as_text=True)
    assert in_app(RelapseFinding.get)().case_id is None
    assert not in_app(RiskAssessment.select().where(RiskAssessment.forced_by == "police_finding").exists)()


def test_the_form_answers_in_chinese_and_keeps_what_was_typed(client, users, login_as):
    person = make_person("表单", worker=users["worker"].id)
    login_as("worker")
    response = client.post("/persons/%d/findings/" % person.id, headers=HX,
                           data=finding(police_unit="", found_on="2030-01-01"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "此项为必填项" in body and "日期不能晚于今天" in body
    assert "筑南公（禁）检字〔2026〕031号" in body and in_app(RelapseFinding.select().count)() == 0


def test_correcting_the_date_moves_it_out_of_the_measure_and_deleting_needs_a_reason(client, users, login_as):
    person = make_person("更正", worker=users["worker"].id)
    released_on(person, date(2026, 9, 1))
    login_as("worker")
    client.post("/persons/%d/findings/" % person.id, data=finding(found_on="2026-08-31"), headers=HX)
    row = in_app(RelapseFinding.get)()
    assert row.case_id is not None  # the last day of the measure
    client.post("/findings/%d/edit" % row.id, headers=HX, data=finding(found_on="2026-09-02", version="1"))
    assert in_app(RelapseFinding.get_by_id)(row.id).case_id is None
    refused = client.post("/findings/%d/delete" % row.id, headers=HX, data={"reason": ""})
    assert refused.status_code == 422 and "请填写事由" in refused.get_data(as_text=True)
    client.post("/findings/%d/delete" % row.id, headers=HX, data={"reason": "重复录入"})
    assert in_app(RelapseFinding.get_by_id)(row.id).deleted_at is not None


def test_a_finding_is_relapse_evidence_in_every_indicator(client, users, login_as):
    """Released 2023-06-01 (three years before 2026-06-01): three years clean until a police
    finding on 2025-02-01; a finding in Q3 counts in the 复吸率 of someone under management."""
    clean = make_person("三年")
    released_on(clean, date(2023, 6, 1))
    managed = make_person("在管")
    period = indicators.Period(date(2026, 7, 1), date(2026, 9, 30), "")
    before = in_app(indicators.compute)(users["lead"], period)
    assert before["abstinent3"].numerator == 1 and before["relapse"].numerator == 0
    for who, on in ((clean, date(2025, 2, 1)), (managed, date(2026, 8, 1))):
        in_app(RelapseFinding.create)(person=who.id, found_on=on, police_unit="派出所", document_number="X",
                                      staff=users["officer"].id)
    after = in_app(indicators.compute)(users["lead"], period)
    assert after["abstinent3"].numerator == 0 and after["relapse"].numerator == 1


def test_correcting_a_finding_into_the_measure_forces_the_risk(client, users, login_as):
    person = make_person("改期", worker=users["worker"].id)
    released_on(person, date(2026, 9, 1))
    login_as("worker")
    client.post("/persons/%d/findings/" % person.id, data=finding(found_on="2026-09-05"), headers=HX)
    row = in_app(RelapseFinding.get)()
    assert row.case_id is None and not in_app(RiskAssessment.select().exists)()
    page = client.post("/findings/%d/edit" % row.id, headers=HX, data=finding(found_on="2026-08-20", version="1"))
    assert "风险已调为高" in page.get_data(as_text=True)
    assert in_app(RiskAssessment.get)(RiskAssessment.forced_by == "police_finding").level == "high"


def test_a_new_finding_is_dated_today_by_default(client, users, login_as):
    person = make_person("默认", worker=users["worker"].id)
    login_as("worker")
    form = client.get("/persons/%d/findings/new" % person.id, headers=HX).get_data(as_text=True)
    assert 'value="2026-11-20"' in form
