"""The person page in Chromium: sections that load as they come into view under a navigation that stays
visible, and a talk saved inline that answers where the eye is, without touching what was typed elsewhere."""
import re

import pytest
from factories import in_app, make_person, make_talk, make_user
from playwright.sync_api import expect
from portal.models import CounsellingSession
from steps import assert_no_reload, log_in, open_form, open_person, set_marker

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 1024, "height": 768}, PHONE])
def test_the_navigation_stays_in_view_and_opens_each_section(page, live_server, viewport):
    page.set_viewport_size(viewport)
    log_in(page)
    open_person(page, live_server.persons["张三"])
    nav = page.get_by_role("navigation", name="档案各部分")
    for label, heading in (("附件", "附件（扫描件、照片）"), ("操守追踪", "操守追踪档案"), ("帮扶", "帮扶"),
                           ("工作记录", "工作记录"), ("心理疏导", "心理疏导")):
        link = nav.get_by_role("link", name=label)
        link.scroll_into_view_if_needed()  # on a phone the navigation scrolls sideways on its own
        link.click()
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_in_viewport()
        expect(nav).to_be_in_viewport()
        assert nav.bounding_box()["y"] <= 1  # stuck to the top of the window
    expect(page.locator("#tracking")).to_contain_text("违反协议计数")  # loaded, not the placeholder
    assert no_sideways_scroll(page)


def test_a_talk_saved_on_the_person_page_answers_where_the_eye_is(page, live_server):
    zhang = live_server.persons["张三"]
    make_talk(zhang, live_server.worker.id, participants="以前的谈话")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page)
    open_person(page, zhang)
    set_marker(page)
    expect(page.locator("#timeline-entries .entry")).to_have_count(1)  # the record's sections load at once
    expect(page.locator("#tracking")).to_contain_text("违反协议计数")
    # typed elsewhere on the page and not saved: it must survive the talk's save
    page.locator("#tracking summary", has_text="登记其他违反协议行为").click()
    page.locator("#tracking [name=description]").fill("尚未保存的违约描述")
    page.locator("#family summary", has_text="添加家庭成员").click()
    page.locator("#family [name=name]").fill("尚未保存的家属")

    slot = page.locator("#record-slot")
    open_form(page.get_by_role("link", name="记录谈话"), slot)
    slot.get_by_label("参加人员").fill("浏览器里的谈话")
    slot.locator("[name=topics]").first.check()
    slot.locator("[name=assessment]").first.check()
    slot.locator("[name=signature]").first.check()
    slot.get_by_role("button", name="保存").click()

    confirmation = slot.locator(".flash-success")
    expect(confirmation).to_contain_text("谈话记录已保存")
    expect(confirmation).to_be_in_viewport()
    entries = page.locator("#timeline-entries .entry")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("浏览器里的谈话")
    expect(page.locator("#count-timeline")).to_have_text("2")
    expect(page.locator("#tracking [name=description]")).to_have_value("尚未保存的违约描述")
    expect(page.locator("#family [name=name]")).to_have_value("尚未保存的家属")
    assert_no_reload(page)


def marked(nav):
    """The labels of the section links marked as the one being read."""
    return nav.locator("a[aria-current=location]").evaluate_all("links => links.map(a => a.firstChild.textContent.trim())")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 1024, "height": 768}, PHONE])
