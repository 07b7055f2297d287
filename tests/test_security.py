"""Web protections: headers, CSRF, error pages, secrets, escaping (W1-W4, C1, D6)."""
import http.client
import re
import threading
from datetime import timedelta

import pytest
from factories import make_person
from peewee import fn

from portal import create_app
from portal.cli import make_server
from portal.dates import today
from portal.demo import DEMO_PASSWORD
from portal.models import (MODELS, Absence, Agreement, AssistanceCase, Attachment, AuditLog, Breach, Case,
                           CounsellingSession, EventPhoto, FamilyMember, Heartbeat, HomeVisit, Incident, Person,
                           PersonMerge, PreventionEvent, PrintJob, RelapseFinding, ReleaseNotice, RiskAssessment, Screening, Talk,
                           Trainee, TrainingSession, User, UserSession)
from portal.tracking import breaches

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def get_urls(app, person_id):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule.rule.replace("<int:person_id>", str(person_id)).replace(
                "<int:case_id>", "1").replace("<int:user_id>", "1")


def test_security_headers_on_every_page(app, client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    for url in get_urls(app, person.id):
        response = client.get(url)
        headers = response.headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"), url
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store", url


def test_htmx_history_cache_is_off_and_eval_disabled(client, users, login_as):
    login_as("worker")
    page = client.get("/").get_data(as_text=True)
    assert '"historyCacheSize":0' in page and '"allowEval":false' in page and '"selfRequestsOnly":true' in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_no_inline_scripts_or_styles(app, client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    for url in get_urls(app, person.id):
        response = client.get(url)
        if response.mimetype != "text/html":
            continue  # e.g. the report PDF
        body = response.get_data(as_text=True)
        assert "<script>" not in body and " style=" not in body and "<style" not in body, url


def test_post_without_csrf_token_is_refused(app_config, users):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    response = client.post("/login", data={"username": "worker", "password": "x"})
    assert response.status_code == 400 and "安全令牌" in response.get_data(as_text=True)
    # The token from the page, sent as htmx does in a header, is accepted.
    import re
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "worker", "password": "x"},
                           headers={"X-CSRFToken": token.group(1)})
    assert response.status_code == 200


def table_dump():
    """Every row of every table but the three a read must write: its audit row, the session's last use, and
    /healthz's one fixed heartbeat row (the probe proves a COMMIT still succeeds; it holds no user data)."""
    return {m.__name__: list(m.select().order_by(m._meta.primary_key).tuples())
            for m in MODELS if m not in (AuditLog, UserSession, Heartbeat)}


ROW_OF = {"person_id": Person, "case_id": Case, "user_id": User, "member_id": FamilyMember, "incident_id": Incident,
          "breach_id": Breach, "job_id": PrintJob, "assistance_id": AssistanceCase, "trainee_id": Trainee,
          "event_id": PreventionEvent, "photo_id": EventPhoto, "attachment_id": Attachment, "merge_id": PersonMerge,
          "other_id": Person, "agreement_id": Agreement, "notice_id": ReleaseNotice}
ENTRY_OF = {"talks": Talk, "visits": HomeVisit, "risks": RiskAssessment, "screenings": Screening, "absences": Absence,
            "findings": RelapseFinding}
SESSION_OF = {"counselling": CounsellingSession, "training": TrainingSession}
WORDS = {"<kind>": "persons", "<key>": "relapse", "<part>": "numerator"}


def every_get(app, person):
    """Each GET route once, its ids those of real rows (the person's own where it has them)."""
    with app.app_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            url, blueprint = rule.rule, rule.endpoint.split(".")[0]
            for name in re.findall(r"<int:(\w+)>", url):
                model = {"entry_id": ENTRY_OF.get(blueprint), "session_id": SESSION_OF.get(blueprint)}.get(name) \
                    or ROW_OF[name]
                own = model.select(model.id).where(model.person == person.id) if hasattr(model, "person") else None
                row = (own and own.first()) or model.select(model.id).first()
                url = url.replace("<int:%s>" % name, str(row.id if row else 1))
            for word, value in WORDS.items():
                url = url.replace(word, value)
            yield url


