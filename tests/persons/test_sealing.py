"""Sealing (封存) when dynamic control ends, opening a sealed file, unsealing, and anonymisation
past the retention age. The test clock stands at 2026-11-20 (station time).

    封存甲  reported 2020-11-25, released 2023-11-20: control ends 2026-11-20 (today), sealed today
    未满乙  reported 2020-11-26, released 2023-11-21: control ends 2026-11-21, not yet
"""
import io
import json
import os
from datetime import date, datetime

import pytest
from factories import in_app, make_family, make_talk, person_form, person_page, text_of, valid_id
from openpyxl import load_workbook
from peewee import ForeignKeyField, TextField

from portal import models, uploads
from portal.cases import after_release
from portal.dates import local
from portal.models import (Attachment, AuditLog, Case, CaseEvent, FamilyMember, Person, PrintJob, RelapseFinding,
                           Revision, Setting, Talk)
from portal.persons import retention


@in_app
def released(name, released_on, worker=None, **person):
    """A person whose only measure ended by release on `released_on` (three years after the report)."""
    birth = person.pop("birth_date", date(1980, 5, 6))
    who = Person.create(name=name, sex="M", birth_date=birth, id_number=valid_id(birth),
                        **Person.search_keys(name), **person)
    report = released_on.replace(year=released_on.year - 3)
    case = Case.create(person=who, measure="community_detox", decision_number="筑南公（禁）社戒决字〔2020〕%03d号" % who.id,
                       decision_date=report, served_date=report, report_date=report, term_months=36,
                       street="新华路街道", status="released", worker=worker)
    CaseEvent.create(case=case, action="report", from_status="pending_report", to_status="active", on=report)
    CaseEvent.create(case=case, action="release", from_status="active", to_status="released", on=released_on,
                     document_number="解字%03d号" % who.id)
    return who


@pytest.fixture
def files(users):
    worker = users["worker"].id
    return {"sealed": released("封存甲", date(2023, 11, 20), worker=worker, phone="13800001111",
                               residence_address="贵州省贵阳市云岩区新华路12号3栋（近农贸市场）5楼502"),
            "open": released("未满乙", date(2023, 11, 21), worker=worker, birth_date=date(1981, 2, 3))}


def fresh(person):
    return in_app(Person.get_by_id)(person.id)


def actions(name):
    return in_app(lambda: list(AuditLog.select().where(AuditLog.action == name).order_by(AuditLog.id)))()


def test_the_sweep_seals_on_the_day_control_ends_and_not_before(files, runner):
    assert in_app(after_release.seal_ended)(date(2026, 11, 19)) == 0  # the day before: still under control
    result = runner.invoke(args=["sweep"])  # today, 2026-11-20
    assert "封存档案 1 份" in result.output, result.output
    assert fresh(files["sealed"]).sealed_at is not None and fresh(files["open"]).sealed_at is None
    [row] = actions("person.seal")
    assert row.person_id == files["sealed"].id and row.user_id is None
    assert in_app(after_release.seal_ended)(date(2026, 11, 21)) == 1  # 未满乙 the day after; 封存甲 not twice


@pytest.fixture
def sealed(files, users):
    make_talk(files["sealed"], users["worker"].id, held_at=datetime(2024, 3, 1, 9, 30), actions="鼓励其继续就业")
    make_talk(files["open"], users["worker"].id, held_at=datetime(2024, 3, 1, 9, 30))
    assert in_app(after_release.seal_ended)() == 1
    return files["sealed"]


def test_a_sealed_file_leaves_lists_search_exports_and_batch_printing(sealed, client, login_as):
    login_as("lead")
    for url in ("/persons/?status=all", "/persons/?q=封存甲", "/persons/?q=fcj", "/talks/", "/persons/?status=released"):
        page = client.get(url).get_data(as_text=True)
        assert ">封存甲</a>" not in page and "封存甲</td>" not in page, url  # the search box echoes the query
    assert ">未满乙</a>" in client.get("/talks/").get_data(as_text=True)
    export = client.post("/exports/talks", data={"reason": "季度报送"})
    sheet = load_workbook(io.BytesIO(export.data)).active
    flat = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "未满乙" in flat and "封存甲" not in flat
    export = client.post("/exports/persons?status=sealed", data={"reason": "季度报送"})
    flat = " ".join(str(c.value) for row in load_workbook(io.BytesIO(export.data)).active.iter_rows()
                    for c in row if c.value)
    assert "封存甲" not in flat and sealed.id_number[-4:] not in flat
    batch = client.post("/print/", data={"measure": "", "status": "released", "worker": "0", "profile": "redacted",
                                         "sections": ["identity"], "output": "zip"})
    assert batch.status_code == 302  # 未满乙 alone
    job = in_app(lambda: PrintJob.select().order_by(PrintJob.id.desc()).first())()
    assert job.person_ids == str(fresh_id(client, "未满乙"))