def test_the_section_bar_shows_every_link_and_marks_the_section_being_read(page, live_server, viewport):
    for day in range(1, 13):  # a long record, so that the page scrolls past each section
        make_talk(live_server.persons["张三"], live_server.worker.id, participants="第 %d 次" % day)
    page.set_viewport_size(viewport)
    log_in(page)
    open_person(page, live_server.persons["张三"])
    nav = page.get_by_role("navigation", name="档案各部分")
    right = nav.bounding_box()["x"] + nav.bounding_box()["width"]
    for link in nav.get_by_role("link").all():  # on a phone the bar wraps to two lines: no link cut or hidden
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= min(right, viewport["width"]) + 0.5, box
    assert page.evaluate("(n => n.scrollWidth <= n.clientWidth)(document.querySelector('.section-nav'))")
    expect(nav.locator("a[aria-current]")).to_have_count(1)
    assert marked(nav) == ["基本信息"]
    nav.get_by_role("link", name="操守追踪").click()
    expect(nav.get_by_role("link", name="操守追踪")).to_have_attribute("aria-current", "location")
    assert marked(nav) == ["操守追踪"]
    page.evaluate("""() => {  // scrolled by hand until 工作记录 starts just under the bar
        const bar = document.querySelector('.section-nav').getBoundingClientRect().bottom;
        window.scrollBy(0, document.getElementById('work').getBoundingClientRect().top - bar - 10); }""")
    expect(nav.get_by_role("link", name="工作记录")).to_have_attribute("aria-current", "location")
    assert marked(nav) == ["工作记录"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # the end: the last section
    expect(nav.get_by_role("link", name="附件")).to_have_attribute("aria-current", "location")
    assert marked(nav) == ["附件"]
    page.evaluate("window.scrollTo(0, 0)")
    expect(nav.get_by_role("link", name="基本信息")).to_have_attribute("aria-current", "location")
    assert marked(nav) == ["基本信息"]


def test_only_the_open_record_forms_button_is_marked(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page)
    open_person(page, live_server.persons["张三"])
    bar = page.locator(".record-bar .actions")
    brand = page.evaluate("getComputedStyle(document.body).getPropertyValue('--brand')").strip()

    def marked_buttons():
        return bar.locator("a.button").evaluate_all(
            "(as, brand) => as.filter(a => getComputedStyle(a).backgroundColor === brand).map(a => a.textContent.trim())",
            page.evaluate("b => { const d = document.createElement('i'); d.style.color = b; document.body.append(d);"
                          " const c = getComputedStyle(d).color; d.remove(); return c; }", brand))

    assert marked_buttons() == []  # nothing open, nothing marked
    slot = page.locator("#record-slot")
    open_form(bar.get_by_role("link", name="入户走访"), slot)
    assert marked_buttons() == ["入户走访"]  # not 记录谈话 as well
    open_form(bar.get_by_role("link", name="记录谈话"), slot)
    assert marked_buttons() == ["记录谈话"]
    open_form(bar.get_by_role("link", name="登记检测"), slot)
    assert marked_buttons() == ["登记检测"]
    page.goto("/persons/%d?record=visit" % live_server.persons["张三"].id)  # opened by the queue's link
    expect(page.locator("#record-slot form")).to_be_visible()
    assert marked_buttons() == ["入户走访"]


def long_record(live_server):
    """张三 with a long record (the sections after it far below the first screen) and sessions that lengthen
    心理疏导 as it loads, above 帮扶 and 附件."""
    zhang = live_server.persons["张三"]
    counsellor = make_user("counsellor")
    for day in range(1, 13):
        make_talk(zhang, live_server.worker.id, participants="第 %d 次" % day)
    for day in range(1, 9):
        in_app(CounsellingSession.create)(person=zhang.id, counsellor=counsellor.id, held_on="2026-10-%02d" % day,
                                          mode="individual", presenting="mood", summary="第 %d 次疏导" % day)
    return zhang


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 1024, "height": 768}, PHONE])
def test_jumping_to_a_section_not_yet_loaded_shows_it(page, live_server, viewport):
    zhang = long_record(live_server)
    page.set_viewport_size(viewport)
    log_in(page)
    open_person(page, zhang)
    set_marker(page)
    nav = page.get_by_role("navigation", name="档案各部分")
    expect(page.locator("#timeline-entries .entry")).to_have_count(10)
    jumps = (("attachments", "附件", "还没有附件"), ("counselling", "心理疏导", "第 8 次疏导"),
             ("assistance", "帮扶", "还没有帮扶救助事项"))
    for name, _, _ in jumps:  # below the first screen: not loaded yet
        expect(page.locator("#" + name)).to_have_class(re.compile("section-slot"))
    for name, label, loaded in jumps:
        section = page.locator("#" + name)
        link = nav.get_by_role("link", name=label)
        link.scroll_into_view_if_needed()
        link.click()
        expect(section).to_contain_text(loaded)
        expect(section).not_to_contain_text("正在载入")
        expect(section.locator("h2")).to_be_in_viewport()
    assert_no_reload(page)


@pytest.mark.parametrize("viewport, anchor, shown, label, loaded", [
    ({"width": 1366, "height": 768}, "counselling", "#counselling h2", "心理疏导", "第 8 次疏导"),
    (PHONE, "counselling", "#counselling h2", "心理疏导", "第 8 次疏导"),  # 我的心理疏导's 记录疏导
    (PHONE, "assistance", "#assistance h2", "帮扶", "还没有帮扶救助事项"),
    (PHONE, "counselling-entries", "#counselling-entries .entry", "心理疏导", "第 8 次疏导"),  # a place inside one
])
def test_a_person_page_opened_at_a_section_s_address_shows_it(page, live_server, viewport, anchor, shown, label,
                                                              loaded):
    zhang = long_record(live_server)
    page.set_viewport_size(viewport)
    log_in(page)
    page.goto("/persons/%d#%s" % (zhang.id, anchor))
    expect(page.locator("#timeline-entries .entry")).to_have_count(10)  # the sections above have loaded
    section = page.locator("#" + anchor.split("-")[0])
    expect(section).to_contain_text(loaded)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # whatever still settles
    expect(page.locator(shown).first).to_be_in_viewport(timeout=1000)
    nav = page.get_by_role("navigation", name="档案各部分")
    bar = nav.bounding_box()
    assert page.locator(shown).first.bounding_box()["y"] >= bar["y"] + bar["height"] - 1  # not under the bar
    assert marked(nav) == [label]


def test_the_counsellor_records_a_session_from_her_caseload_and_goes_back_to_it(page, live_server):
    counsellor = make_user("counsellor")
    li = make_person("李四", counsellor=counsellor.id)
    in_app(CounsellingSession.create)(person=li.id, counsellor=counsellor.id, held_on="2026-10-01", mode="individual",
                                      next_date="2026-11-10")
    page.set_viewport_size(PHONE)
    log_in(page, counsellor.username)
    page.goto("/caseload/")
    page.get_by_role("link", name="记录疏导").click()
    expect(page.locator("#counselling")).not_to_have_class(re.compile("section-slot"))
    expect(page.locator("#counselling h2")).to_be_in_viewport()
    expect(page.locator(".mainnav a[aria-current=page]")).to_have_text(re.compile("^我的心理疏导"))  # folded: a phone
    page.get_by_role("link", name="返回我的心理疏导").click()
    expect(page).to_have_url(re.compile(r"/caseload/#c-%d$" % li.id))
    expect(page.locator("#c-%d" % li.id)).to_contain_text("李四")


def test_the_family_form_opens_in_place(page, live_server):
    log_in(page)
    open_person(page, live_server.persons["张三"])
    set_marker(page)
    family = page.locator("#family")
    expect(family.locator("[name=name]")).to_have_count(0)  # fetched when asked for
    family.get_by_text("添加家庭成员").click()
    expect(family.locator("[name=name]")).to_be_visible()
    expect(family.locator("[name=relation]")).to_be_visible()
    assert_no_reload(page)
