"""Install the portal on a station PC (Debian 12, as root): `make install`, `make uninstall`, `make upgrade`.

install   a `portal` system account that owns instance/ (0700) and nothing else; the code and its
          virtual environment under the prefix (/opt/portal); systemd units for waitress on 127.0.0.1
          (restarted on failure, sandboxed) and timers for the watchdog, the daily sweep and retention,
          the nightly backup, the weekly restore drill and the monthly package; nginx on the PC's LAN
          address with HTTPS (a certificate authority of the station's own, made here), HTTP redirected,
          HSTS, only the station's subnet let in; then it prints the address to open and the lead's
          one-time password.
uninstall removes the units, the nginx site and the code, never instance/ (the data) nor the TLS files.
upgrade   backs up, copies the new code, updates the venv, migrates; if the migration fails it restores
          the backup and starts the old code again.

`--root DIR` writes every file under DIR and touches nothing of the machine (no account, no venv, no
systemctl, no nginx reload): the tests use it, with `systemd-analyze verify --root`.
Standard library only: it runs before the virtual environment exists.
"""
import argparse
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
USER = "portal"
PORT = 8000
CODE = ("portal", "scripts", "docs", "wsgi.py", "requirements.txt", "requirements-dev.txt", "Makefile", "README.md",
        "instance/config.example.py")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
HARDENING = """NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
CapabilityBoundingSet=
UMask=0077
ReadWritePaths={prefix}/instance"""
# name: (description, command, calendar) of the oneshot jobs run by timers
JOBS = {
    "portal-sweep": ("每日检查：严重违反、封存与保存期限", "{flask} sweep\nExecStart={flask} retention", "*-*-* 00:10:00"),
    "portal-backup": ("每晚备份数据库和上传文件", "{flask} backup", "*-*-* 02:30:00"),
    "portal-drill": ("每周恢复演练（从最新备份恢复到临时目录并核对）", "{python} scripts/restore_drill.py",
                     "Sun *-*-* 03:30:00"),
    "portal-package": ("每月 1 日生成上月报送包", "{flask} report-package", "*-*-01 06:00:00"),
    "portal-watchdog": ("检查平台是否正常应答，否则重启", "/bin/sh -c 'curl -fsS -m 10 http://127.0.0.1:%d/healthz "
                        ">/dev/null || systemctl restart portal.service'" % PORT, "*-*-* *:*:00"),
}


def units(prefix):
    """The systemd unit files by name."""
    flask, python = "%s/.venv/bin/flask --app portal" % prefix, "%s/.venv/bin/python" % prefix
    made = {"portal.service": """[Unit]
Description=专地融合工作站平台（waitress，仅本机 127.0.0.1:{port}）
After=network.target

[Service]
Type=simple
User={user}
Group={user}
WorkingDirectory={prefix}
ExecStart={flask} serve --host 127.0.0.1 --port {port}
Restart=on-failure
RestartSec=5
{hardening}

[Install]
WantedBy=multi-user.target
""".format(user=USER, prefix=prefix, flask=flask, port=PORT, hardening=HARDENING.format(prefix=prefix))}
    for name, (description, command, calendar) in JOBS.items():
        watchdog = name == "portal-watchdog"
        made[name + ".service"] = """[Unit]
Description=专地融合工作站平台：{description}

[Service]
Type=oneshot
User={user}
WorkingDirectory={prefix}
ExecStart={command}
{hardening}
""".format(description=description, prefix=prefix, user="root" if watchdog else USER,
           command=command.format(flask=flask, python=python),
           hardening="NoNewPrivileges=yes\nPrivateTmp=yes" if watchdog else HARDENING.format(prefix=prefix))
        made[name + ".timer"] = """[Unit]
Description=专地融合工作站平台：{description}（定时）

[Timer]
OnCalendar={calendar}
Persistent={persistent}

[Install]
WantedBy=timers.target
""".format(description=description, calendar=calendar, persistent="false" if watchdog else "true")
    return made


def nginx_site(address, subnet, hostname, tls, http=80, https=443, upstream=PORT):
    """nginx on the LAN address only: 80 redirects to 443; HSTS; the subnet let in, all else refused."""
    return """# 专地融合工作站平台 (scripts/install.py): HTTPS on the station's network, nothing else
server {{
    listen {address}:{http};
    server_name {hostname} {address};
    allow {subnet};
    deny all;
    return 301 https://$host{port_suffix}$request_uri;
}}

server {{
    listen {address}:{https} ssl;
    server_name {hostname} {address};
    ssl_certificate {tls}/server.crt;
    ssl_certificate_key {tls}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    add_header Strict-Transport-Security "max-age=31536000" always;
    allow {subnet};
    deny all;
    client_max_body_size 12m;
    server_tokens off;

    location / {{
        proxy_pass http://127.0.0.1:{upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto https;
        proxy_read_timeout 300s;
    }}
}}
""".format(address=address, subnet=subnet, hostname=hostname, tls=tls, http=http, https=https, upstream=upstream,
           port_suffix="" if https == 443 else ":%d" % https)


