"""The 自/至 of the station lists (谈话, 走访, 检测), of the audit trail and the risk review's dates: typed as in the record forms
("2026-11-20", also 2026/11/20 and 2026.11.20), never the browser's own date box (mm/dd/yyyy in an English
Chromium); a text that is not a date stays in its box and is named in Chinese, and that bound is not used."""
import re
from datetime import date, datetime

import pytest
from factories import make_person, make_talk

from portal.models import HomeVisit, RiskAssessment, Screening

LISTS = ("/talks/", "/visits/", "/screenings/")


@pytest.fixture
def two_days(users):
    """张三's talk, visit and test on 10-20, 李四's on 11-05."""
    zhang, li = make_person("张三", worker=users["worker"].id), make_person("李四", worker=users["worker"].id)
    for person, day in ((zhang, date(2026, 10, 20)), (li, date(2026, 11, 5))):
        make_talk(person, users["worker"].id, held_at=datetime.combine(day, datetime.min.time().replace(hour=9)))
        HomeVisit.create(person=person, staff=users["worker"].id, visited_on=day, visitors="陈丽", address="新华路",
                         found_at_home=True)
        Screening.create(person=person, case=person.current_case(), staff=users["worker"].id, tested_on=day,
                         result="negative", collectors="李明、陈丽")
    return zhang, li


def names(page):
    results = page[page.index('id="results"'):]
    return {name for name in ("张三", "李四") if name in results}


def day_boxes(page):
    return re.findall(r'<input id="f-(start|end)" type="(\w+)" name="\1" value="([^"]*)"', page)


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("query, shown", [
    ("start=2026-10-20", {"张三", "李四"}),  # the first day of the range is in it
    ("start=2026-10-21", {"李四"}),
    ("start=2026/10/21", {"李四"}),  # typed with slashes or dots, as the record forms take them
    ("end=2026.11.04", {"张三"}),
    ("end=2026-11-05", {"张三", "李四"}),  # so is the last
    ("start=2026-10-21&end=2026-11-04", set()),
])
def test_a_typed_range_filters_each_list_on_both_sides_of_its_days(client, login_as, two_days, url, query, shown):
    login_as("worker")
    page = client.get(url + "?" + query).get_data(as_text=True)
    assert names(page) == shown
    assert "无法识别" not in page


@pytest.mark.parametrize("url", LISTS)
def test_the_list_boxes_are_text_with_the_forms_format_and_show_the_day_used(client, login_as, two_days, url):
    login_as("worker")
    page = client.get(url + "?start=2026/10/21").get_data(as_text=True)
    assert day_boxes(page) == [("start", "text", "2026-10-21"), ("end", "text", "")]
    assert page.count('placeholder="如 2026-11-20"') == 2 and 'type="date"' not in page


@pytest.mark.parametrize("url", LISTS)
def test_a_text_that_is_no_date_is_kept_named_in_chinese_and_not_used(client, login_as, two_days, url):
    login_as("worker")
    page = client.get(url + "?start=2026-13-01&end=2026-11-04").get_data(as_text=True)
    assert names(page) == {"张三"}  # only the valid end is applied
    assert day_boxes(page) == [("start", "text", "2026-13-01"), ("end", "text", "2026-11-04")]
    assert 'value="2026-13-01"\n    size="12" inputmode="numeric" placeholder="如 2026-11-20" autocomplete="off" aria-invalid="true"' \
        in page
    results = page[page.index('id="results"'):]
    assert "“自”的日期“2026-13-01”无法识别，请按“2026-11-20”的格式填写；未按此日期筛选。" in results
    assert "start=" not in results.split("无法识别")[1]  # the export and print links carry only what is applied


def test_a_long_wrong_text_is_cut_in_the_message(client, login_as, two_days):
    login_as("worker")
    page = client.get("/talks/?end=" + "9" * 60).get_data(as_text=True)
    assert "“至”的日期“" + "9" * 19 + "…”无法识别" in page


def test_the_audit_trail_takes_the_same_dates(client, login_as, two_days):
    login_as("lead")
    page = client.get("/audit/?start=2026.11.20&end=11/20/2026").get_data(as_text=True)
    assert day_boxes(page) == [("start", "text", "2026-11-20"), ("end", "text", "11/20/2026")]
    assert "“至”的日期“11/20/2026”无法识别" in page and "“自”的日期" not in page


def test_the_dashboard_s_own_range_takes_the_same_dates(client, login_as, two_days):
    login_as("lead")
    page = client.get("/indicators/?kind=custom&start=2026/03/01&end=2026-08-31").get_data(as_text=True)
    assert re.findall(r'<input id="p-(start|end)" type="(\w+)" name="\1" value="([^"]*)"', page) == [
        ("start", "text", "2026-03-01"), ("end", "text", "2026-08-31")]
    assert "2026-03-01 至 2026-08-31" in page and "无法识别" not in page
    page = client.get("/indicators/?kind=custom&start=2026-02-30&end=2026-08-31").get_data(as_text=True)
    assert "“自”的日期“2026-02-30”无法识别，请按“2026-11-20”的格式填写；统计按下方标题中的日期。" in page
    assert "2026-01-01 至 2026-08-31" in page


def test_the_risk_review_takes_the_same_dates_as_the_other_record_forms(client, login_as, two_days):
    """Recorded inline in 今日待办 beside a talk and a visit, the review's dates are typed the same way."""
    login_as("worker")
    zhang = two_days[0]
    form = client.get("/persons/%d/risks/new" % zhang.id, headers={"HX-Request": "true"}).get_data(as_text=True)
    for name in ("assessed_on", "next_review"):
        assert re.search(r'<input [^>]*id="%s"[^>]*>' % name, form).group(0).count('type="text"') == 1, name
    assert 'type="date"' not in form
    response = client.post("/persons/%d/risks/" % zhang.id, headers={"HX-Request": "true"},
                           data={"assessed_on": "2026-02-30", "level": "low", "next_review": "2026/12/20"})
    assert response.status_code == 422 and "请按“2026-11-20”的格式填写日期。" in response.get_data(as_text=True)
    response = client.post("/persons/%d/risks/" % zhang.id, headers={"HX-Request": "true"},
                           data={"assessed_on": "2026/11/20", "level": "low", "next_review": "2026.12.20"})
    assert response.status_code == 200
    saved = RiskAssessment.get(RiskAssessment.person == zhang)
    assert (saved.assessed_on, saved.next_review) == (date(2026, 11, 20), date(2026, 12, 20))
