"""Install the portal on a station PC or the province's server (Debian 12, as root): `make install`,
`make uninstall`, `make upgrade`, `make install-province`, `make uninstall-province`.

install   a `portal` system account that owns instance/ (0700) and nothing else; the code and its
          virtual environment under the prefix (/opt/portal); systemd units for waitress on 127.0.0.1
          (restarted on failure, sandboxed) and timers for the watchdog, the daily sweep and retention,
          the nightly backup, the weekly restore drill and the monthly package; nginx on the PC's LAN
          address with HTTPS (a certificate authority of the station's own, made here), HTTP redirected,
          HSTS, only the station's subnet let in; then it prints the address to open and the lead's
          one-time password.
uninstall removes the units, the nginx site and the code, never instance/ (the data) nor the TLS files.
upgrade   backs up, stops the portal, sets the running code aside, copies the new code, updates the venv,
          migrates, starts; if the migration fails it puts the old code back, restores the backup with it
          and starts the old code again.
install-province    the same code as the province (INSTANCE = "province") the same way, with its own
          `portal-province` account, /opt/portal-province, units on 127.0.0.1:8001 (the portal, a nightly
          pg_dump into instance/backups/, the watchdog) and nginx in front; on PostgreSQL: a role and a
          database owned by the account on this PC's own cluster (peer authentication over the unix
          socket), or the existing server of `DATABASE_URL` (then no local cluster is touched); it runs
          the province's migrations and `province-init`, and prints the first province admin's password.
uninstall-province  removes its units, nginx site and code, never instance/ nor the database.

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

from install_files import PROVINCE, STATION, nginx_site, units
from install_release import backup_file, release_aside, release_back

SOURCE = Path(__file__).resolve().parent.parent
PROVINCE_DATABASE = "province"  # the database's name on the PC's own cluster
# the province on the PC's own cluster: over the unix socket, as the system account of the same name (peer)
LOCAL_URL = "postgresql://%s@/%s" % (PROVINCE.user, PROVINCE_DATABASE)
CODE = ("portal", "scripts", "docs", "wsgi.py", "requirements.txt", "requirements-dev.txt", "Makefile", "README.md",
        "instance/config.example.py")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
DEBIAN_PYTHON = "/usr/bin/python3"


def make_certificates(tls, address, hostname, kind=STATION):
    """The instance's own certificate authority and the server's certificate for its address and name
    (openssl); kept if they exist. Returns the CA certificate's SHA-256 fingerprint."""
    tls.mkdir(parents=True, exist_ok=True)
    os.chmod(tls, 0o755)
    ca_key, ca_crt, key, csr, crt = (tls / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    if not ca_crt.exists():
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650",
            "-subj", "/CN=%s %s" % (kind.ca, hostname), "-utf8", "-keyout", str(ca_key), "-out", str(ca_crt),
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


def copy_code(prefix, release=SOURCE):
    """The release's code into the prefix; instance/ (the data) is never touched, only created."""
    prefix.mkdir(parents=True, exist_ok=True)
    for name in CODE:
        source, target = release / name, prefix / name
        if source.is_dir():
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=SKIP)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (prefix / "instance").mkdir(mode=0o700, exist_ok=True)
    os.chmod(prefix / "instance", 0o700)


def write_config(prefix, tls, kind=STATION, database_url=None):
    """instance/config.py: a random key (scripts/write_config.py), then what serving behind the proxy needs;
    for the province its kind, name and database URL. An existing config is kept as it is."""
    config = prefix / "instance" / "config.py"
    if not config.exists():
        subprocess.run([sys.executable, str(prefix / "scripts" / "write_config.py")], check=True)
    text = config.read_text(encoding="utf-8")
    if "# scripts/install.py" not in text:
        text += ("\n# scripts/install.py: behind the HTTPS proxy\nHOST = \"127.0.0.1\"\nPORT = %d\n"
                 "SESSION_COOKIE_SECURE = True\nTRUSTED_PROXIES = (\"127.0.0.1\",)\nCA_CERT = %r\n"
                 % (kind.port, str(tls / "ca.crt")))
        if kind is PROVINCE:
            text += "INSTANCE = \"province\"\nSTATION_NAME = %r\nDATABASE_URL = %r\n" % (kind.title, database_url)
        config.write_text(text, encoding="utf-8")
    os.chmod(config, 0o600)


