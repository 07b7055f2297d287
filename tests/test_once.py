"""Idempotent saves (once.py, fields.Form.form_token): the same rendered form posted twice creates one
record; the second post is answered with the first answer, marked as a repeat."""
import re

import pytest
from factories import in_app, make_person, talk_form

from portal.models import (Absence, AssistanceCase, CounsellingSession, FamilyMember, HomeVisit, RelapseFinding,
                           RiskAssessment, Screening, Talk)

HX = {"HX-Request": "true"}
TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
FORMS = {  # model, the page that renders the form, where it posts, what is typed
    "talk": (Talk, "/persons/%d/talks/new", "/persons/%d/talks/", talk_form()),
    "visit": (HomeVisit, "/persons/%d/visits/new", "/persons/%d/visits/", {
        "visited_on": "2026-11-20", "visitors": "陈丽、李明", "address": "花果园大街1号", "found_at_home": "yes",
        "verified": ["living"]}),
    "screening": (Screening, "/persons/%d/screenings/new", "/persons/%d/screenings/", {
        "tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
        "collectors": "李明、陈丽", "female_collector": "y", "police_station": "新华路派出所", "result": "negative",
        "signed": "y"}),
    "absence": (Absence, "/persons/%d/absences/new", "/persons/%d/absences/", {
        "kind": "reported", "destination": "广东省深圳市", "reason": "探亲", "leave_on": "2026-11-10",
        "return_on": "2026-11-21", "written_report": "y", "approved_by": "王站长"}),
    "counselling": (CounsellingSession, "/persons/%d/counselling/new", "/persons/%d/counselling/", {
        "held_on": "2026-11-18", "mode": "individual", "concerns": "0", "presenting": ["mood"], "plan": "每两周一次",
        "summary": "情绪较前平稳", "notes": "自述与母亲冲突"}),
    "assistance": (AssistanceCase, "/persons/%d/assistance/new", "/persons/%d/assistance/new", {
        "category": "schooling", "title": "协调女儿入读职业学校", "beneficiary": "0", "partners": ["street"],
        "opened_on": "2026-03-02"}),
    "family": (FamilyMember, "/persons/%d/family/new", "/persons/%d/family/", {"name": "李桂兰", "relation": "母亲"}),
    "risk": (RiskAssessment, "/persons/%d/risks/new", "/persons/%d/risks/", {
        "assessed_on": "2026-11-20", "level": "medium", "factors": ["family", "unemployed"]}),
    "finding": (RelapseFinding, "/persons/%d/findings/new", "/persons/%d/findings/", {
        "found_on": "2026-11-18", "police_unit": "新华路派出所", "document_number": "筑南公（禁）检字〔2026〕031号",
        "notes": "尿检阳性，已行政拘留"}),
}
ROLE = {"counselling": "counsellor"}


def token_of(client, url):
    page = client.get(url, headers=HX if url.endswith("/new") else {}).get_data(as_text=True)
    return TOKEN.search(page).group(1)


@pytest.mark.parametrize("kind", FORMS)
def test_a_form_posted_twice_saves_once(client, users, login_as, kind):
    model, page, action, data = FORMS[kind]
    person = make_person("张三", worker=users["worker"], counsellor=users["counsellor"])
    login_as(ROLE.get(kind, "worker"))
    data = {**data, "form_token": token_of(client, page % person.id)}
    headers = {} if kind == "assistance" else HX
    first = client.post(action % person.id, data=data, headers=headers)
    assert first.status_code in (200, 302), first.get_data(as_text=True)[:2000]
    second = client.post(action % person.id, data=data, headers=headers)
    assert in_app(model.select().count)() == 1
    assert second.status_code == first.status_code and second.headers.get("X-Portal-Replayed") == "1"
    assert second.get_data() == first.get_data() and second.headers.get("Location") == first.headers.get("Location")
    fresh = {**data, "form_token": token_of(client, page % person.id)}  # a new form is a new record
    assert client.post(action % person.id, data=fresh, headers=headers).status_code == first.status_code
    assert in_app(model.select().count)() == 2


def test_without_javascript_the_repeat_is_announced(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    model, page, action, data = FORMS["talk"]
    data = {**data, "form_token": token_of(client, page % person.id)}
    client.post(action % person.id, data=data)
    again = client.post(action % person.id, data=data, follow_redirects=True)
    assert "此表单已保存过，没有重复保存" in again.get_data(as_text=True)
    assert in_app(Talk.select().count)() == 1


def test_a_refused_form_can_be_corrected_and_sent_again(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    token = token_of(client, "/persons/%d/talks/new" % person.id)
    refused = client.post("/persons/%d/talks/" % person.id, data={**talk_form(topics=[]), "form_token": token},
                          headers=HX)
    assert refused.status_code == 422 and token in refused.get_data(as_text=True)  # the same form, same token
    saved = client.post("/persons/%d/talks/" % person.id, data={**talk_form(), "form_token": token}, headers=HX)
    assert saved.status_code == 200 and "X-Portal-Replayed" not in saved.headers
    assert in_app(Talk.select().count)() == 1


def test_another_user_never_gets_the_first_answer(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    data = {**talk_form(), "form_token": token_of(client, "/persons/%d/talks/new" % person.id)}
    client.post("/persons/%d/talks/" % person.id, data=data, headers=HX)
    login_as("officer")
    second = client.post("/persons/%d/talks/" % person.id, data=data, headers=HX)
    assert "X-Portal-Replayed" not in second.headers


def test_answers_older_than_a_day_are_deleted_every_ten_minutes(client, users, login_as, clock):
    """A save's answer is kept in one short write; the answers past a day are deleted with it when
    the last deletion is ten minutes old or more, not on every save."""
    from datetime import timedelta

    from portal.models import FormAnswer
    from portal.web import once

    person = make_person("张三", worker=users["worker"])
    login_as("worker")

    def old_answer():
        return in_app(FormAnswer.create)(token="old-%s" % clock.now.isoformat(), user=users["worker"].id, path="/x",
                                         status=200, headers="{}", body="", created_at=clock.now - timedelta(days=1, minutes=1))

    def save():
        data = {**talk_form(), "form_token": token_of(client, "/persons/%d/talks/new" % person.id)}
        assert client.post("/persons/%d/talks/" % person.id, data=data, headers=HX).status_code == 200

    def kept(answer):
        return in_app(FormAnswer.select().where(FormAnswer.token == answer.token).exists)()

    assert once.PURGE_EVERY == timedelta(minutes=10)
    first = old_answer()
    clock.advance(minutes=10)  # since the sign-in's answer was kept
    save()
    assert not kept(first)  # the first save in a while deletes it
    clock.advance(minutes=9, seconds=59)
    second = old_answer()
    save()
    assert kept(second)  # the last deletion is less than ten minutes old
    clock.advance(seconds=1)
    save()
    assert not kept(second)
    assert in_app(FormAnswer.select().where(FormAnswer.path.endswith("/talks/")).count)() == 3  # every save's
