"""The 自/至 of a station list in Chromium: a date typed as in the record forms filters in place when the box is
left, the print follows it, and a text that is not a date is named in Chinese where the results are."""
import re
from datetime import datetime

from factories import make_talk
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, set_marker


def test_a_typed_date_filters_the_talks_in_place_and_a_wrong_one_is_named(page, live_server):
    zhang, li = live_server.persons["张三"], live_server.persons["李四"]
    make_talk(zhang, live_server.worker, held_at=datetime(2026, 10, 20, 9))
    make_talk(li, live_server.worker, held_at=datetime(2026, 11, 5, 9))
    log_in(page)
    page.goto("/talks/")
    set_marker(page)
    results = page.locator("#results")
    start = page.get_by_label("自")
    expect(start).to_have_attribute("type", "text")
    expect(start).to_have_attribute("placeholder", "如 2026-11-20")  # not the browser's mm/dd/yyyy
    expect(results.get_by_role("link", name="张三")).to_be_visible()

    start.fill("2026/10/21")
    start.press("Tab")  # leaving the box applies it, as choosing from a select does
    page.wait_for_url(re.compile(r"start=2026%2F10%2F21"))
    expect(results.get_by_role("link", name="张三")).to_have_count(0)
    expect(results.get_by_role("link", name="李四")).to_be_visible()
    expect(results.get_by_role("link", name="打印")).to_have_attribute("href", re.compile(r"start=2026-10-21"))

    start.fill("2026-13-01")
    start.press("Enter")
    expect(results.get_by_role("alert")).to_have_text(
        "“自”的日期“2026-13-01”无法识别，请按“2026-11-20”的格式填写；未按此日期筛选。")
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    expect(start).to_have_value("2026-13-01")  # what was typed stays to be corrected
    assert_no_reload(page)
