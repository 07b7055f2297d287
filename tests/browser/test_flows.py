"""End-to-end flows in a real Chromium against a live server, with CSRF switched on.

The browser is Debian's Chromium driven by Playwright's sync API (no browser download);
the app is served by werkzeug in a thread, on a fresh SQLite file per test.
"""
import re
from datetime import date

from factories import PASSWORD, make_family, make_person, make_user, valid_id
from playwright.sync_api import expect
from steps import assert_no_reload, log_in, open_person, set_marker

MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")


def test_login_through_the_form_lands_on_the_queue_and_home_stays_in_the_menu(page, live_server):
    """Opening the station's address asks for a login; a worker then lands on 今日待办 (issue 16), and the
    start page with its greeting is one click away in the navigation."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$|/login\?next=/$|/login$"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()

    page.get_by_label("用户名").fill("chenli")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(live_server.url + "/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("今日待办")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name=re.compile("^今日待办"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("陈丽（")).to_be_visible()
    nav.get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，陈丽")
    expect(nav.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")


def test_wrong_password_shows_chinese_message(page):
    page.goto("/login")
    page.get_by_label("用户名").fill("chenli")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".flash-error")).to_contain_text("用户名或密码错误")
    expect(page.get_by_label("用户名")).to_have_value("chenli")


def test_active_search_updates_results_without_reload(page):
    log_in(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="两社人员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("两社人员")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="李四")).to_be_visible()
    set_marker(page)

    page.locator("#q").press_sequentially("zs", delay=50)

    expect(page).to_have_url(re.compile(r"[?&]q=zs(&|$)"))
    expect(results.get_by_role("link", name="张三")).to_be_visible()
    expect(results.get_by_role("link", name="李四")).to_have_count(0)
    expect(results).to_contain_text("共 1 人")
    assert_no_reload(page)
    expect(page.locator("#q")).to_have_value("zs")


def test_person_page_shows_masked_id_number(page, live_server):
    zhang = live_server.persons["张三"]
    log_in(page)
    page.goto("/persons/?q=zs")
    page.locator("#results").get_by_role("link", name="张三").click()

    expect(page).to_have_url(live_server.url + "/persons/%d" % zhang.id)
    expect(page.get_by_role("heading", level=1)).to_contain_text("张三")
    shown = page.locator("#id-number .mono")
    expect(shown).to_have_text(MASKED_ID)
    assert shown.inner_text().strip() == zhang.id_number[:6] + "*" * 8 + zhang.id_number[-4:]
    expect(page.locator("main")).not_to_contain_text(zhang.id_number)
    expect(page.get_by_text("新华路街道").first).to_be_visible()


def test_new_person_bad_check_digit_keeps_input_then_saves(page):
    log_in(page)
    page.goto("/persons/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("登记新人员")
    good = valid_id(male=False, seq=7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    page.locator("[name=p-name]").fill("赵六")
    page.locator("[name=p-id_number]").fill(bad)
    page.locator("[name=p-phone]").fill("13812345678")
    # The full-width （）〔〕 of an official document number must survive as typed.
    page.locator("[name=c-decision_number]").fill("筑南公（禁）社戒决字〔2026〕88号")
    page.locator("[name=c-decision_date]").fill("2026-10-08")
    page.locator("[name=c-served_date]").fill("2026-10-10")
    page.locator("[name=c-street]").fill("花果园街道")
    page.get_by_role("button", name="保存").click()

    id_field = page.locator(".field", has=page.locator("[name=p-id_number]"))
    expect(id_field.locator(".error")).to_contain_text("校验位不正确")
    expect(page.locator("[name=p-id_number]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[role=alert]")).to_contain_text("1 处需要修改")
    expect(page.locator("[name=p-name]")).to_have_value("赵六")
    expect(page.locator("[name=p-id_number]")).to_have_value(bad)
    expect(page.locator("[name=p-phone]")).to_have_value("13812345678")
    expect(page.locator("[name=c-decision_number]")).to_have_value("筑南公（禁）社戒决字〔2026〕88号")
    expect(page.locator("[name=c-decision_date]")).to_have_value("2026-10-08")
    expect(page.locator("[name=c-served_date]")).to_have_value("2026-10-10")
    expect(page.locator("[name=c-street]")).to_have_value("花果园街道")

    page.locator("[name=p-id_number]").fill(good)
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/persons/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("赵六")
    expect(page.locator(".flash-success")).to_contain_text("已登记")
    expect(page.locator("#id-number .mono")).to_have_text(good[:6] + "*" * 8 + good[-4:])
    expect(page.get_by_text("花果园街道")).to_be_visible()
    expect(page.get_by_text("筑南公（禁）社戒决字〔2026〕88号")).to_be_visible()


def test_add_family_member_inline(page, live_server):
    zhang = live_server.persons["张三"]
    log_in(page)
    open_person(page, zhang)
    family = page.locator("#family")
    expect(family).to_contain_text("尚未登记家庭成员")
    set_marker(page)

    family.get_by_text("添加家庭成员").click()
    family.get_by_role("button", name="添加").click()

    name_field = page.locator("#family .field", has=page.locator("[name=name]"))
    expect(name_field.locator(".error")).to_contain_text("此项为必填项")
    expect(page.locator("#family details.inline-form")).to_have_attribute("open", "")
    assert_no_reload(page)

    page.locator("#family [name=name]").fill("张大山")
    page.locator("#family [name=relation]").select_option("父亲")
    page.locator("#family [name=phone]").fill("13912345678")
    page.locator("#family [name=is_guardian]").check()
    page.locator("#family").get_by_role("button", name="添加").click()

    row = page.locator("#family tbody tr", has_text="张大山")
    expect(row).to_be_visible()
    expect(row).to_contain_text("父亲")
    expect(row).to_contain_text("13912345678")
    expect(row).to_contain_text("是")
    expect(page.locator("#family .error")).to_have_count(0)
    assert_no_reload(page)

    page.reload()
    expect(page.locator("#family tbody tr", has_text="张大山")).to_be_visible()


def test_remove_family_member_inline(page, live_server):
    zhang = live_server.persons["张三"]
    make_family(zhang, name="张小花", relation="女儿")
    log_in(page)
    open_person(page, zhang)
    set_marker(page)
    row = page.locator("#family tbody tr", has_text="张小花")
    row.get_by_text("移除", exact=True).click()
    row.get_by_role("button", name="确认移除").click()  # no reason: refused in place, nothing removed
    expect(page.locator("#family")).to_contain_text("请填写事由")
    row = page.locator("#family tbody tr", has_text="张小花")
    row.get_by_label("移除事由").fill("登记错误，非其亲属")
    row.get_by_role("button", name="确认移除").click()
    expect(page.locator("#family")).to_contain_text("尚未登记家庭成员")
    assert_no_reload(page)


def test_reveal_full_id_number_with_reason(page, live_server):
    zhang = live_server.persons["张三"]
    log_in(page)
    open_person(page, zhang)
    set_marker(page)

    page.get_by_text("查看完整号码").click()
    page.get_by_label("查看事由").fill("到派出所办理检测手续")
    page.get_by_role("button", name="显示").click()

    expect(page.locator("#id-number .mono")).to_have_text(zhang.id_number)
    assert len(page.locator("#id-number .mono").inner_text().strip()) == 18
    expect(page.locator("#id-number")).to_contain_text("已记入审计")
    assert_no_reload(page)


def test_reveal_without_reason_shows_chinese_error(page, live_server):
    zhang = live_server.persons["张三"]
    log_in(page)
    open_person(page, zhang)
    set_marker(page)

    page.get_by_text("查看完整号码").click()
    page.get_by_role("button", name="显示").click()

    expect(page.locator("#id-number .error")).to_contain_text("请填写事由")
    expect(page.locator("#id-number .mono")).to_have_text(MASKED_ID)
    assert_no_reload(page)


def test_htmx_posts_are_csrf_protected(page, live_server):
    """The flows above pass only because hx-headers sends X-CSRFToken: without it, 400."""
    zhang = live_server.persons["张三"]
    log_in(page)
    response = page.request.post("/persons/%d/family/" % zhang.id, headers={"HX-Request": "true"},
                                 form={"name": "张大山", "relation": "父亲"})
    assert response.status == 400
    assert "安全令牌" in response.text()
    open_person(page, zhang)
    expect(page.locator("#family")).to_contain_text("尚未登记家庭成员")


def test_idle_timeout_during_htmx_search_sends_browser_to_login(page, live_server, clock):
    """A 401 with HX-Redirect from an HTMX request navigates the whole page to the login form."""
    log_in(page)
    page.goto("/persons/")
    expect(page.locator("#results").get_by_role("link", name="李四")).to_be_visible()
    clock.advance(minutes=16)

    page.locator("#q").press_sequentially("zs", delay=50)

    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("登录已超时")
    page.get_by_label("用户名").fill("chenli")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/persons/\?q=zs"))
    expect(page.locator("#results").get_by_role("link", name="张三")).to_be_visible()


def test_queue_to_an_overdue_talk_recorded_with_the_keyboard(page, live_server):
    """Open the queue, follow an overdue talk, fill the inline form with keys only, see it land."""
    from datetime import date

    from factories import make_talk
    zhang = live_server.persons["张三"]
    make_talk(zhang, live_server.worker, next_date=date(2026, 11, 1))
    log_in(page)
    page.get_by_role("link", name="今日待办").click()
    row = page.locator("tbody tr", has_text="张三").filter(has_text="面对面谈话")
    expect(row).to_contain_text("逾期 19 天")
    set_marker(page)
    row.get_by_role("link", name="记录谈话").click()  # the form opens in the queue row
    expect(page.locator("#q-talk-%d-slot" % zhang.id).get_by_role("heading", level=3)).to_have_text("记录面对面谈话")
    held_at = page.locator("[name=held_at]")
    expect(held_at).to_be_focused()
    keys = page.keyboard
    keys.press("Tab")                       # 地点: keep 阳光驿站
    keys.press("Tab")                       # 谈话类型: keep 例行
    keys.press("Tab")
    keys.type("陈丽、其母")                  # 参加人员
    keys.press("Tab")
    keys.press("Space")                     # 思想动态
    keys.press("Tab")
    keys.press("Space")                     # 身体/用药
    for _ in range(6):
        keys.press("Tab")
    keys.press("Tab")                       # 评估: first radio
    keys.press("Space")                     # 稳定
    keys.press("Tab")
    keys.type("情绪平稳")                    # 风险因素
    keys.press("Tab")
    keys.type("下周一来站尿检")               # 约定事项
    keys.press("Tab")                       # 下次谈话日期: leave empty
    keys.press("Tab")
    keys.press("Space")                     # 本人已签字
    keys.press("Tab")
    keys.press("Enter")                     # 保存
    expect(page.locator("#q-talk-%d-item" % zhang.id)).to_contain_text("谈话记录已保存")
    assert_no_reload(page)
    page.reload()
    expect(page.locator("tbody tr", has_text="张三").filter(has_text="面对面谈话")).to_have_count(0)
    expect(page.locator("tbody tr", has_text="李四").filter(has_text="面对面谈话")).to_have_count(1)
    page.goto("/persons/%d" % zhang.id)
    entry = page.locator("#timeline .entry").first
    expect(entry).to_contain_text("陈丽、其母")
    expect(entry).to_contain_text("思想动态、身体/用药")
    expect(entry).to_contain_text("下周一来站尿检")


def test_inline_talk_errors_keep_what_was_typed(page, live_server):
    log_in(page)
    open_person(page, live_server.persons["李四"])
    set_marker(page)
    page.get_by_role("link", name="记录谈话").click()
    expect(page.locator("[name=held_at]")).to_be_focused()
    page.get_by_label("参加人员").fill("保留这段文字")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#record-slot")).to_contain_text("请至少勾选一项谈话内容")
    expect(page.locator("#record-slot")).to_contain_text("请选择评估结果")
    expect(page.get_by_label("参加人员")).to_have_value("保留这段文字")
    assert_no_reload(page)


def test_a_testing_day_for_ten_persons_by_keyboard_alone(page, live_server):
    """Choose ten persons, then type each result on its row; one positive needs its A/B numbers."""
    for i in range(8):
        make_person("检测%d号" % i, worker=live_server.worker)
    log_in(page)
    page.goto("/screenings/day")
    boxes = page.locator("input[name=person]")
    expect(boxes).to_have_count(10)  # the worker's ten running cases, not a colleague's
    boxes.first.focus()
    for _ in range(10):
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the focus is on "下一步：录入结果"
    expect(page.get_by_role("heading", level=1)).to_contain_text("第 2 步")
    page.get_by_label("采样/检测人员").focus()
    page.keyboard.type("李明、陈丽")
    results = page.locator("select[name$='-result']")
    expect(results).to_have_count(10)
    results.first.focus()
    for row in range(10):
        page.keyboard.press("2" if row == 4 else "1")  # 1 阴性, 2 阳性
        if row == 4:  # a positive opens its row: what it was positive for, then the A and B numbers
            page.keyboard.press("Tab")
            page.keyboard.press("ArrowDown")  # the first panel: 吗啡（阿片类）
            page.keyboard.press("Tab")
            page.keyboard.type("A-20261120-05")
            page.keyboard.press("Tab")  # B sample: left empty on purpose
        page.keyboard.press("Tab")  # one Tab on to the next person's result (the last one: to 保存全部结果)
        if row < 9:
            expect(results.nth(row + 1)).to_be_focused()
    page.keyboard.press("Enter")  # the focus is on 保存全部结果
    # the positive row lacks its B number: nine are saved, that row stays with what was typed
    expect(page.locator(".saved-list li")).to_have_count(9)
    expect(page.locator(".row-errors")).to_contain_text("阳性结果须填写 A、B 样本编号")
    expect(page.locator("input[name$='-sample_a']")).to_have_value("A-20261120-05")
    page.locator("input[name$='-sample_b']").focus()
    page.keyboard.type("B-20261120-05")
    page.keyboard.press("Enter")
    expect(page.locator(".saved-list li")).to_have_count(10)  # the nine earlier saves are listed again
    expect(page.locator("#day-saved")).to_contain_text("复吸")  # the follow-through, above the names
    page.goto("/screenings/")
    expect(page.locator("tbody tr")).to_have_count(10)
    expect(page.locator("tbody .result-positive")).to_have_count(1)


def test_the_person_page_prints_cleanly_from_the_browser(page, live_server, tmp_path):
    """The print stylesheet: no navigation, buttons or forms on paper; the record stays."""
    zhang = live_server.persons["张三"]
    log_in(page)
    open_person(page, zhang)
    expect(page.locator("#tracking")).to_contain_text("违反协议计数")  # the section loaded
    page.emulate_media(media="print")
    for hidden in (".topbar", ".record-bar", "form", ".actions"):
        for element in page.locator(hidden).all():
            expect(element).to_be_hidden()
    expect(page.locator("#tracking")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("张三")
    expect(page.locator(".pagefoot")).to_contain_text("内部资料 注意保密")
    path = tmp_path / "page.pdf"
    page.pdf(path=str(path), format="A4")
    import subprocess
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "张三" in text and "操守追踪档案" in text and "退出" not in text and "记录谈话" not in text


def test_batch_printing_shows_progress_without_reloading(page, live_server):
    """The progress fragment polls until the batch is done; the result downloads once."""
    log_in(page)
    page.goto("/print/")
    page.get_by_label("会议脱敏版（以个案编号代替姓名）").check()
    page.get_by_role("button", name="开始生成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量打印进度")
    set_marker(page)
    link = page.get_by_role("link", name=re.compile("下载"))
    expect(link).to_be_visible(timeout=60_000)
    expect(page.locator(".job-done")).to_have_text("2")  # the worker's two persons
    assert_no_reload(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")
    page.goto("/print/")
    expect(page.locator("tbody")).to_contain_text("已下载并删除")


def test_an_assistance_case_for_a_childs_schooling_with_three_steps(page, live_server):
    """Open a schooling case for the daughter, add three steps inline without a reload, close it."""
    zhang = live_server.persons["张三"]
    make_family(zhang, name="张小雨", relation="女儿")
    log_in(page)
    open_person(page, zhang)
    page.locator(".record-bar").get_by_role("link", name="帮扶救助").click()
    page.get_by_label("类别").select_option(label="助学")
    page.get_by_label("事项").fill("协调女儿入读职业学校")
    page.get_by_label("受助对象").select_option(label="张小雨（女儿）")
    page.get_by_label("学校").check()
    page.get_by_label("街道").check()
    page.get_by_role("button", name="建立").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("协调女儿入读职业学校")
    set_marker(page)
    for day, who, done in (("2026-11-02", "陈丽", "入户走访，了解辍学原因"),
                           ("2026-11-09", "陈丽、街道办", "联系三所职业学校"),
                           ("2026-11-16", "职业学校", "同意入学，办妥手续")):
        form = page.locator(".step-form")
        form.get_by_label("日期", exact=True).fill(day)
        form.get_by_label("经办人/单位").fill(who)
        form.get_by_label("做了什么").fill(done)
        form.get_by_role("button", name="添加").click()
        expect(page.locator("ol.steps")).to_contain_text(done)
    expect(page.locator("ol.steps li")).to_have_count(3)
    assert_no_reload(page)
    page.get_by_label("状态").select_option(label="办结")
    page.get_by_label("办结/结束日期").fill("2026-11-16")
    page.get_by_label("结果").fill("已入读职业学校")
    page.get_by_role("button", name="保存状态").click()
    expect(page.locator(".flash-success")).to_contain_text("办结")
    expect(page.locator(".step-form")).to_have_count(0)
    open_person(page, zhang)
    expect(page.locator("#timeline")).to_contain_text("协调女儿入读职业学校")


def test_attendance_for_twenty_trainees_by_mouse_and_keyboard(page, live_server):
    """Toggle attendance without a reload, by clicks and by keys; 全部出席; reload and it is kept."""
    from datetime import date

    from factories import in_app

    from portal.models import Attendance, Trainee, TrainingSession
    people = [in_app(Trainee.create)(name="学员%02d" % i, kind="worker") for i in range(20)]
    session = in_app(TrainingSession.create)(held_on=date(2026, 11, 20), title="业务培训", audience="worker",
                                             trainer="王老师", topics="law", hours=3, venue="驿站",
                                             staff=live_server.worker.id)
    in_app(lambda: Attendance.insert_many([{"session": session.id, "trainee": p.id} for p in people]).execute())()
    log_in(page)
    page.goto("/training/%d" % session.id)
    set_marker(page)
    for person in people[:10]:  # mouse
        page.locator("#att-%d" % person.id).get_by_role("button", name="出席").click()
        expect(page.locator("#att-%d" % person.id).get_by_role("button", name="出席")).to_have_attribute(
            "aria-pressed", "true")
    expect(page.locator("#attendance-counts")).to_contain_text("出席 10")
    for person in people[10:15]:  # keyboard: focus the row's 请假 button and press Enter
        page.locator("#att-%d" % person.id).get_by_role("button", name="请假").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#att-%d" % person.id).get_by_role("button", name="请假")).to_have_attribute(
            "aria-pressed", "true")
    expect(page.locator("#attendance-counts")).to_contain_text("请假 5")
    assert_no_reload(page)
    page.reload()
    expect(page.locator("#attendance-counts")).to_contain_text("出席 10")
    expect(page.locator("#attendance-counts")).to_contain_text("请假 5")
    expect(page.locator("#attendance-counts")).to_contain_text("未记录 5")  # never marked: not 缺席
    expect(page.locator("#attendance-counts")).to_contain_text("缺席 0")
    page.get_by_role("button", name="全部出席").click()
    expect(page.locator("#attendance-counts")).to_contain_text("出席 20")


def test_typing_a_registered_id_number_warns_before_saving(page, live_server):
    log_in(page)
    page.goto("/persons/new")
    known = live_server.persons["张三"]
    page.locator("[name=p-name]").fill("张三")
    page.locator("[name=p-id_number]").fill(known.id_number.lower())
    page.locator("[name=p-phone]").focus()  # leaving the field fires its change event
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text("该身份证号已登记")
    expect(warning.get_by_role("link", name="打开已有档案")).to_be_visible()
    assert known.id_number not in page.content()
    page.locator("[name=p-id_number]").fill(valid_id(birth=date(1979, 2, 3)))  # another person called 张三
    page.locator("[name=p-phone]").focus()
    expect(warning).to_have_count(0)


def test_a_ledger_is_tried_then_imported_in_the_browser(page, live_server, tmp_path):
    from openpyxl import Workbook

    make_user("lead", username="zhanzhang", display_name="王站长")
    wb = Workbook()
    ws = wb.active
    ws.append(["新华路街道社区康复人员台账"])
    ws.append(["姓名", "身份证号", "措施类型", "决定书文号", "决定日期", "送达日期", "期限（月）", "执行地"])
    good, bad = valid_id(seq=401), valid_id(seq=402)
    ws.append(["孙丽", good, "社区康复", "筑南公（禁）社康决字〔2026〕3号", "2026.9.1", "2026年9月3日", 24, "新华路街道"])
    ws.append(["周强", bad[:-1] + ("0" if bad[-1] != "0" else "1"), "社区康复", "文号", "2026-09-01", "2026-09-03",
               24, "新华路街道"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    log_in(page, "zhanzhang")
    page.get_by_role("link", name="导入台账").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="试导入（不改动数据）").click()
    expect(page.locator("#import-errors")).to_contain_text("第 4 行")
    expect(page.locator("#import-errors")).to_contain_text("B 列（身份证号）")
    expect(page.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)

    ws.delete_rows(4)
    wb.save(path)
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="试导入（不改动数据）").click()
    page.get_by_role("button", name=re.compile("确认导入")).click()
    expect(page.locator(".flash-success")).to_contain_text("新增 1 条")
    page.goto("/persons/?q=孙丽")
    expect(page.locator("#results")).to_contain_text("孙丽")


def test_the_report_button_follows_the_period_shown(page, live_server):
    """Changing the period swaps the indicators in place; the PDF button must name and fetch that period."""
    make_user("officer", username="minjing", display_name="民警")
    log_in(page, "minjing")
    page.goto("/indicators/?kind=year&year=2026")
    set_marker(page)
    expect(page.locator("#report-link")).to_have_text("下载年报 PDF")
    page.get_by_label("统计周期").select_option("quarter")
    expect(page.locator("#report-link")).to_have_text("下载季报 PDF")
    expect(page.get_by_label("季度", exact=True)).to_have_value("4")  # opens on the current quarter
    expect(page.get_by_label("月份")).to_have_count(0)
    page.get_by_label("季度", exact=True).select_option("3")
    expect(page.locator("#indicators h2").first).to_contain_text("2026年第3季度")
    href = page.locator("#report-link").get_attribute("href")
    assert "kind=quarter" in href and "number=3" in href
    assert page.locator("#report-link").count() == 1
    page.get_by_label("统计周期").select_option("month")
    expect(page.get_by_label("月份")).to_have_value("11")  # the current month, not the quarter's number
    expect(page.locator("#report-link")).to_have_text("下载月报 PDF")
    expect(page.get_by_label("季度", exact=True)).to_have_count(0)
    page.get_by_label("统计周期").select_option("custom")
    expect(page.get_by_label("自")).to_be_visible()
    expect(page.get_by_label("年份")).to_have_count(0)
    assert_no_reload(page)