def lan_address():
    """The address other PCs reach this one at (the source of a route outward; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def kind_of(args):
    return PROVINCE if getattr(args, "action", "").endswith("-province") else STATION


def paths(args, kind=None):
    kind = kind or kind_of(args)
    root = Path(args.root)
    return {"root": root, "prefix": root / args.prefix.lstrip("/"), "units": root / "etc/systemd/system",
            "nginx": root / "etc/nginx/sites-available" / kind.site,
            "enabled": root / "etc/nginx/sites-enabled" / kind.site, "tls": root / "etc" / kind.unit / "tls"}


def on_machine(args):
    return Path(args.root) == Path("/")


def systemd_running():
    return Path("/run/systemd/system").is_dir()


def flask_runner(args, kind, prefix):
    """How the database steps run `flask --app portal …`: as the instance's account with its venv on the
    machine; with `--flask` (tests, under --root) that program as the current user; else not at all."""
    if on_machine(args):
        return lambda *command: subprocess.run(["runuser", "-u", kind.user, "--", str(prefix / ".venv/bin/flask"),
                                                "--app", "portal", *command], cwd=prefix, capture_output=True,
                                               text=True)
    if args.flask:
        return lambda *command: subprocess.run([args.flask, "--app", "portal", *command], cwd=prefix,
                                               capture_output=True, text=True)
    return None


def done(command, result):
    """A database step's output; the install stops with the step's own message when it failed."""
    if result.returncode:
        raise SystemExit("%s 失败：%s" % (command, result.stderr.strip() or result.stdout.strip()))
    return result.stdout.strip()


def front(args, kind):
    """What both kinds share: the code, the certificates, the config, the units and the nginx site.
    Returns (paths, address, subnet, fingerprint)."""
    where = paths(args, kind)
    prefix = where["prefix"]
    address = args.address or lan_address()
    subnet = str(ipaddress.ip_network(args.subnet or "%s/24" % address, strict=False))
    hostname = args.hostname or socket.gethostname()
    copy_code(prefix)
    fingerprint = make_certificates(where["tls"], address, hostname, kind)
    tls = Path("/") / where["tls"].relative_to(where["root"])
    write_config(prefix, tls, kind, getattr(args, "url", None))
    where["units"].mkdir(parents=True, exist_ok=True)
    for name, text in units(args.prefix, kind, local_postgres=kind is PROVINCE and args.local).items():
        (where["units"] / name).write_text(text, encoding="utf-8")
    where["nginx"].parent.mkdir(parents=True, exist_ok=True)
    where["nginx"].write_text(nginx_site(address, subnet, hostname, tls, upstream=kind.port, kind=kind),
                              encoding="utf-8")
    where["enabled"].parent.mkdir(parents=True, exist_ok=True)
    if not where["enabled"].is_symlink():
        where["enabled"].symlink_to("../sites-available/" + kind.site)
    return where, address, subnet, fingerprint


def venv_python():
    """The venv's interpreter: Debian's python3 (python3-venv), which the account can run; the one running this
    script may live where the account cannot reach (a pyenv under /root, say: the venv would link to it)."""
    return DEBIAN_PYTHON if os.access(DEBIAN_PYTHON, os.X_OK) else sys.executable


def account_and_venv(prefix, kind):
    """On the machine: the instance's system account, the venv, instance/ owned by the account."""
    try:
        if pwd.getpwnam(kind.user).pw_dir != str(prefix):  # kept from an install elsewhere (the drill's)
            subprocess.run(["usermod", "--home", str(prefix), kind.user], check=True)
    except KeyError:
        subprocess.run(["useradd", "--system", "--home-dir", str(prefix), "--no-create-home",
                        "--shell", "/usr/sbin/nologin", kind.user], check=True)
    subprocess.run([venv_python(), "-m", "venv", str(prefix / ".venv")], check=True)
    subprocess.run([str(prefix / ".venv/bin/pip"), "install", "-q", "-r", str(prefix / "requirements.txt")],
                   check=True)
    shutil.chown(prefix / "instance", kind.user, kind.user)
    for path in (prefix / "instance").rglob("*"):
        shutil.chown(path, kind.user, kind.user)


