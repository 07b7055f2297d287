"""A failed htmx request is visible (static/failures.js): a save that meets a locked database (503)
shows the Chinese banner, nothing is saved, the form keeps what was typed; the retry saves once. A save
lost to the network or a timeout says saving is unknown; a failed load says nothing was loaded."""
import sqlite3
import time

import pytest
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, open_form, open_person, set_marker

from portal.models import Talk


def fill_talk(page):
    open_form(page.get_by_role("link", name="记录谈话"), page.locator("#record-slot"))
    page.get_by_label("参加人员").fill("陈丽、其母")
    page.get_by_label("思想动态").check()
    page.get_by_label("稳定").check()
    page.get_by_label("约定事项").fill("下周一来站尿检，保留这段文字")
    page.get_by_label("本人已签字").check()


def test_a_save_against_a_503_shows_the_banner_and_keeps_the_form(app, page, live_server):
    person = live_server.persons["李四"]
    log_in(page)
    open_person(page, person)
    set_marker(page)
    fill_talk(page)
    other = sqlite3.connect(app.config["DATABASE"])
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database past the busy timeout
    try:
        page.get_by_role("button", name="保存").click()
        banner = page.get_by_role("alert").filter(has_text="保存失败")
        expect(banner).to_be_visible(timeout=30_000)  # each write waits out the 5 s busy timeout first
        expect(banner).to_contain_text("没有保存任何内容")
        expect(banner).to_contain_text("系统正忙")
        expect(banner).to_contain_text("请稍后重试")
    finally:
        other.rollback()
        other.close()
    expect(page.get_by_label("约定事项")).to_have_value("下周一来站尿检，保留这段文字")
    expect(page.get_by_label("参加人员")).to_have_value("陈丽、其母")
    with app.app_context():
        assert Talk.select().count() == 0
    page.get_by_role("button", name="保存").click()  # the retry, once the database is free
    expect(page.locator("#record-slot")).to_contain_text("谈话记录已保存")
    expect(page.locator("#request-banner")).to_be_hidden()
    assert_no_reload(page)
    with app.app_context():
        assert Talk.select().count() == 1


def late(route):
    time.sleep(1.5)  # past the shortened timeout: htmx has given the request up by then
    route.abort("timedout")


@pytest.mark.parametrize("failure, handler, said", [
    ("network", lambda route: route.abort("connectionfailed"), "网络中断"),
    ("timeout", late, "服务器长时间没有响应"),  # base.html waits 60 s; shortened here
])
def test_a_lost_save_says_saving_is_unknown(page, live_server, failure, handler, said):
    log_in(page)
    open_person(page, live_server.persons["李四"])
    fill_talk(page)
    page.evaluate("htmx.config.timeout = 300")
    page.route("**/talks/", handler)
    page.get_by_role("button", name="保存").click()
    banner = page.get_by_role("alert").filter(has_text=said)
    expect(banner).to_contain_text("无法确认是否已保存")
    expect(banner).to_contain_text("不会重复保存")
    expect(page.get_by_label("约定事项")).to_have_value("下周一来站尿检，保留这段文字")


def test_a_server_error_on_a_load_says_nothing_was_loaded(page, live_server):
    """A 500 on a fragment that only reads (the talk form) says the content was not loaded, in Chinese."""
    log_in(page)
    open_person(page, live_server.persons["李四"])
    page.route("**/talks/new", lambda route: route.fulfill(status=500, body="<p>x</p>", content_type="text/html"))
    page.get_by_role("link", name="记录谈话").click()
    banner = page.get_by_role("alert").filter(has_text="内容未能加载")
    expect(banner).to_contain_text("服务器返回错误（500）")
    expect(banner).to_contain_text("请稍后重试")
