"""The core on PostgreSQL: the province's schema, the append-only audit trail and its chain under
concurrent writers, the role CHECK; the station stays on its SQLite file."""
import threading

import pytest
from factories import in_app, make_user
from peewee import IntegrityError, InternalError
from playhouse.schema_diff import diff_models

from portal import audit, db
from portal.db import database
from portal.models import PROVINCE_MODELS, AuditLog


def test_the_province_runs_on_postgresql_with_exactly_its_models_schema(app):
    with app.app_context(), database.connection_context():
        assert db.is_postgres()
        assert not diff_models(database, PROVINCE_MODELS)
        assert db.pending() == []
        tables = set(database.get_tables())
    assert {"user", "user_session", "audit_log", "setting", "org_unit", "package", "package_value"} <= tables
    assert not tables & {"person", "case", "family_member", "talk", "screening", "attachment"}


def test_init_db_is_idempotent(app, runner):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "最新" in result.output, result.output


def test_the_province_schema_allows_only_the_province_roles(app):
    make_user("province_admin")
    make_user("province_viewer")
    with pytest.raises(IntegrityError):
        make_user("lead")


@in_app
def _write(n, action="test.write"):
    for i in range(n):
        audit.record(action, object_type="thing", object_id=i)


def test_the_audit_trail_is_append_only(app):
    _write(2)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with app.app_context(), database.connection_context():
            with pytest.raises(InternalError, match="append-only"):
                with database.atomic():
                    database.execute_sql(statement)
    with app.app_context():
        assert AuditLog.select().count() == 2 and audit.verify_chain() is None


def test_the_chain_stays_linear_under_concurrent_writers(app):
    """8 threads × 25 rows at once: every row chains to the one before it, none forks."""
    errors = []

    def writer():
        try:
            _write(25)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        rows = list(AuditLog.select().order_by(AuditLog.id))
        assert len(rows) == 200 and audit.verify_chain() is None
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        assert len({r.prev_hash for r in rows}) == 200


def test_without_the_lock_the_chain_would_fork(app, monkeypatch):
    """The guard above is real: with the advisory lock removed, concurrent writers fork the chain."""
    monkeypatch.setattr(audit, "_lock_head", lambda: None)
    barrier = threading.Barrier(4)

    @in_app
    def writer():
        try:
            for i in range(10):
                with database.atomic():
                    barrier.wait(timeout=120)  # generous: on a loaded machine one writer may start late
                    audit.record("test.write", object_type="thing", object_id=i)
        finally:
            database.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        rows = list(AuditLog.select().order_by(AuditLog.id))
        assert len(rows) == 40 and len({r.prev_hash for r in rows}) < 40


def test_a_station_stays_on_its_sqlite_file(tmp_path):
    db.open_sqlite(str(tmp_path / "s.sqlite3"))
    assert not db.is_postgres() and database.obj.database.endswith("s.sqlite3")
    assert database.obj._lock_type == "IMMEDIATE"
