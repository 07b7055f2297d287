"""Installing on a station PC (scripts/install.py): the units systemd accepts, an uninstall that keeps
the data, and HTTPS through the real nginx in front of the portal's waitress on loopback addresses."""
import http.client
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from factories import PASSWORD, ROOT, in_app, inline_text, valid_id

from portal.cli import make_server
from portal.models import AuditLog

sys.path.insert(0, str(ROOT / "scripts"))
import install  # noqa: E402

ADDRESS, CLIENT, STRANGER = "127.0.0.2", "127.0.0.3", "127.0.0.4"  # the PC's "LAN" address, a station PC, another


def installed(root, *extra):
    install.main(["install", "--root", str(root), "--address", "10.20.30.40", "--subnet", "10.20.30.0/24",
                  "--hostname", "station-pc", *extra])
    return install.paths(type("Args", (), {"root": str(root), "prefix": "/opt/portal"}))


def systemd_root(root, prefix="opt/portal"):
    """What `systemd-analyze verify --root` needs beside our units: systemd's own units and the
    programs our units start (stubs)."""
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "lib").symlink_to("usr/lib")
    for program in (prefix + "/.venv/bin/flask", prefix + "/.venv/bin/python", "bin/sh"):
        path = root / program
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)


def verified(root, where, prefix="opt/portal"):
    """systemd-analyze verify of every unit the install wrote: no complaint about ours."""
    names = sorted(p.name for p in where["units"].iterdir())
    systemd_root(root, prefix)
    verify = subprocess.run(["systemd-analyze", "verify", "--root=%s" % root,
                             *(str(where["units"] / name) for name in names)], capture_output=True, text=True)
    ours = [line for line in verify.stderr.splitlines() if line.startswith("portal")]
    assert verify.returncode == 0 and not ours, verify.stderr[-2000:]
    return names


def test_the_install_writes_units_systemd_accepts_and_a_proxy_for_the_subnet(tmp_path, capsys):
    where = installed(tmp_path)
    said = capsys.readouterr().out
    assert "https://10.20.30.40/" in said and "/certificate" in said and "10.20.30.0/24" in said
    names = verified(tmp_path, where)
    assert "portal.service" in names and {"portal-%s.timer" % job for job in
                                          ("sweep", "backup", "drill", "package", "watchdog")} <= set(names)
    assert not [name for name in names if "province" in name]
    service = (where["units"] / "portal.service").read_text()
    assert "--host 127.0.0.1" in service and "User=portal" in service and "ProtectSystem=strict" in service
    assert "ReadWritePaths=/opt/portal/instance" in service and "Restart=on-failure" in service
    assert "StandardOutput=journal" in service and "StandardError=journal" in service  # the logs: journalctl -u portal
    site = where["nginx"].read_text()
    assert "listen 10.20.30.40:443 ssl;" in site and "listen 10.20.30.40:80;" in site
    assert "allow 10.20.30.0/24;" in site and "deny all;" in site and "Strict-Transport-Security" in site
    assert site.count("access_log /var/log/nginx/portal-access.log portal_noquery;") == 2
    config = (where["prefix"] / "instance/config.py").read_text()
    assert "SESSION_COOKIE_SECURE = True" in config and "TRUSTED_PROXIES = (\"127.0.0.1\",)" in config
    assert stat.S_IMODE(os.stat(where["prefix"] / "instance").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(where["tls"] / "server.key").st_mode) == 0o600
    text = subprocess.run(["openssl", "x509", "-in", str(where["tls"] / "server.crt"), "-noout", "-text"],
                          capture_output=True, text=True).stdout
    assert "IP Address:10.20.30.40" in text and "DNS:station-pc" in text