@pytest.fixture
def station_with_a_breach_due(app, runner, clock):
    """The demo station, plus an unauthorised absence in its 41st day whose serious breach no one has
    opened yet: only a write path or the sweep may open it."""
    assert runner.invoke(args=["demo-data", "--persons", "40"]).exit_code == 0
    with app.app_context():
        person = (Person.with_current_case().where(Case.status == "active", ~fn.EXISTS(
            Incident.select().where(Incident.case == Case.id))).order_by(Person.id).first())
        Absence.create(person=person.id, case=person.case.id, staff=User.get(User.username == "worker"),
                       kind="unauthorised", destination="广东省深圳市", discovered="visit",
                       leave_on=today() - timedelta(days=40))
        assert breaches.counters_of(person.case.id)["serious"]
    return person


@pytest.mark.parametrize("role", ["lead", "officer", "worker", "counsellor", "volunteer"])
def test_reading_every_page_changes_no_row(app, client, station_with_a_breach_due, role):
    """Every GET route as every role, with and without htmx, over a station with a breach due."""
    person = station_with_a_breach_due
    assert client.post("/login", data={"username": role, "password": DEMO_PASSWORD}).status_code == 302
    with app.app_context():
        before = table_dump()
    urls = list(every_get(app, person))
    assert len(urls) > 60
    for url in urls + ["/persons/%d?record=talk" % person.id, "/queue/?mine=1", "/indicators/?kind=year"]:
        for headers in ({}, {"HX-Request": "true"}):
            assert client.get(url, headers=headers).status_code < 500, url
    with app.app_context():
        assert table_dump() == before
        assert not Incident.select().where(Incident.case == person.case.id).exists()


def test_state_changes_only_by_post(app):
    for rule in app.url_map.iter_rules():
        if rule.methods & {"POST"}:
            continue
        assert rule.endpoint in ("static",) or rule.methods <= {"GET", "HEAD", "OPTIONS"}
    for endpoint in ("auth.logout", "persons.delete", "persons.restore", "persons.reveal_id", "users.reset",
                     "family.create", "family.delete"):
        methods = [r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint][0]
        assert "GET" not in methods, endpoint


def test_unexpected_error_shows_chinese_page_without_traceback(app, client, users, login_as):
    def boom():
        raise ZeroDivisionError("secret internals")
    from portal.permissions import requires
    app.add_url_rule("/boom", "boom", requires("home")(boom))
    login_as("worker")
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统错误" in body and "事件编号" in body
    assert "Traceback" not in body and "secret internals" not in body and "ZeroDivisionError" not in body


def test_404_page_is_chinese(client, users, login_as):
    login_as("worker")
    response = client.get("/persons/999999")
    assert response.status_code == 404 and "不在您的工作范围内" in response.get_data(as_text=True)


@pytest.mark.parametrize("secret", [None, "", "dev", "CHANGE-ME-TO-A-RANDOM-STRING", "short"])
def test_production_refuses_a_default_or_missing_secret(tmp_path, secret):
    config = {"DATABASE": str(tmp_path / "x.sqlite3"), "SECRET_KEY": secret}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_text_typed_by_users_is_escaped(client, users, login_as):
    person = make_person(XSS[:32], notes=XSS, employment=XSS[:60])
    login_as("lead")
    body = client.get("/persons/%d" % person.id).get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_waitress_sends_no_server_version(app):
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
        conn.request("GET", "/login")
        response = conn.getresponse()
        assert response.status == 200
        assert not response.getheader("Server")
        assert "Werkzeug" not in str(response.headers) and "waitress" not in str(response.headers).lower()
    finally:
        server.close()
