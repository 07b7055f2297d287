"""The talk log: inline entry, 422 partials, corrections with history, soft delete, station list."""
import re
from datetime import datetime

import pytest
from factories import make_person, make_talk, person_page, talk_form

from portal.models import AuditLog, Revision, Talk

HX = {"HX-Request": "true"}


@pytest.fixture
def mine(users):
    return make_person("张三", worker=users["worker"].id)


def test_form_fragment_is_a_partial(client, mine, login_as):
    login_as("worker")
    response = client.get("/persons/%d/talks/new" % mine.id, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'name="held_at"' in body and 'value="2026-11-20 10:00"' in body  # now, station time


def test_without_javascript_the_form_is_a_page(client, mine, login_as):
    login_as("worker")
    body = client.get("/persons/%d/talks/new" % mine.id).get_data(as_text=True)
    assert "<html" in body and 'name="held_at"' in body


def test_saving_puts_the_talk_at_the_top_of_the_timeline(client, users, mine, login_as):
    make_talk(mine, users["worker"].id, held_at=datetime(2026, 10, 27, 14, 0))
    login_as("worker")
    response = client.post("/persons/%d/talks/" % mine.id, data=talk_form(participants="新谈话参加人"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    # the answer is what changed: the new entry, put first in the timeline, and the counters; not the timeline
    new = re.search(r'<div hx-swap-oob="afterbegin:#timeline-entries">\s*<article class="entry entry-talk" id="talk-(\d+)"',
                    body)
    assert new and "新谈话参加人" in body and "2026-10-20 09:30" not in body and 'id="timeline"' not in body
    assert re.search(r'<span class="nav-count" id="count-timeline" hx-swap-oob="true">2</span>', body)
    assert 'id="risk-badge" hx-swap-oob="true"' in body
    assert "操守追踪" not in body and "HX-Trigger" not in response.headers  # the tracking file is not sent again
    talk = Talk.get(Talk.participants == "新谈话参加人")
    assert int(new.group(1)) == talk.id
    assert talk.staff_id == users["worker"].id and talk.topics == "thoughts,family"
    assert talk.next_date is None  # none agreed: the station cadence applies (see test_queue)
    assert AuditLog.get(AuditLog.action == "talk.create").person_id == mine.id


@pytest.mark.parametrize("overrides, message", [
    ({"assessment": ""}, "请选择评估结果"),
    ({"topics": []}, "请至少勾选一项谈话内容"),
    ({"held_at": ""}, "此项为必填项"),
    ({"held_at": "2026-12-30T09:00"}, "不能晚于现在"),
    ({"next_date": "2026-11-01"}, "应晚于本次谈话"),
    ({"signature": ""}, "请选择本人已签字或拒绝签字"),
    ({"place": "moon"}, "不是有效的选择"),
])
def test_invalid_talk_returns_the_form_with_chinese_errors(client, mine, login_as, overrides, message):
    login_as("worker")
    response = client.post("/persons/%d/talks/" % mine.id, data=talk_form(participants="保留的文字", **overrides),
                           headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body and message in body
    assert "保留的文字" in body and Talk.select().count() == 0


def test_fragments_answer_404_outside_scope(client, users, login_as):
    theirs = make_person("李四", worker=users["worker2"].id)
    talk = make_talk(theirs, users["worker2"].id)
    login_as("worker")
    for method, url in (("GET", "/persons/%d/talks/new" % theirs.id), ("POST", "/persons/%d/talks/" % theirs.id),
                        ("GET", "/talks/%d" % talk.id), ("GET", "/talks/%d/edit" % talk.id),
                        ("POST", "/talks/%d/edit" % talk.id), ("POST", "/talks/%d/delete" % talk.id),
                        ("GET", "/persons/%d/timeline" % theirs.id)):
        response = client.open(url, method=method, data=talk_form(), headers=HX)
        assert response.status_code == 404, url
    assert Talk.select().count() == 1 and Talk.get_by_id(talk.id).deleted_at is None


def test_correction_is_version_checked_and_keeps_history(app, client, users, mine, login_as):
    talk = make_talk(mine, users["worker"].id, actions="原约定")
    login_as("worker")
    form = client.get("/talks/%d/edit" % talk.id, headers=HX).get_data(as_text=True)
    assert "原约定" in form and 'name="version" type="hidden" value="1"' in form
    saved = client.post("/talks/%d/edit" % talk.id, headers=HX,
                        data=talk_form(held_at="2026-10-20T09:30", actions="更正后的约定", version="1"))
    assert saved.status_code == 200 and "更正后的约定" in saved.get_data(as_text=True)
    revision = Revision.get(Revision.model == "Talk", Revision.record_id == talk.id)
    assert "原约定" in revision.data and revision.version == 1
    stale = client.post("/talks/%d/edit" % talk.id, headers=HX,
                        data=talk_form(held_at="2026-10-20T09:30", actions="过期的版本", version="1"))
    assert stale.status_code == 409 and "保存冲突" in stale.get_data(as_text=True)
    assert Talk.get_by_id(talk.id).actions == "更正后的约定"


def test_soft_delete_needs_a_reason(client, users, mine, login_as):
    talk = make_talk(mine, users["worker"].id)
    login_as("worker")
    refused = client.post("/talks/%d/delete" % talk.id, data={"reason": ""}, headers=HX)
    assert refused.status_code == 422 and Talk.get_by_id(talk.id).deleted_at is None
    make_talk(mine, users["worker"].id, held_at=datetime(2026, 10, 27, 14, 0))
    deleted = client.post("/talks/%d/delete" % talk.id, data={"reason": "重复录入"}, headers=HX)
    assert Talk.get_by_id(talk.id).deleted_at is not None
    # the navigation's count follows the delete at once, as it follows a save
    assert 'id="count-timeline" hx-swap-oob="true">1</span>' in deleted.get_data(as_text=True)
    assert "2026-10-20 09:30" not in person_page(client, mine.id).get_data(as_text=True)
    assert AuditLog.get(AuditLog.action == "talk.delete").reason == "重复录入"


def test_counsellor_sees_a_summary_of_talks(client, users, login_as):
    person = make_person("张三", counsellor=users["counsellor"].id)
    make_talk(person, users["worker"].id, risk_factors="机密的风险描述")
    login_as("counsellor")
    page = person_page(client, person.id).get_data(as_text=True)
    assert "面对面谈话" in page and "机密的风险描述" not in page and "记录谈话" not in page


def test_station_list_filters_and_scope(client, users, login_as):
    mine = make_person("张三", worker=users["worker"].id)
    theirs = make_person("李四", worker=users["worker2"].id)
    make_talk(mine, users["worker"].id, assessment="high", place="home")
    make_talk(mine, users["worker"].id, assessment="stable")
    make_talk(theirs, users["worker2"].id, assessment="high")
    login_as("worker")
    page = client.get("/talks/?assessment=high").get_data(as_text=True)
    assert page.count("<tr>") - 1 == 1 and "张三" in page and "李四" not in page
    login_as("lead")
    page = client.get("/talks/?assessment=high&place=home").get_data(as_text=True)
    assert "张三" in page and "李四" not in page
    assert "没有符合条件的谈话记录" in client.get("/talks/?start=2026-10-21").get_data(as_text=True)


def test_keyboard_order_follows_the_form(client, mine, login_as):
    login_as("worker")
    body = client.get("/persons/%d/talks/new" % mine.id, headers=HX).get_data(as_text=True)
    order = [body.index('name="%s"' % name) for name in (
        "held_at", "place", "kind", "participants", "topics", "assessment", "risk_factors", "actions",
        "next_date", "signature")]
    assert order == sorted(order) and "tabindex" not in body and "autofocus" in body


def test_earlier_versions_are_shown_to_full_viewers(client, users, mine, login_as):
    talk = make_talk(mine, users["worker"].id, actions="原约定")
    login_as("worker")
    client.post("/talks/%d/edit" % talk.id, headers=HX,
                data=talk_form(held_at="2026-10-20 09:30", actions="更正后的约定", version="1"))
    page = person_page(client, mine.id).get_data(as_text=True)
    assert "查看更正记录" in page and "原约定" not in page
    entry = client.get("/talks/%d" % talk.id, headers=HX).get_data(as_text=True)
    assert "原约定" in entry and "更正后的约定" in entry and "第 1 版" in entry


def test_an_earlier_version_reads_in_chinese_like_the_screen(client, users, mine, login_as):
    """Codes become their labels in the history too: 地点 阳光驿站, not "sunshine"; several topics joined."""
    talk = make_talk(mine, users["worker"].id, topics="thoughts,family", assessment="fluctuating")
    login_as("worker")
    client.post("/talks/%d/edit" % talk.id, headers=HX, data=talk_form(held_at="2026-10-20 09:30", version="1"))
    history = client.get("/talks/%d" % talk.id, headers=HX).get_data(as_text=True).split("更正记录（")[1]
    assert "阳光驿站" in history and "波动" in history and "本人已签字" in history
    assert "sunshine" not in history and "fluctuating" not in history and "signed" not in history
    assert "、" in history.split("谈话内容")[1].split("</dd>")[0]  # two topics, in words


def test_deleting_without_reason_and_conflicts_are_audited(client, users, mine, login_as):
    talk = make_talk(mine, users["worker"].id)
    login_as("worker")
    client.post("/talks/%d/delete" % talk.id, data={"reason": ""}, headers=HX)
    assert AuditLog.select().where(AuditLog.action == "talk.view", AuditLog.object_id == talk.id).exists()
    client.post("/talks/%d/edit" % talk.id, headers=HX, data=talk_form(held_at="2026-10-20 09:30", version="7"))
    assert AuditLog.get(AuditLog.action == "talk.update").outcome == "failed"


def test_form_opened_as_a_page_posts_without_htmx(client, mine, login_as):
    login_as("worker")
    page = client.get("/persons/%d/talks/new" % mine.id).get_data(as_text=True)
    assert "hx-post" not in page.split("<form")[-1].split(">")[0]
    assert client.post("/persons/%d/talks/" % mine.id, data=talk_form()).status_code == 302
