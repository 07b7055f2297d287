"""The person page in sections: a shell with 基本信息 and a navigation, each other section its own audited
fragment with the same role checks; a save answers with the new entry and the counters, once."""
import re

import pytest
from factories import in_app, make_person, make_talk, person_page, talk_form, text_of

from portal.models import AuditLog, CounsellingSession, Talk

HX = {"HX-Request": "true"}
SECTIONS = ("tracking", "timeline", "counselling", "assistance", "attachments")
TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


def lazy_sections(html):
    return re.findall(r'<section class="card section-slot" id="(\w+)" hx-get="/persons/\d+/sections/(\w+)" '
                      r'hx-trigger="(?:load|intersect once)"', html)


def section_views(person):
    return [row.detail for row in AuditLog.select().where(AuditLog.action == "person.view",
                                                           AuditLog.person_id == person.id).order_by(AuditLog.id)]


def test_the_page_is_a_shell_with_the_basics_and_a_navigation(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    make_talk(person, users["worker"].id, participants="只在工作记录里的参加人")
    login_as("worker")
    html = client.get("/persons/%d" % person.id).get_data(as_text=True)
    nav = re.search(r'<nav class="section-nav" aria-label="档案各部分">(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="#(\w+)">([^<]+)', nav) == [
        ("basic", "基本信息"), ("tracking", "操守追踪"), ("work", "工作记录 "), ("counselling", "心理疏导 "),
        ("assistance", "帮扶"), ("attachments", "附件")]
    assert 'id="count-timeline"' in nav and re.search(r'id="count-timeline" >1</span>', nav)
    assert lazy_sections(html) == [(name, name) for name in SECTIONS]
    assert re.findall(r'sections/(\w+)" hx-trigger="load"', html) == ["tracking", "timeline"]  # the rest: in view
    assert "出生日期" in html and "家庭成员与监护人" in html and "记录谈话" in html  # the basics and the record bar
    assert "只在工作记录里的参加人" not in html and "违反协议计数" not in html  # the rest loads on reveal
    assert section_views(person) == [None]
    full = text_of(person_page(client, person.id))  # the shell again, then its sections
    assert "只在工作记录里的参加人" in full and "违反协议计数" in full and "还没有附件" in full
    assert section_views(person) == [None, None] + ['{"section": "%s"}' % name for name in SECTIONS]


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_is_a_fragment_and_without_javascript_a_page(client, users, login_as, name):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    fragment = client.get("/persons/%d/sections/%s" % (person.id, name), headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert 'id="%s"' % name in fragment.get_data(as_text=True)
    page = client.get("/persons/%d/sections/%s" % (person.id, name)).get_data(as_text=True)
    assert "<html" in page and "返回 张三 的档案" in page


@pytest.mark.parametrize("role, shown", [
    ("lead", SECTIONS), ("officer", ("tracking", "timeline", "assistance", "attachments")),
    ("worker", SECTIONS), ("counsellor", ("tracking", "timeline", "counselling", "assistance")),
])
def test_each_role_sees_the_sections_it_saw_before(client, users, login_as, role, shown):
    person = make_person("张三", worker=users["worker"].id, counsellor=users["counsellor"].id)
    login_as(role)
    assert [name for name, _ in lazy_sections(client.get("/persons/%d" % person.id).get_data(as_text=True))] \
        == list(shown)
    for name in SECTIONS:
        status = client.get("/persons/%d/sections/%s" % (person.id, name), headers=HX).status_code
        assert status == (200 if name in shown else 403), (role, name)


def test_a_section_of_a_person_out_of_scope_or_unknown_is_not_found(client, users, login_as):
    mine, other = make_person("张三", worker=users["worker"].id), make_person("李四")
    login_as("worker")
    assert client.get("/persons/%d/sections/tracking" % other.id, headers=HX).status_code == 404
    assert client.get("/persons/%d/sections/family" % mine.id, headers=HX).status_code == 404
    login_as("volunteer")
    assert client.get("/persons/%d/sections/tracking" % mine.id, headers=HX).status_code == 403


def test_a_counselling_save_answers_with_the_new_session_and_the_counters(client, users, login_as):
    person = make_person("疏导", worker=users["worker"].id, counsellor=users["counsellor"].id)
    in_app(CounsellingSession.create)(person=person.id, counsellor=users["counsellor"].id, held_on="2026-10-01",
                                      mode="individual", presenting="mood", summary="更早一次的摘要")
    login_as("counsellor")
    form = client.get("/persons/%d/counselling/new" % person.id, headers=HX).get_data(as_text=True)
    assert "记录心理疏导" in form and "更早一次的摘要" not in form  # the form alone, into the section's slot
    saved = client.post("/persons/%d/counselling/" % person.id, headers=HX, data={
        "held_on": "2026-11-18", "mode": "individual", "concerns": "0", "presenting": ["mood"], "summary": "新的摘要",
        "form_token": TOKEN.search(form).group(1)})
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and body.startswith('<p class="flash flash-success" role="status" tabindex="-1" '
                                                        'autofocus>疏导记录已保存。')
    assert re.search(r'<div hx-swap-oob="afterbegin:#counselling-entries">\s*<article class="entry entry-counselling"',
                     body) and "新的摘要" in body
    assert "更早一次的摘要" not in body and 'id="counselling"' not in body  # not the section again
    assert '<span class="nav-count" id="count-counselling" hx-swap-oob="true">2</span>' in body


def test_a_talk_sent_twice_is_saved_once_and_answered_with_the_same_entry(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    make_talk(person, users["worker"].id)
    login_as("worker")
    form = client.get("/persons/%d/talks/new" % person.id, headers=HX).get_data(as_text=True)
    data = {**talk_form(participants="只发一次"), "form_token": TOKEN.search(form).group(1)}
    first = client.post("/persons/%d/talks/" % person.id, data=data, headers=HX)
    again = client.post("/persons/%d/talks/" % person.id, data=data, headers=HX)
    assert again.headers.get("X-Portal-Replayed") == "1" and again.get_data() == first.get_data()
    assert in_app(Talk.select().where(Talk.participants == "只发一次").count)() == 1
    assert 'id="count-timeline" hx-swap-oob="true">2</span>' in again.get_data(as_text=True)


def test_a_section_message_waits_for_its_section(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    client.post("/persons/%d/attachments/" % person.id, data={"attachment-kind": "photo"})  # no file
    shell = client.get("/persons/%d" % person.id).get_data(as_text=True)
    section = client.get("/persons/%d/sections/attachments" % person.id, headers=HX).get_data(as_text=True)
    assert "flash-error" not in shell and re.search(r'id="attachments".*flash flash-error', section, re.S)