def enabled_units(kind):
    """What the install enables: the portal's service and its timers."""
    return ["%s.service" % kind.unit] + ["%s.timer" % job for job in kind.jobs]


def start(kind):
    """Enable and start the units and reload nginx when systemd runs this machine; otherwise only enable
    them (their links in *.wants/, systemctl works without a running systemd), so they start at boot."""
    if systemd_running():
        subprocess.run(["systemctl", "daemon-reload"], check=True)
        subprocess.run(["systemctl", "enable", "--now", *enabled_units(kind)], check=True)
        subprocess.run(["systemctl", "reload-or-restart", "nginx.service"], check=True)
    elif shutil.which("systemctl"):
        subprocess.run(["systemctl", "enable", *enabled_units(kind)], check=True, capture_output=True)


def announce(kind, address, subnet, fingerprint, where, live):
    print("安装完成。请在%s其他电脑的浏览器中打开：https://%s/" % ("本站" if kind is STATION else "省局", address))
    print("首次访问前，请在 https://%s/certificate 下载并安装根证书；证书指纹（SHA-256）：%s" % (address, fingerprint))
    print("只允许 %s 网段访问。" % subnet)
    if live and not systemd_running():
        print("本机未运行 systemd：服务未启动，已设为开机启动。单元文件已写入 %s。" % where["units"])


def install(args):
    kind = STATION
    where, address, subnet, fingerprint = front(args, kind)
    prefix, live = where["prefix"], on_machine(args)
    password = None
    if live:
        account_and_venv(prefix, kind)
    run = flask_runner(args, kind, prefix)
    if run:
        done("init-db", run("init-db"))
        created = run("create-lead", "zhanzhang", "--name", "站长")
        password = created.stdout.strip() if created.returncode == 0 else None
    if live:
        start(kind)
    announce(kind, address, subnet, fingerprint, where, live)
    if password:
        print(password)
    elif run:
        print("站长账户已存在：如忘记密码，请用 flask --app portal create-lead 另建站长账户。")


PSQL = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "postgres"]


def local_database(psql, role=PROVINCE.user, name=PROVINCE_DATABASE):
    """The province's role (login, no password: peer authentication over the unix socket) and its database
    owned by it, on the cluster `psql` (a command as the cluster's superuser) reaches; each made unless
    there. Returns the URL for instance/config.py: the unix socket, as the account of the same name."""
    def ask(sql):
        return subprocess.run(psql + ["-c", sql], check=True, capture_output=True, text=True, cwd="/").stdout.strip()

    if not ask("SELECT 1 FROM pg_roles WHERE rolname = '%s'" % role):
        ask('CREATE ROLE "%s" LOGIN' % role)
    if not ask("SELECT 1 FROM pg_database WHERE datname = '%s'" % name):
        ask('CREATE DATABASE "%s" OWNER "%s" TEMPLATE template0 ENCODING \'UTF8\'' % (name, role))
    return "postgresql://%s@/%s" % (role, name)


def start_postgresql():
    """The PC's own PostgreSQL cluster (Debian's `postgresql` made it at installation) running."""
    if systemd_running():
        subprocess.run(["systemctl", "enable", "--now", "postgresql.service"], check=True)
    else:
        subprocess.run(["service", "postgresql", "start"], check=True, capture_output=True)


def province_steps(run):
    """The province's migrations, its org tree and its first admin; returns the admin's one-time password
    line, or None when the account exists already."""
    for command in ("init-db", "province-init"):
        print(done(command, run(command)))
    created = run("create-admin", "shengju", "--name", "省局管理员")
    return created.stdout.strip() if created.returncode == 0 else None


