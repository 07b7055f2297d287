"""The station lists on a phone (390×844): each row is a card of "label value" lines, nothing past the right
edge, no scroller inside a table, no sideways page; a wide screen and paper keep the table."""
from datetime import date, datetime

import pytest
from factories import in_app, make_talk, make_user
from playwright.sync_api import expect
from steps import log_in, watched_page
from test_phone import PHONE, assert_fits

from portal.dates import today
from portal.models import AssistanceCase, Attendance, FamilyMember, HomeVisit, Screening, Trainee, TrainingSession

LISTS = ["/persons/", "/talks/", "/visits/", "/screenings/", "/assistance/"]  # sortable, in #results
OTHERS = {"/training/": "志愿者禁毒知识培训", "/trainees/": "赵小雨"}  # a worker's other lists

# Each card cell: how it is laid out, where it ends, and the label drawn before it.
CELLS = """table => Array.from(table.querySelectorAll(':scope > tbody > tr > td')).map(td => {
  const box = td.getBoundingClientRect();
  return {display: getComputedStyle(td).display, left: box.left, right: box.right, label: td.dataset.label || null,
          before: getComputedStyle(td, '::before').content, shown: box.width > 0 && box.height > 0};
})"""


@pytest.fixture
def records(live_server):
    """A talk, a visit, a test and an assistance case of 张三, and a volunteer with a training and an event."""
    zhang, worker = live_server.persons["张三"], live_server.worker

    @in_app
    def make():
        case = zhang.current_case()
        HomeVisit.create(person=zhang, staff=worker, visited_on=date(2026, 11, 1), visitors="陈丽、李明",
                         address="南明区新华路 1 号", found_at_home=True)
        Screening.create(person=zhang, case=case, staff=worker, tested_on=date(2026, 11, 2), result="negative",
                         collectors="李明、陈丽", police_station="新华路派出所")
        AssistanceCase.create(person=zhang, category="schooling", title="协调子女入学", opened_on=today(), staff=worker)
        volunteer = make_user("volunteer", username="zhaoxy", display_name="赵小雨")
        trainee = Trainee.create(name="赵小雨", kind="volunteer", user=volunteer)
        session = TrainingSession.create(held_on=date(2026, 11, 3), title="志愿者禁毒知识培训", audience="volunteer",
                                         trainer="王老师", hours=2, venue="活动室", staff=worker)
        Attendance.create(session=session, trainee=trainee, status="present")
    make_talk(zhang, worker, held_at=datetime(2026, 11, 4, 9, 30))
    make()


def cells_of(table):
    cells = table.evaluate(CELLS)
    assert cells, "the table has no cells"
    return [c for c in cells if c["shown"]]


def assert_cards(page, table):
    """Every row of `table` a card within the screen: its cells stacked, each after its label."""
    assert page.evaluate("t => t.scrollWidth <= t.clientWidth", table.element_handle()), "a scroller in the table"
    cells = cells_of(table)
    for cell in cells:
        assert cell["display"] != "table-cell", cell
        assert cell["left"] >= 0 and cell["right"] <= PHONE["width"], cell
        assert cell["label"] and cell["before"] == '"%s"' % cell["label"], cell  # "姓名 张三", not a bare value
    return cells


@pytest.mark.parametrize("path", LISTS)
def test_a_station_list_is_cards_on_a_phone_and_a_table_on_paper(browser, live_server, records, path):
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page)
        page.goto(path)
        table = page.locator("#results table.phone-cards").last
        expect(table).to_contain_text("张三")
        assert_fits(page)
        labels = [c["label"] for c in assert_cards(page, table)]
        assert "人员" in labels or "姓名" in labels, labels
        sort = table.locator("thead th.sortable").first  # the headers stay, as a row of sort links
        expect(sort).to_be_visible()
        within = sort.bounding_box()
        assert within["x"] + within["width"] <= PHONE["width"], within
        page.emulate_media(media="print")  # printing from the phone: the table, every column
        assert {c["display"] for c in cells_of(table)} == {"table-cell"}
        expect(table.locator("thead")).to_be_visible()


@pytest.mark.parametrize("path", sorted(OTHERS))
def test_the_workers_other_lists_are_cards_on_a_phone(browser, live_server, records, path):
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page)
        page.goto(path)
        table = page.locator("table.phone-cards")
        expect(table).to_contain_text(OTHERS[path])
        assert_fits(page)
        assert_cards(page, table)
        expect(table.locator("thead")).to_be_hidden()  # nothing to sort: no header row at all