def test_uninstall_removes_the_units_and_the_code_and_keeps_the_data(tmp_path):
    where = installed(tmp_path)
    data = where["prefix"] / "instance/portal.sqlite3"
    data.write_bytes(b"the station's data")
    install.main(["uninstall", "--root", str(tmp_path)])
    assert not [p for p in where["units"].iterdir() if p.name.startswith("portal")]
    assert not where["nginx"].exists() and not where["enabled"].is_symlink()
    assert sorted(p.name for p in where["prefix"].iterdir()) == ["instance"]
    assert data.read_bytes() == b"the station's data" and (where["tls"] / "ca.crt").exists()
    installed(tmp_path)  # installs again over the kept data and certificates
    assert data.read_bytes() == b"the station's data"


@pytest.fixture
def proxied(app, users, tmp_path):
    """The portal in its production waitress server on 127.0.0.1 behind the real nginx on ADDRESS, with the
    install's site and certificates."""
    app.config.update(TRUSTED_PROXIES=("127.0.0.1",), SESSION_COOKIE_SECURE=True)
    app.wsgi_app.trusted = frozenset(app.config["TRUSTED_PROXIES"])
    server = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    closed = []

    def stop():
        if not closed:
            closed.append(server.close())

    tls = tmp_path / "tls"
    install.make_certificates(tls, ADDRESS, "station-pc")
    http_port, https_port = free_port(), free_port()
    site = install.nginx_site(ADDRESS, "%s/32" % CLIENT, "station-pc", tls, http_port, https_port,
                              server.effective_port, logs=tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text("daemon off;\npid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n"
                    "access_log off;\nclient_body_temp_path %s;\nproxy_temp_path %s;\n%s\n}\n"
                    % (tmp_path, tmp_path, tmp_path / "body", tmp_path / "proxy", site))
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        wait_for(ADDRESS, https_port)
        yield {"tls": tls, "http": http_port, "https": https_port, "upstream": server.effective_port, "stop": stop,
               "logs": tmp_path}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        stop()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(host, port):
    for _ in range(100):
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start")


def https(proxied, source=CLIENT):
    context = ssl.create_default_context(cafile=str(proxied["tls"] / "ca.crt"))
    return http.client.HTTPSConnection(ADDRESS, proxied["https"], context=context, source_address=(source, 0),
                                       timeout=10)


def test_over_https_the_login_is_secure_and_audited_with_the_station_pc_s_address(proxied, users):
    connection = https(proxied)
    connection.request("GET", "/login")
    page = connection.getresponse()
    assert page.status == 200 and page.getheader("Strict-Transport-Security") == "max-age=31536000"
    page.read()
    connection.request("POST", "/login", body=urlencode({"username": "lead", "password": PASSWORD}),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "X-Forwarded-For": "10.9.9.9"})  # forged by the PC: nginx puts the real one
    signed_in = connection.getresponse()
    cookie = signed_in.getheader("Set-Cookie")
    assert signed_in.status == 302 and "Secure" in cookie and "HttpOnly" in cookie
    row = in_app(lambda: AuditLog.select().where(AuditLog.action.startswith("login")).order_by(
        AuditLog.id.desc()).first())()
    assert row.ip == CLIENT  # forwarded by the proxy through waitress, believed from the proxy only

    plain = http.client.HTTPConnection(ADDRESS, proxied["http"], source_address=(CLIENT, 0), timeout=10)
    plain.request("GET", "/persons/")
    moved = plain.getresponse()
    assert moved.status == 301 and moved.getheader("Location") == "https://%s:%d/persons/" % (
        ADDRESS, proxied["https"])


def test_the_proxy_refuses_other_networks_and_waitress_listens_on_loopback_only(proxied):
    stranger = https(proxied, source=STRANGER)
    stranger.request("GET", "/login")
    assert stranger.getresponse().status == 403
    with pytest.raises(OSError):
        socket.create_connection((ADDRESS, proxied["upstream"]), timeout=2)  # not on 127.0.0.1: refused


def logged(path, lines):
    """The log once it has its lines: nginx writes a request's line after it answered."""
    for _ in range(100):
        if len(path.read_text().splitlines()) >= lines:
            break
        time.sleep(0.05)
    return path.read_text()


