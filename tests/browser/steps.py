"""Steps the browser tests share: signing in, opening a person, checking the page was not reloaded."""
from factories import PASSWORD
from playwright.sync_api import expect


def log_in(page, username="chenli", password=PASSWORD):
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def set_marker(page):
    """A value on window that only survives if the page is not reloaded."""
    page.evaluate("window.__marker = 'no-reload'")


def assert_no_reload(page):
    assert page.evaluate("window.__marker") == "no-reload", "the page was reloaded"


def open_person(page, person):
    page.goto("/persons/%d" % person.id)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.name)
