"""The start page: the persons in the user's scope by measure and status, beside today's due work."""
import re

from factories import make_person


def cell(page, measure, status):
    link = re.search(r'href="/persons/\?measure=%s&amp;status=%s">(\d+)</a>' % (measure, status), page)
    return int(link.group(1))


def test_the_start_page_counts_the_persons_in_scope_as_the_list_does(client, users, login_as):
    make_person("甲", worker=users["worker"].id)
    make_person("乙", worker=users["worker"].id)
    make_person("丙", worker=users["worker"].id, status="suspended")
    make_person("丁", worker=users["worker"].id, measure="community_rehab")
    make_person("戊")  # someone else's
    login_as("worker")
    page = client.get("/").get_data(as_text=True)
    assert "我负责的人员" in page and "今日待办" in page
    assert cell(page, "community_detox", "active") == 2 and cell(page, "community_detox", "suspended") == 1
    assert cell(page, "community_rehab", "active") == 1 and cell(page, "community_rehab", "pending_report") == 0
    login_as("lead")
    assert cell(client.get("/").get_data(as_text=True), "community_detox", "active") == 3  # the whole station


def test_every_page_names_its_icon_so_browsers_ask_for_nothing_missing(client):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    answer = client.get(icon)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml" and b"<svg" in answer.data
