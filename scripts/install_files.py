"""What the install writes for each kind of instance (scripts/install.py): the systemd units of the portal and
its timers, and the nginx site in front of it. A station and the province differ only by their `Kind`.
Standard library only, like install.py.
"""
USER = "portal"
PORT = 8000

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
    "portal-watchdog": ("检查平台是否正常应答，否则重启", "{watchdog}", "*-*-* *:*:00"),
}
# the province has no person data: no sweep, retention, restore drill or package of its own
PROVINCE_JOBS = {
    "portal-province-backup": ("每晚用 pg_dump 备份数据库", "{python} scripts/province_backup.py", "*-*-* 02:30:00"),
    "portal-province-watchdog": ("检查平台是否正常应答，否则重启", "{watchdog}", "*-*-* *:*:00"),
}
WATCHDOG = "/bin/sh -c 'curl -fsS -m 10 http://127.0.0.1:{port}/healthz >/dev/null || systemctl restart {unit}.service'"


class Kind:
    """What differs between a station's install and the province's; everything else is shared."""

    def __init__(self, name, user, port, title, jobs, body):
        self.name, self.user, self.port, self.title, self.jobs, self.body = name, user, port, title, jobs, body
        self.unit = user  # portal.service, portal-province.service
        self.prefix = "/opt/%s" % user
        self.site = "%s.conf" % user
        self.ca = "专地融合工作站根证书" if name == "station" else title + "根证书"


STATION = Kind("station", USER, PORT, "专地融合工作站平台", JOBS, "12m")
PROVINCE = Kind("province", "portal-province", 8001, "专地融合省级汇总平台", PROVINCE_JOBS, "70m")  # 64 MB uploads


def units(prefix, kind=STATION, local_postgres=False):
    """The systemd unit files by name; the province's portal starts after the PC's own PostgreSQL."""
    flask, python = "%s/.venv/bin/flask --app portal" % prefix, "%s/.venv/bin/python" % prefix
    after = "After=network.target postgresql.service\nWants=postgresql.service" if local_postgres else \
        "After=network.target"
    made = {kind.unit + ".service": """[Unit]
Description={title}（waitress，仅本机 127.0.0.1:{port}）
{after}

[Service]
Type=simple
User={user}
Group={user}
WorkingDirectory={prefix}
ExecStart={flask} serve --host 127.0.0.1 --port {port}
Restart=on-failure
RestartSec=5
StandardOutput=journal
StandardError=journal
SyslogIdentifier={unit}
{hardening}

[Install]
WantedBy=multi-user.target
""".format(title=kind.title, after=after, user=kind.user, prefix=prefix, flask=flask, port=kind.port, unit=kind.unit,
           hardening=HARDENING.format(prefix=prefix))}
    for name, (description, command, calendar) in kind.jobs.items():
        watchdog = name.endswith("-watchdog")
        made[name + ".service"] = """[Unit]
Description={title}：{description}

[Service]
Type=oneshot
User={user}
WorkingDirectory={prefix}
ExecStart={command}
{hardening}
""".format(title=kind.title, description=description, prefix=prefix, user="root" if watchdog else kind.user,
           command=command.format(flask=flask, python=python,
                                  watchdog=WATCHDOG.format(port=kind.port, unit=kind.unit)),
           hardening="NoNewPrivileges=yes\nPrivateTmp=yes" if watchdog else HARDENING.format(prefix=prefix))
        made[name + ".timer"] = """[Unit]
Description={title}：{description}（定时）

[Timer]
OnCalendar={calendar}
Persistent={persistent}

[Install]
WantedBy=timers.target
""".format(title=kind.title, description=description, calendar=calendar,
           persistent="false" if watchdog else "true")
    return made


def nginx_site(address, subnet, hostname, tls, http=80, https=443, upstream=PORT, kind=STATION, logs="/var/log/nginx"):
    """nginx on the LAN address only: 80 redirects to 443; HSTS; the subnet let in, all else refused. Its access
    log leaves out the query string, where a search carries a name or an ID number (?q=…); its error log keeps
    only critical errors, as the lesser ones quote the request line (an outage shows in the journal instead:
    the watchdog's restarts)."""
    return """# {title} (scripts/install.py): HTTPS on its own network, nothing else
log_format {log}_noquery '$remote_addr [$time_local] "$request_method $uri $server_protocol" $status $body_bytes_sent';

server {{
    listen {address}:{http};
    server_name {hostname} {address};
    access_log {logs}/{unit}-access.log {log}_noquery;
    error_log {logs}/{unit}-error.log crit;
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
    client_max_body_size {body};
    server_tokens off;
    access_log {logs}/{unit}-access.log {log}_noquery;
    error_log {logs}/{unit}-error.log crit;

    location / {{
        proxy_pass http://127.0.0.1:{upstream};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto https;
        proxy_read_timeout 300s;
    }}
}}
""".format(title=kind.title, address=address, subnet=subnet, hostname=hostname, tls=tls, http=http, https=https,
           upstream=upstream, body=kind.body, port_suffix="" if https == 443 else ":%d" % https, logs=logs,
           unit=kind.unit, log=kind.unit.replace("-", "_"))
