"""A database that cannot write (full disk, read-only file, locked) answers 503 with a clear Chinese
message on every path, login included, and nothing is half-saved (security.unavailable)."""
import contextlib
import shutil
import sqlite3
import subprocess

import pytest
from factories import PASSWORD, make_person, talk_form
from peewee import OperationalError

from portal.db import database
from portal.models import AuditLog, Talk, UserSession
from portal.web.security import unavailable

HX = {"HX-Request": "true"}
LONG = {"risk_factors": "风" * 1000, "actions": "险" * 1000}  # needs new pages: no room left in old ones


def fill_disk():
    """No page may be added any more: what a full disk looks like to SQLite."""
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql("PRAGMA max_page_count = %d" % pages)


def test_a_full_database_answers_503_and_saves_nothing(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    audited = AuditLog.select().count()
    fill_disk()
    response = client.post("/persons/%d/talks/" % person.id, data=talk_form(**LONG), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "磁盘已满" in body and "没有保存任何内容" in body
    assert "事件编号" not in body  # not an unexpected error
    assert Talk.select().count() == 0 and AuditLog.select().count() == audited


def test_the_orm_rollback_error_keeps_its_cause():
    """COMMIT on a full disk: SQLite rolled back already, the ORM's ROLLBACK fails on top of it."""
    try:
        try:
            raise OperationalError("database or disk is full")
        except OperationalError:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")
    except sqlite3.OperationalError as exc:
        assert unavailable(exc) == "full"
    assert unavailable(sqlite3.OperationalError("cannot rollback - no transaction is active")) is None
    assert unavailable(AttributeError("read-only attribute")) is None  # only database and disk errors
    assert unavailable(OSError(28, "No space left on device")) == "full"


def test_login_on_a_full_database_answers_503(client, users):
    # a session row is small enough to fit a page with room left: make it need a new page
    database.execute_sql("CREATE TABLE filler (b BLOB)")
    database.execute_sql("CREATE TEMP TRIGGER grow AFTER INSERT ON main.user_session "
                         "BEGIN INSERT INTO filler VALUES (zeroblob(20000)); END")
    fill_disk()
    response = client.post("/login", data={"username": "worker", "password": PASSWORD})
    assert response.status_code == 503
    assert "磁盘已满" in response.get_data(as_text=True)
    assert UserSession.select().count() == 0


def test_a_read_only_database_answers_503_on_writes_and_login(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    database.execute_sql("PRAGMA query_only = 1")
    try:
        response = client.post("/persons/%d/talks/" % person.id, data=talk_form(), headers=HX)
        assert response.status_code == 503
        assert "系统只读维护中" in response.get_data(as_text=True)
        assert client.get("/talks/").status_code == 503  # a read of personal data needs its audit row (AU1)
        client.post("/logout")
        response = client.post("/login", data={"username": "worker", "password": PASSWORD})
        assert response.status_code == 503 and "系统只读维护中" in response.get_data(as_text=True)
    finally:
        database.execute_sql("PRAGMA query_only = 0")
    assert Talk.select().count() == 0


def test_a_read_only_database_file(app, tmp_path, users):
    """The file itself cannot be written (immutable, so that it holds even for root)."""
    path = app.config["DATABASE"]
    database.close()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", path]).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        client = app.test_client()
        response = client.post("/login", data={"username": "worker", "password": PASSWORD})
        assert response.status_code == 503
        assert "系统只读维护中" in response.get_data(as_text=True)
    finally:
        database.close()
        subprocess.run(["chattr", "-i", path], check=True)


@contextlib.contextmanager
def locked(app, how="IMMEDIATE"):
    """Another process holds the database (BEGIN IMMEDIATE or EXCLUSIVE) while the block runs."""
    app.config["KEEP_CONNECTIONS"] = True
    database.execute_sql("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(app.config["DATABASE"])
    other.execute("BEGIN " + how)
    try:
        yield
    finally:
        other.rollback()
        other.close()


def test_a_locked_database_answers_503(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    with locked(app):
        response = client.post("/persons/%d/talks/" % person.id, data=talk_form(), headers=HX)
    assert response.status_code == 503
    assert "系统正忙" in response.get_data(as_text=True)
    assert Talk.select().count() == 0


def test_a_locked_database_on_a_read_says_the_page_could_not_be_opened(app, client, users, login_as):
    """Only a page was opened: the 503 says so, and does not talk of an unsaved change."""
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    with locked(app, "EXCLUSIVE"):
        read = client.get("/persons/%d/family/new" % person.id)
        write = client.post("/persons/%d/talks/" % person.id, data=talk_form())
    assert read.status_code == 503 and write.status_code == 503
    read_text, write_text = read.get_data(as_text=True), write.get_data(as_text=True)
    assert "系统正忙" in read_text and "暂时无法打开" in read_text and "没有保存" not in read_text
    assert "系统正忙" in write_text and "没有保存任何内容" in write_text and "无法打开" not in write_text
