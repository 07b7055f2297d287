"""集中检测 and the attendance grid in Chromium: ticks that survive the filter, a street ticked at once,
全部阴性, one Tab between results, the female-collector reminder before saving; attendance 未记录 and
the keyboard staying on the row."""
from datetime import date

from factories import in_app, make_person
from playwright.sync_api import expect
from steps import log_in

from portal.models import Attendance, Case, Screening, Trainee, TrainingSession


@in_app
def move(person, street):
    Case.update(street=street).where(Case.person == person.id).execute()


def saved():
    return in_app(Screening.select().count)()


def test_ticks_survive_the_filter_and_a_street_is_ticked_at_once(page, live_server):
    east = [make_person("东%d" % i, worker=live_server.worker) for i in range(3)]
    for person in east:
        move(person, "中曹司街道")
    log_in(page)
    page.goto("/screenings/day")
    page.get_by_label("张三").check()
    page.get_by_label("按姓名、拼音或街道筛选").fill("中曹司")  # live filter: 张三 is not on 中曹司街道
    expect(page.locator(".kept")).to_contain_text("张三")
    expect(page.get_by_label("张三")).to_be_checked()
    expect(page.get_by_label("东0")).not_to_be_checked()
    page.get_by_role("link", name="勾选中曹司街道全部 3 人").click()
    for person in east:
        expect(page.get_by_label(person.name)).to_be_checked()
    assert "q=" in page.url and "person=" in page.url  # a reload or bookmark keeps the ticks
    page.get_by_label("按姓名、拼音或街道筛选").fill("")
    expect(page.locator(".kept")).to_have_count(0)
    expect(page.locator("#picklist input[name=person]:checked")).to_have_count(4)
    expect(page.get_by_label("李四")).not_to_be_checked()
    page.reload()
    expect(page.locator("#picklist input[name=person]:checked")).to_have_count(4)
    page.get_by_role("button", name="下一步：录入结果").click()
    expect(page.locator("select[name$='-result']")).to_have_count(4)


def to_grid(page, *names):
    page.goto("/screenings/day")
    for name in names:
        page.get_by_label(name).check()
    page.get_by_role("button", name="下一步：录入结果").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第 2 步")
    expect(page.get_by_label("采样/检测人员")).to_have_value("")  # no test of hers yet: not her name alone (至少两人)
    page.get_by_label("采样/检测人员").fill("陈丽、李明")


def test_one_tab_between_results_and_all_negative(page, live_server):
    make_person("王五五", worker=live_server.worker)
    log_in(page)
    to_grid(page, "张三", "李四", "王五五")
    result = lambda name: page.get_by_label(name + " 检测结果")  # noqa: E731  (rows by name: 李四, 王五五, 张三)
    result("李四").focus()
    page.keyboard.press("4")  # 4 拒绝
    page.keyboard.press("Tab")
    expect(result("王五五")).to_be_focused()  # straight to the next person's result
    page.keyboard.press("2")  # 2 阳性: the row opens for what was positive and the A/B numbers
    page.keyboard.press("Tab")
    expect(page.get_by_label("王五五 阳性项目")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("王五五 A 样本编号")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("王五五 B 样本编号")).to_be_focused()
    page.keyboard.press("Tab")
    expect(result("张三")).to_be_focused()
    result("王五五").select_option("")  # back to 请选择: the row closes again
    result("李四").focus()
    page.keyboard.press("Tab")
    expect(result("王五五")).to_be_focused()
    page.keyboard.press("Tab")
    expect(result("张三")).to_be_focused()
    page.get_by_role("button", name="其余全部阴性").click()
    expect(result("王五五")).to_have_value("negative")
    expect(result("张三")).to_have_value("negative")
    expect(result("李四")).to_have_value("refused")  # a chosen result stays
    assert saved() == 0  # filling saves nothing
    page.get_by_role("button", name="保存全部结果").click()
    expect(page.locator(".saved-list li")).to_have_count(3)
    assert saved() == 3


