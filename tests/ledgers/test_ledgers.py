"""Excel ledgers in and out: messy imports, all-or-nothing commits, masked exports (W10, D1, D7)."""
import io
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from factories import in_app, make_person, make_user, valid_id
from factories import text_of as raw_text
from openpyxl import Workbook, load_workbook

from portal.idcard import FULL_ID
from portal.models import AuditLog, Breach, Case, CaseEvent, Person, Screening, Trainee, User


def text_of(response):
    return " ".join(raw_text(response).split())

HEADERS = ["姓名", "身份证号码", "民族", "联系电话", "措施类型", "决定书文号", "决定日期", "送达日期", "报到日期",
           "期限（月）", "执行地", "责任专干"]


def id_with_x():
    while True:
        number = valid_id(birth=date(1990, 3, 15))
        if number.endswith("X"):
            return number


def book(rows, headers=HEADERS, title="新华路街道社区戒毒（康复）人员台账"):
    """An .xlsx as stations keep them: a merged title row, a two-row header with a merged group cell."""
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    if len(headers) > 5:
        ws.append(["基本信息"] * 4 + ["案件信息"] * (len(headers) - 4))
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
        ws.merge_cells(start_row=2, start_column=5, end_row=2, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, kind="persons", name="台账.xlsx"):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def commit(client, response, kind="persons"):
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    return client.post("/imports/commit", data={"kind": kind, "token": token})


@in_app
def count(model):
    return model.select().count()


@in_app
def audit_rows(action):
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def test_messy_ledger_lists_every_problem_and_imports_nothing(client, login_as, users):
    login_as("lead")
    x_id = id_with_x()
    good = ["张伟", x_id.lower(), "汉", "13812345678", "社区戒毒", "筑南公（禁）社戒决字〔2024〕15号",
            "2024-03-01", "2024.3.5", "2024年3月12日", 36, "新华路街道 ", "测试worker"]
    users["worker"]  # the worker's display name is 测试worker
    full_width = valid_id(birth=date(1988, 7, 1)).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    rows = [
        good,
        ["李强  ", full_width, "苗族", "", "社戒", "筑南公（禁）社戒决字〔2024〕16号", 45292, 45295, None, None,
         "遵义路街道", ""],
        list(good),  # row 6: the same row again
        ["王芳", valid_id()[:-1] + "0" if not valid_id().endswith("0") else valid_id()[:-1] + "1", "汉族", "", "社区戒毒",
         "文号", "2024-01-01", "2024-01-02", None, 36, "新华路街道", ""],
        ["赵六", valid_id(), "汉族", "", "社区戒毒", "文号", "2023.13.45", "2024-01-02", None, 36, "新华路街道", ""],
        ["孙七", valid_id(), "汉族", "", "社区戒毒", "文号", "2024-01-01", "2024-01-02", None, 36, "新华路街道", "不存在的人"],
        ["周八", valid_id(), "汉族", "", "社区康复", "文号", "2024-01-01", "2024-01-02", None, None, "新华路街道", ""],
        ["吴九", valid_id(), "汉族", "", "社区戒毒", "文号", "2024-02-01", "2024-01-02", None, 36, "新华路街道", ""],
    ]
    response = upload(client, book(rows))
    assert response.status_code == 422
    page = text_of(response)
    assert "表头在第 3 行" in page and "新增 2" in page and "跳过 1" in page and "有问题 5" in page
    errors = re.findall(r"<tr><td>第 (\d+) 行</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
                        response.get_data(as_text=True))
    by_row = {int(row): (column, reason) for row, column, reason in errors}
    assert by_row[7][0] == "B 列（身份证号）" and "校验位" in by_row[7][1]
    assert by_row[8][0] == "G 列（决定日期）" and "2023.13.45" in by_row[8][1]
    assert by_row[9][0] == "L 列（责任专干）" and "不存在的人" in by_row[9][1]
    assert by_row[10][0] == "J 列（期限（月））"
    assert by_row[11][0] == "H 列（送达日期）" and "不能早于决定日期" in by_row[11][1]
    assert "与第 4 行完全相同" in page
    assert "确认导入" not in page
    assert count(Person) == 0 and count(Case) == 0
    dry = audit_rows("ledger.dry_run")
    assert len(dry) == 1 and '"error": 5' in dry[0].detail and "sha256" in dry[0].detail


