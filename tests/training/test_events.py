"""Prevention events: audience totals by venue type, volunteers' hours, photo uploads (W11)."""
import io
import re

from factories import in_app, text_of

from portal.models import EventPhoto, PreventionEvent, Trainee

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
EVENT = {"held_on": "2026-06-26", "title": "6·26 国际禁毒日进校园", "venue_type": "school", "venue": "第二中学",
         "partners": "区禁毒办、新华路派出所", "format": "lecture", "leaflets": "300", "consultations": "25",
         "audience_students": "420", "audience_residents": "30", "hours": "3"}


def create(client, **overrides):
    response = client.post("/events/new", data={**EVENT, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return in_app(PreventionEvent.select().order_by(PreventionEvent.id.desc()).first)()


def test_an_event_with_its_volunteers_and_the_years_totals(client, users, login_as):
    volunteer = in_app(lambda: Trainee.create(name="赵小雨", kind="volunteer", user=users["volunteer"].id))()
    login_as("worker")
    event = create(client, volunteers=[str(volunteer.id)])
    create(client, title="进社区", venue_type="community", venue="新华路社区", audience_students="0",
           audience_residents="80", volunteers=[str(volunteer.id)], hours="2.5")
    assert event.audience_total == 450
    page = re.sub(r"\s+", " ", text_of(client.get("/events/?year=2026")))
    assert "学校 1 450" in page and "社区 1 80" in page
    login_as("volunteer")
    mine = re.sub(r"\s+", " ", text_of(client.get("/my/training")))
    assert "6·26 国际禁毒日进校园" in mine and "2026 年服务： 5.5 小时" in mine
    assert client.get("/events/").status_code == 403


def test_errors_keep_what_was_typed(client, users, login_as):
    login_as("worker")
    response = client.post("/events/new", data={**EVENT, "hours": "0", "venue": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "服务时长应在" in page and "6·26 国际禁毒日进校园" in page


def upload(client, event, data, name="photo.jpg"):
    return client.post("/events/%d/photos" % event.id, data={"photo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_photos_are_checked_by_content_and_served_as_attachments(app, client, users, login_as):
    login_as("worker")
    event = create(client)
    assert upload(client, event, JPEG).status_code == 302
    assert upload(client, event, PNG, "p.png").status_code == 302
    html = b"<html><script>alert(1)</script></html>"
    refused = upload(client, event, html, "renamed.jpg")
    assert refused.status_code == 303 and in_app(EventPhoto.select().count)() == 2
    assert "只能上传 JPG 或 PNG" in text_of(client.get("/events/%d" % event.id))
    big = upload(client, event, JPEG + b"\x00" * (5 * 1024 * 1024), "big.jpg")
    assert big.status_code == 303 and in_app(EventPhoto.select().count)() == 2
    huge = upload(client, event, JPEG + b"\x00" * (11 * 1024 * 1024), "huge.jpg")
    assert huge.status_code == 413 and "文件过大" in huge.get_data(as_text=True)
    photo = in_app(EventPhoto.get)(EventPhoto.mime == "image/jpeg")
    response = client.get("/events/photos/%d" % photo.id)
    assert response.status_code == 200 and response.data == JPEG and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert photo.stored_name not in ("photo.jpg",) and len(photo.stored_name) == 36
    login_as("volunteer")
    assert client.get("/events/photos/%d" % photo.id).status_code == 403
