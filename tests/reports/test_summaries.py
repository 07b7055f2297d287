"""Case summary PDFs: profiles, sections, safe rendering, audit; batch printing with progress.

PDFs are read back with pdftotext and pdffonts (poppler-utils)."""
import io
import logging
import pathlib
import re
import subprocess
import time
import zipfile
from datetime import date

import pytest
from factories import in_app, make_family, make_person, make_talk, make_user

from portal import pdf
from portal.models import AuditLog, Case, HomeVisit, Person, PrintJob, Screening
from portal.reports import summaries

ALL_SECTIONS = [key for key in summaries.SECTIONS if key != "counselling"]  # all an officer may print
FULL_ID = re.compile(r"\d{17}[\dX]")


def text_of_pdf(data):
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout \
        .decode("utf-8")


def fonts_of_pdf(data, tmp_path):
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def story(users):
    """A person with a phone, addresses, a guardian, a screening, a breach and a talk."""
    person = make_person("罗秀英", worker=users["worker"].id, male=False, phone="13912345678",
                         household_address="贵州省贵阳市南明区新华路12号", residence_address="贵阳市南明区花果园大街8号3栋")
    make_family(person, name="罗雨涵", relation="女儿", is_guardian=True, phone="13800001111")
    make_family(person, name="罗建国", relation="父亲", phone="13800002222")
    in_app(lambda: Screening.create(person=person, case=person.current_case(), staff=users["officer"].id,
                                    tested_on=date(2026, 11, 2), result="negative", collectors="李明、陈丽",
                                    police_station="新华路派出所"))()
    return person


def print_pdf(client, person, profile, sections=ALL_SECTIONS):
    response = client.post("/persons/%d/print" % person.id, data={"profile": profile, "sections": sections})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.headers["Cache-Control"] == "no-store"
    return response.data


def test_full_profile_holds_every_section_and_never_the_full_id(client, users, login_as, story, caplog, tmp_path):
    login_as("officer")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = print_pdf(client, story, "full")
    text = text_of_pdf(data)
    for key in ALL_SECTIONS:
        assert summaries.SECTIONS[key] in text
    assert "罗秀英" in text and "13912345678" in text and "罗建国" in text and "新华路派出所" in text
    assert "内部资料 注意保密" in text and re.search(r"第\s*1\s*页\s*/\s*共", text) and "打印于" in text and "驻站民警" in text
    assert not FULL_ID.search(text) and story.id_number[:6] + "********" in text
    fonts = fonts_of_pdf(data, tmp_path)
    assert "Noto-Sans-CJK-SC" in fonts and "Type 3" not in fonts
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]


def test_a_record_prints_as_one_row_with_its_facts_joined_by_column(client, users, login_as, story):
    """A fact prints as its label and value on one line; screenings, talks and visits one row each, related
    facts sharing a column (方式/样本 …)."""
    in_app(lambda: Screening.create(person=story, case=story.current_case(), staff=users["officer"].id,
                                    tested_on=date(2026, 11, 9), kind="lab", sample="hair", random=True,
                                    result="negative", collectors="王芳", police_station=""))()
    make_talk(story, users["worker"].id, place="phone", kind="after_breach", assessment="fluctuating",
              topics="thoughts,law", actions="每周电话联系")
    in_app(lambda: HomeVisit.create(person=story, staff=users["worker"].id, visited_on=date(2026, 10, 30),
                                    visitors="陈丽", address="花果园", found_at_home=False, anomalies="lost",
                                    actions="报告派出所"))()
    login_as("officer")
    rows = [" ".join(line.split()) for line in text_of_pdf(print_pdf(client, story, "full")).splitlines()]
    for row in ("姓名 罗秀英", "联系电话 13912345678", "日期 方式/样本 结果 采样人员/派出所", "2026-11-09 实验室检测·随机·毛发 阴性 王芳",
                "2026-11-02 现场检测·尿液 阴性 李明、陈丽·新华路派出所", "时间 地点/类型/评估 内容 约定事项",
                "2026-10-20 电话·违约后·波动 思想动态、法律教育 每周电话联系", "日期 是否在家/异常情况 处置措施",
                "2026-10-30 不在家·失联 报告派出所"):
        assert row in rows, row
    login_as("worker")
    rows = [" ".join(line.split()) for line in text_of_pdf(print_pdf(client, story, "working")).splitlines()]
    assert "日期 方式/样本 结果" in rows and "2026-11-02 现场检测·尿液 阴性" in rows  # no collectors, no station
    login_as("officer")
    rows = [" ".join(line.split()) for line in text_of_pdf(print_pdf(client, story, "redacted")).splitlines()]
    assert "2026-10-20 电话·违约后·波动 思想动态、法律教育" in rows and "2026-10-30 不在家·失联" in rows


def test_working_copy_keeps_the_guardian_only(client, users, login_as, story):
    login_as("worker")
    text = text_of_pdf(print_pdf(client, story, "working"))
    assert "工作副本" in text and "罗雨涵" in text and "罗建国" not in text
    assert "新华路12号" not in text  # no household address


