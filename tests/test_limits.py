"""Rate limits (limits.py, SECURITY.md W7): a burst of sign-ins, PDFs, batch prints or exports answers
429 with the Chinese page; each limit is a setting; the rest of the suite runs with them off."""
import pytest
from factories import PASSWORD, make_person

from portal import create_app, db

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def login(client, username, password="wrong-password", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_eleventh_login_in_a_minute_from_one_address_answers_429(client, users, clock):
    for i in range(10):
        assert login(client, "nobody%d" % i).status_code == 200  # refused with the form, not limited
    response = login(client, "worker", PASSWORD)
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "操作过于频繁" in body and "Too Many Requests" not in body and "<html" in body
    assert login(client, "worker", PASSWORD, address="10.0.0.2").status_code == 302  # another computer


def test_one_account_is_limited_from_every_address(client, users):
    for i in range(10):
        assert login(client, "worker", address="10.0.1.%d" % i).status_code == 200
    assert login(client, "worker", PASSWORD, address="10.0.2.1").status_code == 429
    assert login(client, "officer", PASSWORD, address="10.0.2.1").status_code == 302


def test_get_of_the_login_page_is_not_counted(client, users):
    for _ in range(20):
        assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert login(client, "worker", PASSWORD, address="10.0.0.9").status_code == 302


def test_pdfs_per_user_and_the_htmx_answer(app, client, users, login_as):
    app.config["RATELIMIT_PDF"] = "2 per minute"
    person = make_person("张三", worker=users["worker"])
    login_as("officer")
    data = {"profile": "full", "sections": ["identity"]}
    for _ in range(2):
        assert client.post("/persons/%d/print" % person.id, data=data).mimetype == "application/pdf"
    refused = client.post("/persons/%d/print" % person.id, data=data, headers=HX)
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)
    assert client.get("/indicators/report.pdf").status_code == 429  # one budget for every PDF
    login_as("lead")  # another user has their own
    assert client.post("/persons/%d/print" % person.id, data=data).status_code == 200


def test_exports_and_batch_prints_per_user(app, client, users, login_as):
    app.config.update(RATELIMIT_EXPORT="1 per minute", RATELIMIT_BATCH_PRINT="1 per minute")
    make_person("张三")
    login_as("lead")
    assert client.post("/exports/persons", data={"reason": "季度报送"}).status_code == 200
    assert client.post("/exports/persons", data={"reason": "季度报送"}).status_code == 429
    batch = {"profile": "full", "sections": ["identity"], "status": "current", "worker": "0", "output": "zip"}
    assert client.post("/print/", data=batch).status_code == 302
    assert client.post("/print/", data=batch).status_code == 429
    assert client.get("/print/").status_code == 200  # the page itself is not limited


def test_printed_lists_share_the_pdf_budget_and_drill_exports_the_export_one(app, client, users, login_as):
    app.config.update(RATELIMIT_PDF="2 per minute", RATELIMIT_EXPORT="1 per minute")
    make_person("张三")
    login_as("lead")
    assert client.get("/lists/persons/print").status_code == 200
    assert client.get("/indicators/registered/numerator/print").status_code == 200
    assert client.get("/lists/talks/print").status_code == 429
    assert client.get("/persons/").status_code == 200  # the list itself is not limited
    drill = "/indicators/registered/numerator/export"
    assert client.post(drill, data={"reason": "核对"}).status_code == 200
    assert client.post(drill, data={"reason": "核对"}).status_code == 429
    assert client.post("/exports/persons", data={"reason": "核对"}).status_code == 429  # one budget


def test_off_in_the_rest_of_the_suite(tmp_path, app_config):
    app = create_app({**app_config, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "off.sqlite3")})
    with app.app_context():
        db.upgrade()
    client = app.test_client()
    for i in range(15):
        assert login(client, "nobody").status_code == 200
