"""How the province is served (portal/web/serving.py): /healthz on its PostgreSQL, the same committed heartbeat
(one fixed row, no audit row per probe) and 503 when the database refuses writes; the certificate page in
the province's words."""
import sys
from urllib.parse import urlsplit

import psycopg2
from factories import ROOT

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


def test_the_certificate_page_speaks_of_the_province_and_its_administrator(app, client, tmp_path):
    assert "请联系系统管理员按部署说明完成安装" in client.get("/certificate").get_data(as_text=True)
    sys.path.insert(0, str(ROOT / "scripts"))
    import install

    install.make_certificates(tmp_path / "tls", "127.0.0.2", "province-pc", install.PROVINCE)
    app.config["CA_CERT"] = str(tmp_path / "tls/ca.crt")
    page = client.get("/certificate").get_data(as_text=True)
    assert "安装本平台证书" in page and "与省局系统管理员核对" in page and "province-ca.crt" in page
    assert "本站" not in page and "站长" not in page and "双击下载的 province-ca.crt" in page
    download = client.get("/certificate/station-ca.crt")
    assert download.status_code == 200 and "province-ca.crt" in download.headers["Content-Disposition"]
