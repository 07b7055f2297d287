"""A throw-away PostgreSQL cluster for the province's tests and benches (tests/province/conftest.py,
scripts/bench_province.py): initdb into a temp folder as the `postgres` user (initdb refuses root), pg_ctl on
127.0.0.1 with a free port, a fresh database per test or run; removed when stopped."""
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
    def __init__(self):
        self.bin = bindir()
        self.dir = tempfile.mkdtemp(prefix="portal-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.count = 0
        if self.as_root:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)

    def run(self, *args):
        command = [os.path.join(self.bin, args[0])] + list(args[1:])
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, capture_output=True, cwd="/")

    def start(self):
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                 "-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off" % (self.port, self.dir), "start")
        return self

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name="postgres"):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, name)

    def createdb(self):
        """A new empty database; its URL."""
        self.count += 1
        name = "province_%d" % self.count
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        con.autocommit = True
        con.cursor().execute('CREATE DATABASE "%s" TEMPLATE template0 ENCODING \'UTF8\'' % name)
        con.close()
        return self.url(name)
