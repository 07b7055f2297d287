"""Sign-in, lockout, timeouts and server-side sessions (A1, A4, A5, S1, S2, W6)."""
import re

import pytest
from factories import PASSWORD, make_user

from portal.models import AuditLog, User, UserSession


def test_fresh_database_has_no_working_login(client):
    for username in ("admin", "lead", "root", "station"):
        for password in ("admin", "Demo@2026station", PASSWORD, "123456"):
            response = client.post("/login", data={"username": username, "password": password})
            assert response.status_code == 200
            assert "用户名或密码错误" in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_login_and_logout(client, auth, users):
    assert client.get("/").status_code == 302
    assert auth.login("worker").headers["Location"] == "/queue/"  # her queue (test_landing.py)
    page = client.get("/").get_data(as_text=True)
    assert "您好，%s" % users["worker"].display_name in page and "（禁毒专干）" in page  # who is signed in
    auth.logout()
    assert client.get("/").status_code == 302


def test_same_message_for_unknown_wrong_and_locked(client, auth, users, app):
    unknown = auth.login("nobody", "whatever").get_data(as_text=True)
    wrong = auth.login("worker", "wrong-password").get_data(as_text=True)
    for _ in range(5):
        auth.login("officer", "wrong-password")
    locked = auth.login("officer", PASSWORD).get_data(as_text=True)
    messages = [re.search(r'flash-error"[^>]*>([^<]+)<', page).group(1) for page in (unknown, wrong, locked)]
    assert len(set(messages)) == 1


def test_five_failures_lock_for_thirty_minutes(client, auth, users, clock):
    for _ in range(5):
        assert auth.login("worker", "wrong").status_code == 200
    assert auth.login("worker").status_code == 200  # right password, still locked
    clock.advance(minutes=29)
    assert auth.login("worker").status_code == 200
    clock.advance(minutes=2)
    assert auth.login("worker").status_code == 302


def test_lockout_survives_a_restart(app_config, client, auth, users):
    for _ in range(5):
        auth.login("worker", "wrong")
    from portal import create_app
    restarted = create_app(app_config).test_client()
    response = restarted.post("/login", data={"username": "worker", "password": PASSWORD})
    assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)
    assert restarted.get("/").status_code == 302  # not signed in
    assert User.get(User.username == "worker").locked_until is not None
    assert restarted.post("/login", data={"username": "officer", "password": PASSWORD}).status_code == 302


def test_logout_revokes_the_server_session_and_replayed_cookie_fails(client, auth, users, app):
    auth.login("worker")
    cookie = client.get_cookie("portal_session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("portal_session", cookie)
    for url in ("/", "/persons/", "/account/password"):
        assert thief.get(url).status_code != 200
    assert UserSession.select().where(UserSession.revoked_at.is_null()).count() == 0


def test_new_session_id_at_login_and_cookie_attributes(client, auth, users):
    client.get("/login")
    before = client.get_cookie("portal_session")
    response = auth.login("worker")
    after = client.get_cookie("portal_session")
    assert after is not None and (before is None or before.value != after.value)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("portal_session=")][-1]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Expires" not in header  # no remember-me: ends with the browser session


