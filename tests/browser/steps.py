"""Steps the browser tests share: a watched page, signing in, opening a person, checking the page was not
reloaded."""
import contextlib

from factories import PASSWORD
from playwright.sync_api import expect

TIMEOUT_MS = 10_000


@contextlib.contextmanager
def watched_page(browser, live_server, **options):
    """A page of a fresh browser context on the live server; any JavaScript error on it fails the test."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, "JavaScript errors on the page: %s" % errors


def log_in(page, username="chenli", password=PASSWORD):
    """Sign in through the form and wait for the page the account lands on (its queue, or the start page)."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def set_marker(page):
    """A value on window that only survives if the page is not reloaded."""
    page.evaluate("window.__marker = 'no-reload'")


def assert_no_reload(page):
    assert page.evaluate("window.__marker") == "no-reload", "the page was reloaded"


def open_form(link, slot):
    """Click a link that loads a form into `slot`, then wait until the form's first field has the focus:
    htmx moves it there once the swap settles, so text filled in earlier could land in that field."""
    link.click()
    form = slot.locator("form")
    expect(form.locator("[autofocus]")).to_be_focused()
    return form


def open_person(page, person):
    page.goto("/persons/%d" % person.id)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.name)
