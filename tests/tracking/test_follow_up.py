"""随访检测: a drug test after the measure ended belongs to the person's follow-up, never to the closed case."""
import io
import re
import sqlite3
from datetime import date

from factories import in_app, make_person, person_page, text_of
from openpyxl import Workbook
from playhouse.migrations import Runner

from portal import db
from portal.cases import after_release
from portal.models import Breach, CaseEvent, Incident, RiskAssessment, Screening

HX = {"HX-Request": "true"}
FORM = {"tested_on": "2026-11-18", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
        "collectors": "李明、陈丽", "female_collector": "y", "police_station": "新华路派出所", "result": "negative",
        "signed": "y"}
POSITIVE = {**FORM, "result": "positive", "positive_panels": ["meth"], "sample_a": "A-1", "sample_b": "B-1"}


@in_app
def ended(person, day, action="release", status="released"):
    case = person.current_case()
    CaseEvent.create(case=case.id, action=action, from_status="active", to_status=status, on=day)
    case.status = status
    case.save()
    return case


def post(client, person, **form):
    return client.post("/persons/%d/screenings/" % person.id, data={**FORM, **form}, headers=HX)


def only(model=Screening):
    return in_app(model.get)()


def test_the_last_day_of_the_measure_is_the_case_s_and_the_end_day_a_follow_up(client, users, login_as):
    """Released on 2026-09-01: a test on 08-31 belongs to the case, one on 09-01 does not."""
    person = make_person("随访", worker=users["worker"].id)
    case = ended(person, date(2026, 9, 1))
    login_as("worker")
    assert post(client, person, tested_on="2026-08-31").status_code == 200
    assert only().case_id == case.id
    page = post(client, person, tested_on="2026-09-01").get_data(as_text=True)
    assert "检测记录已保存" in page
    later = in_app(Screening.get)(Screening.tested_on == date(2026, 9, 1))
    assert later.case_id is None and later.follow_up


def test_any_end_of_the_measure_makes_later_tests_follow_ups(client, users, login_as):
    person = make_person("终止", worker=users["worker"].id)
    ended(person, date(2026, 10, 1), action="terminate", status="terminated")
    login_as("officer")
    assert post(client, person).status_code == 200 and only().case_id is None


def test_a_positive_follow_up_is_relapse_evidence_that_opens_nothing_on_the_closed_case(client, users, login_as):
    person = make_person("复吸", worker=users["worker"].id)
    ended(person, date(2023, 9, 1))
    login_as("worker")
    assert in_app(after_release.control_ends_on)(person) == date(2026, 9, 1)  # 3 clean years, before the test
    page = post(client, person, **POSITIVE).get_data(as_text=True)
    assert "随访检测阳性：已记为复吸证据" in page
    assert in_app(Incident.select().count)() == 0 and in_app(Breach.select().count)() == 0
    assert not in_app(RiskAssessment.select().exists)()
    assert in_app(after_release.control_ends_on)(person) is None  # relapse evidence since the release
    shown = text_of(person_page(client, person.id))
    assert "解除后随访检测" in shown and "复吸证据" in shown and "随访检测" in shown


def test_a_refused_follow_up_is_no_breach(client, users, login_as):
    person = make_person("拒检", worker=users["worker"].id)
    ended(person, date(2026, 9, 1))
    login_as("worker")
    assert post(client, person, result="refused").status_code == 200
    assert in_app(Breach.select().count)() == 0 and only().case_id is None


def test_correcting_a_test_past_the_end_takes_it_out_of_the_closed_case(client, users, login_as):
    person = make_person("更正", worker=users["worker"].id)
    case = ended(person, date(2026, 9, 1))
    login_as("worker")
    post(client, person, tested_on="2026-08-20")
    screening = only()
    assert screening.case_id == case.id
    response = client.post("/screenings/%d/edit" % screening.id,
                           data={**FORM, "tested_on": "2026-09-02", "version": screening.version}, headers=HX)
    assert response.status_code == 200 and only().case_id is None


def test_the_person_page_offers_the_follow_up_form_after_release(client, users, login_as):
    person = make_person("页面", worker=users["worker"].id)
    login_as("worker")
    assert "登记检测" in text_of(person_page(client, person.id))
    ended(person, date(2026, 9, 1))
    page = text_of(person_page(client, person.id))
    assert "随访检测" in page and "登记外出" not in page
    form = text_of(client.get("/persons/%d/screenings/new" % person.id, headers=HX))
    assert "记为随访检测" in form


def test_the_test_ledger_imports_tests_after_release_as_follow_ups(client, users, login_as):
    person = make_person("台账")
    case = ended(person, date(2026, 9, 1))
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "姓名", "检测日期", "样本", "检测方式", "检测结果"])
    ws.append([person.id_number, "台账", "2026-08-31", "尿液", "现场", "阴性"])
    ws.append([person.id_number, "台账", "2026-09-01", "尿液", "现场", "拒检"])
    out = io.BytesIO()
    wb.save(out)
    login_as("lead")
    plan = client.post("/imports/", data={"kind": "screenings", "file": (io.BytesIO(out.getvalue()), "t.xlsx")},
                       content_type="multipart/form-data")
    assert "措施结束后的随访检测" in text_of(plan)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', plan.get_data(as_text=True)).group(1)
    client.post("/imports/commit", data={"kind": "screenings", "token": token})
    rows = {s.tested_on: s.case_id for s in in_app(Screening.select)()}
    assert rows == {date(2026, 8, 31): case.id, date(2026, 9, 1): None}
    assert in_app(Breach.select().count)() == 0  # a refusal after the measure is no breach


def test_migration_0013_keeps_every_test_and_reference(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    database = db.open_sqlite(path)
    with database.connection_context():
        Runner(database, directory=db.MIGRATIONS_DIR, table_name="schema_migration").up(target="0012_relocation_reports")
    raw = sqlite3.connect(path)
    raw.executescript("""
        INSERT INTO screening (id, version, created_at, updated_at, person_id, case_id, staff_id, tested_on, kind,
            sample, panels, result, positive_panels, collectors, female_collector, random, signed)
            VALUES (7, 1, '2026-01-01', '2026-01-01', 1, 1, 1, '2026-01-01', 'onsite', 'urine', '', 'positive', '',
            '', 0, 0, 0);
        INSERT INTO incident (person_id, case_id, kind, occurred_on, screening_id, created_at)
            VALUES (1, 1, 'relapse', '2026-01-01', 7, '2026-01-01');
    """)  # foreign keys off on this raw connection: only the test and what points at it matter here
    raw.commit()
    raw.close()
    db.upgrade()  # the rest, as an upgrade runs them (the queue's dates are recomputed after the last)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT id, case_id, result FROM screening").fetchall() == [(7, 1, "positive")]
    assert raw.execute("SELECT screening_id FROM incident").fetchall() == [(7,)]
    assert [row for row in raw.execute("PRAGMA foreign_key_check") if row[2] == "screening"] == []
    assert not [c for c in raw.execute("PRAGMA table_info(screening)") if c[1] == "case_id"][0][3]  # nullable
    raw.close()