def fresh_id(client, name):
    return in_app(lambda: Person.get(Person.name == name).id)()


def test_the_worker_finds_no_sealed_file_in_the_queue_or_on_home(sealed, client, login_as):
    login_as("worker")
    assert "封存甲" not in client.get("/queue/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "封存甲" not in home


def test_only_the_lead_opens_a_sealed_file_after_an_audited_reason(sealed, client, login_as, auth):
    url = "/persons/%d" % sealed.id
    for role in ("worker", "officer"):
        login_as(role)
        for path in (url, url + "/talks/new", url + "/print"):
            refused = client.get(path)
            assert refused.status_code == 403 and "仅站长可开启" in refused.text and "封存甲" not in refused.text
        assert client.post(url + "/open-sealed", data={"reason": "查阅"}).status_code == 403
        auth.logout()
    login_as("lead")
    gate = client.get(url)
    assert gate.status_code == 403 and "开启档案" in gate.text and "封存甲" not in gate.text
    assert client.post(url + "/open-sealed", data={"reason": ""}).status_code == 422
    assert client.post(url + "/open-sealed", data={"reason": "区禁毒办核查"}).headers["Location"] == url
    assert "封存甲" in client.get(url).get_data(as_text=True)
    [row] = actions("person.open_sealed")
    assert row.reason == "区禁毒办核查" and row.person_id == sealed.id
    denied = [r for r in actions("person.view") if r.outcome == "denied"]
    assert len(denied) >= 7 and all('"sealed": true' in r.detail for r in denied)
    auth.logout()
    login_as("lead")  # a new sign-in asks again
    assert client.get(url).status_code == 403


def open_as_lead(client, login_as, person):
    login_as("lead")
    client.post("/persons/%d/open-sealed" % person.id, data={"reason": "再次登记"})


def measure_form(**overrides):
    data = {key[2:]: value for key, value in person_form().items() if key.startswith("c-")}
    data.update({"decision_date": "2026-11-10", "served_date": "2026-11-12", "report_date": ""}, **overrides)
    return data


def test_a_new_measure_unseals_the_file(sealed, client, login_as):
    open_as_lead(client, login_as, sealed)
    url = "/persons/%d/measures/new" % sealed.id
    assert client.get(url).status_code == 200
    assert '"form": "measure"' in actions("person.view")[-1].detail  # the form shows the person: an audited read
    early = client.post(url, data=measure_form(decision_date="2023-11-01", served_date="2023-11-19"))
    assert early.status_code == 422 and "不能早于上一次措施结束的日期（2023-11-20）" in text_of(early)
    assert fresh(sealed).sealed_at is not None
    saved = client.post(url, data=measure_form(decision_date="2023-11-20", served_date="2023-11-20"))
    assert saved.status_code == 302  # served on the very day the last one ended
    assert fresh(sealed).sealed_at is None
    [row] = actions("person.unseal")
    assert row.reason == "登记新的社区戒毒/康复措施" and row.person_id == sealed.id
    again = client.post(url, data=measure_form())
    assert again.status_code == 422 and "尚未结束" in text_of(again)  # the new one is in force


def test_a_police_finding_unseals_the_file(sealed, client, login_as):
    open_as_lead(client, login_as, sealed)
    response = client.post("/persons/%d/findings/" % sealed.id, data={
        "found_on": "2026-11-18", "police_unit": "新华路派出所", "document_number": "检字〔2026〕031号"})
    assert response.status_code in (200, 302), text_of(response)
    assert in_app(RelapseFinding.select().count)() == 1
    assert fresh(sealed).sealed_at is None
    assert actions("person.unseal")[0].reason == "公安查获复吸（复吸证据）"


def test_retention_is_due_on_the_anniversary_and_not_the_day_before(sealed, app):
    sealed_day = in_app(lambda: local(fresh(sealed).sealed_at).date())()
    assert sealed_day == date(2026, 11, 20)
    assert in_app(retention.years)() == 5  # the setting's default
    assert in_app(retention.due)(date(2031, 11, 19)) == []
    assert [p.id for p in in_app(retention.due)(date(2031, 11, 20))] == [sealed.id]
    in_app(lambda: Setting.replace(key="retention.years", value="6").execute())()
    assert in_app(retention.due)(date(2031, 11, 20)) == []


def test_anonymising_removes_what_identifies_and_a_re_registration_takes_the_file_back(
        sealed, users, client, login_as, runner, app):
    make_family(sealed, name="封存母", phone="13900002222")
    talk = in_app(lambda: Talk.get(Talk.person == sealed.id))()
    in_app(lambda: Revision.create(model="Talk", record_id=talk.id, version=1, changed_by=users["worker"].id,
                                   data=json.dumps({"actions": "封存甲的旧记录"}, ensure_ascii=False)))()
    with app.app_context():
        name = uploads.store(b"%PDF-1.4 scan", "application/pdf", "attachments")
        Attachment.create(person=sealed.id, kind="decision", title="决定书", original_name="封存甲身份证.pdf",
                          stored_name=name, mime="application/pdf", size=13, sha256="0" * 64,
                          uploaded_by=users["worker"].id)
        path = os.path.join(uploads.directory("attachments"), name)
    assert os.path.exists(path)
    number = sealed.id_number
    in_app(lambda: Setting.replace(key="retention.years", value="0").execute())()
    assert "已匿名化 1 份" in runner.invoke(args=["retention"]).output
    gone = fresh(sealed)
    assert gone.name == "个案 2020-%04d" % in_app(lambda: Case.get(Case.person == sealed.id).id)()
    assert number not in gone.id_number and len(gone.id_number) == 18 and gone.id_hash
    assert gone.residence_address == "贵州省贵阳市云岩区" and gone.phone is None and gone.name_pinyin == ""
    assert in_app(lambda: FamilyMember.get(FamilyMember.person == sealed.id))().phone is None
    assert in_app(lambda: Talk.get_by_id(talk.id).actions)() is None
    assert "封存甲" not in in_app(lambda: Revision.get(Revision.record_id == talk.id).data)()
    assert not os.path.exists(path)
    assert in_app(lambda: CaseEvent.get(CaseEvent.action == "release").document_number)() is None
    [row] = actions("person.anonymise")
    assert row.person_id == sealed.id and row.user_id is None
    assert "已匿名化 0 份" in runner.invoke(args=["retention"]).output  # once

    login_as("worker")
    check = client.get("/persons/check", query_string={"p-name": "封存甲", "p-id_number": number})
    assert "已匿名化的档案" in check.text and "个案 2020-" in check.text
    data = person_form(**{"p-name": "封存甲", "p-id_number": number, "p-birth_date": "1980-05-06",
                          "c-worker": str(users["worker"].id)})
    response = client.post("/persons/new", data=data)
    assert response.status_code == 302, text_of(response)
    back = fresh(sealed)
    assert response.headers["Location"] == "/persons/%d" % sealed.id
    assert (back.name, back.id_number, back.id_hash, back.anonymised_at, back.sealed_at) == (
        "封存甲", number, None, None, None)
    assert actions("person.reidentify")[0].person_id == sealed.id
    assert in_app(lambda: Case.select().where(Case.person == sealed.id).count())() == 2


def test_every_free_text_of_a_person_s_records_is_cleared_by_anonymisation():
    """A model linked to a person (or a case) that gains a text field must say whether it is cleared."""
    kept = {"Person", "PersonMerge", "FamilyMember", "Revision", "AuditLog"}  # handled field by field in anonymise()
    for model in models.BaseModel.__subclasses__() + [m for b in models.BaseModel.__subclasses__()
                                                      for m in b.__subclasses__()]:
        links = {f.rel_model.__name__ for f in model._meta.fields.values() if isinstance(f, ForeignKeyField)}
        if model.__name__ in kept or not links & {"Person", "Case"}:
            continue
        texts = {name for name, f in model._meta.fields.items() if isinstance(f, TextField)}
        assert texts <= set(retention.FREE_TEXT.get(model, ())), (model.__name__, texts)


@pytest.mark.parametrize("address, district", [
    ("贵州省贵阳市云岩区新华路12号3栋（近农贸市场）5楼502", "贵州省贵阳市云岩区"),
    ("贵阳市南明区花果园大街1号", "贵阳市南明区"),
    ("黔南布依族苗族自治州都匀市广惠路3号", "黔南布依族苗族自治州都匀市"),
    ("遵义市播州区", "遵义市播州区"),
    ("修文县龙场镇", "修文县"),
    ("新华路12号", None),
    (None, None),
])
def test_an_address_is_cut_to_its_district(address, district):
    assert retention.district_of(address) == district


def test_the_lead_sets_the_retention_years(client, login_as, users, auth):
    login_as("worker")
    assert client.post("/settings/retention", data={"years": "3"}).status_code == 403
    auth.logout()
    login_as("lead")
    assert 'value="5"' in client.get("/settings/").get_data(as_text=True).split('id="retention"')[1]
    for refused in ("0", "31", "", "五"):
        response = client.post("/settings/retention", data={"years": refused})
        assert response.status_code == 422 and ("1 到 30" in text_of(response) or "请填写" in text_of(response)), refused
    for kept in ("1", "30"):
        assert client.post("/settings/retention", data={"years": kept}).status_code == 302
        assert in_app(retention.years)() == int(kept)
    assert '"retention.years": 30' in actions("settings.update")[-1].detail


def test_the_opened_file_says_it_is_sealed(sealed, client, login_as):
    open_as_lead(client, login_as, sealed)
    page = person_page(client, sealed.id).get_data(as_text=True)
    assert "档案已封存（解除动态管控）" in page and "匿名化，身份信息" not in page
