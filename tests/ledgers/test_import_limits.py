"""Imports that never block the station (issue 17, item 3): the sheet's size is checked before any row is
read, the commit writes in short transactions while others save, and uploads do not linger."""
import io
import os
import re
import threading
import time
from pathlib import Path

from factories import PASSWORD, in_app, make_person, make_user, talk_form
from openpyxl import Workbook

from portal.ledgers import batches, imports, sheets
from portal.models import AuditLog, Talk, Trainee

HX = {"HX-Request": "true"}


def trainee_book(count, extra=None):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "人员类型", "单位", "联系电话"])
    for n in range(count):
        ws.append(["培训人员%05d" % n, "志愿者", "新华路社区", "139%08d" % n])
    if extra:
        row, column, value = extra
        ws.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, kind="trainees"):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), "名册.xlsx")},
                       content_type="multipart/form-data")


def token_of(response):
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)


def imports_folder(app):
    return Path(app.config["DATABASE"]).parent / "imports"


def test_a_value_in_column_xfd_is_refused_before_any_row_is_read(client, login_as, app):
    login_as("lead")
    data = trainee_book(5000, extra=(5000, 16384, "x"))
    assert len(data) < 120_000
    started = time.perf_counter()
    response = upload(client, data)
    took = time.perf_counter() - started
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "到第 5001 行、XFD 列，超过导入上限（最多 30000 行、100 列）" in body, body
    assert took < 5  # reading it would pad 5,000 rows to 16,384 columns (11-19 s, 600 MB)
    assert list(imports_folder(app).iterdir()) == []


def test_the_column_limit_has_two_sides(client, login_as):
    login_as("lead")
    assert upload(client, trainee_book(3, extra=(2, sheets.MAX_COLUMNS, "备注"))).status_code == 200
    refused = upload(client, trainee_book(3, extra=(2, sheets.MAX_COLUMNS + 1, "备注")))
    assert refused.status_code == 422 and "CW 列，超过导入上限" in refused.get_data(as_text=True)


def test_too_many_rows_are_refused_from_the_stated_size(client, login_as):
    login_as("lead")
    kept = upload(client, trainee_book(3, extra=(sheets.MAX_ROWS, 1, "培训人员末行")))
    assert "超过导入上限" not in kept.get_data(as_text=True) and "第 30000 行" in kept.get_data(as_text=True)
    refused = upload(client, trainee_book(3, extra=(sheets.MAX_ROWS + 1, 1, "培训人员末行")))
    assert refused.status_code == 422 and "到第 30001 行" in refused.get_data(as_text=True)


def test_rows_past_a_missing_size_are_still_refused(app):
    """A generator that writes no `<dimension>`: the rows are counted as they are read."""
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "人员类型"])
    ws.cell(row=sheets.MAX_ROWS + sheets.HEADER_SCAN_ROWS + 5, column=1, value="末行")
    out = io.BytesIO()
    wb.save(out)
    book = sheets.open_workbook(out.getvalue())
    sheet = book.worksheets[0]
    sheet._max_row = sheet._max_column = None  # as if the file stated no size
    try:
        sheets.rows_of(sheet, {"name": ("姓名",), "kind": ("人员类型",)})
    except sheets.SheetError as exc:
        assert "超过 30000 行" in str(exc)
    else:
        raise AssertionError("not refused")


def test_a_20000_row_import_lets_a_colleague_save_talks_meanwhile(app, client, login_as, users):
    """The import commits in short transactions: a worker's saves in another thread all go through."""
    app.config["IMPORT_BATCH_SECONDS"] = 0.1
    login_as("lead")
    person = make_person("谈话对象", worker=users["worker"].id)
    plan = upload(client, trainee_book(20000))
    assert plan.status_code == 200 and "新增 <strong>20000</strong>" in plan.get_data(as_text=True)
    worker = app.test_client()
    assert worker.post("/login", data={"username": "worker", "password": PASSWORD}).status_code == 302
    result = {}

    def run_import():
        result["response"] = client.post("/imports/commit", data={"kind": "trainees", "token": token_of(plan)})

    thread = threading.Thread(target=run_import)
    thread.start()
    statuses = []
    while thread.is_alive() or not statuses:
        statuses.append(worker.post("/persons/%d/talks/" % person.id, headers=HX,
                                    data=talk_form(participants="导入期间%d" % len(statuses))).status_code)
    thread.join()
    assert result["response"].status_code == 302
    assert set(statuses) == {200}, statuses
    counts = in_app(lambda: (Trainee.select().count(), Talk.select().count(),
                             AuditLog.select().where(AuditLog.action == "trainee.create").count(),
                             AuditLog.get(AuditLog.action == "ledger.import")))()
    assert counts[:3] == (20000, len(statuses), 20000)
    assert '"create": 20000' in counts[3].detail and counts[3].outcome == "ok"
    assert list(imports_folder(app).iterdir()) == []  # the upload and its plan are gone after the commit