def test_the_proxy_s_logs_carry_no_query_string_nor_request_line(proxied):
    number = valid_id()
    search = "/persons/?q=%s" % number
    for source, status in ((CLIENT, 302), (STRANGER, 403)):  # to the login page; refused, an error nginx logs
        connection = https(proxied, source)
        connection.request("GET", search)
        assert connection.getresponse().status == status
    plain = http.client.HTTPConnection(ADDRESS, proxied["http"], source_address=(CLIENT, 0), timeout=10)
    plain.request("GET", search)
    assert plain.getresponse().status == 301
    proxied["stop"]()  # the portal stops answering: nginx's error on the upstream
    connection = https(proxied)
    connection.request("GET", search)
    assert connection.getresponse().status == 502
    access = logged(proxied["logs"] / "portal-access.log", 4)
    assert [line.split('"')[1] for line in access.splitlines()] == ["GET /persons/ HTTP/1.1"] * 4
    assert "%s [" % CLIENT in access and "%s [" % STRANGER in access
    errors = (proxied["logs"] / "portal-error.log").read_text() + (proxied["logs"] / "error.log").read_text()
    assert number not in errors and "request:" not in errors


def test_waitress_hands_a_forged_address_to_the_portal_which_ignores_it_from_others(app, users):
    server = make_server(app, "127.0.0.1", 0)  # TRUSTED_PROXIES = (): no proxy, as without the install
    threading.Thread(target=server.run, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        connection.request("POST", "/login", body=urlencode({"username": "lead", "password": PASSWORD}),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "10.9.9.9"})
        assert connection.getresponse().status == 302
    finally:
        server.close()
    row = in_app(lambda: AuditLog.select().where(AuditLog.action.startswith("login")).order_by(
        AuditLog.id.desc()).first())()
    assert row.ip == "127.0.0.1"


def test_a_forwarded_address_is_ignored_unless_it_comes_from_the_proxy(app, client, users):
    app.wsgi_app.trusted = frozenset({"127.0.0.1"})
    client.post("/login", data={"username": "lead", "password": PASSWORD},
                headers={"X-Forwarded-For": "10.9.9.9"}, environ_base={"REMOTE_ADDR": "127.0.0.5"})
    client.post("/login", data={"username": "lead", "password": PASSWORD},
                headers={"X-Forwarded-For": "10.1.1.1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    ips = in_app(lambda: [r.ip for r in AuditLog.select().where(AuditLog.action.startswith("login"))
                          .order_by(AuditLog.id)])()
    assert ips[-2:] == ["127.0.0.5", "10.1.1.1"]


def test_the_certificate_page_offers_the_root_certificate_with_chinese_instructions(app, client, tmp_path):
    assert "尚未配置 HTTPS 证书" in client.get("/certificate").get_data(as_text=True)
    assert client.get("/certificate/station-ca.crt").status_code == 404
    install.make_certificates(tmp_path / "tls", ADDRESS, "station-pc")
    app.config["CA_CERT"] = str(tmp_path / "tls/ca.crt")
    page = inline_text(client.get("/certificate"))
    assert "受信任的根证书颁发机构" in page and "统信" in page
    printed = subprocess.run(["openssl", "x509", "-in", str(tmp_path / "tls/ca.crt"), "-noout", "-fingerprint",
                              "-sha256"], capture_output=True, text=True).stdout.strip().split("=")[1]
    assert printed in page  # the same as the install printed
    download = client.get("/certificate/station-ca.crt")
    assert download.status_code == 200 and download.data == (tmp_path / "tls/ca.crt").read_bytes()
    assert b"PRIVATE KEY" not in download.data


def province(root, *extra):
    install.main(["install-province", "--root", str(root), "--address", "10.20.30.50", "--subnet", "10.20.30.0/24",
                  "--hostname", "province-pc", *extra])
    return install.paths(type("Args", (), {"root": str(root), "prefix": "/opt/portal-province"}), install.PROVINCE)


