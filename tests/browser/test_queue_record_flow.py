"""今日待办 in Chromium: record a talk and a test in their rows, without leaving the queue; each row gives
way to a confirmation and the counts follow."""
import re
from datetime import date

from factories import in_app
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, open_form, set_marker

from portal.models import Screening


@in_app
def negative_urine(person, staff, on):
    """A negative urine test on `on`: the next one falls due by the station's scheme."""
    Screening.create(person=person, case=person.current_case(), staff=staff, tested_on=on, result="negative",
                     collectors="李明、陈丽", signed=True)


def test_record_a_talk_and_a_test_from_the_queue_without_leaving_it(page, live_server):
    zhang, li = live_server.persons["张三"], live_server.persons["李四"]
    negative_urine(li, live_server.worker, date(2026, 9, 20))  # due again today (every 2 months in the second year)
    log_in(page)
    page.goto("/queue/")
    set_marker(page)
    counts = page.locator("#queue-counts")
    talks = int(re.search(r"面对面谈话 (\d+) 项", counts.inner_text()).group(1))

    row = page.locator("#q-talk-%d-item" % zhang.id)
    form = open_form(row.get_by_role("link", name="记录谈话"), row)
    expect(form.get_by_label("谈话时间")).to_be_visible()
    form.get_by_label("思想动态").check()
    form.get_by_label("稳定").check()
    form.get_by_label("本人已签字").check()
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#q-talk-%d-item" % zhang.id)).to_contain_text("张三：谈话记录已保存。此项已从今日待办中移除。")
    expect(counts).to_contain_text("面对面谈话 %d 项" % (talks - 1))
    expect(page.locator("#q-talk-%d" % zhang.id)).to_have_count(0)

    row = page.locator("#q-screening-%d-item" % li.id)
    form = open_form(row.get_by_role("link", name="登记检测"), row)
    form.get_by_label("采样/检测人员").fill("李明、陈丽")
    form.get_by_label("阴性", exact=True).check()  # not the row's one-click button "阴性：…"
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#q-screening-%d-item" % li.id)).to_contain_text("李四：检测记录已保存。")
    expect(page.locator("#q-screening-%d" % li.id)).to_have_count(0)
    assert page.url.endswith("/queue/")
    assert_no_reload(page)


def test_a_failed_save_stays_in_the_row_and_cancel_closes_it(page, live_server):
    zhang = live_server.persons["张三"]
    log_in(page)
    page.goto("/queue/?kind=talk")
    row = page.locator("#q-talk-%d-item" % zhang.id)
    form = open_form(row.get_by_role("link", name="记录谈话"), row)
    form.get_by_label("谈话时间").fill("")
    form.get_by_role("button", name="保存").click()
    expect(row.get_by_role("alert").first).to_contain_text("处需要修改")
    row.get_by_role("link", name="取消").click()
    expect(row.locator("form")).to_have_count(0)
    expect(page.locator("#q-talk-%d" % zhang.id)).to_be_visible()