def test_clean_ledger_commits_every_row_with_its_case(client, login_as, users):
    login_as("lead")
    x_id = id_with_x()
    full_width = valid_id(birth=date(1988, 7, 1))
    rows = [
        ["张伟", x_id.lower() + " ", "汉", "13812345678", "社区戒毒", "筑南公（禁）社戒决字〔2024〕15号",
         "2024-03-01", "2024.3.5", "2024年3月12日", 36, "新华路街道 ", "测试worker"],
        ["李强  ", full_width.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}), "苗族", "", "社区康复",
         "筑南公（禁）社康决字〔2024〕3号", 45292, 45295, None, 24, "遵义路街道", ""],
    ]
    response = upload(client, book(rows))
    assert response.status_code == 200, text_of(response)
    assert count(Person) == 0  # a dry run changes nothing
    done = commit(client, response)
    assert done.status_code == 302
    assert "导入完成：新增 2 条" in text_of(client.get(done.headers["Location"]))

    @in_app
    def check():
        zhang = Person.get(Person.id_number == x_id)
        assert zhang.name == "张伟" and zhang.ethnicity == "汉族" and zhang.birth_date == date(1990, 3, 15)
        case = zhang.current_case()
        assert (case.served_date, case.report_date, case.status, case.street) == (
            date(2024, 3, 5), date(2024, 3, 12), "active", "新华路街道")
        assert case.worker_id is not None
        assert CaseEvent.select().where(CaseEvent.case == case.id, CaseEvent.action == "report").count() == 1
        li = Person.get(Person.id_number == full_width)
        assert li.name == "李强" and li.ethnicity == "苗族"
        assert (li.current_case().decision_date, li.current_case().status) == (date(2024, 1, 1), "pending_report")
    check()
    assert len(audit_rows("person.create")) == 2 and len(audit_rows("ledger.import")) == 1
    # the stored upload is gone: a second commit of the same token is refused
    again = commit(client, response)
    assert again.status_code == 302 and count(Person) == 2


def test_upsert_by_id_number_updates_only_filled_cells(client, login_as, users):
    login_as("officer")
    person = make_person("陈红", phone="13900000000", residence_address="旧住址")
    decision = "筑南公（禁）社戒决字〔2025〕%04d号" % person.id
    row = ["陈红", person.id_number, "", "13811112222", "社区戒毒", decision, "2025-01-02", "2025-01-05",
           "2025-01-10", 36, "新华路街道", ""]
    response = upload(client, book([row]))
    page = text_of(response)
    assert "更新 1" in page and "更新：联系电话" in page
    commit(client, response)

    @in_app
    def check():
        fresh = Person.get_by_id(person.id)
        assert fresh.phone == "13811112222" and fresh.residence_address == "旧住址" and fresh.version == 2
    check()
    # the same file again: nothing to do
    assert "跳过 1" in text_of(upload(client, book([row])))
    other = list(row)
    other[5] = "另一份决定书"
    refused = text_of(upload(client, book([other])))
    assert "已有在管案件" in refused
    namesake = ["陈红", valid_id(birth=person.birth_date)] + row[2:5] + ["新文号"] + row[6:]
    assert "已有同名、同出生日期的档案" in text_of(upload(client, book([namesake])))


def test_not_an_excel_file_and_missing_header(client, login_as, users):
    login_as("lead")
    response = upload(client, b"<html>not a sheet</html>", name="台账.xlsx")
    assert response.status_code == 422 and ".xlsx" in text_of(response)
    response = upload(client, book([["a", "b"]], headers=["甲", "乙"]))
    assert response.status_code == 422 and "找不到表头" in text_of(response)
    response = upload(client, book([["张三", "2024-01-01"]], headers=["姓名", "决定日期"]))
    assert "表头缺少必填列" in text_of(response) and "身份证号" in text_of(response)