def test_idle_timeout_ends_the_session(client, auth, users, clock):
    auth.login("worker")
    clock.advance(minutes=14)
    assert client.get("/").status_code == 200
    clock.advance(minutes=16)
    response = client.get("/persons/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert UserSession.get().revoked_reason == "idle"


def test_absolute_timeout_ends_an_active_session(client, auth, users, clock):
    auth.login("worker")
    for _ in range(60):  # active every 12 minutes for 12 hours
        clock.advance(minutes=12)
        if client.get("/").status_code != 200:
            break
    assert client.get("/").status_code == 302
    assert UserSession.get().revoked_reason == "absolute"


def test_expired_htmx_request_gets_401_with_hx_redirect(client, auth, users, clock):
    auth.login("worker")
    clock.advance(minutes=20)
    response = client.get("/persons/?q=zs", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_password_change_revokes_other_sessions(app, client, auth, users):
    other = app.test_client()
    other.post("/login", data={"username": "worker", "password": PASSWORD})
    assert other.get("/").status_code == 200
    auth.login("worker")
    new = "Another-Strong#Pass9"
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser gets a fresh session
    assert other.get("/").status_code == 302


def test_disabling_an_account_ends_its_session(app, client, auth, users):
    worker = app.test_client()
    worker.post("/login", data={"username": "worker", "password": PASSWORD})
    auth.login("lead")
    client.post("/users/%d/edit" % users["worker"].id,
                data={"username": "worker", "display_name": "专干", "role": "worker"})  # is_active unticked
    assert not User.get_by_id(users["worker"].id).is_active
    assert worker.get("/").status_code == 302
    assert worker.post("/login", data={"username": "worker", "password": PASSWORD}).status_code == 200


def test_must_change_password_is_enforced_on_every_route(app, client, auth):
    make_user("worker", username="fresh", must_change_password=True)
    auth.login("fresh")
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in (
                "static", "auth.change_password", "auth.login"):
            response = client.get(rule.rule)
            assert response.status_code in (302, 403), rule.rule
            if response.status_code == 302:
                assert response.headers["Location"] == "/account/password", rule.rule


def test_expired_password_forces_a_change(client, auth, users, clock):
    clock.advance(days=91)
    auth.login("worker")
    assert client.get("/persons/").headers["Location"] == "/account/password"


def test_change_password_rules_shown_in_chinese(client, auth, users):
    auth.login("worker")
    response = client.post("/account/password", data={"current": PASSWORD, "new": "woaini1314", "confirm": "woaini1314"})
    page = response.get_data(as_text=True)
    assert "至少需要 12 个字符" in page and "常见" in page


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_login_next_only_follows_local_paths(auth, users, target):
    assert auth.login("worker", next_url=target).headers["Location"] == "/queue/"  # where no next would land


def test_login_next_local_path_is_followed(auth, users):
    assert auth.login("worker", next_url="/persons/?q=zs").headers["Location"] == "/persons/?q=zs"


def test_create_lead_prints_one_time_password_that_must_be_changed(runner, client):
    result = runner.invoke(args=["create-lead", "zhanzhang", "--name", "王站长"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit("：", 1)[1]
    response = client.post("/login", data={"username": "zhanzhang", "password": password})
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"
    assert runner.invoke(args=["create-lead", "zhanzhang"]).exit_code != 0


def test_login_and_failure_are_audited(auth, users):
    auth.login("worker", "wrong")
    auth.login("worker")
    auth.logout()
    actions = [r.action for r in AuditLog.select().order_by(AuditLog.id)]
    assert actions == ["login_failed", "login", "logout"]


def test_expired_htmx_post_returns_to_the_page_it_came_from(client, auth, users, clock):
    auth.login("worker")
    clock.advance(minutes=20)
    response = client.post("/persons/1/family/", data={"name": "x"},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:8000/persons/1"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/persons/1"


def test_expired_plain_post_returns_home_after_login(client, auth, users, clock):
    auth.login("worker")
    clock.advance(minutes=20)
    response = client.post("/persons/1/delete", data={"reason": "x"})
    assert response.headers["Location"] == "/login"


def test_second_login_in_the_same_browser_ends_the_first_session(app, client, auth, users):
    auth.login("worker")
    first = client.get_cookie("portal_session").value
    auth.login("lead")
    replay = app.test_client()
    replay.set_cookie("portal_session", first)
    assert replay.get("/").status_code == 302


def test_login_without_an_audit_row_opens_no_session(app, client, users):
    from portal.db import database
    database.execute_sql("CREATE TRIGGER block BEFORE INSERT ON audit_log WHEN NEW.action = 'login' "
                         "BEGIN SELECT RAISE(ABORT, 'no'); END")
    response = client.post("/login", data={"username": "worker", "password": PASSWORD})
    assert response.status_code == 503
    assert client.get("/").status_code == 302
    assert UserSession.select().count() == 0


def test_logout_ends_the_session_even_when_audit_fails(app, client, auth, users):
    from portal.db import database
    auth.login("worker")
    cookie = client.get_cookie("portal_session").value
    database.execute_sql("CREATE TRIGGER block BEFORE INSERT ON audit_log WHEN NEW.action = 'logout' "
                         "BEGIN SELECT RAISE(ABORT, 'no'); END")
    assert auth.logout().status_code == 503
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie)
    assert replay.get("/").status_code == 302


def test_failed_login_with_a_password_as_username_is_not_stored(auth, users):
    auth.login("Secret#Typed-Password", "x")
    row = AuditLog.get(AuditLog.action == "login_failed")
    assert "Secret#Typed-Password" not in (row.detail or "")


def test_refused_pages_are_audited(client, login_as):
    login_as("worker")
    client.get("/users/")
    row = AuditLog.get(AuditLog.action == "access_denied")
    assert row.outcome == "denied" and "/users/" in row.detail


def test_timeouts_are_audited(client, auth, users, clock):
    auth.login("worker")
    clock.advance(minutes=20)
    client.get("/")
    assert AuditLog.get(AuditLog.action == "session_expired").detail == '{"reason": "idle"}'


def test_a_station_sends_its_staff_to_the_lead(client):
    assert "请联系站长重置" in client.get("/login").get_data(as_text=True)