def test_the_female_collector_reminder_comes_before_saving(page, live_server):
    make_person("杨梅英", worker=live_server.worker, male=False)
    log_in(page)
    to_grid(page, "张三", "杨梅英")
    check = page.locator("#collector-check")
    page.get_by_label("张三 检测结果").select_option("negative")
    expect(check).to_be_empty()  # a man: nothing to say
    page.get_by_label("杨梅英 检测结果").select_option("negative")
    expect(check).to_contain_text("杨梅英为女性，尿样应由女性工作人员采集")
    expect(check).to_contain_text("尚未保存")
    assert saved() == 0
    page.get_by_label("采样人员中有女性").check()  # the header changes: asked again
    expect(check).to_be_empty()
    page.get_by_label("采样人员中有女性").uncheck()
    expect(check).to_contain_text("杨梅英为女性")
    page.get_by_label("样本", exact=True).select_option("hair")  # not urine: the rule does not apply
    expect(check).to_be_empty()
    page.get_by_label("样本", exact=True).select_option("urine")
    expect(check).to_contain_text("杨梅英为女性")
    page.get_by_role("button", name="保存全部结果").click()  # saved anyway: the reminder is said again
    expect(page.locator("#day-saved")).to_contain_text("杨梅英为女性，尿样应由女性工作人员采集")
    assert saved() == 2


@in_app
def session_with(names):
    trainees = [Trainee.create(name=name, kind="worker", unit="新华路社区") for name in names]
    session = TrainingSession.create(held_on=date(2026, 11, 20), title="业务培训", audience="worker", trainer="王老师",
                                     hours=2, venue="阳光驿站", staff=1)
    for trainee in trainees:
        Attendance.create(session=session, trainee=trainee)
    return session, trainees


def test_attendance_starts_unrecorded_and_the_keyboard_stays_on_the_row(page, live_server):
    session, (first, second, third) = session_with(["学员1", "学员2", "学员3"])  # the grid lists them by name
    log_in(page)
    page.goto("/training/%d" % session.id)
    expect(page.locator("#attendance-counts")).to_contain_text("未记录 3")
    expect(page.locator("#attendance-counts")).to_contain_text("缺席 0")
    expect(page.locator(".toggle[aria-pressed=true]")).to_have_count(0)  # nobody red before being marked
    page.locator("#att-%d-present" % first.id).focus()
    page.keyboard.press("Space")
    expect(page.locator("#att-%d-present" % first.id)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#att-%d-present" % first.id)).to_be_focused()  # the row came back, the focus stayed
    page.keyboard.press("Tab")
    expect(page.locator("#att-%d-present" % second.id)).to_be_focused()  # one Tab: the next person
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#att-%d-excused" % second.id)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#att-%d-excused" % second.id)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#att-%d-excused" % second.id)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#att-%d-present" % third.id)).to_be_focused()
    expect(page.locator("#attendance-counts")).to_contain_text("未记录 1")
    statuses = in_app(lambda: {a.trainee_id: a.status for a in Attendance.select()})()
    assert statuses == {first.id: "present", second.id: "excused", third.id: "unrecorded"}


def test_the_single_test_form_warns_before_saving(page, live_server):
    woman = make_person("杨梅英", worker=live_server.worker, male=False)
    log_in(page)
    page.goto("/persons/%d" % woman.id)
    page.get_by_role("link", name="登记检测").click()
    check = page.locator("#collector-check-%d" % woman.id)
    expect(page.get_by_label("采样/检测人员")).to_have_value("")  # one name would break the rule: left empty
    page.get_by_label("阴性").check()
    expect(check).to_contain_text("杨梅英为女性，尿样应由女性工作人员采集")
    page.get_by_label("采样人员中有女性").check()
    expect(check).to_be_empty()
    assert saved() == 0
