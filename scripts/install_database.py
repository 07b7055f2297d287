"""The install's database steps (scripts/install.py): `flask --app portal …` run as the instance's account, the
station's migrations and first lead, the province's PostgreSQL role and database on the PC's own cluster, its
migrations, org tree and first admin. Standard library only, like install.py."""
import subprocess

from install_files import PROVINCE
from install_machine import on_machine, systemd_running

PROVINCE_DATABASE = "province"  # the database's name on the PC's own cluster
# the province on the PC's own cluster: over the unix socket, as the system account of the same name (peer)
LOCAL_URL = "postgresql://%s@/%s" % (PROVINCE.user, PROVINCE_DATABASE)
PSQL = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", "postgres"]


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


def first_account(run, *command):
    """The first lead or admin made by `command`: its one-time password line, or None when the account exists
    already."""
    created = run(*command)
    return created.stdout.strip() if created.returncode == 0 else None


def station_steps(run):
    """The station's migrations and its first lead; returns first_account's answer."""
    done("init-db", run("init-db"))
    return first_account(run, "create-lead", "zhanzhang", "--name", "站长")


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
    """The province's migrations and org tree (their output printed) and its first admin; returns
    first_account's answer."""
    for command in ("init-db", "province-init"):
        print(done(command, run(command)))
    return first_account(run, "create-admin", "shengju", "--name", "省局管理员")