def test_a_save_between_two_transactions_makes_the_commit_plan_the_rest_again(app):
    """The fingerprint is checked at the start of each transaction; the new plan skips the rows written."""
    ledger = imports.LEDGERS["trainees"]
    data = trainee_book(3)
    with app.test_request_context():
        lead = make_user("lead", username="daoru")
        state = ledger.state()
        plan = ledger.read(data)
        Trainee.create(name="另一位", kind="volunteer")  # a colleague's save after the plan was made
        done, longest = {}, [0.0]
        try:
            batches.write(ledger, plan, state, lead, {}, done, longest)
        except batches.Changed:
            pass
        else:
            raise AssertionError("the change was not noticed")
        assert done == {} and Trainee.select().count() == 1
        batches.write(ledger, plan, ledger.state(), lead, {}, done, longest)
        assert sorted(done.values()) == ["create"] * 3 and longest[0] > 0
        again = ledger.read(data, written=done)
        assert [row.action for row in again.rows] == ["skip"] * 3


def test_abandoning_a_dry_run_deletes_the_upload(client, login_as, app):
    login_as("lead")
    plan = upload(client, trainee_book(2))
    assert len(list(imports_folder(app).iterdir())) == 2  # the upload and its plan
    assert client.post("/imports/abandon", data={"kind": "trainees", "token": token_of(plan)}).status_code == 302
    assert list(imports_folder(app).iterdir()) == []
    assert in_app(lambda: AuditLog.select().where(AuditLog.action == "ledger.abandon").count())() == 1


def test_the_sweep_deletes_uploads_older_than_an_hour(client, login_as, app, runner):
    login_as("lead")
    upload(client, trainee_book(2))
    files = sorted(imports_folder(app).iterdir())
    old = time.time() - 3601
    os.utime(files[0], (old, old))  # the upload an hour old, its plan just under
    os.utime(files[1], (old + 2, old + 2))
    result = runner.invoke(args=["sweep"])
    assert "删除过期的导入文件 1 个" in result.output, result.output
    assert [p.name for p in imports_folder(app).iterdir()] == [files[1].name]


def test_a_stop_part_way_keeps_what_was_written_and_the_same_file_resumes(app, client, login_as):
    """A row that clashes while writing (here a trigger refuses it) stops the import after the rows before it;
    the page says how many were written, and committing the file again writes the rest, skipping those."""
    from portal.db import database
    app.config["IMPORT_BATCH_SECONDS"] = 0  # one row per transaction
    login_as("lead")
    plan = upload(client, trainee_book(4))
    in_app(lambda: database.execute_sql(
        "CREATE TRIGGER clash BEFORE INSERT ON trainee WHEN NEW.name = '培训人员00002' "
        "BEGIN SELECT RAISE(ABORT, 'clash'); END"))()
    stopped = client.post("/imports/commit", data={"kind": "trainees", "token": token_of(plan)})
    body = " ".join(stopped.get_data(as_text=True).split())
    assert stopped.status_code == 409
    assert "导入未完成：第 4 行（培训人员00002）与刚刚保存的数据冲突。已写入 2 行（新增 2，更新 0）" in body, body[:3000]
    assert in_app(lambda: Trainee.select().count())() == 2
    partial = in_app(lambda: AuditLog.get(AuditLog.action == "ledger.import"))()
    assert partial.outcome == "failed" and '"create": 2' in partial.detail and "冲突" in partial.detail
    in_app(lambda: database.execute_sql("DROP TRIGGER clash"))()
    resumed = client.post("/imports/commit", data={"kind": "trainees", "token": token_of(stopped)},
                          follow_redirects=True)
    assert "导入完成：新增 2 条，更新 0 条，跳过 2 条" in resumed.get_data(as_text=True)
    assert in_app(lambda: Trainee.select().count())() == 4


def test_a_last_header_merged_down_from_the_row_above_is_still_found(app):
    """Rows are read with trailing blanks cut: a header cell merged down over two rows (its text in the upper
    row, the lower one blank) at the right-hand end still names its column."""
    wb = Workbook()
    ws = wb.active
    ws.append(["培训人员名册"])
    ws.append(["基本信息", None, "人员类型"])
    ws.append(["姓名", "单位"])
    ws.merge_cells("C2:C3")
    ws.append(["陈某", "新华路社区", "志愿者"])
    out = io.BytesIO()
    wb.save(out)
    sheet = sheets.open_workbook(out.getvalue()).worksheets[0]
    header, columns, body = sheets.rows_of(sheet, {"name": ("姓名",), "unit": ("单位",), "kind": ("人员类型",)})
    assert header == 3 and columns == {"name": 0, "unit": 1, "kind": 2}
    assert body == [(4, ["陈某", "新华路社区", "志愿者"])]
