"""Recording from a 今日待办 row: the person page's own form opens in the row, saves there, and the row
gives way to a confirmation while the counts follow (out of band)."""
import re
from datetime import date

from factories import make_person, make_talk, talk_form

from portal.models import Talk

HX = {"HX-Request": "true"}


def opened(client, person, kind="talk", form="talks"):
    return client.get("/persons/%d/%s/new?target=q-%s-%d" % (person.id, form, kind, person.id),
                      headers=HX).get_data(as_text=True)


def test_a_queue_row_opens_the_person_page_form_that_saves_into_the_row(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    make_talk(person, users["worker"].id, next_date=date(2026, 11, 1))
    login_as("worker")
    rows = client.get("/queue/?kind=talk").get_data(as_text=True)
    assert 'hx-get="/persons/%d/talks/new?target=q-talk-%d"' % (person.id, person.id) in rows
    assert 'href="/persons/%d?record=talk' % person.id in rows  # without JavaScript: the person page
    form = opened(client, person)
    assert 'name="target" value="q-talk-%d"' % person.id in form and 'hx-target="#q-talk-%d-slot"' % person.id in form
    assert 'name="held_at"' in form and "记录面对面谈话" in form


def test_saving_from_the_row_confirms_there_and_updates_the_counts(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    make_talk(person, users["worker"].id, next_date=date(2026, 11, 1))
    login_as("worker")
    before = client.get("/queue/").get_data(as_text=True)
    assert re.search(r"面对面谈话 1 项", before)
    response = client.post("/persons/%d/talks/" % person.id, data=talk_form(target="q-talk-%d" % person.id),
                           headers=dict(HX, **{"HX-Current-URL": "http://localhost/queue/?kind=talk"}))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and Talk.select().where(Talk.person == person).count() == 2
    assert response.headers["HX-Retarget"] == "#q-talk-%d-item" % person.id
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "迟到：谈话记录已保存。此项已从今日待办中移除。" in body
    assert 'id="queue-counts" hx-swap-oob="true"' in body and "面对面谈话 1 项" not in body
    assert 'href="/queue/?kind=visit"' in body  # the counts keep the filters on screen (kind=talk)
    assert 'id="nav-queue-count" hx-swap-oob="true"' in body
    assert "工作记录" not in body  # not the person page's timeline


def test_a_row_still_due_after_saving_says_so(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    login_as("worker")
    response = client.post("/persons/%d/talks/" % person.id,
                           data=talk_form(target="q-talk-%d" % person.id, held_at="2026-09-01T09:00"), headers=HX)
    assert "面对面谈话仍然到期" in response.get_data(as_text=True)


def test_a_failed_save_keeps_the_form_in_the_row(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    login_as("worker")
    response = client.post("/persons/%d/talks/" % person.id,
                           data=talk_form(target="q-talk-%d" % person.id, held_at=""), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'name="target" value="q-talk-%d"' % person.id in body
    assert "HX-Retarget" not in response.headers


def test_a_target_that_is_not_a_queue_row_is_ignored(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    login_as("worker")
    form = client.get('/persons/%d/talks/new?target="><script>' % person.id, headers=HX).get_data(as_text=True)
    assert 'name="target"' not in form and "<script>" not in form
    response = client.post("/persons/%d/talks/" % person.id, data=talk_form(target="q-talk-1 x"), headers=HX)
    assert "HX-Retarget" not in response.headers and "已加入下方工作记录" in response.get_data(as_text=True)


def test_visit_review_and_test_open_inline_too(client, users, login_as):
    person = make_person("新报到", worker=users["worker"].id)
    login_as("worker")
    rows = client.get("/queue/").get_data(as_text=True)
    for kind, form in (("visit", "visits"), ("review", "risks")):
        assert 'hx-get="/persons/%d/%s/new?target=q-%s-%d"' % (person.id, form, kind, person.id) in rows
        assert 'name="target" value="q-%s-%d"' % (kind, person.id) in opened(client, person, kind, form)
    assert 'name="target" value="q-screening-%d"' % person.id in opened(client, person, "screening", "screenings")


def test_cancelling_empties_the_slot(client, login_as):
    login_as("worker")
    response = client.get("/queue/closed", headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    login_as("volunteer")
    assert client.get("/queue/closed", headers=HX).status_code == 403


def test_a_positive_test_saved_from_the_row_still_says_what_follows(client, users, login_as):
    """The law's follow-through (a relapse registered, the police to be told) reaches the worker in the row
    too; a negative test says nothing more."""
    person = make_person("阳性", worker=users["worker"].id)
    login_as("worker")
    form = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["meth"],
            "collectors": "陈丽 杨芳", "target": "q-screening-%d" % person.id}
    positive = client.post("/persons/%d/screenings/" % person.id, headers=HX,
                           data=dict(form, result="positive", positive_panels=["meth"], sample_a="A-1120-01",
                                     sample_b="B-1120-01")).get_data(as_text=True)
    assert "阳性：检测记录已保存" in positive and "已登记复吸事件" in positive and 'role="alert"' in positive
    negative = client.post("/persons/%d/screenings/" % person.id, headers=HX,
                           data=dict(form, result="negative", tested_on="2026-11-19")).get_data(as_text=True)
    assert 'role="alert"' not in negative
