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
