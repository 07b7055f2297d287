"""今日待办 as a worklist: kinds and workers to filter by, due date either way, paging and the way back."""
import re
from datetime import date, timedelta

from factories import make_person, make_talk, queue_rows, text_of

from peewee import Select, ValuesList

from portal.db import database
from portal.reports import worklist

TODAY = date(2026, 11, 20)  # the test clock's station date


def talk_rows(client, **args):
    """(person id) of the talk rows, in the order shown."""
    return [int(pid) for pid in re.findall(r'<tr id="q-talk-(\d+)"', queue_rows(client, kind="talk", **args))]


def talks_due(users, *dates):
    people = []
    for n, due in enumerate(dates):
        person = make_person("待谈%d" % n, worker=users["worker"].id)
        make_talk(person, users["worker"].id, next_date=due)
        people.append(person.id)
    return people


def test_due_today_comes_first_then_the_most_recent_overdue(client, users, login_as):
    old, yesterday, today, last_week = talks_due(users, date(2023, 12, 1), date(2026, 11, 19), TODAY,
                                                 date(2026, 11, 13))
    login_as("worker")
    assert talk_rows(client) == [today, yesterday, last_week, old]
    assert talk_rows(client, order="oldest") == [old, last_week, yesterday, today]
    assert talk_rows(client, order="nonsense") == [today, yesterday, last_week, old]


def days_in_order(app, order, days):
    """The SQL order of items due `days` before today (negative: upcoming), as days overdue."""
    with app.app_context(), database.connection_context():
        rows = ValuesList([((TODAY - timedelta(days=d)).isoformat(), "人", 1, "term") for d in days]).cte(
            "v", columns=("due", "name", "person_id", "kind"))
        query = (Select([rows], [rows.c.due]).with_cte(rows)
                 .order_by(*worklist.order_by(lambda n: getattr(rows.c, n), order, TODAY)))
        return [(TODAY - date.fromisoformat(due)).days for (due,) in query.bind(database).tuples()]


def test_upcoming_warnings_follow_the_overdue_items_soonest_first(app):
    assert days_in_order(app, "recent", (-3, 5, 0, -1, 1)) == [0, 1, 5, -1, -3]
    assert days_in_order(app, "oldest", (-3, 5, 0, -1, 1)) == [5, 1, 0, -1, -3]


def test_filter_by_kind_and_the_counts_are_links(client, users, login_as):
    talks_due(users, date(2026, 11, 1))  # a person without visits: a visit is due too
    login_as("worker")
    page = client.get("/queue/").get_data(as_text=True)
    assert re.search(r'<a href="/queue/\?kind=talk"[^>]*>面对面谈话 1 项</a>', page)
    assert re.search(r'<a href="/queue/\?kind=visit"[^>]*>入户走访 1 项</a>', page)
    visits = queue_rows(client, kind="visit")
    assert 'id="q-visit-' in visits and 'id="q-talk-' not in visits
    assert "全部" in text_of(client.get("/queue/?kind=visit"))


def test_the_lead_filters_by_worker(client, users, login_as):
    mine = make_person("甲", worker=users["worker"].id)
    theirs = make_person("乙", worker=users["worker2"].id)
    login_as("lead")
    rows = queue_rows(client, worker=users["worker2"].id)
    assert 'id="q-talk-%d"' % theirs.id in rows and 'id="q-talk-%d"' % mine.id not in rows
    page = client.get("/queue/").get_data(as_text=True)
    assert re.search(r'<option value="%d"\s*>' % users["worker2"].id, page)


def test_paging_keeps_the_filters_and_the_order(client, users, login_as):
    for n in range(12):  # a person never worked with: talk, visit, review, tests, agreement... all due
        make_person("人%d" % n, worker=users["worker"].id)
    login_as("lead")
    page = client.get("/queue/?order=oldest&mine=&worker=%d" % users["worker"].id).get_data(as_text=True)
    nxt = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
    assert "order=oldest" in nxt and "worker=%d" % users["worker"].id in nxt and "page=2" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert 'id="q-' in second and "第 2 /" in second


def test_each_row_links_back_to_the_same_page_and_row(client, users, login_as):
    (person,) = talks_due(users, date(2026, 11, 1))
    login_as("worker")
    rows = queue_rows(client, kind="talk", order="oldest")
    link = re.search(r'href="(/persons/%d\?record=talk&amp;back=[^"]+)"' % person, rows).group(1)
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    back = re.search(r'<a class="button" href="([^"]+)">返回今日待办</a>', page).group(1).replace("&amp;", "&")
    assert back.startswith("/queue/?") and "kind=talk" in back and "order=oldest" in back
    assert back.endswith("#q-talk-%d" % person)


def test_the_way_back_only_leads_to_the_queue(client, users, login_as):
    person = make_person("甲", worker=users["worker"].id)
    login_as("worker")
    for url in ("https://example.com/queue/", "//example.com/queue/", "/persons/"):
        page = client.get("/persons/%d" % person.id, query_string={"back": url}).get_data(as_text=True)
        assert "返回今日待办" not in page


def test_the_risk_badge_shows_the_year_when_not_this_year(app):
    with app.test_request_context():
        short = app.jinja_env.filters["short_day"]
        assert short("2026-11-07") == "11-07"
        assert short("2025-11-07") == "2025-11-07"
        assert short(date(2026, 1, 1)) == "01-01"


def test_home_and_navigation_count_the_queue(client, users, login_as):
    talks_due(users, date(2026, 11, 1))
    login_as("worker")
    home = client.get("/").get_data(as_text=True)
    total = int(re.search(r'<span class="nav-count"[^>]*>(\d+)</span>', home).group(1))
    assert total == len(re.findall(r'<tr id="q-', queue_rows(client)))
    assert re.search(r'今日待办 <a href="/queue/">%d 项</a>' % total, home)
    assert '<a href="/queue/?kind=talk">面对面谈话 1 项</a>' in home
    login_as("volunteer")
    assert "今日待办" not in client.get("/").get_data(as_text=True)
