"""The navigation marks where the user is: a person page opened from 今日待办 is the queue's work, the same
page opened from anywhere else is 两社人员's (issue 16)."""
import re

import pytest
from factories import make_person


def marked(page):
    """The labels of the main navigation's links marked as the current page."""
    nav = re.search(r'<nav class="mainnav".*?</nav>', page, re.S).group(0)
    return [re.sub(r"<[^>]+>|\s+\d+$", "", label).strip()
            for label in re.findall(r'<a [^>]*aria-current="page"[^>]*>(.*?)</a>', nav, re.S)]


@pytest.mark.parametrize("query, expected", [
    ("", ["两社人员"]),
    ("?back=/queue/", ["今日待办"]),
    ("?back=%2Fqueue%2F%3Fkind%3Dtalk%23q-talk-1", ["今日待办"]),
    ("?record=talk&back=/queue/", ["今日待办"]),
    ("?back=/persons/", ["两社人员"]),  # not the queue: the link back is not offered either
    ("?back=https://evil.example/queue/", ["两社人员"]),
])
def test_a_person_page_marks_the_queue_only_when_opened_from_it(client, users, login_as, query, expected):
    worker = login_as("worker")
    person = make_person("张三", worker=worker)
    page = client.get("/persons/%d%s" % (person.id, query)).get_data(as_text=True)
    assert marked(page) == expected
    assert ("返回今日待办" in page) == (expected == ["今日待办"])


@pytest.mark.parametrize("url, expected", [("/queue/", ["今日待办"]), ("/", ["首页"]), ("/persons/", ["两社人员"])])
def test_the_worker_s_pages_mark_their_own_link(client, users, login_as, url, expected):
    login_as("worker")
    assert marked(client.get(url).get_data(as_text=True)) == expected


def test_a_counsellor_s_person_page_marks_两社人员_whatever_the_link_carries(client, users, login_as):
    counsellor = login_as("counsellor")
    person = make_person("张三", counsellor=counsellor)
    page = client.get("/persons/%d?back=/queue/" % person.id).get_data(as_text=True)
    assert marked(page) == ["两社人员"] and "今日待办" not in page


@pytest.mark.parametrize("query, expected", [
    ("", ["两社人员"]),
    ("?back=/caseload/", ["我的心理疏导"]),
    ("?back=%2Fcaseload%2F%23c-1", ["我的心理疏导"]),
    ("?back=/caseload/sessions%3Fpage%3D2", ["我的心理疏导"]),
    ("?back=/persons/", ["两社人员"]),
    ("?back=https://evil.example/caseload/", ["两社人员"]),
    ("?back=//evil.example/caseload/", ["两社人员"]),
])
def test_a_counsellor_s_person_page_marks_her_caseload_only_when_opened_from_it(client, users, login_as, query,
                                                                              expected):
    counsellor = login_as("counsellor")
    person = make_person("张三", counsellor=counsellor)
    page = client.get("/persons/%d%s" % (person.id, query)).get_data(as_text=True)
    assert marked(page) == expected
    assert ("返回我的心理疏导" in page) == (expected == ["我的心理疏导"])


def test_a_worker_is_not_sent_back_to_a_caseload_she_does_not_have(client, users, login_as):
    worker = login_as("worker")
    person = make_person("张三", worker=worker)
    page = client.get("/persons/%d?back=/caseload/" % person.id).get_data(as_text=True)
    assert marked(page) == ["两社人员"] and "返回" not in page


@pytest.mark.parametrize("url", ["/caseload/", "/caseload/sessions"])
def test_the_counsellor_s_lists_link_a_person_with_the_way_back(client, users, login_as, url):
    from datetime import date

    from portal.models import CounsellingSession
    counsellor = login_as("counsellor")
    person = make_person("张三", counsellor=counsellor)
    CounsellingSession.create(person=person, counsellor=counsellor.id, held_on=date(2026, 10, 1), mode="individual",
                              next_date=date(2026, 11, 10))  # overdue: on 我的心理疏导
    page = client.get(url).get_data(as_text=True)
    links = re.findall(r'href="(/persons/%d[^"]*)"' % person.id, page)
    assert links and all("back=/caseload/" in link for link in links), links
    opened = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert marked(opened) == ["我的心理疏导"] and "返回我的心理疏导" in opened
