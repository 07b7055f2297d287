"""Attachments in a person's file: type by content, size limit, served as a download, scope like the
person record, soft delete with a reason, and an audit row for every upload, download and deletion (W11)."""
import hashlib
import io
import os
import re
import struct
import zlib
from datetime import date

import pytest
from factories import ROOT, make_person, person_page, text_of

from portal import pdf
from portal.db import database
from portal.models import Agreement, Attachment, AuditLog

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def png_bytes(width=2, height=2):
    """A small valid PNG (grey pixels)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def scan_pdf():
    """A real PDF, rendered by the portal's own WeasyPrint setup."""
    return pdf.render('<html lang="zh-CN"><body><h1>社区戒毒决定书</h1><p>扫描件（测试）</p></body></html>')


def upload(client, person, data, name="scan.pdf", kind="decision", title=""):
    return client.post("/persons/%d/attachments/" % person.id, content_type="multipart/form-data",
                       data={"attachment-kind": kind, "attachment-title": title, "file": (io.BytesIO(data), name)})


def folder(app):
    return os.path.join(os.path.dirname(app.config["DATABASE"]), "uploads", "attachments")


def stored_files(app):
    return sorted(os.listdir(folder(app))) if os.path.isdir(folder(app)) else []


def test_a_pdf_and_a_png_are_stored_and_served_back_exactly(app, client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    assert upload(client, person, scan_pdf, "决定书.pdf", title="社区戒毒决定书").status_code == 303
    assert upload(client, person, png_bytes(), "photo.png", kind="photo").status_code == 303
    scan, photo = Attachment.select().order_by(Attachment.id)
    assert (scan.mime, scan.size, scan.sha256, scan.title, scan.original_name, scan.uploaded_by_id) == (
        "application/pdf", len(scan_pdf), hashlib.sha256(scan_pdf).hexdigest(), "社区戒毒决定书", "决定书.pdf",
        users["worker"].id)
    assert (photo.mime, photo.title, photo.case_id) == ("image/png", "照片", person.current_case().id)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", scan.stored_name) and re.fullmatch(r"[0-9a-f]{32}\.png",
                                                                                  photo.stored_name)
    assert stored_files(app) == sorted([scan.stored_name, photo.stored_name])
    with open(os.path.join(folder(app), scan.stored_name), "rb") as f:
        assert f.read() == scan_pdf
    static = os.path.join(ROOT, "portal", "static")
    assert scan.stored_name not in os.listdir(static)

    for item, data in ((scan, scan_pdf), (photo, png_bytes())):
        response = client.get("/attachments/%d" % item.id)
        assert response.status_code == 200 and response.data == data and response.mimetype == item.mime
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

    page = person_page(client, person.id)
    text = text_of(page)
    assert "附件（扫描件、照片）" in text and "社区戒毒决定书" in text and "决定书.pdf" in text
    assert 'href="/attachments/%d"' % scan.id in page.get_data(as_text=True)


