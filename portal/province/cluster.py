"""A local PostgreSQL cluster for the province's tests and scripts/bench_province.py (a throw-away one in a temp folder)
and for the demo (`make province`: a kept one under instance/province-pg). initdb refuses root: when run as root
every PostgreSQL command runs as the `postgres` user, never the server as root."""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import psycopg2


def bindir():
    """Where initdb and pg_ctl are: pg_config's bindir, Debian's versioned folder, or beside PATH's initdb."""
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if os.path.exists(os.path.join(found, "initdb")):
            return found
    except (OSError, subprocess.CalledProcessError):
        pass
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if debian:
        return os.path.dirname(debian[-1])
    on_path = shutil.which("initdb")
    if on_path:
        return os.path.dirname(on_path)
    raise RuntimeError("找不到 PostgreSQL（initdb、pg_ctl）：请安装 Debian 的 postgresql 软件包（make test 会安装）。")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A cluster in `folder` (a new temp folder by default) on 127.0.0.1:`port` (a free one by default),
    trust authentication on that address only."""

    def __init__(self, folder=None, port=None):
        self.bin = bindir()
        self.dir = os.path.abspath(folder) if folder else tempfile.mkdtemp(prefix="portal-pg-")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.data = os.path.join(self.dir, "data")
        self.port = port or free_port()
        self.as_root = os.geteuid() == 0
        self.count = 0
        if self.as_root:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)

    def run(self, *args, check=True):
        command = [os.path.join(self.bin, args[0])] + list(args[1:])
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--"] + command
        return subprocess.run(command, check=check, capture_output=True, cwd="/")

    def running(self):
        return os.path.exists(os.path.join(self.data, "PG_VERSION")) and \
            self.run("pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def start(self, fsync=False):
        """initdb when the folder holds no cluster yet, then start it unless it runs already."""
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        if not self.running():
            options = "-c listen_addresses=127.0.0.1 -p %d -k %s" % (self.port, self.dir)
            self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                     options + ("" if fsync else " -c fsync=off"), "start")
        return self

    def stop(self, remove=True):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            if remove:
                shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name="postgres"):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, name)

    def createdb(self, name=None):
        """A new empty database (`name`, or the next province_N); its URL. A named one that exists is kept."""
        if name is None:
            self.count += 1
            name = "province_%d" % self.count
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        con.autocommit = True
        cursor = con.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute('CREATE DATABASE "%s" TEMPLATE template0 ENCODING \'UTF8\'' % name)
        con.close()
        return self.url(name)
