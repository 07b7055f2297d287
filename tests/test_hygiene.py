"""Input hygiene in one place (fields.Form, security.IdConverter, versions): control characters never
stored (line breaks only in multi-line fields), numbers and ids out of range answer 404/422 and never
500, choice errors in Chinese, and every Excel export still answers when old rows hold control characters."""
import importlib
import pkgutil

import pytest
from factories import in_app, make_person, make_talk, talk_form
from wtforms import StringField, TextAreaField

import portal
from portal.fields import Form
from portal.ledgers.exports import EXPORTS
from portal.models import HomeVisit, Person, Screening, Talk, TrainingSession

HX = {"HX-Request": "true"}
DIRTY = "甲\x0b乙\x00丙\x1f丁\r\n戊\t己\x7f"
CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


def all_forms():
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    seen, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(seen, key=lambda f: f.__module__ + f.__name__)


def test_every_text_field_of_every_form_drops_control_characters(app, users):
    checked = 0
    for form_class in all_forms():
        with app.test_request_context(method="POST", data={}):
            from flask_login import login_user
            login_user(users["lead"])
            try:
                probe = form_class(formdata=None)
            except Exception:  # noqa: BLE001 - a form needing arguments is built by its view only
                continue
            names = [f.name for f in probe if isinstance(f, StringField) and f.type != "HiddenField"]
        if not names:
            continue
        with app.test_request_context(method="POST", data={name: DIRTY for name in names}):
            login_user(users["lead"])
            form = form_class()
            for name in names:
                value, field = form[name].data, form[name]
                multiline = isinstance(field, TextAreaField)
                allowed = {"\n", "\t"} if multiline else set()
                assert not (set(value) & (CONTROL - allowed)), (form_class.__name__, name, repr(value))
                assert "甲乙丙丁" in value and ("戊" in value), (form_class.__name__, name, repr(value))
                checked += 1
    assert checked >= 60  # every area's forms were reached


