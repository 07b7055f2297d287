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

This module is the command line and the order of the steps; each step lives beside it: install_files.py
(the systemd units and the nginx site, per kind), install_certificates.py (the certificate authority),
install_code.py (the code, config.py, the account and the venv), install_machine.py (paths under --root,
the LAN address, systemd), install_database.py (the flask steps, the first lead or admin, the province's
PostgreSQL), install_release.py (upgrade: backup, release set aside, rollback).
Standard library only: it runs before the virtual environment exists.
"""
import argparse
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from install_certificates import make_certificates
from install_code import SOURCE, account_and_venv, copy_code, write_config
from install_database import (LOCAL_URL, PROVINCE_DATABASE, PSQL, flask_runner, local_database, province_steps,
                              start_postgresql, station_steps)
from install_files import PROVINCE, STATION, nginx_site, units
from install_machine import enabled_units, kind_of, lan_address, on_machine, paths, start, systemd_running
from install_release import upgrade


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
    if live:
        account_and_venv(prefix, kind)
    run = flask_runner(args, kind, prefix)
    password = station_steps(run) if run else None
    if live:
        start(kind)
    announce(kind, address, subnet, fingerprint, where, live)
    if password:
        print(password)
    elif run:
        print("站长账户已存在：如忘记密码，请用 flask --app portal create-lead 另建站长账户。")


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