def test_redacted_profile_names_nobody(client, users, login_as, story):
    login_as("officer")
    text = text_of_pdf(print_pdf(client, story, "redacted"))
    case = in_app(story.current_case)()
    assert case.code in text and "会议脱敏版" in text
    for secret in ("罗秀英", "罗雨涵", "13912345678", "花果园大街", "新华路12号", case.decision_number, "新华路街道"):
        assert secret not in text, secret
    assert "贵阳市南明区****" in text and not FULL_ID.search(text)


def test_sections_are_chosen_at_print_time_and_audited(client, users, login_as, story):
    login_as("officer")
    text = text_of_pdf(print_pdf(client, story, "full", ["identity", "screenings"]))
    assert "检测记录" in text and "面对面谈话" not in text and "风险评估" not in text
    row = in_app(lambda: AuditLog.select().where(AuditLog.action == "person.print").get())()
    assert row.person_id == story.id and '"profile": "full"' in row.detail and "screenings" in row.detail


def test_profiles_and_roles(client, users, login_as, story):
    login_as("worker")
    refused = client.post("/persons/%d/print" % story.id, data={"profile": "full", "sections": ALL_SECTIONS})
    assert refused.status_code == 422 and in_app(AuditLog.select().where(AuditLog.action == "person.print").count)() == 0
    theirs = make_person("李四", worker=users["worker2"].id)
    assert client.get("/persons/%d/print" % theirs.id).status_code == 404
    nothing = client.post("/persons/%d/print" % story.id, data={"profile": "working", "sections": []})
    assert nothing.status_code == 422 and "请至少选择一项打印内容" in nothing.get_data(as_text=True)
    login_as("counsellor")
    assert client.get("/persons/%d/print" % story.id).status_code == 403


def test_typed_markup_prints_as_text_and_fetches_nothing(app, users):
    """A name like <img src="file:///etc/passwd"> is text in the PDF; the fetcher is asked for nothing
    (SECURITY.md W8)."""
    hostile = '<img src="file:///etc/passwd"><link rel=stylesheet href="http://example.com/x.css">'
    person = make_person(hostile, notes='<iframe src="file:///etc/shadow">')
    with app.test_request_context():
        fetcher = pdf.new_fetcher()
        data = summaries.render_summary(Person.get_by_id(person.id), "full", ALL_SECTIONS,
                                        make_user.__wrapped__("officer"), fetcher)
        text = text_of_pdf(data)
        assert '<img src="file:///etc/passwd">' in text.replace("\n", "")
        assert "root:" not in text
        assert fetcher.requested == []  # print.css comes parsed (pdf.paper_sheet): a summary fetches nothing
        # and a document that does ask for a file gets nothing
        probe = pdf.new_fetcher()
        pdf.render('<html><body><img src="file:///etc/passwd"><img src="https://example.com/a.png"></body></html>',
                   probe)
        assert probe.requested == ["file:///etc/passwd", "https://example.com/a.png"]


