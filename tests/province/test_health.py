"""/healthz on the province's PostgreSQL: the same committed heartbeat (one fixed row, no audit row per
probe), and 503 when the database refuses writes."""
from urllib.parse import urlsplit

import psycopg2

from portal.db import database
from portal.models import AuditLog, Heartbeat


def test_the_province_probe_commits_its_heartbeat_and_answers_503_on_a_read_only_database(app, client, postgres):
    audited = AuditLog.select().count()
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200 and response.text == "ok\n"
    name = urlsplit(app.config["DATABASE_URL"]).path.lstrip("/")
    admin = psycopg2.connect(host="127.0.0.1", port=postgres.port, user="postgres", dbname="postgres")
    admin.autocommit = True
    other = psycopg2.connect(host="127.0.0.1", port=postgres.port, user="postgres", dbname=name)
    with other.cursor() as cursor:
        cursor.execute("SELECT id FROM heartbeat")
        assert cursor.fetchall() == [(1,)]  # committed: another connection reads it
    other.close()
    assert Heartbeat.select().count() == 1 and AuditLog.select().count() == audited
    admin.cursor().execute('ALTER DATABASE "%s" SET default_transaction_read_only = on' % name)
    database.close()  # a new connection takes the database's setting
    try:
        response = client.get("/healthz")
        assert response.status_code == 503 and response.text == "unavailable\n"
    finally:
        admin.cursor().execute('ALTER DATABASE "%s" RESET default_transaction_read_only' % name)
        admin.close()
        database.close()
    assert client.get("/healthz").status_code == 200