def make_certificates(tls, address, hostname):
    """The station's own certificate authority and the server's certificate for its address and name
    (openssl); kept if they exist. Returns the CA certificate's SHA-256 fingerprint."""
    tls.mkdir(parents=True, exist_ok=True)
    os.chmod(tls, 0o755)
    ca_key, ca_crt, key, csr, crt = (tls / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    if not ca_crt.exists():
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650",
            "-subj", "/CN=专地融合工作站根证书 %s" % hostname, "-utf8", "-keyout", str(ca_key), "-out", str(ca_crt),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    if not crt.exists():
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=%s" % hostname,
            "-keyout", str(key), "-out", str(csr))
        extensions = tls / "server.ext"
        extensions.write_text("subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth\n"
                              "basicConstraints=CA:FALSE\n" % (address, hostname))
        run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
            "-days", "825", "-extfile", str(extensions), "-out", str(crt))
    for path, mode in ((ca_key, 0o600), (key, 0o600), (ca_crt, 0o644), (crt, 0o644)):
        os.chmod(path, mode)
    out = run("x509", "-in", str(ca_crt), "-noout", "-fingerprint", "-sha256").stdout.decode()
    return out.strip().split("=", 1)[1]


def copy_code(prefix):
    """The release's code into the prefix; instance/ (the data) is never touched, only created."""
    prefix.mkdir(parents=True, exist_ok=True)
    for name in CODE:
        source, target = SOURCE / name, prefix / name
        if source.is_dir():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=SKIP)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (prefix / "instance").mkdir(mode=0o700, exist_ok=True)
    os.chmod(prefix / "instance", 0o700)


def station_config(prefix, tls):
    """instance/config.py: a random key (scripts/write_config.py), then what serving behind the proxy needs."""
    config = prefix / "instance" / "config.py"
    if not config.exists():
        subprocess.run([sys.executable, str(prefix / "scripts" / "write_config.py")], check=True)
    text = config.read_text(encoding="utf-8")
    if "# scripts/install.py" not in text:
        config.write_text(text + "\n# scripts/install.py: behind the station's HTTPS proxy\nHOST = \"127.0.0.1\"\n"
                          "SESSION_COOKIE_SECURE = True\nTRUSTED_PROXIES = (\"127.0.0.1\",)\n"
                          "CA_CERT = %r\n" % str(tls / "ca.crt"), encoding="utf-8")
    os.chmod(config, 0o600)