def test_template_downloads_and_roles(client, login_as, users):
    login_as("worker")
    assert client.get("/imports/").status_code == 403
    assert client.get("/exports/persons").status_code == 403
    login_as("lead")
    for kind in ("persons", "screenings", "trainees"):
        response = client.get("/imports/template/%s.xlsx" % kind)
        book = load_workbook(io.BytesIO(response.data))
        sheet, guide = book.worksheets
        headers = [c.value for c in sheet[1]]
        assert headers[0].startswith("姓名") or headers[0].startswith("身份证号"), kind
        assert guide.title == "填写说明"
        empty = upload(client, response.data, kind=kind)
        assert "表头下面没有数据行" in text_of(empty), kind
    response = client.get("/imports/template/persons.xlsx")
    assert_downloads(response, "两社人员及案件导入模板.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    sheet, guide = book.worksheets
    assert sheet["A1"].value == "姓名 *" and sheet["B1"].value == "身份证号 *"
    assert sheet["B2"].number_format == "@" and sheet["D2"].number_format == "@"  # ID and phone stay text
    assert any("社区戒毒" in v.formula1 for v in sheet.data_validations.dataValidation)
    # the example row on the guide sheet is a valid ledger row
    example = [row for row in guide.iter_rows(values_only=True) if row and row[0] == "张某某"][0]
    sheet.append(list(example)[:-2] + ["", ""])  # without the staff names, which this station lacks
    out = io.BytesIO()
    book.save(out)
    plan = upload(client, out.getvalue())
    assert plan.status_code == 200 and "新增 1" in text_of(plan), text_of(plan)


def test_screenings_ledger_with_follow_through(client, login_as, users):
    login_as("lead")
    person = make_person("刘洋")
    rows = [[person.id_number, "刘洋", 45700, "尿检", "现场", "阴性"],
            [person.id_number, "刘洋", "2025.3.1", "尿液", "现场检测", "拒检"],
            [person.id_number, "刘洋", "2025-03-08", "尿液", "", "阳性"],
            [valid_id(), "无此人", "2025-03-08", "尿液", "", "阴性"],
            [person.id_number, "刘阳", "2025-03-09", "尿液", "", "阴性"]]
    data = book(rows, headers=["身份证号", "姓名", "检测日期", "样本", "检测方式", "检测结果"])
    page = text_of(upload(client, data, kind="screenings"))
    assert "逐条录入" in page and "请先导入人员台账" in page and "姓名与系统中" in page and "有问题 3" in page
    response = upload(client, book(rows[:2], headers=["身份证号", "姓名", "检测日期", "样本", "检测方式", "检测结果"]),
                      kind="screenings")
    commit(client, response, kind="screenings")

    @in_app
    def check():
        assert Screening.select().where(Screening.person == person.id).count() == 2
        assert Breach.select().where(Breach.person == person.id, Breach.kind == "refusal").count() == 1
    check()
    again = upload(client, book(rows[:2], headers=["身份证号", "姓名", "检测日期", "样本", "检测方式", "检测结果"]),
                   kind="screenings")
    assert "跳过 2" in text_of(again)


def test_trainee_ledger(client, login_as, users):
    login_as("lead")
    data = book([["陈志愿", "志愿者", "新华路社区", "13900001111", "2024/1/10"],
                 ["黄专干", "专干", "", "", ""],
                 ["某某", "居民", "", "", ""]], headers=["姓名", "人员类型", "单位", "联系电话", "加入日期"])
    page = text_of(upload(client, data, kind="trainees"))
    assert "有问题 1" in page and "人员类型应为" in page
    response = upload(client, book([["陈志愿", "志愿者", "新华路社区", "13900001111", "2024/1/10"]],
                                   headers=["姓名", "人员类型", "单位", "联系电话", "加入日期"]), kind="trainees")
    commit(client, response, kind="trainees")
    assert count(Trainee) == 1


def assert_downloads(response, filename):
    """A download whose header every WSGI server can send: latin-1 only, the name RFC 5987-encoded."""
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")
    assert header.startswith("attachment") and "filename*=UTF-8''" + quote(filename) in header
    assert response.headers["Cache-Control"] == "private, no-store"


def export(client, kind, reason="向区禁毒办报送季度台账", query="", **extra):
    return client.post("/exports/%s%s" % (kind, query), data={"reason": reason, **extra})


def cells(response):
    sheet = load_workbook(io.BytesIO(response.data)).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def test_export_is_masked_neutralised_audited_and_leaves_out_children(client, login_as, users):
    login_as("officer")
    make_person("=HYPERLINK(\"http://evil.example/\",\"点我\")", employment="+1+2")
    make_person("王小明", birth_date=date(2014, 6, 1))
    make_person("张三", phone="13812345678")
    assert client.get("/exports/persons?status=all").status_code == 200
    refused = export(client, "persons", reason="")
    assert refused.status_code == 422 and "请填写事由" in text_of(refused)
    response = export(client, "persons", query="?status=all", unmasked="y")  # officers cannot unmask
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_downloads(response, "两社人员台账-20261120.xlsx")
    sheet, rows = cells(response)
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert not FULL_ID.search(flat) and "138****5678" in flat
    assert "王小明" not in flat and "未满 18 周岁人员 1 人次未导出" in rows[0][0]
    assert sheet.column_dimensions["D"].width >= 20  # the ID column fits its numbers
    formula = next(c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert formula.data_type == "s" and formula.value.startswith("'=")
    assert any(c.value == "'+1+2" for row in sheet.iter_rows() for c in row)
    [entry] = audit_rows("list.export")
    assert entry.reason == "向区禁毒办报送季度台账" and '"rows": 2' in entry.detail and '"unmasked": false' in entry.detail
    assert len(audit_rows("person.export")) == 2


def test_lead_export_round_trips_through_import(client, login_as, users):
    login_as("lead")
    worker = users["worker"]
    for name in ("甲一", "乙二", "丙三"):
        make_person(name, worker=worker.id, phone="13800000001")
    response = export(client, "persons", unmasked="y")
    _, rows = cells(response)
    assert FULL_ID.search(" ".join(str(v) for v in rows[2]))
    assert '"unmasked": true' in audit_rows("list.export")[0].detail
    plan = upload(client, response.data)
    page = text_of(plan)
    assert plan.status_code == 200 and "跳过 3" in page and "有问题 0" in page, page


def test_every_list_exports(client, login_as, users):
    login_as("lead")
    person = make_person("何平")
    client.post("/persons/%d/talks" % person.id, data={
        "held_at": "2026-11-20T09:30", "place": "sunshine", "kind": "routine", "topics": ["thoughts"],
        "assessment": "stable", "signature": "signed"})
    for kind, query in (("persons", ""), ("screenings", ""), ("talks", ""), ("visits", ""), ("assistance", ""),
                        ("attendance", "?year=2026"), ("events", "?year=2026")):
        response = export(client, kind, query=query)
        assert response.status_code == 200, kind
        _, rows = cells(response)
        assert rows[1][0] in ("姓名", "培训日期", "日期"), kind
    assert client.get("/exports/unknown").status_code == 404
    assert 'name="unmasked"' in client.get("/exports/persons").get_data(as_text=True)
    assert 'name="unmasked"' not in client.get("/exports/attendance?year=2026").get_data(as_text=True)


def test_a_change_after_the_dry_run_is_caught_at_commit(client, login_as, users, app):
    login_as("lead")
    row = ["张伟", valid_id(), "汉族", "", "社区戒毒", "筑南公（禁）社戒决字〔2024〕15号", "2024-03-01", "2024-03-05",
           "", 36, "新华路街道", "测试worker"]
    response = upload(client, book([row]))
    assert response.status_code == 200
    plans = list((Path(app.config["DATABASE"]).parent / "imports").glob("*.plan.json"))
    assert len(plans) == 1
    in_app(lambda: User.update(display_name="王专干").where(User.id == users["worker"].id).execute())()
    refused = commit(client, response)
    assert refused.status_code == 409 and "系统中没有名为“测试worker”的专干账户" in text_of(refused)
    assert count(Person) == 0
    in_app(lambda: User.update(display_name="测试worker").where(User.id == users["worker"].id).execute())()
    assert commit(client, upload(client, book([row]))).status_code == 302 and count(Person) == 1
    # the committed upload and its plan are gone, and so is the refused one (nothing can be committed from it)
    assert list(plans[0].parent.iterdir()) == []


def test_the_screening_ledger_round_trips(client, login_as, users):
    login_as("lead")
    person = make_person("钱进")

    @in_app
    def tests():
        case = person.current_case()
        for day, result in ((date(2026, 9, 1), "negative"), (date(2026, 10, 1), "positive")):
            Screening.create(person=person, case=case, staff=users["worker"].id, tested_on=day, result=result,
                             positive_panels="meth" if result == "positive" else "", sample_a="A1", sample_b="B1")
    tests()
    exported = export(client, "screenings", unmasked="y")
    plan = upload(client, exported.data, kind="screenings")
    assert plan.status_code == 200 and "跳过 2" in text_of(plan) and "有问题 0" in text_of(plan)


def test_on_a_leap_day_the_age_limit_still_holds(client, auth, clock):
    """29 February 2028: someone born 28 February 2010 turned 18 yesterday; born 1 March 2010 is 17."""
    clock.now = datetime(2028, 2, 29, 2, 0)  # UTC; 10:00 at the station
    make_person("满十八", birth_date=date(2010, 2, 28))
    make_person("差一天", birth_date=date(2010, 3, 1))
    make_user("officer", username="minzheng")
    assert auth.login("minzheng").status_code == 302
    response = export(client, "persons", query="?status=all")
    assert response.status_code == 200
    flat = " ".join(str(v) for row in cells(response)[1] for v in row if v is not None)
    assert "满十八" in flat and "差一天" not in flat and "未满 18 周岁人员 1 人次未导出" in flat
