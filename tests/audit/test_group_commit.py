"""Group commit of the audit rows of reads (portal/audit/batching.py): concurrent reads share one
transaction, every row is kept and chained, each request answers only once its row is committed."""
import sqlite3
import threading

from factories import PASSWORD, make_person, talk_form

from portal import audit
from portal.audit import batching
from portal.db import database
from portal.models import AuditLog, Talk

READERS = 8


def test_concurrent_reads_each_answer_after_their_row_is_committed(app, users):
    persons = [make_person("并读%d" % i) for i in range(READERS)]
    before = dict(batching.stats)
    barrier, seen, statuses = threading.Barrier(READERS), {}, []

    def reader(person):
        client = app.test_client()
        assert client.post("/login", data={"username": "lead", "password": PASSWORD}).status_code == 302
        barrier.wait()
        for _ in range(3):
            statuses.append(client.get("/persons/%d/timeline" % person.id).status_code)
            other = sqlite3.connect(app.config["DATABASE"])  # another connection: only committed rows
            seen.setdefault(person.id, []).append(other.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'timeline.view' AND person_id = ?",
                (person.id,)).fetchone()[0])
            other.close()

    threads = [threading.Thread(target=reader, args=(p,)) for p in persons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * READERS * 3
    assert all(counts == [1, 2, 3] for counts in seen.values()) and len(seen) == READERS
    with app.app_context(), database.connection_context():
        assert AuditLog.select().where(AuditLog.action == "timeline.view").count() == READERS * 3
        assert audit.verify_chain() is None  # chained in commit order, across the groups
    rows, groups = batching.stats["rows"] - before["rows"], batching.stats["groups"] - before["groups"]
    assert rows >= READERS * 3 and 1 <= groups <= rows  # the logins' rows went through it too


def test_a_write_keeps_its_row_in_its_own_transaction(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    before = dict(batching.stats)
    assert client.post("/persons/%d/talks/" % person.id, data=talk_form(), headers={"HX-Request": "true"}
                       ).status_code == 200
    assert batching.stats == before  # the talk and its row, one transaction, not the readers' group
    talk = Talk.get()
    assert AuditLog.select().where(AuditLog.action == "talk.create", AuditLog.object_id == talk.id).count() == 1


def test_a_group_that_cannot_be_written_refuses_every_read_in_it(app, users):
    """The group's writer cannot write (another process holds the database): its readers all get the
    Chinese 503, none a 200 (a read-only database: tests/test_unavailable.py)."""
    persons = [make_person("只读%d" % i) for i in range(4)]
    clients = []
    for _ in persons:
        client = app.test_client()
        client.post("/login", data={"username": "lead", "password": PASSWORD})
        clients.append(client)
    audited = AuditLog.select().count()
    database.close()
    sqlite3.connect(app.config["DATABASE"]).close()
    locker = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock past the busy timeout
    results, barrier = [], threading.Barrier(len(persons))

    def reader(client, person):
        barrier.wait()
        response = client.get("/persons/%d/timeline" % person.id)
        results.append((response.status_code, "系统正忙" in response.get_data(as_text=True)))

    threads = [threading.Thread(target=reader, args=(c, p)) for c, p in zip(clients, persons)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    locker.execute("ROLLBACK")
    locker.close()
    assert results == [(503, True)] * len(persons)
    assert AuditLog.select().count() == audited