def install_province(args):
    kind = PROVINCE
    args.local = not args.database_url
    live = on_machine(args)
    if args.local and live:
        start_postgresql()
        args.url = local_database(["runuser", "-u", "postgres", "--"] + PSQL)
    else:
        args.url = args.database_url or LOCAL_URL
    where, address, subnet, fingerprint = front(args, kind)
    prefix = where["prefix"]
    if live:
        account_and_venv(prefix, kind)
    run = flask_runner(args, kind, prefix)
    password = province_steps(run) if run else None
    if live:
        start(kind)
    announce(kind, address, subnet, fingerprint, where, live)
    print("数据库：%s" % ("本机 PostgreSQL（%s 库，%s 角色，经 unix 套接字按系统账户认证）" % (
        PROVINCE_DATABASE, kind.user) if args.local else "已有的 PostgreSQL 服务器（DATABASE_URL）"))
    if password:
        print(password)
    elif run:
        print("省局管理员账户 shengju 已存在：如忘记密码，请用 flask --app portal create-admin 另建管理员账户。")


def uninstall(args):
    kind = kind_of(args)
    where = paths(args, kind)
    names = list(units(args.prefix, kind))
    if on_machine(args) and systemd_running():
        subprocess.run(["systemctl", "disable", "--now", *names], check=False)
    elif on_machine(args) and shutil.which("systemctl"):  # the boot links install made without systemd
        subprocess.run(["systemctl", "disable", *enabled_units(kind)], check=False, capture_output=True)
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
    print("已卸载程序和服务；数据（%s%s）和证书（%s）保留未动。" % (
        prefix / "instance", "及 PostgreSQL 数据库" if kind is PROVINCE else "", where["tls"]))


def upgrade(args):
    """Back up, stop, put the new release's code and requirements in place, migrate, start. A migration that
    fails puts the previous release's code back, restores the backup with it and starts it again."""
    where = paths(args)
    prefix, live = where["prefix"], on_machine(args)
    run = flask_runner(args, STATION, prefix)
    if run is None:
        raise SystemExit("--root 时须以 --flask 指定运行数据库步骤的 flask。")

    def service(action):
        if live and systemd_running():
            subprocess.run(["systemctl", action, "%s.service" % STATION.unit], check=False)

    def pip():
        if live:
            subprocess.run([str(prefix / ".venv/bin/pip"), "install", "-q", "-r", str(prefix / "requirements.txt")],
                           check=True)

    made = backup_file(done("升级前备份", run("backup")))
    service("stop")
    previous = release_aside(prefix, CODE)
    copy_code(prefix, Path(args.source))
    pip()
    migrated = run("init-db")
    if migrated.returncode:
        release_back(prefix, previous, CODE)
        pip()
        restored = run("restore", "--yes", made)
        service("start")
        print("迁移失败，已恢复原版本的程序，并从升级前的备份恢复数据库：%s\n%s\n迁移的报错：%s" % (
            made, restored.stdout.strip() or restored.stderr.strip(), migrated.stderr.strip()))
        return 1
    shutil.rmtree(previous)
    service("start")
    print("升级完成（升级前的备份：%s），服务已重新启动。\n%s" % (made, migrated.stdout.strip()))
    return 0


ACTIONS = {"install": install, "uninstall": uninstall, "upgrade": upgrade, "install-province": install_province,
           "uninstall-province": uninstall}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=tuple(ACTIONS))
    parser.add_argument("--prefix", help="where the code goes (default /opt/portal, /opt/portal-province)")
    parser.add_argument("--root", default="/", help="write every file under this folder (tests)")
    parser.add_argument("--address", help="the PC's LAN address (default: the one its outward route uses)")
    parser.add_argument("--subnet", help="addresses let in (default: the address's /24)")
    parser.add_argument("--hostname", help="the PC's name in the certificate (default: its host name)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None,
                        help="the province on an existing PostgreSQL server (default: $DATABASE_URL; "
                             "none: a database on this PC's own cluster)")
    parser.add_argument("--flask", help="with --root: run the database steps with this flask, "
                                        "as the current user (tests)")
    parser.add_argument("--source", default=str(SOURCE), help="upgrade: the release to install (default: the "
                                                              "checkout this script is in)")
    args = parser.parse_args(argv)
    args.prefix = args.prefix or kind_of(args).prefix
    if on_machine(args) and os.geteuid() != 0:
        parser.error("请以 root 身份运行（sudo make %s）。" % args.action)
    if args.database_url and not args.database_url.startswith("postgresql://"):
        parser.error("DATABASE_URL 须以 postgresql:// 开头。")
    return ACTIONS[args.action](args) or 0


if __name__ == "__main__":
    sys.exit(main())
