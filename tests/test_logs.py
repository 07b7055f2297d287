"""Logs go to the journal (issue 20): no line may carry a person's name, ID number or phone. A demo station
is worked through, including failures the portal logs (a locked database, a number out of range), and
every log record at INFO or above is read back."""
import logging
import sqlite3

from factories import in_app, talk_form

from portal.demo import DEMO_PASSWORD
from portal.models import Person


def test_no_log_line_names_a_person(app, runner, client, caplog):
    caplog.set_level(logging.INFO)
    assert runner.invoke(args=["demo-data", "--persons", "30"]).exit_code == 0
    people = in_app(lambda: list(Person.select()))()
    assert client.post("/login", data={"username": "lead", "password": DEMO_PASSWORD}).status_code == 302
    for person in people[:8]:
        client.get("/persons/%d" % person.id)
        client.get("/persons/", query_string={"q": person.name})
        client.get("/persons/", query_string={"q": person.id_number})
    client.get("/queue/")
    client.get("/persons/%d" % 10 ** 30)  # a number out of range: logged
    holder = sqlite3.connect(app.config["DATABASE"], timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # a locked database: logged
    try:
        saved = client.post("/persons/%d/talks/" % people[0].id, data=talk_form())
        assert saved.status_code == 503
    finally:
        holder.rollback()
        holder.close()
    assert runner.invoke(args=["sweep"]).exit_code == 0
    lines = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("database unavailable" in line for line in lines)  # the failures were logged, and read here
    secrets = {p.name for p in people} | {p.id_number for p in people} | {p.phone for p in people if p.phone}
    leaked = [(secret, line) for line in lines for secret in secrets if secret in line]
    assert not leaked, leaked[:3]
