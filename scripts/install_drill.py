"""The install drill: the real `make install`, then `make uninstall`, on this machine, as CI runs them.

    python3 scripts/install_drill.py      (as root; `make test` runs it after pytest, `make install-drill` alone)

1. `make install PREFIX=<temporary folder>/portal ADDRESS=127.0.0.1 SUBNET=127.0.0.0/8`: the real `portal`
   system account, the code and its venv under the temporary prefix (/opt is left alone; the folder is made
   in /var/lib, not /tmp, which the units' PrivateTmp would hide from them), the units in /etc/systemd/system
   (enabled), the nginx site, the certificates in /etc/portal/tls. Checked: `systemd-analyze verify` of every
   unit written and `nginx -t` with the site, instance/ owned by the account with mode 0700 and nothing else
   owned by it, the database there, the lead's one-time password printed, and the installed code serving
   /healthz as the account.
2. The installed portal writes data (a second lead's account, audited); every file of instance/ and of
   /etc/portal/tls is hashed; `make uninstall`: no portal unit, timer or boot link left in
   /etc/systemd/system, no nginx site, nothing but instance/ in the prefix, every hashed file as it was.
3. `make install` again on the kept data says the lead exists and keeps the key and the data;
   `make uninstall` again leaves the machine as clean.
Then it removes what it made: the prefix, /etc/portal (unless it was there before) and the nginx log files
`nginx -t` opened. It leaves the `portal` account (README, "The install drill"). One drill at a time per
machine (a lock on /etc/systemd/system), and none where a portal is installed. Exits 1 naming each failed
check. Standard library only, like install.py.
"""
import fcntl
import hashlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
UNITS = Path("/etc/systemd/system")
SITES = [Path("/etc/nginx/sites-available/portal.conf"), Path("/etc/nginx/sites-enabled/portal.conf")]
TLS_HOME = Path("/etc/portal")
NGINX_LOGS = [Path("/var/log/nginx/portal-access.log"), Path("/var/log/nginx/portal-error.log")]
USER = "portal"
STATION = {"ADDRESS": "127.0.0.1", "SUBNET": "127.0.0.0/8", "STATION_HOST": "portal-drill"}
# the drill's commands see none of the caller's portal settings (a test run's PORTAL_DATABASE, say)
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("PORTAL_", "FLASK_")) and k not in ("DATABASE_URL", "PREFIX")}
failed = []


def check(ok, what):
    print("  %s %s" % ("ok  " if ok else "FAIL", what), flush=True)
    if not ok:
        failed.append(what)
    return ok


def step(title, command, **options):
    """Run one command of the drill, print how long it took; its output is returned (and shown if it failed)."""
    began = time.monotonic()
    done = subprocess.run(command, cwd=SOURCE, env=ENV, capture_output=True, text=True, **options)
    print("%s (%.1f s)" % (title, time.monotonic() - began), flush=True)
    if not check(done.returncode == 0, "%s exits 0" % title):
        print((done.stdout + done.stderr)[-3000:])
    return done.stdout + done.stderr


def make(target, prefix):
    return step("make %s" % target, ["make", "--no-print-directory", "-C", str(SOURCE), target,
                                     "PREFIX=%s" % prefix, *("%s=%s" % pair for pair in STATION.items())])


def ours():
    """Every portal unit, timer and boot link under /etc/systemd/system, and the nginx site."""
    return sorted(str(p) for p in UNITS.rglob("portal*")) + [str(p) for p in SITES if p.is_symlink() or p.exists()]


def as_account(command, prefix, **options):
    return dict(args=command, cwd=prefix, env=dict(ENV, HOME=str(prefix)), user=USER, group=USER,
                extra_groups=[], **options)


