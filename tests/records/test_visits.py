"""Home visits: inline entry, cadence by risk level, corrections, scope, and the queue."""
from datetime import date

import pytest
from factories import due, make_person

from portal.models import HomeVisit, Revision, RiskAssessment

HX = {"HX-Request": "true"}


def visit_form(**overrides):
    data = {"visited_on": "2026-11-20", "visitors": "陈丽、李明", "address": "花果园大街1号", "found_at_home": "yes",
            "family_met": "其母", "verified": ["living"], "anomalies": [], "actions": "", "next_date": ""}
    data.update(overrides)
    return data


@pytest.fixture
def mine(users):
    return make_person("张三", worker=users["worker"].id, residence_address="花果园大街1号")


def test_form_prefills_date_visitor_and_address(client, mine, login_as):
    login_as("worker")
    body = client.get("/persons/%d/visits/new" % mine.id, headers=HX).get_data(as_text=True)
    assert "<html" not in body and 'value="2026-11-20"' in body and "花果园大街1号" in body


def test_visit_saved_into_the_timeline_with_the_cadence(client, users, mine, login_as):
    login_as("worker")
    response = client.post("/persons/%d/visits/" % mine.id, data=visit_form(anomalies=["separated"]), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'hx-swap-oob="afterbegin:#timeline-entries"' in body and "人户分离" in body
    assert 'id="timeline"' not in body
    visit = HomeVisit.get()
    assert visit.found_at_home and visit.living_verified and not visit.employment_verified
    assert visit.next_date is None  # none agreed: the cadence for the risk level applies


@pytest.mark.parametrize("level, months", [("low", 3), ("high", 1)])
def test_next_visit_follows_the_current_risk_level(app, client, users, mine, login_as, clock, level, months):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 0  # months pass in this test; no forced password change
    login_as("worker")
    client.post("/persons/%d/visits/" % mine.id, data=visit_form(), headers=HX)  # 2026-11-20
    # The level can rise after the visit: the queue follows the current level.
    RiskAssessment.create(person=mine, assessed_on=date(2026, 11, 21), level=level, next_review=date(2027, 5, 1))
    clock.advance(days=30 * months - 3)
    login_as("worker")
    assert due(client, "入户走访") == set()
    clock.advance(days=5)
    login_as("worker")
    assert due(client, "入户走访") == {"张三"}


@pytest.mark.parametrize("overrides, message", [
    ({"found_at_home": ""}, "请选择本人是否在家"),
    ({"visitors": ""}, "此项为必填项"),
    ({"visited_on": "2026-12-30"}, "不能晚于今天"),
    ({"visited_on": "20261120"}, "不是有效的日期值"),
    ({"next_date": "2026-11-01"}, "应晚于本次走访"),
])
def test_invalid_visit_keeps_input(client, mine, login_as, overrides, message):
    login_as("worker")
    response = client.post("/persons/%d/visits/" % mine.id, data=visit_form(family_met="保留的家属", **overrides),
                           headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body and "保留的家属" in body
    assert HomeVisit.select().count() == 0


def test_correction_keeps_history_and_scope_is_enforced(client, users, mine, login_as):
    login_as("worker")
    client.post("/persons/%d/visits/" % mine.id, data=visit_form(), headers=HX)
    visit = HomeVisit.get()
    saved = client.post("/visits/%d/edit" % visit.id, data=visit_form(actions="补充处置", version="1"), headers=HX)
    assert saved.status_code == 200 and "补充处置" in saved.get_data(as_text=True)
    assert Revision.get(Revision.model == "HomeVisit").version == 1
    login_as("worker2")
    for method, url in (("GET", "/visits/%d" % visit.id), ("GET", "/visits/%d/edit" % visit.id),
                        ("POST", "/visits/%d/delete" % visit.id), ("GET", "/persons/%d/visits/new" % mine.id)):
        assert client.open(url, method=method, data={"reason": "试试"}, headers=HX).status_code == 404


def test_recording_a_visit_clears_the_queue_row(client, users, mine, login_as):
    login_as("worker")
    assert due(client, "入户走访") == {"张三"}  # never visited: due since reporting
    client.post("/persons/%d/visits/" % mine.id, data=visit_form(), headers=HX)
    assert due(client, "入户走访") == set()


def test_counsellor_sees_no_visit_findings(client, users, login_as):
    person = make_person("张三", counsellor=users["counsellor"].id)
    HomeVisit.create(person=person, staff=users["worker"].id, visited_on=date(2026, 11, 1), visitors="陈丽",
                     address="秘密地址", found_at_home=False, anomalies="contacts", actions="机密处置")
    login_as("counsellor")
    for url in ("/persons/%d" % person.id, "/visits/"):
        page = client.get(url).get_data(as_text=True)
        for secret in ("秘密地址", "疑似接触毒友", "不在家", "机密处置"):
            assert secret not in page, (url, secret)


def test_queue_link_opens_the_prefilled_visit_form(client, mine, login_as):
    login_as("worker")
    page = client.get("/persons/%d?record=visit" % mine.id).get_data(as_text=True)
    assert "记录入户走访" in page and 'value="花果园大街1号"' in page
