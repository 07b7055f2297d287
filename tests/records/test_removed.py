"""Deleted records and attachments come back only by the lead, with a reason, audited (issue 17, item 8)."""
import io
import re

from factories import in_app, make_person, make_talk, text_of

from portal.models import Attachment, AuditLog, Talk

HX = {"HX-Request": "true"}


def png():
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def deleted_story(client, users, login_as, auth):
    """A worker deletes a talk, the officer an attachment, each with a reason."""
    person = make_person("恢复对象", worker=users["worker"].id)
    talk = make_talk(person, users["worker"], actions="TALK-CANARY 按时尿检")
    login_as("officer")
    client.post("/persons/%d/attachments/" % person.id, content_type="multipart/form-data",
                data={"attachment-kind": "photo", "attachment-title": "家访照片",
                      "file": (io.BytesIO(png()), "a.png")})
    attachment = in_app(Attachment.get)()
    assert client.post("/attachments/%d/delete" % attachment.id, data={"reason": "传错了人"}).status_code in (302, 303)
    auth.logout()
    login_as("worker")
    assert client.post("/talks/%d/delete" % talk.id, headers=HX, data={"reason": "重复录入"}).status_code == 200
    auth.logout()
    return person, talk, attachment


def live(model, record):
    return in_app(lambda: model.get_by_id(record.id).deleted_at is None)()


def test_the_lead_sees_what_was_deleted_and_restores_it_with_a_reason(client, users, login_as, auth):
    person, talk, attachment = deleted_story(client, users, login_as, auth)
    login_as("lead")
    page = text_of(client.get("/persons/%d/removed" % person.id))
    assert "重复录入" in page and "传错了人" in page and "家访照片" in page
    no_reason = client.post("/removed/talk/%d/restore" % talk.id, data={"reason": ""}, follow_redirects=True)
    assert "恢复需要填写事由" in text_of(no_reason) and not live(Talk, talk)
    restored = client.post("/removed/talk/%d/restore" % talk.id, data={"reason": "误删，经核实"}, follow_redirects=True)
    assert "谈话已恢复" in text_of(restored) and live(Talk, talk)
    assert "TALK-CANARY" in client.get("/persons/%d/timeline" % person.id).get_data(as_text=True)
    assert client.post("/removed/talk/%d/restore" % talk.id, data={"reason": "再来一次"}).status_code == 404
    client.post("/removed/attachment/%d/restore" % attachment.id, data={"reason": "照片属于本人"})
    assert live(Attachment, attachment)
    rows = in_app(lambda: [(r.action, r.object_type, r.reason) for r in AuditLog.select().where(
        AuditLog.action.in_(("record.restore", "attachment.restore"))).order_by(AuditLog.id)])()
    assert rows == [("record.restore", "talk", "误删，经核实"), ("attachment.restore", "person", "照片属于本人")]


def test_nobody_but_the_lead_restores(client, users, login_as, auth):
    person, talk, attachment = deleted_story(client, users, login_as, auth)
    for role in ("officer", "worker", "counsellor"):
        login_as(role)
        assert client.get("/persons/%d/removed" % person.id).status_code == 403, role
        assert client.post("/removed/talk/%d/restore" % talk.id, data={"reason": "想恢复"}).status_code == 403
        assert client.post("/removed/attachment/%d/restore" % attachment.id,
                           data={"reason": "想恢复"}).status_code == 403
        auth.logout()
    assert not live(Talk, talk) and not live(Attachment, attachment)


def sections(page):
    """The page's cards in order: (id, title, text inside), the empty states included."""
    return [(ident, title, body) for ident, title, body in re.findall(
        r'<section class="card" id="([\w-]+)">\s*<h2>([^<]*)</h2>(.*?)</section>', page, re.S)]


def test_each_kind_of_deleted_thing_is_a_titled_card_with_its_own_empty_state_records_first(
        client, users, login_as, auth):
    person, talk, attachment = deleted_story(client, users, login_as, auth)
    login_as("lead")
    page = client.get("/persons/%d/removed" % person.id).get_data(as_text=True)
    (records, _, inside), files = sections(page)
    assert [records, files[0]] == ["removed-records", "removed-attachments"] and "谈话（1）" in inside
    assert "没有已删除" not in page
    client.post("/removed/talk/%d/restore" % talk.id, data={"reason": "误删，经核实"})
    client.post("/removed/attachment/%d/restore" % attachment.id, data={"reason": "照片属于本人"})
    page = client.get("/persons/%d/removed" % person.id).get_data(as_text=True)
    assert [(ident, title, re.sub(r"<[^>]+>|\s", "", body)) for ident, title, body in sections(page)] == [
        ("removed-records", "工作记录（0）", "没有已删除的工作记录。"),
        ("removed-attachments", "附件（0）", "没有已删除的附件。")]
    assert page.count("没有已删除") == 2  # nothing loose outside the cards


REQUIRED_ATTRIBUTE = re.compile(r"<(?:input|select|textarea)\b[^>]*\srequired[\s>=/]")


def test_reason_boxes_leave_the_empty_answer_to_the_server_in_chinese(client, users, login_as, auth):
    """No `required` attribute, so no browser bubble (in English on many PCs): the server says it in Chinese."""
    person, talk, attachment = deleted_story(client, users, login_as, auth)
    login_as("lead")
    for url in ("/persons/%d/removed" % person.id, "/persons/%d" % person.id, "/persons/%d/family/new" % person.id,
                "/persons/%d/talks/new" % person.id):
        page = client.get(url)
        assert page.status_code == 200 and not REQUIRED_ATTRIBUTE.search(page.get_data(as_text=True)), url
    assert 'name="reason" maxlength="200"' in client.get("/persons/%d/removed" % person.id).get_data(as_text=True)
    for url in ("/removed/talk/%d/restore" % talk.id, "/removed/attachment/%d/restore" % attachment.id):
        answer = client.post(url, data={"reason": ""}, follow_redirects=True)
        assert "恢复需要填写事由" in text_of(answer)
    assert not live(Talk, talk) and not live(Attachment, attachment)
    saved = client.post("/persons/%d/family/" % person.id, data={"name": ""}, follow_redirects=True)
    assert saved.status_code == 422 and "此项为必填项" in text_of(saved)
