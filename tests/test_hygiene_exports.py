"""Control characters in every text field, then every export (issue 17, "Done when"): a demo station whose
every stored free-text column (every column named like a text field of a form) holds C0 control characters,
CR/LF included, as rows written before the forms cleaned input or by an import would; then every Excel
ledger, every indicator drill-down export, every printed list, every PDF (case summaries in each profile,
documents, the training sheet, the station report) and a batch ZIP answer, carry the text and no control
character."""
import io
import re
import subprocess
import time
import zipfile
from datetime import date

import pytest
from factories import in_app
from openpyxl import load_workbook
from test_hygiene import all_forms
from wtforms import StringField
from wtforms.fields.core import UnboundField

from portal import demo
from portal.db import database
from portal.ledgers.exports import EXPORTS
from portal.ledgers.printouts import PRINTS
from portal.models import Agreement, Breach, Incident, Person, PrintJob, ReleaseNotice, TrainingSession, User
from portal.reports.indicators import SPECS
from portal.reports.summaries import PROFILES, SECTIONS

DIRT = "\x0b\x00\x1f\r\n尾"  # a tail every dirtied value gets
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOT_FREE_TEXT = {"id_number", "phone", "username", "password"}  # checked formats
CODES = {("assistance_case", "partners"), ("setting", "value")}  # keys of a list, JSON: named like a text field


def free_text_names():
    names = set()
    for form_class in all_forms():
        for attribute in dir(form_class):
            field = getattr(form_class, attribute, None)
            if isinstance(field, UnboundField) and issubclass(field.field_class, StringField) \
                    and field.field_class.__name__ != "HiddenField":
                names.add(attribute)
    return names - NOT_FREE_TEXT


@in_app
def dirty_every_text_column():
    """Append DIRT to every stored value of every free-text column; the columns reached, by table."""
    names, reached = free_text_names(), {}
    for table in database.get_tables():
        if table.startswith("audit") or table in ("revision", "form_answer", "schema_migration"):
            continue
        for column in database.get_columns(table):
            if column.name in names and (table, column.name) not in CODES and column.data_type.upper() in ("VARCHAR", "TEXT", "VARCHAR(255)"):
                try:
                    with database.atomic():
                        count = database.execute_sql(
                            'UPDATE "%s" SET "%s" = "%s" || ? WHERE "%s" IS NOT NULL AND "%s" != \'\''
                            % (table, column.name, column.name, column.name, column.name), (DIRT,)).rowcount
                except Exception:  # noqa: BLE001 - a CHECK constraint (a code, not free text) keeps it clean
                    continue
                if count:
                    reached.setdefault(table, []).append(column.name)
    return reached


@pytest.fixture
def dirty_station(app, client):
    with app.app_context():
        demo.build(persons=12)
        if not ReleaseNotice.select().exists():  # a small station may have released no one yet
            case = Person.select().order_by(Person.id).first().current_case()
            ReleaseNotice.create(case=case.id, sent_on=date(2026, 11, 13), recipient="新华路街道办事处",
                                 document_number="云戒通〔2026〕7号", staff=User.get(User.username == "lead").id)
    reached = dirty_every_text_column()
    assert client.post("/login", data={"username": "lead", "password": demo.DEMO_PASSWORD}).status_code == 302
    return client, reached


def answered(response, what):
    """200, and a download name without control characters (percent-encoded in filename*)."""
    assert response.status_code == 200, (what, response.get_data(as_text=True)[-400:])
    disposition = response.headers.get("Content-Disposition", "")
    assert not re.search(r"%[01][0-9A-F]|%7F", disposition) and not CONTROL.search(disposition), (what, disposition)


def workbook_text(response, what):
    answered(response, what)
    assert response.mimetype.endswith("spreadsheetml.sheet"), what
    values = [str(c.value) for sheet in load_workbook(io.BytesIO(response.data)).worksheets
              for row in sheet.iter_rows() for c in row if c.value is not None]
    bad = [v for v in values if CONTROL.search(v)]
    assert bad == [], (what, bad[:3])
    return " ".join(values)


