"""A home visit and a talk recorded end to end on a phone-sized screen (390×844): the navigation folds
behind 菜单, forms are one column, and no page scrolls sideways."""
import pytest
from playwright.sync_api import expect
from steps import log_in, open_form, watched_page

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        yield page


def assert_fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "%s scrolls sideways (%d px)" % (page.url, width)


def one_column(form):
    """Every field of the form starts at the same left edge."""
    lefts = form.locator(".formgrid > .field").evaluate_all(
        "fields => fields.map(f => Math.round(f.getBoundingClientRect().left))")
    assert lefts and len(set(lefts)) == 1, lefts


def within_screen(element):
    box = element.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_a_home_visit_and_a_talk_on_a_phone(phone, live_server):
    page = phone
    log_in(page)
    assert_fits(page)
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_hidden()
    page.locator(".menu-button").click()
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="今日待办").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("今日待办")
    expect(nav).to_be_hidden()
    assert_fits(page)

    zhang = live_server.persons["张三"]  # both recorded in their rows of the queue, without leaving it
    button = page.locator("#q-visit-%d" % zhang.id).get_by_role("link", name="记录走访")
    within_screen(button)  # each item is a card on a phone: its button is whole, not cut by the table's scroller
    expect(page.locator("#results table thead")).to_have_count(1)
    expect(page.locator("#results table thead")).to_be_hidden()
    assert page.evaluate("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('#results table'))")
    form = open_form(button, page.locator("#q-visit-%d-slot" % zhang.id))
    expect(form).to_be_visible()
    within_screen(form.get_by_role("button", name="保存"))
    assert_fits(page)
    one_column(form)
    form.get_by_label("走访地址").fill("南明区新华路 1 号")
    form.get_by_label("在家", exact=True).check()
    form.get_by_label("见到的家属").fill("其母")
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#q-visit-%d-item" % zhang.id)).to_contain_text("走访记录已保存")
    expect(page.locator("#q-visit-%d" % zhang.id)).to_have_count(0)
    assert_fits(page)

    page.locator("#q-talk-%d" % zhang.id).get_by_role("link", name="记录谈话").click()
    form = page.locator("#q-talk-%d-slot form" % zhang.id)
    expect(form).to_be_visible()
    assert_fits(page)
    one_column(form)
    form.get_by_label("参加人员").fill("陈丽、其母")
    form.get_by_label("思想动态").check()
    form.get_by_label("稳定", exact=True).check()
    form.get_by_label("本人已签字").check()
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#q-talk-%d-item" % zhang.id)).to_contain_text("谈话记录已保存")
    assert_fits(page)
    page.reload()  # the queue read anew: both items are done
    expect(page.locator("#q-talk-%d" % zhang.id)).to_have_count(0)
    expect(page.locator("#q-visit-%d" % zhang.id)).to_have_count(0)
    assert_fits(page)
    page.goto("/persons/%d" % zhang.id)  # the visit is on the person's timeline
    expect(page.locator("#timeline")).to_contain_text("南明区新华路 1 号")


@pytest.mark.parametrize("path", ["/persons/new", "/persons/{id}", "/persons/{id}/edit", "/persons/", "/talks/",
                                  "/visits/", "/screenings/", "/queue/", "/indicators/"])
def test_no_page_scrolls_sideways_on_a_phone(phone, live_server, path):
    log_in(phone)
    phone.goto(path.format(id=live_server.persons["张三"].id))
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(phone)
