"""The database: pragmas, IMMEDIATE writes under concurrency, migrations in place."""
import shutil
import sqlite3
import threading

from factories import make_person, make_user
from playhouse.schema_diff import diff_models

from portal import db
from portal.db import database
from portal.models import MODELS, Person


def test_connection_pragmas(app, client, users, login_as):
    login_as("worker")
    client.get("/")
    with database.connection_context():
        pragma = lambda name: database.execute_sql("PRAGMA %s" % name).fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1
        assert pragma("busy_timeout") == 5000


def test_write_transactions_begin_immediate(app):
    statements = []
    with database.connection_context():
        database.connection().set_trace_callback(statements.append)
        with database.atomic():
            Person.select().count()
        database.connection().set_trace_callback(None)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_an_unsynced_write_commits_without_a_disk_sync_and_the_next_ones_sync_again(app, users):
    """db.unsynced(): its COMMIT (synchronous NORMAL) is atomic and seen by other connections; the
    connection is FULL again after it, even when it fails; inside a transaction it only nests."""
    from portal.models import FormAnswer

    statements = []
    pragma = lambda: database.execute_sql("PRAGMA synchronous").fetchone()[0]  # noqa: E731
    row = dict(user=users["worker"].id, path="/x", status=200, headers="{}", body="ok")
    with database.connection_context():
        database.connection().set_trace_callback(statements.append)
        with db.unsynced():
            assert pragma() == 1  # NORMAL
            FormAnswer.create(token="a" * 20, **row)
        assert pragma() == 2  # FULL
        try:
            with db.unsynced():
                FormAnswer.create(token="b" * 20, **row)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        assert pragma() == 2
        with database.atomic():
            with db.unsynced():
                assert pragma() == 2  # a transaction's safety level cannot change: it nests
                FormAnswer.create(token="c" * 20, **row)
        database.connection().set_trace_callback(None)
    assert statements[:2] == ["PRAGMA synchronous = NORMAL", "BEGIN IMMEDIATE"]
    other = sqlite3.connect(app.config["DATABASE"])
    assert sorted(t for (t,) in other.execute("SELECT token FROM form_answer")) == ["a" * 20, "c" * 20]
    other.close()


def test_concurrent_writers_through_the_app_lose_nothing(app, users):
    """8 threads, each saving person edits through the real view; every write lands."""
    persons = [make_person("并发%d" % i) for i in range(8)]
    errors, per_thread = [], 25

    def writer(person):
        client = app.test_client()
        client.post("/login", data={"username": "officer", "password": "Str0ng&Secret-pass"})
        for n in range(per_thread):
            data = {"name": person.name, "id_number": person.id_number, "ethnicity": "汉族", "drug_type": "",
                    "notes": "第%d次" % n, "version": str(n + 1)}
            response = client.post("/persons/%d/edit" % person.id, data=data)
            if response.status_code != 302:
                errors.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(p,)) for p in persons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for person in persons:
        saved = Person.get_by_id(person.id)
        assert saved.version == per_thread + 1 and saved.notes == "第%d次" % (per_thread - 1)
    with database.connection_context():
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_writers_of_the_process_take_turns_and_always_give_them_back(app):
    """A write transaction holds the process's turn from BEGIN to COMMIT or ROLLBACK: another thread's
    write waits for it (in order, not by SQLite's polling) and goes on as soon as it ends."""
    turn = db._QueuedSqlite._turn
    holding, release, entered = threading.Event(), threading.Event(), []

    def first():
        with database.connection_context(), database.atomic():
            make_person("先写")
            holding.set()
            release.wait(5)

    def second():
        holding.wait(5)
        with database.connection_context(), database.atomic():
            entered.append(Person.select().count())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    holding.wait(5)
    threads[1].join(0.3)
    assert entered == [] and turn.locked()  # the second writer waits while the first holds its turn
    release.set()
    for t in threads:
        t.join(5)
    assert entered == [1] and not turn.locked()  # it wrote after the first had committed
    with database.connection_context():
        try:
            with database.atomic():
                make_person("回滚")
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        assert not turn.locked()  # a rollback gives the turn back too
        assert Person.select().count() == 1


def test_migrations_build_exactly_the_models_schema(app):
    with database.connection_context():
        assert not diff_models(database, MODELS)
        assert db.pending() == []


def test_init_db_is_idempotent_and_keeps_rows(app, runner):
    make_user("lead", username="zhanzhang")
    make_person("张三")
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "最新" in result.output
    assert Person.select().count() == 1


def test_upgrade_applies_a_new_migration_in_place(app, tmp_path, monkeypatch):
    make_person("张三")
    extra = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, extra, ignore=shutil.ignore_patterns("__pycache__"))
    (extra / "0002_add_nickname.py").write_text(
        "from peewee import CharField\n\n"
        "def up(migrator, db):\n"
        "    migrator.migrate(migrator.add_column('person', 'nickname', CharField(null=True)))\n")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", str(extra))
    assert db.upgrade() == ["0002_add_nickname"]
    raw = sqlite3.connect(app.config["DATABASE"])
    assert raw.execute("SELECT name, nickname FROM person").fetchall() == [("张三", None)]
    raw.close()