def pdf_text(data, what):
    assert data[:5] == b"%PDF-", what
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert not CONTROL.search(text.replace("\x0c", "")), what
    return text


def pdf_of(response, what):
    answered(response, what)
    assert response.mimetype == "application/pdf", what
    return pdf_text(response.data, what)


def test_dirt_reaches_every_area(dirty_station):
    client, reached = dirty_station
    for table, column in (("person", "name"), ("person", "residence_address"), ("talk", "actions"),
                          ("home_visit", "address"), ("counselling_session", "notes"), ("family_member", "name"),
                          ("assistance_case", "title"), ("training_session", "title"), ("trainee", "name"),
                          ("prevention_event", "venue"), ("screening", "police_station"), ("incident", "report_notes")):
        assert column in reached.get(table, []), (table, column, sorted(reached))
    assert sum(map(len, reached.values())) >= 40, reached


def test_every_excel_ledger_and_drill_export(dirty_station):
    client, _ = dirty_station
    texts = {}
    for kind in EXPORTS:
        texts[kind] = workbook_text(client.post("/exports/%s" % kind, data={"reason": "季度报送", "unmasked": "y"}),
                                    kind)
    assert "尾" in texts["persons"] and "尾" in texts["talks"] and "尾" in texts["attendance"]
    for key in SPECS:
        if SPECS[key].lists:
            url = "/indicators/%s/numerator/export" % key
            workbook_text(client.post(url, data={"reason": "季度报送"}), url)


def test_every_printed_list_answers(dirty_station):
    client, _ = dirty_station
    for kind in PRINTS:
        response = client.get("/lists/%s/print" % kind)
        assert response.status_code == 200 and "尾" in response.get_data(as_text=True), kind


@in_app
def first_ids():
    return {"person": Person.select(Person.id).order_by(Person.id).scalar(),  # every name was dirtied
            "agreement": Agreement.select(Agreement.id).scalar(),
            "notice": ReleaseNotice.select(ReleaseNotice.id).scalar(),
            "breach": Breach.select(Breach.id).scalar(),
            "incident": Incident.select(Incident.id).scalar(),
            "session": TrainingSession.select(TrainingSession.id).scalar()}


def test_every_pdf_answers_with_the_text_and_no_control_character(dirty_station):
    client, _ = dirty_station
    ids = first_ids()
    for profile in PROFILES:
        text = pdf_of(client.post("/persons/%d/print" % ids["person"],
                                  data={"profile": profile, "sections": list(SECTIONS)}), profile)
        assert "尾" in text, profile
    urls = ["/training/%d/sheet.pdf" % ids["session"], "/training/%d/sheet.pdf?record=1" % ids["session"],
            "/indicators/report.pdf"]
    for kind, url in (("agreement", "/agreements/%d/agreement.pdf"), ("notice", "/notices/%d/notice.pdf"),
                      ("breach", "/breaches/%d/education.pdf"), ("incident", "/incidents/%d/report.pdf")):
        assert ids[kind], kind  # the demo station has one of each
        urls.append(url % ids[kind])
    for url in urls:
        pdf_of(client.get(url), url)


def test_a_batch_zip_of_dirty_files(dirty_station):
    client, _ = dirty_station
    response = client.post("/print/", data={"profile": "full", "sections": list(SECTIONS), "measure": "",
                                            "status": "current", "worker": "0", "output": "zip"})
    assert response.status_code == 302, response.get_data(as_text=True)[-400:]
    job = in_app(lambda: PrintJob.select().order_by(PrintJob.id.desc()).first())()
    for _ in range(1200):
        if in_app(PrintJob.get_by_id)(job.id).status != "running":
            break
        time.sleep(0.1)
    assert in_app(PrintJob.get_by_id)(job.id).status == "done", in_app(PrintJob.get_by_id)(job.id).error
    download = client.get("/print/%d/download" % job.id)
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    names = archive.namelist()
    assert names and not any(CONTROL.search(n) for n in names)
    texts = [pdf_text(archive.read(n), n) for n in names]
    assert any("尾" in t for t in texts)