def test_the_family_on_a_person_page_is_cards_on_a_phone(browser, live_server):
    """家庭成员与监护人 on a home visit: names whole, the 移除 of each member within the screen."""
    zhang = live_server.persons["张三"]
    in_app(lambda: FamilyMember.create(person=zhang, name="胡雪莉", relation="母亲", phone="13912345678",
                                       birth_date=date(1958, 3, 2), is_guardian=True, notes="同住"))()
    in_app(lambda: FamilyMember.create(person=zhang, name="张桂兰", relation="姐妹", phone="13800001111",
                                       birth_date=date(1980, 5, 6)))()  # fewer values: 操作 could flow up
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page)
        page.goto("/persons/%d#family" % zhang.id)
        table = page.locator("#family table.phone-cards")
        expect(table).to_contain_text("胡雪莉")
        assert_fits(page)
        labels = [c["label"] for c in assert_cards(page, table)]
        assert labels == ["姓名", "关系", "联系电话", "出生日期", "监护人", "备注", "操作",
                          "姓名", "关系", "联系电话", "出生日期", "操作"]
        actions = table.evaluate(ACTIONS)  # however far each card's short values flow, 移除 is laid out alike
        assert len(actions) == 2 and actions[0] == actions[1], actions
        assert all(a["below"] and a["left"] == 0 for a in actions), actions


# Per card: where its 操作 cell starts against the card, and whether it starts below every other cell.
ACTIONS = """table => Array.from(table.querySelectorAll(':scope > tbody > tr')).map(tr => {
  const card = tr.getBoundingClientRect(), cells = Array.from(tr.children), last = cells.pop().getBoundingClientRect();
  const bottom = Math.max(...cells.filter(td => td.getBoundingClientRect().height > 0)
                                  .map(td => td.getBoundingClientRect().bottom));
  return {left: Math.round(last.left - card.left - tr.clientLeft - parseFloat(getComputedStyle(tr).paddingLeft)),
          below: last.top >= bottom - 1, height: Math.round(last.height)};
})"""


@pytest.mark.parametrize("width", [1024, 1366])
def test_a_wide_screen_keeps_the_table(browser, live_server, records, width):
    with watched_page(browser, live_server, viewport={"width": width, "height": 768}) as page:
        log_in(page)
        page.goto("/persons/")
        table = page.locator("#results table.phone-cards")
        expect(table).to_contain_text("张三")
        assert {c["display"] for c in cells_of(table)} == {"table-cell"}
        assert page.evaluate("getComputedStyle(document.querySelector('#results table thead')).display") == \
            "table-header-group"


def test_a_volunteer_reaches_her_training_from_the_start_page_and_reads_it_on_a_phone(browser, live_server, records):
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page, "zhaoxy")
        page.locator("main").get_by_role("link", name="我的培训").click()  # in the page's body, not only the menu
        expect(page.get_by_role("heading", level=1)).to_contain_text("我的培训")
        assert_fits(page)
        tables = page.locator("table.phone-cards")
        expect(tables).to_have_count(1)  # the training record (no event served yet)
        cells = assert_cards(page, tables.first)
        assert [(c["label"]) for c in cells] == ["日期", "主题", "学时", "出勤"]
        expect(tables.first).to_contain_text("志愿者禁毒知识培训")
        expect(tables.first.locator("thead")).to_be_hidden()  # nothing to sort: no header row at all


@pytest.mark.parametrize("which", ["all", "person"])
def test_the_audit_log_is_cards_on_a_phone(browser, live_server, which):
    """审计日志 at 390 px: each entry a card, 对象, 事由 and 详情 read in place, nothing to swipe to."""
    zhang = live_server.persons["张三"]
    make_user("lead", username="wanglead", display_name="王站长")
    with watched_page(browser, live_server, viewport=PHONE, has_touch=True) as page:
        log_in(page, "wanglead")
        page.goto("/persons/%d" % zhang.id)  # a view of 张三: an entry with an object and a detail
        page.wait_for_load_state("networkidle")  # its record's sections, loaded at once, are audited with a detail
        page.goto("/audit/" if which == "all" else "/audit/persons/%d" % zhang.id)
        table = page.locator("table.phone-cards")
        expect(table).to_contain_text("张三")
        assert_fits(page)
        cells = assert_cards(page, table)
        labels = {c["label"] for c in cells}
        assert {"时间", "用户", "操作", "对象", "详情"} <= labels, labels
        for cell in cells:
            if cell["label"] == "详情":
                assert cell["right"] - cell["left"] > PHONE["width"] / 3, cell  # not two characters wide
