"""逾期报到 (戒毒条例 14, 38): a report after the 15 days is excused with its cause or confirmed, which
opens an incident for the police. The test clock stands at 2026-11-20.

    served 2026-10-01: the 15th day, 2026-10-16, is the last on time; 2026-10-17 is late
"""
import sqlite3
import subprocess
from datetime import date

import pytest
from factories import due, in_app, make_person, person_page, text_of
from playhouse.migrations import Runner

from portal import db
from portal.cases import lifecycle
from portal.models import AuditLog, Breach, Case, Incident
from portal.tracking import late_reports

HX = {"HX-Request": "true"}


@pytest.fixture
def pending(users):
    person = make_person("迟报人", status="pending_report", worker=users["worker"].id)
    in_app(lambda: Case.update(report_date=None, served_date=date(2026, 10, 1), decision_date=date(2026, 9, 28))
           .where(Case.person == person.id).execute())()
    return person


def report(client, person, on, cause=""):
    case = in_app(person.current_case)()
    return client.post("/persons/%d/cases/%d/transition/report" % (person.id, case.id),
                       data={"on": on, "cause": cause})


def late_breach(person):
    return in_app(lambda: Breach.get_or_none(Breach.person == person.id, Breach.kind == "late_report"))()


def test_the_fifteenth_day_is_on_time(pending, client, login_as):
    login_as("officer")
    assert report(client, pending, "2026-10-16").status_code == 302
    assert late_breach(pending) is None and "迟报人" not in due(client, "逾期报到待认定")


def test_the_sixteenth_day_awaits_a_decision_in_the_file_and_the_queue(pending, client, login_as):
    login_as("officer")
    form = client.get("/persons/%d/cases/%d/transition/report" % (pending.id, in_app(pending.current_case)().id))
    assert "逾期报到的正当理由" in text_of(form) and "报到期限：2026-10-16" in text_of(form)
    assert report(client, pending, "2026-10-17").status_code == 302
    breach = late_breach(pending)
    assert breach.decision is None and in_app(late_reports.awaits_decision)(breach)
    assert "迟报人" in due(client, "逾期报到待认定")
    page = text_of(person_page(client, pending.id))
    assert "逾期报到（待认定有无正当理由）" in page and "待认定有无正当理由" in page
    assert "记录批评教育" not in page.split("违反协议及批评教育")[1]  # nothing to educate before the decision


def test_a_cause_given_at_the_report_excuses_it_at_once(pending, client, login_as):
    login_as("officer")
    assert report(client, pending, "2026-10-17", cause="住院治疗，有出院小结").status_code == 302
    breach = late_breach(pending)
    assert (breach.decision, breach.excuse) == ("excused", "住院治疗，有出院小结")
    assert "迟报人" not in due(client, "逾期报到待认定")
    page = text_of(person_page(client, pending.id))
    assert "有正当理由，不计违反：" in page and "住院治疗" in page and "逾期报到（待认定" not in page
    row = in_app(lambda: AuditLog.get(AuditLog.action == "breach.create"))()
    assert row.reason == "住院治疗，有出院小结" and '"decision": "excused"' in row.detail


def decide(client, breach, **data):
    return client.post("/breaches/%d/decide" % breach.id, data=data, headers=HX)


def test_excusing_needs_the_cause(pending, client, login_as):
    login_as("worker")
    report(client, pending, "2026-10-17")
    breach = late_breach(pending)
    refused = decide(client, breach, decision="excuse", reason="")
    assert refused.status_code == 422 and "不计违反须写明正当理由" in text_of(refused)
    assert decide(client, breach, reason="x").status_code == 422  # no choice made
    excused = decide(client, breach, decision="excuse", reason="在外地被羁押，有释放证明")
    assert excused.status_code == 200 and "不计违反" in text_of(excused)
    assert late_breach(pending).decision == "excused"
    assert in_app(Incident.select().count)() == 0
    assert decide(client, breach, decision="confirm").status_code == 409  # decided already
    assert in_app(lambda: AuditLog.get(AuditLog.action == "breach.decide").reason)() == "在外地被羁押，有释放证明"


