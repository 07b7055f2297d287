"""One rule for HTMX state: after the filters or the period change in place, every link whose target depends
on them (export, report, drill-down, paging) matches the screen, and so does a reload of the pushed URL."""
import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, set_marker

from portal import demo

DEMO_PASSWORD = "Demo@2026station"


@pytest.fixture
def station(app):
    """A demo station of 40 persons with its accounts, built before the live server adds its own."""
    with app.app_context():
        demo.build(persons=40)


def state(url):
    """The filters a URL carries: its query without the page number and without empty values."""
    return {k: v for k, v in parse_qs(urlsplit(url).query).items() if k != "page"}


def wait_for_state(page, name, value):
    page.wait_for_url(re.compile(r"[?&]%s=%s(&|$)" % (name, value)))
    expect(page.locator("#results.htmx-request, #indicators.htmx-request")).to_have_count(0)


def follow_export(page, expected_count=None):
    """The export link of the list shown carries its filters; its page counts and returns to the same list."""
    shown = page.url
    link = page.locator("#results").get_by_role("link", name="导出 Excel")
    assert state(link.get_attribute("href")) == state(shown)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导出 Excel")
    if expected_count is not None:
        expect(page.locator("main strong").first).to_have_text(str(expected_count))
    assert state(page.get_by_role("link", name="返回列表").get_attribute("href")) == state(shown)
    page.go_back()


def test_the_persons_export_follows_the_live_filters(station, page):
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto("/persons/")
    set_marker(page)
    everyone = int(re.search(r"共 (\d+) 人", page.locator("#results .pager").inner_text()).group(1))
    page.get_by_label("措施").select_option("community_rehab")
    wait_for_state(page, "measure", "community_rehab")
    assert_no_reload(page)
    shown = int(re.search(r"共 (\d+) 人", page.locator("#results .pager").inner_text()).group(1))
    assert 0 < shown < everyone
    follow_export(page, shown)
    page.reload()  # the pushed URL serves the same list
    expect(page.get_by_label("措施")).to_have_value("community_rehab")
    expect(page.locator("#results .pager")).to_contain_text("共 %d 人" % shown)


@pytest.mark.parametrize("path, label, value", [
    ("/talks/", "评估", "stable"),
    ("/visits/", "异常", "none"),
    ("/screenings/", "结果", "negative"),
    ("/assistance/", "状态", "open"),
])
def test_each_station_list_exports_what_it_shows(station, page, path, label, value):
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto(path)
    set_marker(page)
    select = page.locator("form.filters").get_by_label(label)
    options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    value = value if value in options else options[-1]
    select.select_option(value)
    wait_for_state(page, select.get_attribute("name"), value)
    assert_no_reload(page)
    rows = page.locator("#results table.grid:not(.compact) tbody tr").count()
    more = page.locator("#results .pager a[rel=next]").count()
    if rows:
        follow_export(page, None if more else rows)
    page.reload()
    expect(page.locator("form.filters").get_by_label(label)).to_have_value(value)
    assert page.locator("#results table.grid:not(.compact) tbody tr").count() == rows


def test_the_dashboard_links_follow_the_period(station, page):
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto("/indicators/")
    set_marker(page)
    page.get_by_label("统计周期").select_option("quarter")
    wait_for_state(page, "kind", "quarter")
    page.get_by_label("季度", exact=True).select_option("3")
    wait_for_state(page, "number", "3")
    assert_no_reload(page)
    shown = state(page.url)
    assert shown["kind"] == ["quarter"] and shown["number"] == ["3"]
    title = page.locator("#indicators h2").first
    expect(title).to_contain_text("2026年第3季度")
    report = page.get_by_role("link", name="下载季报 PDF")
    assert state(report.get_attribute("href")) == shown
    pdf = page.request.get(report.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    drills = page.locator("#indicators .indicator-parts a").evaluate_all("links => links.map(a => a.href)")
    assert drills and all(state(href) == shown for href in drills)
    page.goto(drills[0])
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026年第3季度")
    back = page.get_by_role("link", name="返回工作指标")
    assert state(back.get_attribute("href")) == shown
    back.click()
    expect(title).to_contain_text("2026年第3季度")
    expect(page.get_by_label("季度", exact=True)).to_have_value("3")


def rows_text(page):
    return page.locator("#results table.grid tbody tr").all_inner_texts()


def test_sort_and_page_size_live_in_the_url_and_every_link_follows_them(station, page):
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto("/talks/")
    set_marker(page)
    first = rows_text(page)
    header = page.locator("#results th").filter(has_text="评估")
    header.get_by_role("link").click()
    wait_for_state(page, "sort", "assessment")
    expect(page.locator("#results th[aria-sort=ascending]")).to_contain_text("评估")
    header.get_by_role("link").click()
    wait_for_state(page, "dir", "desc")
    expect(page.locator("#results th[aria-sort=descending]")).to_contain_text("评估")
    assert rows_text(page) != first
    page.get_by_label("每页").select_option("50")
    wait_for_state(page, "per", "50")
    expect(page.locator("#results table.grid tbody tr")).to_have_count(50)
    # a filter changed after sorting keeps the sort and the page size (they ride in the swapped region)
    page.locator("form.filters").get_by_label("地点").select_option("home")
    wait_for_state(page, "place", "home")
    assert_no_reload(page)
    shown = state(page.url)
    assert shown["sort"] == ["assessment"] and shown["dir"] == ["desc"] and shown["per"] == ["50"]
    on_screen = rows_text(page)
    assert all("家中" in row for row in on_screen)
    follow_export(page)
    printout = page.locator("#results").get_by_role("link", name="打印")
    assert state(printout.get_attribute("href")) == shown
    printout.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("面对面谈话记录")
    expect(page.locator("main")).to_contain_text("排序：评估（降序）")
    expect(page.locator("main")).to_contain_text("地点：家中")
    printed = page.locator("table.grid tbody tr").all_inner_texts()
    assert printed[:50] == on_screen  # the whole list, in the order of the screen
    assert state(page.get_by_role("link", name="返回列表").get_attribute("href")) == shown
    page.go_back()
    page.reload()
    expect(page.locator("#results th[aria-sort=descending]")).to_contain_text("评估")
    expect(page.get_by_label("每页")).to_have_value("50")
    assert rows_text(page) == on_screen


def test_a_printed_list_repeats_its_header_and_keeps_every_column(station, page, tmp_path):
    """Chromium's own print (print media, the CSS page size): each page starts with the header row, every
    column is on the page, and no footer is printed over the rows."""
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto("/persons/?status=all")
    page.locator("#results").get_by_role("link", name="打印").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("两社人员")
    page.emulate_media(media="print")
    path = tmp_path / "list.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True)
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                           text=True).stdout.strip("\f").split("\f")
    assert len(pages) > 1
    size = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.92 x 594.96" in size  # the persons list prints landscape
    for text in pages:
        header = re.search(r"姓名\s+性别\s+身份证号\s+措施\s+状态\s+风险\s+执行地\s+责任专干\s+报到日期", text)
        assert header, text[:300]
        assert "戒毒治疗信息依法保密" not in text  # the screen's footer is not printed
    listed = " ".join(pages)
    for name in page.locator("table.grid tbody tr td:first-child").all_inner_texts()[-3:]:
        assert name in listed
