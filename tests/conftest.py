"""Fixtures: a real SQLite file per test, the real app, users of every role; factories are in factories.py.
The run fails if any log line names a person (logwatch.py)."""
import factories
import pytest
from factories import PASSWORD, ROLES, Clock, make_user
from logwatch import pytest_configure, pytest_sessionfinish, pytest_terminal_summary  # noqa: F401 (hooks)

from portal import create_app, db, demo
from portal.db import database

CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app_config(tmp_path, clock):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE": str(tmp_path / "portal.sqlite3"),
        "AUDIT_KEY_FILE": str(tmp_path / "instance" / "audit.key"),
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": CHEAP_ARGON2,
        "CLOCK": clock,
        "RATELIMIT_ENABLED": False,  # on only in tests/test_limits.py, so no other test meets a limit
    }


@pytest.fixture
def app(app_config):
    """The real app on a fresh database file. No app context stays pushed: each request gets its own."""
    app = create_app(app_config)
    db.upgrade()
    factories.apps.append(app)
    yield app
    factories.apps.pop()
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One account per role; workers have a colleague with other persons."""
    made = {role: make_user(role, username=role) for role in ROLES}
    made["worker2"] = make_user("worker", username="worker2")
    made["officer2"] = make_user("officer", username="officer2")
    return made


class Auth:
    """Log in and out through the real views."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, next_url=None):
        url = "/login" + ("?next=" + next_url if next_url else "")
        return self.client.post(url, data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(users, auth):
    """login_as("worker") signs the shared client in as that role's account."""
    def login(role):
        response = auth.login(users[role].username)
        assert response.status_code == 302, response.text
        return users[role]
    return login


@pytest.fixture
def demo_station(app, client):
    """A demo station of 40 persons (portal/demo), with the client signed in as its lead."""
    with app.app_context():
        demo.build(persons=40)
    response = client.post("/login", data={"username": "lead", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    return client
