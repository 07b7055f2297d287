"""The operator commands as a station runs them: init-db, create-lead, serve."""
import os
import re
import socket
import subprocess
import sys

import pytest
from factories import page_answers


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "PORTAL_SECRET_KEY": "s" * 48, "PORTAL_DATABASE": str(tmp_path / "station.sqlite3"),
            "PORTAL_AUDIT_KEY_FILE": str(tmp_path / "instance" / "audit.key"),
            "PORTAL_ARGON2_PARAMS": '{"time_cost": 1, "memory_cost": 8, "parallelism": 1}'}


def flask(env, *args):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_init_db_create_lead_and_serve(env):
    assert "0001_initial" in flask(env, "init-db").stdout
    assert "最新" in flask(env, "init-db").stdout
    created = flask(env, "create-lead", "zhanzhang", "--name", "王站长")
    assert created.returncode == 0 and "一次性密码" in created.stdout
    busy = socket.create_server(("127.0.0.1", 0))  # the configured port is taken: --port 0 must not use it
    env["PORTAL_PORT"] = str(busy.getsockname()[1])
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "portal", "serve", "--port", "0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        port = re.search(r":(\d+)", line).group(1)
        assert port not in ("0", env["PORTAL_PORT"]), line
        assert page_answers(port, "登录"), "server did not answer"
    finally:
        server.terminate()
        server.wait(10)
        busy.close()


def test_serve_refuses_a_database_that_needs_upgrading(env):
    result = flask(env, "serve", "--port", "0")
    assert result.returncode != 0 and "init-db" in result.stderr


def test_refuses_to_start_without_a_secret(env):
    env = {k: v for k, v in env.items() if k != "PORTAL_SECRET_KEY"}
    env["PORTAL_SECRET_KEY"] = "dev"
    result = flask(env, "init-db")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_server_threads_hand_over_every_millisecond(app):
    """A save back from SQLite with the write lock waits ~1 ms, not Python's default 5 ms, for a rendering
    thread to let it run (scripts/bench_writes.py)."""
    from portal.cli import SWITCH_INTERVAL, make_server

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        make_server(app, "127.0.0.1", 0).close()
        assert SWITCH_INTERVAL == 0.001 and sys.getswitchinterval() == SWITCH_INTERVAL
    finally:
        sys.setswitchinterval(before)
