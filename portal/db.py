"""The database behind a proxy: a station's SQLite file (its pragmas, IMMEDIATE writes) or the province's
PostgreSQL (a `postgresql://` DATABASE_URL); per-request hooks; the migrations of the instance kind."""
import contextlib
import os
import threading
from urllib.parse import unquote, urlsplit

from flask import current_app
from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.migrations import Runner

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")
PROVINCE_MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "province", "migrations")

# Bound by init_app() (or open_sqlite/open_postgres) to the instance's database.
database = DatabaseProxy()
_kind = {"instance": "station"}  # set by init_app: whose migrations upgrade() applies

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "secure_delete": 1,
    "busy_timeout": 5000,
}


class _QueuedSqlite(SqliteDatabase):
    """SQLite whose write transactions, within this process, wait their turn in order.

    Each transaction begins IMMEDIATE (a read-then-write never fails with "database is locked"),
    after taking a process-wide lock released at COMMIT or ROLLBACK: the server's threads queue for
    the write lock instead of polling it through SQLite's busy handler, whose sleeps grow to 100 ms
    (8 writers saving at once waited 0.5 s at p95, 1 s at p99). Another process (a CLI command)
    still waits through busy_timeout; after as long, a thread goes on to SQLite's own wait."""

    _turn = threading.Lock()
    _holding = threading.local()
    before_commit = []  # callables run in each write transaction just before its COMMIT (reports/due_store.py)
    migrating = False  # upgrade() runs them once after the last migration instead

    def begin(self, lock_type=None):
        held = self._turn.acquire(timeout=PRAGMAS["busy_timeout"] / 1000.0)
        try:
            super().begin(lock_type)
        except BaseException:
            if held:
                self._turn.release()
            raise
        self._holding.turn = held

    def _end(self):
        if getattr(self._holding, "turn", False):
            self._holding.turn = False
            self._turn.release()

    def commit(self):
        try:
            if not self.migrating and self.connection().in_transaction:
                for hook in self.before_commit:
                    hook()
            return super().commit()
        finally:
            self._end()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self._end()

    def _close(self, conn):
        try:
            return super()._close(conn)
        finally:
            self._end()


# A station's one SQLite database object. Opening another file re-initialises it (as before the
# proxy), so a thread's open connection keeps its own file.
_sqlite = _QueuedSqlite(None, lock_type="IMMEDIATE")


def open_sqlite(path):
    """Bind the proxy to a station's SQLite file, with the station's pragmas."""
    _sqlite.init(path, timeout=5, pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(_sqlite)
    return database


def open_postgres(url):
    """Bind the proxy to the PostgreSQL database of a `postgresql://user:password@host:port/name` URL."""
    parts = urlsplit(url)
    params = {"host": parts.hostname, "port": parts.port, "user": unquote(parts.username or "") or None,
              "password": unquote(parts.password or "") or None}
    database.initialize(PostgresqlDatabase(unquote(parts.path.lstrip("/")), **{k: v for k, v in params.items() if v is not None}))
    return database


def before_commit(hook):
    """Run `hook` in each write transaction of a station's SQLite file just before it commits."""
    if hook not in _sqlite.before_commit:
        _sqlite.before_commit.append(hook)


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


@contextlib.contextmanager
def unsynced():
    """A write transaction whose COMMIT does not wait for the disk (SQLite: synchronous NORMAL for it,
    still atomic in WAL mode; PostgreSQL: synchronous_commit off). For rows whose loss in a power
    failure costs only a repeat (the kept answer of a saved form): the next durable commit, a save's,
    takes them to the disk with its own, and the write lock is no longer held through a disk sync."""
    if database.in_transaction():
        with database.atomic():
            yield
    elif is_postgres():
        with database.atomic():
            database.execute_sql("SET LOCAL synchronous_commit TO OFF")
            yield
    else:
        database.execute_sql("PRAGMA synchronous = NORMAL")  # refused inside a transaction
        try:
            with database.atomic():
                yield
        finally:
            database.execute_sql("PRAGMA synchronous = %s" % PRAGMAS["synchronous"])


def init_app(app):
    """Bind the database to the app's configuration and register the hooks."""
    _kind["instance"] = app.config.get("INSTANCE", "station")
    url = app.config.get("DATABASE_URL") or ""
    if url.startswith("postgresql://"):
        open_postgres(url)
    else:
        open_sqlite(app.config["DATABASE"])
    app.before_request(_connect)
    app.teardown_appcontext(_close)


def _connect():
    database.connect(reuse_if_open=True)


def _close(exc):
    """Close after the request unless connections are kept per thread (twice the throughput)."""
    if not current_app.config["KEEP_CONNECTIONS"] and not database.is_closed():
        database.close()


def migrations_dir():
    """The numbered migrations of this instance kind: a station's or the province's."""
    return PROVINCE_MIGRATIONS_DIR if _kind["instance"] == "province" else MIGRATIONS_DIR


def migration_runner(directory=None):
    """The numbered-migration runner over the instance kind's folder (or `directory`)."""
    return Runner(database, directory=directory or migrations_dir(), table_name="schema_migration")


def upgrade():
    """Create or upgrade the schema in place; returns the names applied."""
    with database.connection_context():
        _sqlite.migrating = True
        try:
            applied = migration_runner().up()
        finally:
            _sqlite.migrating = False
        if database.obj is _sqlite:
            with database.atomic():
                pass  # the commit runs the hooks over what the migrations marked
        return applied


def pending():
    """Names of migrations not yet applied."""
    with database.connection_context():
        return [m.name for m in migration_runner().status() if not m.applied]


class _Statements:
    """A DB-API connection that answers `execute(sql, params)` with a cursor, whichever the engine: the
    audit checks read the trail this way from the live database or from a backup's SQLite file."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, params=()):
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", "%s"), params)
        return cursor


def raw():
    """The open connection of the instance's database, able to `execute(sql, params)` with `?` marks."""
    connection = database.connection()
    return connection if hasattr(connection, "execute") else _Statements(connection)

