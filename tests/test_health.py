"""/healthz (portal/web/serving.py), what the watchdog restarts the portal on: 200 `ok` only when a write is
committed, the audit could be written and the database has room to grow; 503 `unavailable` with no data
otherwise (a full database, a read-only one, a locked one, a missing audit key, a full disk). A probe
rewrites one fixed heartbeat row: the audit trail and the database do not grow with probes."""
import shutil
import sqlite3
import subprocess

import pytest
from factories import in_app

from portal import audit
from portal.db import database
from portal.models import AuditLog, Heartbeat
from portal.web.serving import HEADROOM_PAGES


def probe(client):
    response = client.get("/healthz")
    assert response.text == {200: "ok\n", 503: "unavailable\n"}[response.status_code]
    return response.status_code


def pages():
    return database.execute_sql("PRAGMA page_count").fetchone()[0]


def test_a_probe_commits_one_fixed_row_and_grows_neither_the_audit_nor_the_database(app, client, users):
    audited = AuditLog.select().count()
    assert probe(client) == 200
    size = pages()
    first = sqlite3.connect(app.config["DATABASE"]).execute("SELECT id, beat_at FROM heartbeat").fetchall()
    assert [row[0] for row in first] == [1]  # committed: another connection reads it
    for _ in range(30):
        assert probe(client) == 200
    other = sqlite3.connect(app.config["DATABASE"])
    assert other.execute("SELECT count(*) FROM heartbeat").fetchone()[0] == 1
    assert other.execute("SELECT beat_at FROM heartbeat").fetchone()[0] >= first[0][1]
    assert pages() == size and AuditLog.select().count() == audited and Heartbeat.select().count() == 1


def test_a_database_that_cannot_grow_is_unavailable(app, client):
    assert probe(client) == 200
    database.execute_sql("PRAGMA max_page_count = %d" % (pages() + HEADROOM_PAGES))
    assert probe(client) == 200  # exactly the headroom left
    database.execute_sql("PRAGMA max_page_count = %d" % (pages() + HEADROOM_PAGES - 1))
    assert probe(client) == 503
    database.execute_sql("PRAGMA max_page_count = %d" % pages())  # full: the beat fits its page, nothing more would
    assert probe(client) == 503


def test_a_read_only_database_is_unavailable(client):
    database.execute_sql("PRAGMA query_only = 1")  # SQLITE_READONLY on every write, as for a read-only file
    try:
        assert probe(client) == 503
    finally:
        database.execute_sql("PRAGMA query_only = 0")
    assert probe(client) == 200


def test_a_read_only_database_file_is_unavailable(app, client):
    path = app.config["DATABASE"]
    assert probe(client) == 200
    database.close()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", path]).returncode:
        pytest.skip("chattr +i is not available on this file system")
    try:
        assert probe(client) == 503  # immutable, so that it holds even for root
    finally:
        database.close()
        subprocess.run(["chattr", "-i", path], check=True)
    assert probe(client) == 200


def test_a_locked_database_is_unavailable(app, client):
    holder = sqlite3.connect(app.config["DATABASE"], timeout=0)
    database.execute_sql("PRAGMA busy_timeout = 50")
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the database past the busy timeout
    try:
        assert probe(client) == 503
    finally:
        holder.rollback()
        holder.close()
    assert probe(client) == 200


def test_without_the_audit_key_the_portal_is_unavailable(app, client, users, tmp_path):
    in_app(lambda: audit.record("login", user=users["lead"]))()  # a keyed row: a new key would break the chain
    audited = AuditLog.select().count()
    kept = app.config["AUDIT_KEY_FILE"]
    app.config["AUDIT_KEY_FILE"] = str(tmp_path / "elsewhere" / "audit.key")
    try:
        assert probe(client) == 503
        assert not (tmp_path / "elsewhere").exists()
    finally:
        app.config["AUDIT_KEY_FILE"] = kept
    assert probe(client) == 200 and AuditLog.select().count() == audited


def test_a_full_disk_is_unavailable(app, client):
    app.config["HEALTH_MIN_FREE_BYTES"] = 2 ** 62  # more than any disk here has free
    assert probe(client) == 503
    app.config["HEALTH_MIN_FREE_BYTES"] = 1
    assert probe(client) == 200
