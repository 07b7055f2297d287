"""Minors (under 18, portal/minors.py) on paper: the redacted meeting copy shows no minor's birth year or ID
number, a batch print and a printed list leave minors out as exports do (and say how many); screens hide a
minor's assistance from counsellors."""
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from factories import in_app, make_family, make_person, make_talk, text_of
from test_summaries import print_pdf, start_batch, text_of_pdf, wait_for

from portal.dates import add_months, today
from portal.models import AssistanceCase, AuditLog


def birthdays():
    """(turned 18 today, turns 18 tomorrow) at the station's today."""
    day = in_app(today)()
    adult = add_months(day, -12 * 18)
    return adult, adult + timedelta(days=1)


def test_the_redacted_copy_shows_a_minor_without_birth_year_or_id(client, users, login_as):
    adult_day, minor_day = birthdays()
    adult = make_person("刚成年", worker=users["worker"].id, birth_date=adult_day)
    minor = make_person("未成年", worker=users["worker"].id, birth_date=minor_day)
    login_as("worker")
    grown = text_of_pdf(print_pdf(client, adult, "redacted", ["identity"]))
    assert "%d 年" % adult_day.year in grown and "未成年人" not in grown
    young = text_of_pdf(print_pdf(client, minor, "redacted", ["identity"]))
    assert "未成年人（出生年份和身份证号不显示）" in young
    assert "%d 年" % minor_day.year not in young and minor.id_number[-4:] not in young
    working = text_of_pdf(print_pdf(client, minor, "working", ["identity"]))  # the worker has a need
    assert minor_day.isoformat() in working


def test_a_batch_leaves_minors_out_as_exports_do(app, client, users, login_as):
    adult_day, minor_day = birthdays()
    make_person("批量成年", worker=users["worker"].id, birth_date=adult_day)
    make_person("批量未成年", worker=users["worker"].id, birth_date=minor_day)
    login_as("worker")
    job_id = start_batch(client, profile="working")
    page = client.get("/print/%d" % job_id).get_data(as_text=True)
    assert "未满 18 周岁人员 1 人不列入批量打印" in page
    assert wait_for(job_id).total == 1
    archive = zipfile.ZipFile(io.BytesIO(client.get("/print/%d/download" % job_id).data))
    names = archive.namelist()
    assert len(names) == 1 and "批量成年" in names[0]
    assert "批量成年" in text_of_pdf(archive.read(names[0]))
    detail = in_app(lambda: AuditLog.get(AuditLog.action == "print.batch").detail)()
    assert '"minors_left_out": 1' in detail


def test_counsellors_see_no_minors_assistance_in_lists_and_timeline(client, users, login_as, auth):
    adult_day, minor_day = birthdays()
    person = make_person("帮扶对象", worker=users["worker"].id, counsellor=users["counsellor"].id)
    day = in_app(today)()
    for name, born, title in (("罗成年", adult_day, "ADULT-CANARY 就业帮扶"), ("罗未成", minor_day, "MINOR-CANARY 入学帮扶")):
        member = make_family(person, name=name, relation="子女", birth_date=born)
        in_app(lambda m=member, t=title: AssistanceCase.create(
            person=person.id, beneficiary=m.id, category="schooling", title=t, opened_on=day, outcome=t + "结果",
            staff=users["worker"].id))()
    pages = ("/assistance/?year=%d" % day.year, "/persons/%d/timeline" % person.id)
    login_as("counsellor")
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert "ADULT-CANARY" in body and "MINOR-CANARY" not in body, url
    for role in ("worker", "lead"):
        auth.logout()
        login_as(role)
        for url in pages:
            assert "MINOR-CANARY" in client.get(url).get_data(as_text=True), (role, url)


@pytest.fixture
def two_youths(users):
    """One person who turned 18 today and one who turns 18 tomorrow, each with a talk, both the worker's."""
    adult_day, minor_day = birthdays()
    adult = make_person("刚成年", worker=users["worker"].id, birth_date=adult_day)
    minor = make_person("差一天", worker=users["worker"].id, birth_date=minor_day)
    for person in (adult, minor):
        make_talk(person, users["worker"].id, held_at=datetime(2026, 11, 10, 9, 30))
    return adult, minor


def print_detail():
    return json.loads(in_app(lambda: AuditLog.select().where(AuditLog.action == "list.print")
                             .order_by(AuditLog.id.desc()).get().detail)())


@pytest.mark.parametrize("role", ["worker", "lead"])  # as in exports: no role prints a minor's row
def test_a_minors_row_is_not_printed_and_the_page_says_so(client, login_as, two_youths, role):
    adult, minor = two_youths
    login_as(role)
    screen = text_of(client.get("/persons/?status=all"))
    assert "刚成年" in screen and "差一天" in screen  # the screen lists both
    page = text_of(client.get("/lists/persons/print?status=all"))
    assert "刚成年" in page and "差一天" not in page and minor.id_number[-4:] not in page
    assert "共 2 人" in page  # the count of the list on screen
    assert "其中 1 人为未满 18 周岁人员，未打印：未成年人的信息不列入打印或导出的名单" in page
    assert print_detail()["minors_left_out"] == 1 and print_detail()["shown"] == 1
    named = in_app(lambda: [r.object_id for r in AuditLog.select().where(AuditLog.action == "person.list_print")])()
    assert named == [adult.id]  # only the person on paper is recorded as printed

    talks = text_of(client.get("/lists/talks/print"))
    assert "刚成年" in talks and "差一天" not in talks and "共 2 条" in talks
    assert "其中 1 条涉及未满 18 周岁人员，未打印" in talks


def test_a_list_without_minors_says_nothing_of_them(client, login_as, users):
    make_person("成年人", worker=users["worker"].id)
    login_as("worker")
    page = text_of(client.get("/lists/persons/print"))
    assert "成年人" in page and "共 1 人" in page and "未满 18 周岁" not in page
    assert print_detail()["minors_left_out"] == 0