def test_html_renamed_pdf_is_refused_and_nothing_is_kept(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    response = upload(client, person, HTML, "决定书.pdf")
    assert response.status_code == 303 and response.headers["Location"].endswith("#attachments")
    page = person_page(client, person.id).get_data(as_text=True)
    section = page[page.index('id="attachments"'):]  # shown where the upload form is, not at the page top
    assert "只能上传 PDF、JPG 或 PNG 文件（按文件内容识别，改扩展名无效）" in section
    assert page.count("只能上传 PDF、JPG 或 PNG 文件") == 1
    assert upload(client, person, b"", "empty.pdf").status_code == 303
    assert Attachment.select().count() == 0 and stored_files(app) == []
    assert not AuditLog.select().where(AuditLog.action == "attachment.create").exists()


def test_eleven_megabytes_answers_413_in_chinese(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    response = upload(client, person, b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "文件过大" in body and "Traceback" not in body and "Request Entity Too Large" not in body
    assert Attachment.select().count() == 0 and stored_files(app) == []


def test_a_worker_cannot_reach_a_colleagues_attachment_and_the_attempt_is_audited(
        client, users, login_as, scan_pdf):
    theirs = make_person("李四", worker=users["worker2"].id)
    login_as("worker2")
    upload(client, theirs, scan_pdf)
    item = Attachment.get()
    worker = login_as("worker")
    before = AuditLog.select().count()
    response = client.get("/attachments/%d" % item.id)
    assert response.status_code == 404 and scan_pdf not in response.data
    assert upload(client, theirs, scan_pdf).status_code == 404 and Attachment.select().count() == 1
    denied = list(AuditLog.select().where(AuditLog.id > before))
    assert [(r.action, r.outcome, r.user_id, r.person_id) for r in denied] == [
        ("person.view", "denied", worker.id, theirs.id)] * 2
    assert '"/attachments/%d"' % item.id in denied[0].detail
    assert not AuditLog.select().where(AuditLog.action == "attachment.view").exists()


def test_counsellors_and_volunteers_never_see_attachments(client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id, counsellor=users["counsellor"].id)
    login_as("worker")
    upload(client, person, scan_pdf, title="决定书扫描件")
    item = Attachment.get()
    for role in ("counsellor", "volunteer"):
        login_as(role)
        assert client.get("/attachments/%d" % item.id).status_code == 403
        assert upload(client, person, scan_pdf).status_code == 403
        assert client.post("/attachments/%d/delete" % item.id, data={"reason": "试试"}).status_code == 403
    login_as("counsellor")
    page = person_page(client, person.id)
    assert page.status_code == 200 and "决定书扫描件" not in text_of(page) and "附件（" not in text_of(page)
    assert Attachment.select().count() == 1


def test_delete_needs_a_reason_keeps_the_file_and_the_lead_sees_who_and_why(app, client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    upload(client, person, scan_pdf, title="报到登记表（错传）", kind="registration")
    item = Attachment.get()
    assert client.post("/attachments/%d/delete" % item.id, data={"reason": "x"}).status_code == 403  # workers no
    login_as("officer")
    assert client.post("/attachments/%d/delete" % item.id, data={"reason": ""}).status_code == 303
    assert "删除附件需要填写事由" in text_of(person_page(client, person.id))
    assert Attachment.get_by_id(item.id).deleted_at is None
    assert client.post("/attachments/%d/delete" % item.id, data={"reason": "上传错了人员"}).status_code == 303
    deleted = Attachment.get_by_id(item.id)
    assert deleted.deleted_by_id == users["officer"].id and deleted.delete_reason == "上传错了人员"
    assert stored_files(app) == [item.stored_name]  # nothing is silently deleted
    assert client.get("/attachments/%d" % item.id).status_code == 404
    assert client.post("/attachments/%d/delete" % item.id, data={"reason": "再删一次"}).status_code == 404
    assert "报到登记表（错传）" not in text_of(person_page(client, person.id))
    login_as("worker")
    assert "报到登记表（错传）" not in text_of(person_page(client, person.id))
    login_as("lead")
    page = person_page(client, person.id)
    text = re.sub(r"\s+", " ", text_of(page))
    assert "报到登记表（错传）" in text and "已删除" in text and "上传错了人员" in text
    assert "测试officer" in text  # who deleted it
    assert 'href="/attachments/%d"' % item.id not in page.get_data(as_text=True)
    assert client.get("/attachments/%d" % item.id).status_code == 404


def test_upload_download_and_delete_are_audited_against_the_person(client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    upload(client, person, scan_pdf, kind="lab_report")
    item = Attachment.get()
    client.get("/attachments/%d" % item.id)
    login_as("lead")
    client.post("/attachments/%d/delete" % item.id, data={"reason": "重复上传"})
    rows = list(AuditLog.select().where(AuditLog.action.startswith("attachment.")).order_by(AuditLog.id))
    assert [(r.action, r.username, r.object_type, r.object_id, r.person_id, r.outcome) for r in rows] == [
        ("attachment.create", "worker", "person", person.id, person.id, "ok"),
        ("attachment.view", "worker", "person", person.id, person.id, "ok"),
        ("attachment.delete", "lead", "person", person.id, person.id, "ok")]
    assert all('"attachment": %d' % item.id in r.detail for r in rows)
    assert hashlib.sha256(scan_pdf).hexdigest() in rows[0].detail and rows[2].reason == "重复上传"
    page = text_of(client.get("/audit/persons/%d" % person.id))
    assert "上传附件" in page and "下载附件" in page and "删除附件" in page


def test_a_failed_audit_write_leaves_neither_row_nor_file(app, client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    database.execute_sql("CREATE TRIGGER audit_block BEFORE INSERT ON audit_log "
                         "WHEN NEW.action = 'attachment.create' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    assert upload(client, person, scan_pdf).status_code == 503
    assert Attachment.select().count() == 0 and stored_files(app) == []


def test_an_agreement_scan_joins_the_newest_edition(client, users, login_as, scan_pdf):
    person = make_person("张三", worker=users["worker"].id)
    case = person.current_case()
    for edition in (1, 2):
        Agreement.create(case=case, edition=edition, signed_on=date(2025, 1, 10 * edition), measures="措施",
                         obligations="规定", liability="责任", staff=users["worker"].id)
    login_as("worker")
    upload(client, person, scan_pdf, kind="agreement", title="第二版协议签字页")
    upload(client, person, png_bytes(), "p.png", kind="photo")
    scan, photo = Attachment.select().order_by(Attachment.id)
    assert scan.agreement.edition == 2 and photo.agreement_id is None
    page = person_page(client, person.id).get_data(as_text=True)
    assert re.search(r"签字扫描件</dt><dd><a href=\"/attachments/%d\"[^>]*>第二版协议签字页" % scan.id, page)


def test_the_upload_form_holds_nothing_but_the_upload(client, users, login_as):
    """The section's upload form carries only the upload: nothing else typed on the page is lost on a 413."""
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    page = person_page(client, person.id).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/persons/%d/attachments/"(.*?)</form>' % person.id, page, re.S)
    assert form and 'enctype="multipart/form-data"' in form.group(0)
    names = set(re.findall(r'name="([^"]+)"', form.group(1)))
    assert names == {"csrf_token", "attachment-kind", "attachment-title", "file"}


def test_demo_data_attaches_two_scanned_pages(app, runner):
    assert runner.invoke(args=["demo-data", "--persons", "5"]).exit_code == 0
    rows = list(Attachment.select().order_by(Attachment.id))
    assert [r.kind for r in rows] == ["agreement", "decision"] and rows[0].agreement_id is not None
    for row in rows:
        with open(os.path.join(folder(app), row.stored_name), "rb") as f:
            data = f.read()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == row.sha256
