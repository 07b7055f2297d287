"""The risk module: levels, cadence of reviews, forced-high triggers, and where the level shows."""
from datetime import date

import pytest
from factories import in_app, make_person, make_talk, person_page

from portal.models import AuditLog, RiskAssessment
from portal.records import risk_levels


def test_assessment_sets_next_review_from_the_level(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    for level, expected in (("high", "2026-12-20"), ("medium", "2027-02-20"), ("low", "2027-05-20")):
        client.post("/persons/%d/risks/" % person.id, data={"assessed_on": "2026-11-20", "level": level,
                                                              "factors": ["family", "unemployed"]})
        latest = risk_levels.current(person.id)
        assert latest.level == level and str(latest.next_review) == expected
    assert latest.factors == "family,unemployed" and latest.assessor_id == users["worker"].id


def test_invalid_assessment_keeps_input_with_chinese_errors(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    response = client.post("/persons/%d/risks/" % person.id, headers={"HX-Request": "true"},
                           data={"assessed_on": "2026-11-20", "level": "", "notes": "保留的说明"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body and "请选择风险等级" in body and "保留的说明" in body


@pytest.mark.parametrize("trigger", sorted(risk_levels.FORCED_HIGH))
def test_forced_high_triggers(app, users, trigger):
    person = make_person("张三")
    in_app(risk_levels.force_high)(person, trigger, on=date(2026, 11, 20))
    current = risk_levels.current(person.id)
    assert current.level == "high" and current.forced_by == trigger and str(current.next_review) == "2026-12-20"
    assert AuditLog.get(AuditLog.action == "risk.force_high").person_id == person.id


def test_unknown_trigger_is_a_programming_error(app):
    person = make_person("张三")
    with pytest.raises(ValueError):
        in_app(risk_levels.force_high)(person, "bad_mood")


def test_level_shows_on_the_person_page_and_in_the_timeline(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    make_talk(person, users["worker"].id)
    RiskAssessment.create(person=person, assessed_on=date(2026, 11, 1), level="medium",
                          next_review=date(2027, 2, 1))
    login_as("worker")
    page = person_page(client, person.id).get_data(as_text=True)
    assert "中风险 · 2026-11-01" in page
    assert page.index("风险评估</span>") < page.index("面对面谈话</span>")  # newest first


def test_timeline_pages_across_record_types(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    for day in range(1, 13):
        make_talk(person, users["worker"].id, held_at=date(2026, 1, day).isoformat() + " 09:00:00")
    RiskAssessment.create(person=person, assessed_on=date(2026, 1, 5), level="low", next_review=date(2026, 7, 5))
    login_as("worker")
    first = person_page(client, person.id).get_data(as_text=True)
    assert first.count('class="entry entry-') == 10 and "加载更早的记录" in first
    more = client.get("/persons/%d/timeline?page=2" % person.id, headers={"HX-Request": "true"})
    body = more.get_data(as_text=True)
    assert "<html" not in body and body.count('class="entry entry-') == 3 and "加载更早的记录" not in body
    assert "2026-01-01 09:00" in body


def test_risk_fragments_answer_404_outside_scope_and_need_a_writer(client, users, login_as):
    theirs = make_person("李四", worker=users["worker2"].id)
    assessment = RiskAssessment.create(person=theirs, assessed_on=date(2026, 11, 1), level="low",
                                       next_review=date(2027, 5, 1))
    login_as("worker")
    headers = {"HX-Request": "true"}
    assert client.get("/persons/%d/risks/new" % theirs.id, headers=headers).status_code == 404
    assert client.post("/persons/%d/risks/" % theirs.id, data={"assessed_on": "2026-11-20", "level": "high"},
                       headers=headers).status_code == 404
    assert client.get("/risks/%d" % assessment.id, headers=headers).status_code == 404
    assert RiskAssessment.select().count() == 1
    login_as("counsellor")
    assert client.get("/persons/%d/risks/new" % theirs.id, headers=headers).status_code == 403


def test_a_wrong_level_can_be_corrected_or_deleted_and_the_queue_follows(client, users, login_as):
    from factories import due
    person = make_person("张三", worker=users["worker"].id)
    make_talk(person, users["worker"].id, next_date=date(2026, 12, 20))
    login_as("worker")
    client.post("/persons/%d/risks/" % person.id, data={"assessed_on": "2026-10-01", "level": "high"})
    wrong = risk_levels.current(person.id)
    assert due(client, "风险复评") == {"张三"}  # high: reviewed monthly, due 2026-11-01
    fixed = client.post("/risks/%d/edit" % wrong.id, headers={"HX-Request": "true"},
                        data={"assessed_on": "2026-10-01", "level": "low", "version": "1"})
    assert fixed.status_code == 200 and "低风险" in fixed.get_data(as_text=True)
    assert risk_levels.current(person.id).level == "low" and str(risk_levels.current(person.id).next_review) == "2027-04-01"
    assert due(client, "风险复评") == set()
    assert "第 1 版" in client.get("/risks/%d" % wrong.id).get_data(as_text=True)
    assert client.post("/risks/%d/delete" % wrong.id, data={"reason": ""}).status_code == 422
    client.post("/risks/%d/delete" % wrong.id, data={"reason": "录错了人"})
    assert risk_levels.current(person.id) is None
    assert AuditLog.get(AuditLog.action == "risk.delete").reason == "录错了人"
