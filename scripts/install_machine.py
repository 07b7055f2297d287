"""Where the install writes and what it runs on the machine (scripts/install.py): the paths under `--root` (the
machine's own / or a test's folder), the PC's LAN address, and systemd: the units enabled and started, nginx
reloaded. Standard library only, like install.py."""
import shutil
import socket
import subprocess
from pathlib import Path

from install_files import PROVINCE, STATION


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


def lan_address():
    """The address other PCs reach this one at (the source of a route outward; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


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
