"""The code on the machine (scripts/install.py): the release's files copied into the prefix, instance/config.py,
and on the machine the instance's system account and the virtual environment. Standard library only, like
install.py."""
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from install_files import PROVINCE, STATION

SOURCE = Path(__file__).resolve().parent.parent
CODE = ("portal", "scripts", "docs", "wsgi.py", "requirements.txt", "requirements-dev.txt", "Makefile", "README.md",
        "instance/config.example.py")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
DEBIAN_PYTHON = "/usr/bin/python3"


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


def venv_python():
    """The venv's interpreter: Debian's python3 (python3-venv), which the account can run; the one running this
    script may live where the account cannot reach (a pyenv under /root, say: the venv would link to it)."""
    return DEBIAN_PYTHON if os.access(DEBIAN_PYTHON, os.X_OK) else sys.executable


def pip_install(prefix):
    """The release's requirements into the prefix's venv."""
    subprocess.run([str(prefix / ".venv/bin/pip"), "install", "-q", "-r", str(prefix / "requirements.txt")],
                   check=True)


def account_and_venv(prefix, kind):
    """On the machine: the instance's system account, the venv, instance/ owned by the account."""
    try:
        if pwd.getpwnam(kind.user).pw_dir != str(prefix):  # kept from an install elsewhere (the drill's)
            subprocess.run(["usermod", "--home", str(prefix), kind.user], check=True)
    except KeyError:
        subprocess.run(["useradd", "--system", "--home-dir", str(prefix), "--no-create-home",
                        "--shell", "/usr/sbin/nologin", kind.user], check=True)
    subprocess.run([venv_python(), "-m", "venv", str(prefix / ".venv")], check=True)
    pip_install(prefix)
    shutil.chown(prefix / "instance", kind.user, kind.user)
    for path in (prefix / "instance").rglob("*"):
        shutil.chown(path, kind.user, kind.user)
