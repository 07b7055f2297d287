"""今日待办 in Chromium: filter in place, open a person from a row and come back to the same list and row."""
import re

from playwright.sync_api import expect
from steps import assert_no_reload, log_in, set_marker


def test_filter_the_queue_open_a_person_and_come_back(page, live_server):
    log_in(page)
    expect(page.locator(".mainnav .nav-count")).to_have_text(re.compile(r"^\d+$"))
    page.get_by_role("link", name="今日待办").first.click()
    set_marker(page)
    page.get_by_label("事项").select_option("talk")
    page.wait_for_url(re.compile(r"kind=talk"))
    expect(page.locator("#results tbody tr:not(.inline-slot)")).to_have_count(2)
    assert_no_reload(page)
    page.locator("#results").get_by_role("link", name=re.compile(r"^入户走访 \d+ 项$")).click()
    page.wait_for_url(re.compile(r"kind=visit"))  # a plain link: the page and its filters load anew
    expect(page.get_by_label("事项")).to_have_value("visit")
    page.get_by_label("排序").select_option("oldest")
    page.wait_for_url(re.compile(r"order=oldest"))
    listed = page.url
    person = live_server.persons["张三"]
    row = page.locator("#q-visit-%d" % person.id)
    row.get_by_role("link", name="张三").click()  # 记录走访 records in the row itself (test_queue_record_flow.py)
    expect(page.get_by_role("heading", level=1)).to_contain_text("张三")
    nav = page.get_by_role("navigation", name="主导航")  # still the queue's work, not the list of persons
    expect(nav.get_by_role("link", name=re.compile("^今日待办"))).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="两社人员")).not_to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="返回今日待办").click()
    page.wait_for_url(re.compile(r"#q-visit-%d$" % person.id))
    assert page.url.split("#")[0] == listed
    expect(page.get_by_label("事项")).to_have_value("visit")
    expect(page.get_by_label("排序")).to_have_value("oldest")
    expect(page.locator("#q-visit-%d" % person.id)).to_be_in_viewport()
