"""The lead's page: build (a POST, audited), preview, download (audited); the station code on the settings
page; lead only; reading it changes nothing."""
import json
import re

import pytest
from factories import in_app, inline_text, text_of

from portal.exchange import archive, signing
from portal.models import AuditLog, Setting

OTHERS = ("officer", "worker", "counsellor", "volunteer")


def audit_rows(action):
    return in_app(lambda: list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)))()


def kept():
    return in_app(archive.stored)()


def test_the_lead_builds_previews_and_downloads_a_package(station, coded, client, login_as):
    login_as("lead")
    response = client.post("/packages/", data={"month": "2026-10"})
    assert response.status_code == 302
    [package] = kept()
    assert response.headers["Location"] == "/packages/%s" % package["name"] and package["month"] == "2026-10"
    [row] = audit_rows("package.build")
    detail = json.loads(row.detail)
    assert row.username == "lead" and detail["sha256"] == package["sha256"] and detail["month"] == "2026-10"

    page = client.get(response.headers["Location"])
    text = text_of(page)
    assert page.status_code == 200 and "签名有效" in text and "520102-01" in text
    for label in ("在册人数", "复吸率", "1 / 5", "社区康复", "未满18岁", "冰毒类", "本年累计", "上年同月", "受众人数"):
        assert label in text, label
    # words, not codes: the format's version and the hours as the page shows them, no data element's code
    assert re.search(r"格式版本\s+第 2 版", text) and "专干培训计入学时" in text and "单位 0.1" not in text
    assert not re.search(r"portal\.package|REGISTERED|TRAINING_HOURS|[A-Z]{3,}_[A-Z]", text), text

    download = client.get("/packages/%s/download" % package["name"])
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "%E6%8A%A5%E9%80%81%E5%8C%85-520102-01-2026-10.json" in download.headers["Content-Disposition"]
    assert download.data == in_app(archive.read)(package["name"])
    with client.application.app_context():
        assert signing.verify(download.data, signing.public_bytes(signing.load_key()))["month"] == "2026-10"
    assert len(audit_rows("package.download")) == 1
    assert package["sha256"][:16] in text_of(client.get("/packages/"))


def test_building_needs_the_station_code(station, client, login_as):
    login_as("lead")
    page = client.get("/packages/")
    assert "未设置" in text_of(page)
    response = client.post("/packages/", data={"month": "2026-10"})
    assert response.status_code == 422 and "尚未设置工作站代码" in text_of(response)
    assert kept() == [] and audit_rows("package.build") == []


@pytest.mark.parametrize("month, ok", [("2026-10", True), ("2026-11", False), ("2026-12", False), ("2026-1", False)])
def test_only_a_month_that_is_over(station, coded, client, login_as, month, ok):
    """The test clock is on 2026-11-20: October is the last month that can be sent."""
    login_as("lead")
    response = client.post("/packages/", data={"month": month})
    assert response.status_code == (302 if ok else 422)
    if not ok:
        assert re.search("尚未结束|月份应写成", text_of(response)) and kept() == []


def test_reading_the_pages_changes_nothing(station, coded, client, login_as, app):
    """No key and no package appear from GETs (the key is made by init-db, station-key or a build)."""
    login_as("lead")
    for url in ("/packages/", "/settings/", "/packages/package-2026-10-20261120-100000.json"):
        assert client.get(url).status_code in (200, 404)
    with app.app_context():
        assert signing.load_key() is None and not archive.packages_dir().exists()


def test_a_package_changed_on_disk_shows_its_problem(station, coded, client, login_as):
    login_as("lead")
    client.post("/packages/", data={"month": "2026-10"})
    [package] = kept()
    path = in_app(archive.packages_dir)() / package["name"]
    path.write_bytes(path.read_bytes().replace(b'"numerator":5', b'"numerator":6', 1))
    assert "报送包签名无效" in text_of(client.get("/packages/%s" % package["name"]))


@pytest.mark.parametrize("name", ["../portal.sqlite3", "station-ed25519.pem", "package-2026-10-x.json"])
def test_only_kept_packages_are_served(station, coded, client, login_as, name):
    login_as("lead")
    assert client.get("/packages/%s/download" % name).status_code == 404


@pytest.mark.parametrize("role", OTHERS)
def test_only_the_lead(station, coded, client, login_as, role):
    login_as(role)
    for method, url in (("GET", "/packages/"), ("POST", "/packages/"), ("GET", "/packages/x.json"),
                        ("GET", "/packages/x.json/download"), ("POST", "/settings/station-code")):
        assert client.open(url, method=method, data={"month": "2026-10", "code": "520102-01"}).status_code == 403
    assert kept() == []


def test_the_lead_sets_the_station_code_and_sees_the_fingerprint(client, login_as, app):
    login_as("lead")
    response = client.post("/settings/station-code", data={"code": "520102"})
    assert response.status_code == 422 and "520102-01" in text_of(response)
    assert in_app(lambda: Setting.get_or_none(Setting.key == "station.code"))() is None
    assert client.post("/settings/station-code", data={"code": "５２０１０２－０１"}).status_code == 302  # full-width
    assert in_app(lambda: Setting.get(Setting.key == "station.code").value)() == "520102-01"
    assert json.loads(audit_rows("settings.update")[-1].detail) == {"station.code": "520102-01"}
    assert "尚未生成" in text_of(client.get("/settings/"))
    with app.app_context():
        key, _ = signing.make_key()
        fingerprint = signing.fingerprint(key)
    assert fingerprint in inline_text(client.get("/settings/"))