def wait_for(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = in_app(PrintJob.get_by_id)(job_id)
        if job.status != "running":
            return job
        time.sleep(0.2)
    raise AssertionError("the batch did not finish")


def start_batch(client, **form):
    data = {"measure": "", "status": "current", "worker": "0", "profile": "redacted",
            "sections": ["identity", "case"], "output": "zip", **form}
    response = client.post("/print/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_batch_reaches_n_downloads_once_and_cleans_up(app, client, users, login_as):
    for i in range(4):
        make_person("批量%d" % i, worker=users["worker"].id)
    make_person("别人的", worker=users["worker2"].id)
    login_as("worker")
    job_id = start_batch(client)
    page = client.get("/print/%d" % job_id, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "/ 4 份" in page
    job = wait_for(job_id)
    assert job.status == "done" and job.done == job.total == 4  # only the worker's own persons
    done = client.get("/print/%d" % job_id, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "every 1s" not in done and "下载" in done
    response = client.get("/print/%d/download" % job_id)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == 4 and all(n.endswith(".pdf") and "批量" not in n for n in names)  # redacted names
    assert not list(pathlib.Path(app.config["PRINT_DIR"]).iterdir())  # the file left with the download
    again = client.get("/print/%d/download" % job_id)
    assert again.status_code == 302 and in_app(PrintJob.get_by_id)(job_id).status == "downloaded"
    prints = in_app(lambda: list(AuditLog.select().where(AuditLog.action == "person.print")))()
    assert len(prints) == 4 and all('"batch": %d' % job_id in row.detail for row in prints)


def test_a_merged_pdf_keeps_each_summary_and_its_page_numbers(app, client, users, login_as):
    for i in range(3):
        make_person("合并%d" % i)
    login_as("officer")
    job = wait_for(start_batch(client, output="pdf", profile="full"))
    data = client.get("/print/%d/download" % job.id).data
    text = text_of_pdf(data)
    assert all("合并%d" % i in text for i in range(3)) and len(re.findall(r"第\s*1\s*页\s*/\s*共", text)) == 3


def test_a_batch_can_be_cancelled(app, client, users, login_as):
    for i in range(12):
        make_person("取消%02d" % i)
    login_as("officer")
    job_id = start_batch(client, profile="full", sections=ALL_SECTIONS)
    response = client.post("/print/%d/cancel" % job_id, headers={"HX-Request": "true"})
    assert "已取消" in response.get_data(as_text=True)
    job = wait_for(job_id)
    time.sleep(1)  # the thread notices at the next person and stops
    assert job.status == "cancelled" and in_app(PrintJob.get_by_id)(job_id).done < 12
    assert client.get("/print/%d/download" % job_id).status_code == 302
    assert not list(pathlib.Path(app.config["PRINT_DIR"]).iterdir())  # nothing of it stays on disk


def test_others_cannot_see_a_batch(client, users, login_as):
    make_person("甲")
    login_as("officer")
    job_id = start_batch(client)
    wait_for(job_id)
    login_as("lead")
    assert client.get("/print/%d" % job_id).status_code == 404
    assert client.get("/print/%d/download" % job_id).status_code == 404


def test_a_merged_pdf_is_refused_beyond_its_limit(client, users, login_as, monkeypatch):
    from portal.reports import printing
    monkeypatch.setattr(printing, "MAX_MERGED", 2)
    for i in range(3):
        make_person("上限%d" % i)
    login_as("officer")
    response = client.post("/print/", data={"status": "current", "worker": "0", "profile": "full",
                                            "sections": ["identity"], "output": "pdf"})
    assert response.status_code == 422 and "最多 2 人" in response.get_data(as_text=True)
    assert in_app(PrintJob.select().count)() == 0


def test_a_job_whose_thread_is_gone_is_marked_failed(client, users, login_as):
    """After a restart no thread renders a "running" job: its page says so instead of polling forever."""
    login_as("officer")
    job = in_app(lambda: PrintJob.create(user=users["officer"].id, profile="full", sections="identity",
                                         output="zip", person_ids="1", total=1, file_name="x"))()
    page = client.get("/print/%d" % job.id, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "服务曾重启" in page and "every 1s" not in page
    assert in_app(PrintJob.get_by_id)(job.id).status == "failed"


def test_the_counselling_summary_prints_for_workers_never_for_officers(client, users, login_as, story, tmp_path):
    in_app(lambda: Case.update(counsellor=users["counsellor"].id).execute())()
    login_as("counsellor")
    client.post("/persons/%d/counselling/" % story.id, data={
        "held_on": "2026-11-10", "mode": "family", "concerns": "0", "presenting": ["parenting"],
        "summary": "亲子沟通改善", "notes": "NOTE-CANARY 私密"})
    login_as("officer")
    refused = client.post("/persons/%d/print" % story.id, data={"profile": "full", "sections": ["counselling"]})
    assert refused.status_code == 422
    login_as("worker")
    text = text_of_pdf(print_pdf(client, story, "working", ["counselling", "assistance"]))
    assert "心理疏导摘要" in text and "亲子沟通改善" in text and "NOTE-CANARY" not in text


def test_redacted_copy_shows_only_the_district_never_a_cut_of_the_street(client, users, login_as):
    """The district by the anonymisation rule (retention.district_of); a street-first address is hidden whole."""
    street_first = make_person("王小二", worker=users["worker"].id, residence_address="新华路12号3栋（近农贸市场）5楼502")
    long_street = make_person("王小三", worker=users["worker"].id, residence_address="南明区新华路12号3栋（近农贸市场）5楼502")
    login_as("officer")
    text = text_of_pdf(print_pdf(client, street_first, "redacted"))
    assert "（地址已隐去）" in text
    for leak in ("新华", "12号", "农贸", "502"):
        assert leak not in text, leak
    text = text_of_pdf(print_pdf(client, long_street, "redacted"))
    assert "南明区****" in text and "新华" not in text and "农贸" not in text
    assert summaries.mask_address("贵州省贵阳市云岩区中华北路1号") == "贵州省贵阳市云岩区****"
    assert summaries.mask_address("新华路12号3栋（近农贸市场）5楼502") == "（地址已隐去）"


def test_at_most_two_documents_render_at_once_and_the_others_wait(app):
    """Six prints asked together: every one is made, never more than pdf.AT_ONCE laid out or written at once."""
    import threading

    html = "<html lang='zh-CN'><body>" + "<p>社区戒毒人员操守保持情况良好。</p>" * 400 + "</body></html>"
    pdf.busy["most"] = 0
    made = []
    threads = [threading.Thread(target=lambda: made.append(pdf.render(html))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 6 and all(data.startswith(b"%PDF") for data in made)
    assert pdf.busy["most"] == pdf.AT_ONCE == 2 and pdf.busy["now"] == 0
    # six threads, yet the fonts (tens of MB each) were loaded for the two turns only, and are kept
    assert 1 <= len(pdf._fonts) <= pdf.AT_ONCE
    kept = list(pdf._fonts)
    assert pdf.render(html).startswith(b"%PDF") and all(any(f is k for k in kept) for f in pdf._fonts)