def test_confirming_opens_an_incident_for_the_police_and_asks_for_education(pending, client, login_as):
    login_as("worker")
    report(client, pending, "2026-10-17")
    breach = late_breach(pending)
    confirmed = decide(client, breach, decision="confirm", reason="")
    assert confirmed.status_code == 200 and "须报告公安机关" in text_of(confirmed)
    incident = in_app(Incident.get)()
    assert (incident.kind, incident.occurred_on) == ("refused_report", date(2026, 10, 17))
    assert "第三十八条" in incident.detail
    assert "迟报人" in due(client, "待报告公安") and "迟报人" not in due(client, "逾期报到待认定")
    page = text_of(person_page(client, pending.id))
    assert "逾期报到无正当理由（拒绝报到）" in page and "记录批评教育" in page
    pdf = client.get("/incidents/%d/report.pdf" % incident.id)
    text = "".join(subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True).stdout.decode().split())
    assert "超过15日且经核实无正当理由" in text and "第三十八条" in text and "检测结果呈阳性" not in text


def test_a_late_report_recorded_without_a_cause_waits_for_a_decision(app, users):
    """The path of a ledger import (open_case) and of a report at a new place: no cause, no decision."""
    person = make_person("导入人", status="pending_report")

    @in_app
    def opened():
        case = person.current_case()
        Case.update(status="pending_report", report_date=None, served_date=date(2026, 10, 1)).where(
            Case.id == case.id).execute()
        lifecycle.late_report(Case.get_by_id(case.id), date(2026, 10, 17), None)
        return Breach.get(Breach.case == case.id)
    assert opened().decision is None


def test_the_rule_in_python_agrees_with_sql(pending, client, login_as):
    login_as("officer")
    report(client, pending, "2026-10-17")
    other = make_person("另一人", status="pending_report")
    in_app(lambda: Case.update(report_date=None, served_date=date(2026, 10, 1)).where(
        Case.person == other.id).execute())()
    report(client, other, "2026-10-18", cause="车祸住院")

    @in_app
    def both():
        rows = list(Breach.select())
        in_python = {b.id for b in rows if late_reports.awaits_decision(b)}
        in_sql = {b.id for b in Breach.select().where(late_reports.sql_awaits_decision())}
        return in_python, in_sql
    in_python, in_sql = both()
    assert in_python == in_sql == {late_breach(pending).id}


def test_migration_0015_counts_earlier_late_reports_as_confirmed(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    database = db.open_sqlite(path)
    with database.connection_context():
        Runner(database, directory=db.MIGRATIONS_DIR, table_name="schema_migration").up(target="0014_sealing")
    raw = sqlite3.connect(path)
    raw.executescript("""
        INSERT INTO breach (id, version, created_at, updated_at, person_id, case_id, kind, occurred_on)
            VALUES (3, 1, '2026-01-01', '2026-01-01', 1, 1, 'late_report', '2026-01-01'),
                   (4, 1, '2026-01-01', '2026-01-01', 1, 1, 'refusal', '2026-01-02');
        INSERT INTO incident (id, person_id, case_id, kind, occurred_on, created_at)
            VALUES (9, 1, 1, 'serious_breach', '2026-01-03', '2026-01-03');
    """)
    raw.commit()
    raw.close()
    db.upgrade()  # the rest, as an upgrade runs them (the queue's dates are recomputed after the last)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT id, decision FROM breach ORDER BY id").fetchall() == [(3, "confirmed"), (4, None)]
    assert raw.execute("SELECT id, kind FROM incident").fetchall() == [(9, "serious_breach")]
    raw.execute("INSERT INTO incident (person_id, case_id, kind, occurred_on, created_at) "
                "VALUES (1, 1, 'refused_report', '2026-01-04', '2026-01-04')")  # the new kind is allowed
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO incident (person_id, case_id, kind, occurred_on, created_at) "
                    "VALUES (1, 1, 'unknown', '2026-01-04', '2026-01-04')")
    raw.close()