def test_a_talk_typed_with_control_characters_is_stored_clean_and_exports(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    response = client.post("/persons/%d/talks/" % person.id, headers=HX, data=talk_form(
        participants="陈丽\x0b其母\r\n李明", actions="第一行\r\n第二行\x0b\x00"))
    assert response.status_code == 200
    talk = in_app(Talk.get)()
    assert talk.participants == "陈丽其母 李明" and talk.actions == "第一行\n第二行"


@in_app
def dirty_rows(users):
    """Rows stored before the forms cleaned input (or by an import): control characters in text columns."""
    person = make_person("何平", worker=users["worker"])
    Person.update(name="何\x0b平", residence_address="新华路\x0012号", notes="备注\x1f", employment="无\x0b",
                  household_address="户籍\x0c地").where(Person.id == person.id).execute()
    make_talk(person, users["worker"], participants="陈丽\x0b", actions="约定\x00", risk_factors="风\x1b险")
    HomeVisit.create(person=person, staff=users["worker"], visited_on="2026-11-19", visitors="陈丽\x0b",
                     address="新华路\x0b12号", found_at_home=True, actions="处置\x00")
    Screening.create(person=person, staff=users["worker"], tested_on="2026-11-19", kind="onsite", sample="urine",
                     panels="meth", result="negative", collectors="李明\x0b", police_station="派出所\x00",
                     notes="备注\x0b", signed=True)
    TrainingSession.create(held_on="2026-11-19", title="培训\x0b", audience="worker", trainer="王\x00老师", staff=users["lead"],
                           topics="law", hours=3, venue="会议室\x0b")


def test_every_export_answers_when_stored_rows_hold_control_characters(client, users, login_as):
    dirty_rows(users)
    login_as("lead")
    for kind in EXPORTS:
        response = client.post("/exports/%s?year=2026" % kind, data={"reason": "季度报送", "unmasked": "y"})
        assert response.status_code == 200, (kind, response.get_data(as_text=True)[-600:])
        assert response.mimetype.endswith("spreadsheetml.sheet"), kind


def test_huge_ids_in_urls_answer_404(client, users, login_as):
    login_as("lead")
    for url in ("/persons/99999999999999999999999999", "/talks/9223372036854775808",
                "/persons/9223372036854775807", "/print/123456789012345678901234567890"):
        assert client.get(url).status_code == 404, url
    assert client.post("/talks/99999999999999999999999/edit", data=talk_form()).status_code == 404


def test_huge_numbers_in_query_arguments_answer_404_not_500(client, users, login_as):
    login_as("lead")
    assert client.get("/talks/?page=99999999999999999999999").status_code in (200, 404)
    assert client.get("/talks/?staff=99999999999999999999999").status_code in (200, 404)


def test_a_crafted_version_field_is_a_conflict(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    talk = make_talk(person, users["worker"])
    login_as("worker")
    response = client.post("/talks/%d/edit" % talk.id, headers=HX,
                           data=talk_form(version="9" * 40, participants="改过的"))
    assert response.status_code == 409
    assert in_app(Talk.get_by_id)(talk.id).participants != "改过的"


@pytest.mark.parametrize("hours", ["sNaN", "NaN", "inf", "-Infinity", "1e400", "9" * 40])
def test_numbers_out_of_range_are_refused_in_chinese(client, users, login_as, hours):
    login_as("worker")
    response = client.post("/training/new", data={
        "held_on": "2026-11-20", "title": "培训", "audience": "worker", "trainer": "王老师", "topics": ["law"],
        "hours": hours, "venue": "会议室"})
    assert response.status_code == 422
    assert "请输入有效的数字" in response.get_data(as_text=True) or "学时" in response.get_data(as_text=True)
    assert in_app(TrainingSession.select().count)() == 0


def test_huge_integers_in_form_values_are_refused(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    response = client.post("/persons/%d/assistance/new" % person.id, data={
        "category": "schooling", "title": "协调入学", "beneficiary": "9" * 30, "partners": ["street"],
        "opened_on": "2026-03-02"})
    assert response.status_code == 422


def test_choice_errors_are_in_chinese(client, users, login_as):
    person = make_person("张三", worker=users["worker"])
    login_as("worker")
    response = client.post("/persons/%d/talks/" % person.id, headers=HX,
                           data=talk_form(topics=["nonsense"], place="moon", assessment="x"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "valid choice" not in body.lower() and "Invalid" not in body
    assert "请从列表中选择" in body or "不是有效的选择" in body


def day_form(persons, **header):
    data = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
            "collectors": "李明、陈丽", "female_collector": "y", "police_station": "新华路派出所", **header}
    for i, person in enumerate(persons):
        data.update({"rows-%d-person_id" % i: str(person.id), "rows-%d-result" % i: "negative",
                     "rows-%d-signed" % i: "y"})
    return data


def test_a_testing_day_refuses_more_rows_than_persons(client, users, login_as):
    zhang = make_person("张三", worker=users["worker"])
    li = make_person("李四", worker=users["worker"])
    login_as("worker")
    crafted = client.post("/screenings/day", data=day_form([zhang, li, zhang, zhang]))
    assert crafted.status_code == 422 and "行数多于所选人员" in crafted.get_data(as_text=True)
    assert in_app(Screening.select().count)() == 0
    from portal.tracking import testing_day
    too_many = [make_person("人员%02d" % i, worker=users["worker"]) for i in range(testing_day.DAY_LIMIT + 1)]
    assert client.post("/screenings/day", data=day_form(too_many)).status_code == 422
    assert in_app(Screening.select().count)() == 0
    assert client.post("/screenings/day", data=day_form([zhang, li])).status_code == 200  # one row each
    assert in_app(Screening.select().count)() == 2


def test_a_second_test_of_the_same_kind_the_same_day_warns(client, users, login_as):
    zhang = make_person("张三", worker=users["worker"])
    li = make_person("李四", worker=users["worker"])
    login_as("worker")
    first = client.post("/screenings/day", data=day_form([zhang])).get_data(as_text=True)
    assert "当天已有一次" not in first
    second = client.post("/screenings/day", data=day_form([zhang, li])).get_data(as_text=True)
    assert second.count("当天已有一次现场检测记录") == 1 and "张三当天已有一次" in second
    other_kind = client.post("/screenings/day", data=day_form([li], kind="lab"))
    assert other_kind.status_code == 200
    other_kind = other_kind.get_data(as_text=True)
    assert "当天已有一次" not in other_kind
    next_day = client.post("/screenings/day", data=day_form([li], tested_on="2026-11-19")).get_data(as_text=True)
    assert "当天已有一次" not in next_day


def test_a_testing_day_row_with_a_wrong_choice_is_refused_in_chinese(client, users, login_as):
    zhang = make_person("张三", worker=users["worker"])
    login_as("worker")
    response = client.post("/screenings/day", data={**day_form([zhang]), "rows-0-result": "moon"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "不是有效的选择" in body and "valid choice" not in body.lower()
