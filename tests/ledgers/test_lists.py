"""Station lists sort by every column (server-side, in the URL), show 20/50/100 a page and print whole:
each column both ways, unknown sorts and sizes ignored, the print view's rows, words and audit rows."""
import re
from datetime import datetime

import pytest

from portal.web import listing
from portal.demo import DEMO_PASSWORD
from portal.models import AuditLog, Person
from portal.care.assistance import SORTS as ASSISTANCE_SORTS
from portal.persons.views import SORTS as PERSON_SORTS
from portal.records.talks import SORTS as TALK_SORTS
from portal.records.visits import SORTS as VISIT_SORTS
from portal.tracking.screenings import SORTS as SCREENING_SORTS

LISTS = {"persons": ("/persons/", PERSON_SORTS, "status=all"), "talks": ("/talks/", TALK_SORTS, ""),
         "visits": ("/visits/", VISIT_SORTS, ""), "screenings": ("/screenings/", SCREENING_SORTS, ""),
         "assistance": ("/assistance/", ASSISTANCE_SORTS, "")}
ROW = re.compile(r"<tr>.*?</tr>", re.S)


def body_rows(html):
    """The rows of the list's main table (not the totals above it), as text without tags."""
    table = re.search(r'<div class="tablewrap">\s*<table class="grid[^"]*">.*?<tbody>(.*?)</tbody>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in ROW.findall(table.group(1))] \
        if table else []


def printed(client, kind, query):
    response = client.get("/lists/%s/print?%s" % (kind, query))
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_each_column_sorts_both_ways_and_the_print_view_follows(demo_station, kind):
    path, sorting, base = LISTS[kind]
    for key in sorting.columns:
        ascending = body_rows(printed(demo_station, kind, "%s&sort=%s&dir=asc" % (base, key)))
        descending = body_rows(printed(demo_station, kind, "%s&sort=%s&dir=desc" % (base, key)))
        assert len(ascending) > 1, key
        assert descending == ascending[::-1], key  # ties broken by id in the same direction: an exact reverse
        screen = demo_station.get("%s?%s&sort=%s&dir=desc&per=20" % (path, base, key)).get_data(as_text=True)
        assert body_rows(screen) == descending[:20], key
        assert 'aria-sort="descending"' in screen


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_an_unknown_sort_or_size_is_ignored(demo_station, kind):
    path, sorting, base = LISTS[kind]
    default = demo_station.get("%s?%s" % (path, base)).get_data(as_text=True)
    for query in ("sort=nope&dir=desc", "sort=id&dir=sideways", "per=7", "per=1000", "sort=&per=",
                  "sort=%27%3Bdrop&per=x"):
        response = demo_station.get("%s?%s&%s" % (path, base, query))
        assert response.status_code == 200, query
        assert body_rows(response.get_data(as_text=True)) == body_rows(default), query
    assert 7 < len(body_rows(default)) <= 20  # so per=7 would have shown fewer


def test_the_default_orders_stay_the_familiar_ones(demo_station):
    """Talks newest first; persons by the pinyin of their names."""
    times = [row.split(" ")[0] + " " + row.split(" ")[1] for row in body_rows(demo_station.get("/talks/").text)]
    assert times == sorted(times, reverse=True)
    html = printed(demo_station, "talks", "sort=held&dir=asc")
    times = [row.split(" ")[0] + " " + row.split(" ")[1] for row in body_rows(html)]
    assert times == sorted(times)


@pytest.mark.parametrize("per", [20, 50, 100])
def test_the_page_size_is_chosen_and_kept_by_the_links(demo_station, per):
    html = demo_station.get("/talks/?per=%d&sort=place" % per).get_data(as_text=True)
    assert len(body_rows(html)) == per
    assert '<option value="%d" selected>' % per in html
    next_page = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "per=%d" % per in next_page and "sort=place" in next_page
    export = re.search(r'href="(/exports/talks[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "per=%d" % per in export and "sort=place" in export and "dir=asc" in export
    printout = re.search(r'href="(/lists/talks/print[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "sort=place" in printout


def test_a_hidden_column_gives_no_order(demo_station, client, auth):
    """A counsellor does not see 是否在家 on the visits list, so sorting by it is ignored."""
    auth.logout()
    auth.login("counsellor", DEMO_PASSWORD)
    default = body_rows(client.get("/visits/").text)
    assert default and body_rows(client.get("/visits/?sort=home&dir=desc").text) == default
    assert "是否在家" not in client.get("/visits/").text


def test_the_print_view_prints_the_whole_list_with_its_words_and_is_audited(app, demo_station):
    listed = demo_station.get("/persons/?measure=community_detox&status=all").text
    total = int(re.search(r"共 (\d+) 人", listed).group(1))
    assert total > 20
    html = printed(demo_station, "persons", "measure=community_detox&status=all&sort=worker&dir=desc")
    assert len(body_rows(html)) == total
    assert "措施：社区戒毒" in html and "排序：责任专干（降序）" in html
    assert re.search(r"打印人：\S+（站长）", html) and "打印时间：" in html and "内部资料 注意保密" in html
    assert not re.search(r"\d{17}[\dXx]", html)  # ID numbers masked as on screen
    with app.app_context():
        entry = AuditLog.select().where(AuditLog.action == "list.print").order_by(AuditLog.id.desc()).get()
        assert entry.object_type == "persons" and '"shown": %d' % total in entry.detail
        persons = AuditLog.select().where(AuditLog.action == "person.list_print").count()
        assert persons == total


def test_the_print_view_says_when_it_is_cut(app, demo_station, monkeypatch):
    monkeypatch.setattr(listing, "PRINT_LIMIT", 30)
    html = printed(demo_station, "talks", "")
    assert len(body_rows(html)) == 30
    assert "只打印了前 30 条" in html
    monkeypatch.setattr(listing, "PRINT_LIMIT", 100000)
    assert "只打印了前" not in printed(demo_station, "talks", "")


def test_sealed_files_are_not_printed_in_a_list(app, demo_station):
    with app.app_context():
        person = Person.select().order_by(Person.id).first()
        Person.update(sealed_at=datetime(2026, 1, 5)).where(Person.id == person.id).execute()
    assert len(body_rows(demo_station.get("/persons/?status=sealed").text)) == 1
    assert body_rows(printed(demo_station, "persons", "status=sealed")) == []
    assert "/persons/%d\"" % person.id not in printed(demo_station, "persons", "status=all&per=100")
    assert "print?status=sealed" not in demo_station.get("/persons/?status=sealed").text


def test_a_volunteer_cannot_print_a_list_and_an_unknown_list_is_not_found(app, demo_station, client, auth):
    assert demo_station.get("/lists/nothing/print").status_code == 404
    auth.logout()
    auth.login("volunteer", DEMO_PASSWORD)
    assert client.get("/lists/persons/print").status_code == 403


def test_the_sealed_list_does_not_sort_by_the_hidden_name_or_number(app, demo_station):
    with app.app_context():
        Person.update(sealed_at=datetime(2026, 1, 5)).where(Person.id.in_(
            Person.select(Person.id).order_by(Person.id).limit(3))).execute()
    html = demo_station.get("/persons/?status=sealed&sort=id_number&dir=desc").text
    assert "<th>身份证号</th>" in html and "sort=id_number" not in html
    codes = [row.split(" ")[1] for row in body_rows(demo_station.get("/persons/?status=sealed&sort=name").text)]
    assert len(codes) == 3 and codes == sorted(codes)
    codes_down = [row.split(" ")[1] for row in body_rows(
        demo_station.get("/persons/?status=sealed&sort=name&dir=desc").text)]
    assert codes_down == codes[::-1]


def test_the_audit_trail_sorts_and_pages(demo_station):
    for number in range(25):  # 25 reads of the persons list, each with its own search in the detail
        demo_station.get("/persons/?q=%02d" % number)
    base = "/audit/?action=person.list"
    default = body_rows(demo_station.get(base).text)
    assert len(default) == 25 and "查询：24" in default[0]  # newest first
    assert body_rows(demo_station.get(base + "&sort=time&dir=asc").text) == default[::-1]
    assert body_rows(demo_station.get(base + "&sort=detail&dir=asc").text) == default  # not a sortable column
    html = demo_station.get(base + "&sort=user&dir=desc&per=20").text
    assert len(body_rows(html)) == 20 and 'aria-sort="descending"' in html
    next_page = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "action=person.list" in next_page and "sort=user" in next_page and "per=20" in next_page