def fingerprint(*folders):
    """path -> (sha256, mode, owner) of every file and folder under the folders."""
    seen = {}
    for folder in folders:
        for path in [folder, *sorted(folder.rglob("*"))]:
            status = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
            seen[str(path)] = (digest, oct(status.st_mode), status.st_uid)
    return seen


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serves(prefix):
    """The installed code, run as the account the way the unit runs it, answers /healthz with 200."""
    port = free_port()
    server = subprocess.Popen(**as_account([str(prefix / ".venv/bin/flask"), "--app", "portal", "serve", "--host",
                                            "127.0.0.1", "--port", str(port)], prefix,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as answer:
                    return answer.status == 200 and answer.read() == b"ok\n"
            except OSError:
                if server.poll() is not None:
                    print(server.stderr.read().decode()[-2000:])
                    return False
                time.sleep(0.3)
        return False
    finally:
        server.terminate()
        server.wait(timeout=30)


def installed(prefix, said):
    """What the first install must leave: the account, instance/, the units, the site, the password."""
    instance = prefix / "instance"
    check("https://127.0.0.1/" in said, "the address to open is printed")
    check(re.search(r"一次性密码（首次登录后必须修改）：\S+", said), "the lead's one-time password is printed")
    try:
        account = pwd.getpwnam(USER)
    except KeyError:
        return check(False, "the portal account exists")
    check(account.pw_uid < 1000 and account.pw_shell.endswith("nologin") and account.pw_dir == str(prefix),
          "portal is a system account, no shell, its home the prefix")
    status = instance.stat()
    check(status.st_uid == account.pw_uid and status.st_mode & 0o777 == 0o700, "instance/ is portal's, mode 0700")
    for name in ("portal.sqlite3", "config.py", "audit.key"):
        path = instance / name
        check(path.exists() and path.stat().st_uid == account.pw_uid, "instance/%s is there, portal's" % name)
    others = [p for p in prefix.rglob("*") if instance not in p.parents and p != instance
              and p.lstat().st_uid == account.pw_uid]
    check(not others, "the account owns nothing outside instance/ %s" % others[:3])
    names = sorted(p.name for p in UNITS.glob("portal*"))
    check("portal.service" in names and len([n for n in names if n.endswith(".timer")]) == 5,
          "portal.service and five timers in /etc/systemd/system")
    verify = subprocess.run(["systemd-analyze", "verify", *(str(UNITS / n) for n in names)], capture_output=True,
                            text=True, env=ENV)
    complaints = [line for line in verify.stderr.splitlines() if "portal" in line]
    check(verify.returncode == 0 and not complaints, "systemd-analyze verify accepts them %s" % complaints[:3])
    links = sorted(p.name for p in UNITS.glob("*.wants/portal*"))
    check("portal.service" in links and len(links) == 6, "the service and its timers are enabled")
    check(all(p.exists() for p in SITES), "the nginx site is there and enabled")
    test = subprocess.run(["nginx", "-t", "-q"], capture_output=True, text=True, env=ENV)
    check(test.returncode == 0, "nginx -t accepts the site %s" % test.stderr.strip()[-300:])
    check(serves(prefix), "the installed portal answers /healthz as the portal account")


def clean(prefix, kept):
    """What every uninstall must leave: no unit, link or site; instance/ alone and unchanged."""
    check(not ours(), "no portal unit, timer, boot link or nginx site left %s" % ours()[:3])
    check(sorted(os.listdir(prefix)) == ["instance"], "the code is gone, instance/ stays")
    now = fingerprint(prefix / "instance", TLS_HOME / "tls")
    changed = sorted(set(kept) ^ set(now) | {p for p in kept if p in now and kept[p] != now[p]})
    check(not changed, "the data and the certificates are byte for byte as before %s" % changed[:3])


def quiet():
    """Where systemd runs, the install started the portal and its timers (the watchdog writes a heartbeat each
    minute): stopped before the data is hashed, so only the uninstall can change what is compared."""
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "stop", "portal.service", "portal-*.timer", "portal-*.service"], env=ENV)


def drill(prefix):
    said = make("install", prefix)
    installed(prefix, said)
    lead = subprocess.run(**as_account([str(prefix / ".venv/bin/flask"), "--app", "portal", "create-lead",
                                        "drill-lead", "--name", "演练"], prefix, capture_output=True, text=True))
    check(lead.returncode == 0, "the installed portal writes data (a second lead)")
    quiet()
    kept = fingerprint(prefix / "instance", TLS_HOME / "tls")
    check("保留未动" in make("uninstall", prefix), "uninstall says the data is kept")
    clean(prefix, kept)
    again = make("install", prefix)
    check("站长账户已存在" in again and "一次性密码（" not in again, "a second install says the lead exists")
    for name in ("config.py", "audit.key"):
        path = str(prefix / "instance" / name)
        check(fingerprint(prefix / "instance").get(path) == kept.get(path), "it keeps instance/%s" % name)
    quiet()
    kept = fingerprint(prefix / "instance", TLS_HOME / "tls")
    make("uninstall", prefix)
    clean(prefix, kept)


def main():
    if os.geteuid() != 0:
        print("install drill skipped: it needs root (it makes a system account and writes /etc)")
        return 0
    began = time.monotonic()
    lock = os.open(UNITS, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another drill on this machine waits here
    if ours():
        print("install drill refused: a portal is installed on this machine (%s)" % ", ".join(ours()[:3]))
        return 1
    had_tls, had_logs = TLS_HOME.exists(), [p for p in NGINX_LOGS if p.exists()]
    folder = Path(tempfile.mkdtemp(prefix="portal-drill-", dir="/var/lib"))
    folder.chmod(0o755)  # the account walks through it to its instance/
    prefix = folder / "portal"
    print("install drill: make install / uninstall with PREFIX=%s" % prefix, flush=True)
    try:
        drill(prefix)
    finally:
        if ours():  # a failed step left them: the checkout's uninstall takes them away
            make("uninstall", prefix)
        for left in ours():  # what even that left (a broken uninstall's links): the drill's own, none was there
            Path(left).unlink()
        shutil.rmtree(folder)
        if not had_tls:
            shutil.rmtree(TLS_HOME, ignore_errors=True)
        for path in NGINX_LOGS:
            if path not in had_logs:
                path.unlink(missing_ok=True)
        os.close(lock)
    print("install drill: %d checks failed, %.0f s; left on this machine: the %s system account" % (
        len(failed), time.monotonic() - began, USER))
    for what in failed:
        print("  FAIL %s" % what)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
