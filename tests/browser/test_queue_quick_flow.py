"""今日待办 in Chromium, the morning of the review's first task: a talk through its form, a home visit and a
urine test by their one-click outcomes, counting every click from the login's (issue 16: at most half the
review's 16, which counted the login's click too)."""
import re
from datetime import date

from factories import PASSWORD, in_app
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, open_form, set_marker

from portal.models import HomeVisit, Person, Screening, Talk


@in_app
def ready(zhang, li, worker):
    """张三 owes a talk; 李四 a visit (an address on file) and a urine test (the worker's last one two
    months ago, with its collectors and 派出所 remembered)."""
    Person.update(residence_address="新华路 12 号").where(Person.id == li.id).execute()
    Screening.create(person=li, case=li.current_case(), staff=worker, tested_on=date(2026, 9, 20), result="negative",
                     collectors="李明、陈丽", police_station="新华路派出所", signed=True)


@in_app
def saved_today(person):
    return (Talk.select().where(Talk.person == person).count(),
            HomeVisit.get_or_none(HomeVisit.person == person, HomeVisit.visited_on == date(2026, 11, 20)),
            Screening.get_or_none(Screening.person == person, Screening.tested_on == date(2026, 11, 20)))


def test_login_a_talk_a_visit_and_a_test_from_the_queue_in_at_most_eight_clicks(page, live_server):
    zhang, li = live_server.persons["张三"], live_server.persons["李四"]
    ready(zhang, li, live_server.worker)
    clicks = []

    def click(locator):
        clicks.append(locator)
        locator.click()

    page.goto("/")  # the station's address: the login form, then the worker's queue
    page.get_by_label("用户名").fill("chenli")
    page.get_by_label("密码").fill(PASSWORD)
    click(page.get_by_role("button", name="登录"))
    expect(page.get_by_role("heading", level=1)).to_have_text("今日待办")
    expect(page.get_by_role("navigation").get_by_role("link", name=re.compile("^今日待办"))) \
        .to_have_attribute("aria-current", "page")
    set_marker(page)

    row = page.locator("#q-talk-%d-item" % zhang.id)
    clicks.append("记录谈话")
    form = open_form(row.get_by_role("link", name="记录谈话"), row)
    click(form.get_by_label("思想动态"))
    click(form.get_by_label("稳定"))
    click(form.get_by_label("本人已签字"))
    click(form.get_by_role("button", name="保存"))
    expect(row).to_contain_text("张三：谈话记录已保存。")

    row = page.locator("#q-visit-%d-item" % li.id)
    click(row.get_by_role("button", name="在家，已走访"))
    expect(row).to_contain_text("李四：走访记录已保存。此项已从今日待办中移除。")
    expect(row.get_by_role("link", name="修改")).to_be_visible()

    row = page.locator("#q-screening-%d-item" % li.id)
    button = row.get_by_role("button", name="阴性")
    expect(button).to_have_attribute("title", "按常用值登记尿检阴性")
    click(button)
    expect(row).to_contain_text("李四：检测记录已保存。此项已从今日待办中移除。")

    assert len(clicks) <= 8, "%d clicks (the review counted 16, the login's included)" % len(clicks)
    assert_no_reload(page)
    talks, visit, test = saved_today(li)
    assert (visit.found_at_home, visit.address, visit.visitors) == (True, "新华路 12 号", "陈丽")
    assert (test.result, test.collectors, test.police_station, test.signed) == ("negative", "李明、陈丽", "新华路派出所",
                                                                                 True)
    assert saved_today(zhang)[0] == 1


def test_a_one_click_that_cannot_save_opens_the_form_in_the_row_and_修改_corrects(page, live_server):
    """李四's test with only one remembered collector (never prefilled alone) opens the form in the row,
    which saves there; the saved visit is corrected from its confirmation."""
    li = live_server.persons["李四"]
    ready(live_server.persons["张三"], li, live_server.worker)
    in_app(lambda: Screening.update(collectors="陈丽").execute())()  # only one name remembered
    log_in(page)
    page.goto("/queue/")
    row = page.locator("#q-screening-%d-item" % li.id)
    row.get_by_role("button", name="阴性").click()
    expect(row.get_by_role("alert").first).to_contain_text("一键登记未保存")
    expect(row.locator("#collectors-error")).to_have_text("此项为必填项。")
    row.get_by_label("采样/检测人员").fill("陈丽、李明")
    row.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("李四：检测记录已保存。")

    row = page.locator("#q-visit-%d-item" % li.id)
    row.get_by_role("button", name="在家，已走访").click()
    form = open_form(row.get_by_role("link", name="修改"), row)
    form.get_by_label("不在家").check()
    form.get_by_role("button", name="保存").click()
    expect(row.locator("article")).to_contain_text("不在家")
    expect(row.locator("article")).to_contain_text("已更正 1 次")