def test_the_province_installs_the_same_way_on_its_own_account_port_and_units(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    where = province(tmp_path)
    said = capsys.readouterr().out
    assert "https://10.20.30.50/" in said and "本机 PostgreSQL" in said
    names = verified(tmp_path, where, "opt/portal-province")
    assert names == ["portal-province-backup.service", "portal-province-backup.timer", "portal-province-watchdog.service",
                     "portal-province-watchdog.timer", "portal-province.service"]  # no sweep, drill or package
    service = (where["units"] / "portal-province.service").read_text()
    assert "User=portal-province" in service and "--host 127.0.0.1 --port 8001" in service
    assert "ReadWritePaths=/opt/portal-province/instance" in service and "Wants=postgresql.service" in service
    assert "scripts/province_backup.py" in (where["units"] / "portal-province-backup.service").read_text()
    assert "127.0.0.1:8001/healthz" in (where["units"] / "portal-province-watchdog.service").read_text()
    assert "systemctl restart portal-province.service" in (where["units"] / "portal-province-watchdog.service").read_text()
    config = (where["prefix"] / "instance/config.py").read_text()
    assert 'INSTANCE = "province"' in config and "DATABASE_URL = 'postgresql://portal-province@/province'" in config
    assert "SESSION_COOKIE_SECURE = True" in config and "PORT = 8001" in config
    assert "STATION_NAME = '专地融合省级汇总平台'" in config
    site = where["nginx"].read_text()
    assert where["nginx"].name == "portal-province.conf" and "proxy_pass http://127.0.0.1:8001;" in site
    assert "client_max_body_size 70m;" in site and "allow 10.20.30.0/24;" in site
    assert str(where["tls"]) == str(tmp_path / "etc/portal-province/tls") and (where["tls"] / "ca.crt").exists()
    assert not (where["units"] / "portal.service").exists() and not (tmp_path / "opt/portal").exists()


def test_the_province_on_an_existing_server_and_its_uninstall_keeps_the_data(tmp_path, capsys, monkeypatch):
    url = "postgresql://portal:pa%40ss@db.example:5433/province"
    monkeypatch.setenv("DATABASE_URL", url)  # as `make install-province DATABASE_URL=…` passes it
    where = province(tmp_path)
    assert "已有的 PostgreSQL 服务器" in capsys.readouterr().out
    config = (where["prefix"] / "instance/config.py").read_text()
    assert "DATABASE_URL = %r" % url in config and 'INSTANCE = "province"' in config
    assert "postgresql.service" not in (where["units"] / "portal-province.service").read_text()
    kept = where["prefix"] / "instance/backups/province-20261201-023000.dump"
    kept.parent.mkdir()
    kept.write_bytes(b"the province's data")
    station = installed(tmp_path)  # a station beside it is left alone by the province's uninstall
    install.main(["uninstall-province", "--root", str(tmp_path)])
    assert not [p for p in where["units"].iterdir() if p.name.startswith("portal-province")]
    assert (station["units"] / "portal.service").exists() and station["nginx"].exists()
    assert not where["nginx"].exists() and not where["enabled"].is_symlink()
    assert sorted(p.name for p in where["prefix"].iterdir()) == ["instance"]
    assert kept.read_bytes() == b"the province's data" and (where["prefix"] / "instance/config.py").exists()
    with pytest.raises(SystemExit):
        install.main(["install-province", "--root", str(tmp_path), "--database-url", "mysql://x/y"])


def test_the_makefile_installs_through_the_script():
    text = (ROOT / "Makefile").read_text()
    for target in ("install", "uninstall", "upgrade", "install-province", "uninstall-province"):
        assert "scripts/install.py %s" % target in text
    assert Path(install.__file__).resolve() == ROOT / "scripts/install.py"
