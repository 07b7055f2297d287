"""Drill-downs (the persons or records behind an indicator's number) sort, export to Excel by the rules of
every export, and print; the export and the print view hold what the screen shows, in its order."""
import io
import re

import pytest
from openpyxl import load_workbook

from portal.demo import DEMO_PASSWORD
from portal.models import AuditLog

ROW = re.compile(r'<td><a href="/persons/(\d+)">([^<]*)</a></td>\s*<td>([^<]*)</td>')



def rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return ROW.findall(response.get_data(as_text=True))


@pytest.mark.parametrize("key", ["registered", "talks", "relapse/denominator"])
def test_a_drill_down_sorts_by_person_and_by_date_both_ways(demo_station, key):
    path = "/indicators/%s" % (key if "/" in key else key + "/numerator")
    default = rows(demo_station, path + "?kind=year")
    assert len(default) > 1
    for column in ("person", "date"):
        ascending = rows(demo_station, path + "?kind=year&sort=%s&dir=asc" % column)
        descending = rows(demo_station, path + "?kind=year&sort=%s&dir=desc" % column)
        assert descending == ascending[::-1] and sorted(ascending) == sorted(default), column
    assert rows(demo_station, path + "?kind=year&sort=person") == default  # by person is the default
    assert rows(demo_station, path + "?kind=year&sort=nope&dir=desc") == default


def test_a_talks_drill_down_sorted_by_date_is_in_date_order(demo_station):
    times = [detail for _, _, detail in rows(demo_station, "/indicators/talks/numerator?kind=year&sort=date&dir=desc")]
    assert times == sorted(times, reverse=True) and len(times) > 20


def test_the_drill_down_export_holds_what_the_screen_shows(app, demo_station):
    url = "/indicators/talks/numerator?kind=year&sort=date&dir=desc"
    shown = rows(demo_station, url)
    page = demo_station.get(url).get_data(as_text=True)
    export = re.search(r'href="(/indicators/talks/numerator/export[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "sort=date" in export and "dir=desc" in export and "kind=year" in export
    form = demo_station.get(export).get_data(as_text=True)
    assert "<strong>%d</strong>" % len(shown) in form and "指标：面对面谈话" in form
    response = demo_station.post(export, data={"reason": "核对年度谈话台账"})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]] == ["姓名", "身份证号", "谈话时间"]
    body = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=3)]
    assert [(name, detail) for _, name, detail in shown] == [(name, detail) for name, _, detail in body]
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", number) for _, number, _ in body)
    assert "身份证号、电话已部分隐藏" in sheet["A1"].value
    with app.app_context():
        entry = AuditLog.select().where(AuditLog.action == "list.export").get()
        assert entry.object_type == "drill" and entry.reason == "核对年度谈话台账"
        named = AuditLog.select().where(AuditLog.action == "person.export").count()
    assert named == len({person for person, _, _ in shown})


def test_a_worker_prints_a_drill_down_but_does_not_export_it(app, demo_station, client, auth):
    auth.logout()
    auth.login("worker", DEMO_PASSWORD)
    page = client.get("/indicators/registered/numerator?kind=year").get_data(as_text=True)
    assert "导出 Excel" not in page
    assert client.get("/indicators/registered/numerator/export?kind=year").status_code == 403
    shown = ROW.findall(page)
    printed = client.get("/indicators/registered/numerator/print?kind=year")
    assert printed.status_code == 200
    html = printed.get_data(as_text=True)
    assert ROW.findall(html) == shown and shown
    assert "指标：在册人数" in html and "排序：人员（升序）" in html and "（禁毒专干）" in html
    with app.app_context():
        assert AuditLog.select().where(AuditLog.action == "list.print", AuditLog.object_type == "drill").count() == 1
        assert AuditLog.select().where(AuditLog.action == "person.list_print").count() == len({p for p, _, _ in shown})


@pytest.mark.parametrize("key, unit", [("registered/numerator", "人"), ("talks/numerator", "条")])
def test_a_drill_down_counts_its_rows_in_the_same_words_on_screen_and_in_print(demo_station, key, unit):
    screen = demo_station.get("/indicators/%s?kind=year" % key).get_data(as_text=True)
    shown = len(ROW.findall(screen))
    assert shown > 1 and "共 %d %s · " % (shown, unit) in screen
    printed = demo_station.get("/indicators/%s/print?kind=year" % key).get_data(as_text=True)
    assert len(ROW.findall(printed)) == shown and "<small>共 %d %s</small>" % (shown, unit) in printed
    other = {"人": "条", "条": "人"}[unit]
    assert "共 %d %s" % (shown, other) not in screen + printed