def lan_address():
    """The address other PCs reach this one at (the source of a route outward; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def paths(args):
    root = Path(args.root)
    return {"root": root, "prefix": root / args.prefix.lstrip("/"), "units": root / "etc/systemd/system",
            "nginx": root / "etc/nginx/sites-available/portal.conf",
            "enabled": root / "etc/nginx/sites-enabled/portal.conf", "tls": root / "etc/portal/tls"}


def on_machine(args):
    return Path(args.root) == Path("/")


def systemd_running():
    return Path("/run/systemd/system").is_dir()


def as_portal(prefix, *command):
    return subprocess.run(["runuser", "-u", USER, "--", *command], cwd=prefix, check=True,
                          capture_output=True, text=True)


def install(args):
    where = paths(args)
    prefix, live = where["prefix"], on_machine(args)
    address = args.address or lan_address()
    subnet = str(ipaddress.ip_network(args.subnet or "%s/24" % address, strict=False))
    hostname = args.hostname or socket.gethostname()
    copy_code(prefix)
    fingerprint = make_certificates(where["tls"], address, hostname)
    station_config(prefix, Path("/") / where["tls"].relative_to(where["root"]))
    where["units"].mkdir(parents=True, exist_ok=True)
    for name, text in units(args.prefix).items():
        (where["units"] / name).write_text(text, encoding="utf-8")
    where["nginx"].parent.mkdir(parents=True, exist_ok=True)
    where["nginx"].write_text(nginx_site(address, subnet, hostname, Path("/") / where["tls"].relative_to(where["root"])),
                              encoding="utf-8")
    where["enabled"].parent.mkdir(parents=True, exist_ok=True)
    if not where["enabled"].exists():
        where["enabled"].symlink_to("../sites-available/portal.conf")
    password = None
    if live:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--home-dir", str(prefix), "--no-create-home",
                            "--shell", "/usr/sbin/nologin", USER], check=True)
        subprocess.run([sys.executable, "-m", "venv", str(prefix / ".venv")], check=True)
        subprocess.run([str(prefix / ".venv/bin/pip"), "install", "-q", "-r", str(prefix / "requirements.txt")],
                       check=True)
        shutil.chown(prefix / "instance", USER, USER)
        for path in (prefix / "instance").rglob("*"):
            shutil.chown(path, USER, USER)
        flask = str(prefix / ".venv/bin/flask")
        as_portal(prefix, flask, "--app", "portal", "init-db")
        created = subprocess.run(["runuser", "-u", USER, "--", flask, "--app", "portal", "create-lead", "zhanzhang",
                                  "--name", "站长"], cwd=prefix, capture_output=True, text=True)
        password = created.stdout.strip() if created.returncode == 0 else None
        if systemd_running():
            subprocess.run(["systemctl", "daemon-reload"], check=True)
            subprocess.run(["systemctl", "enable", "--now", "portal.service"] +
                           ["%s.timer" % job for job in JOBS], check=True)
            subprocess.run(["systemctl", "reload-or-restart", "nginx.service"], check=True)
    print("安装完成。请在本站其他电脑的浏览器中打开：https://%s/" % address)
    print("首次访问前，请在 https://%s/certificate 下载并安装本站根证书；证书指纹（SHA-256）：%s" % (address, fingerprint))
    print("只允许 %s 网段访问。" % subnet)
    if password:
        print(password)
    elif live:
        print("站长账户已存在：如忘记密码，请用 flask --app portal create-lead 另建站长账户。")
    if live and not systemd_running():
        print("本机未运行 systemd：服务未启动。单元文件已写入 %s。" % where["units"])


def uninstall(args):
    where = paths(args)
    names = list(units(args.prefix))
    if on_machine(args) and systemd_running():
        subprocess.run(["systemctl", "disable", "--now", *names], check=False)
    for name in names:
        (where["units"] / name).unlink(missing_ok=True)
    for path in (where["enabled"], where["nginx"]):
        if path.is_symlink() or path.exists():
            path.unlink()
    if on_machine(args) and systemd_running():
        subprocess.run(["systemctl", "daemon-reload"], check=False)
        subprocess.run(["systemctl", "reload-or-restart", "nginx.service"], check=False)
    prefix = where["prefix"]
    if prefix.is_dir():
        for child in prefix.iterdir():
            if child.name != "instance":
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    print("已卸载程序和服务；数据（%s）和证书（%s）保留未动。" % (prefix / "instance", where["tls"]))


def upgrade(args):
    where = paths(args)
    prefix = where["prefix"]
    flask = [str(prefix / ".venv/bin/flask"), "--app", "portal"]
    backup = as_portal(prefix, *flask, "backup").stdout
    subprocess.run(["systemctl", "stop", "portal.service"], check=False)
    copy_code(prefix)
    subprocess.run([str(prefix / ".venv/bin/pip"), "install", "-q", "-r", str(prefix / "requirements.txt")], check=True)
    try:
        as_portal(prefix, *flask, "init-db")
    except subprocess.CalledProcessError as failed:
        path = backup.strip().splitlines()[-1].split()[-1] if backup.strip() else ""
        as_portal(prefix, *flask, "restore", path)
        print("迁移失败，已从备份恢复：%s\n%s" % (path, failed.stderr))
        return 1
    finally:
        subprocess.run(["systemctl", "start", "portal.service"], check=False)
    print("升级完成，服务已重新启动。")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("install", "uninstall", "upgrade"))
    parser.add_argument("--prefix", default="/opt/portal")
    parser.add_argument("--root", default="/", help="write every file under this folder (tests)")
    parser.add_argument("--address", help="the PC's LAN address (default: the one its outward route uses)")
    parser.add_argument("--subnet", help="addresses let in (default: the address's /24)")
    parser.add_argument("--hostname", help="the PC's name in the certificate (default: its host name)")
    args = parser.parse_args(argv)
    if on_machine(args) and os.geteuid() != 0:
        parser.error("请以 root 身份运行（sudo make %s）。" % args.action)
    return {"install": install, "uninstall": uninstall, "upgrade": upgrade}[args.action](args) or 0


if __name__ == "__main__":
    sys.exit(main())
