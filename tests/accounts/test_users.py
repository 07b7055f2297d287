"""Account management by the lead: create, edit role, disable, reset (A1, S1)."""
import re

from factories import PASSWORD

from portal.models import AuditLog, User, UserSession


def one_time(response):
    return re.search(r'class="otp mono">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_lead_creates_an_account_with_a_one_time_password(app, client, login_as):
    login_as("lead")
    response = client.post("/users/new", data={"username": "chenli", "display_name": "陈丽", "role": "worker",
                                                "is_active": "y"})
    password = one_time(response)
    assert User.get(User.username == "chenli").password_hash.startswith("$argon2id$")
    assert AuditLog.get(AuditLog.action == "user.create").object_id == User.get(User.username == "chenli").id
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"username": "chenli", "password": password}).status_code == 302
    assert newcomer.get("/persons/").headers["Location"] == "/account/password"


def test_username_rules_and_uniqueness_in_chinese(client, login_as):
    login_as("lead")
    bad = client.post("/users/new", data={"username": "Chen Li", "display_name": "陈丽", "role": "worker"})
    assert bad.status_code == 422 and "小写字母开头" in bad.get_data(as_text=True)
    taken = client.post("/users/new", data={"username": "worker", "display_name": "陈丽", "role": "worker"})
    assert taken.status_code == 422 and "已被使用" in taken.get_data(as_text=True)


def test_reset_unlocks_and_ends_sessions(app, client, users, login_as):
    victim = app.test_client()
    victim.post("/login", data={"username": "worker", "password": PASSWORD})
    User.update(failed_logins=3).where(User.id == users["worker"].id).execute()
    login_as("lead")
    password = one_time(client.post("/users/%d/reset" % users["worker"].id))
    assert victim.get("/").status_code == 302
    assert User.get_by_id(users["worker"].id).failed_logins == 0
    assert app.test_client().post("/login", data={"username": "worker", "password": password}).status_code == 302


def test_role_change_ends_sessions(app, client, users, login_as):
    worker = app.test_client()
    worker.post("/login", data={"username": "worker", "password": PASSWORD})
    login_as("lead")
    client.post("/users/%d/edit" % users["worker"].id,
                data={"username": "worker", "display_name": "专干", "role": "officer", "is_active": "y"})
    assert User.get_by_id(users["worker"].id).role == "officer"
    assert worker.get("/").status_code == 302
    assert UserSession.select().where(UserSession.user == users["worker"].id,
                                      UserSession.revoked_reason == "account_changed").exists()


def test_lead_cannot_lock_themself_out(client, users, login_as):
    login_as("lead")
    response = client.post("/users/%d/edit" % users["lead"].id,
                           data={"username": "lead", "display_name": "站长", "role": "officer", "is_active": "y"})
    assert response.status_code == 422 and "不能停用自己的账户" in response.get_data(as_text=True)
    assert User.get_by_id(users["lead"].id).role == "lead"


def test_new_account_form_has_no_default_role(client, login_as):
    login_as("lead")
    page = client.get("/users/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert select.startswith('<option value="">请选择角色</option>') and "selected" not in select


def test_new_account_is_refused_until_a_role_is_chosen(client, login_as):
    login_as("lead")
    response = client.post("/users/new", data={"username": "chenli", "display_name": "陈丽", "role": "",
                                               "is_active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择角色" in page and 'value="chenli"' in page
    assert not User.select().where(User.username == "chenli").exists()
    missing = client.post("/users/new", data={"username": "chenli", "display_name": "陈丽", "is_active": "y"})
    assert missing.status_code == 422
    assert not User.select().where(User.username == "chenli").exists()
