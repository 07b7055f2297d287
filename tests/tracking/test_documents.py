"""The papers of the tracking file, printed from their records (portal/tracking/documents.py): the
agreement for signature, the release notice, the record of a 批评教育 and the report to the police.

Each PDF is rendered for real and read back with pdftotext (and once with pdffonts)."""
import logging
import re
import subprocess
from datetime import date
from urllib.parse import unquote

import pytest
from factories import in_app, make_person, make_user

from portal.dates import utcnow
from portal.models import Agreement, AuditLog, Breach, Case, CaseEvent, Incident, ReleaseNotice, Screening
from portal.tracking import breaches

FULL_ID = re.compile(r"\d{17}[\dX]")


def text_of_pdf(data):
    """The PDF's text with all white space removed (table cells and line breaks split phrases)."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return "".join(text.decode("utf-8").split())


def fonts_of_pdf(data, tmp_path):
    path = tmp_path / "paper.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


def download(client, url):
    """The PDF a print link sends, and its Chinese download name."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf" and response.headers["Cache-Control"] == "no-store"
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", response.headers["Content-Disposition"]).group(1))
    return response.data, name


def printed(action):
    """The audit rows of one kind of print: (object id, person id)."""
    return in_app(lambda: [(r.object_id, r.person_id) for r in AuditLog.select().where(AuditLog.action == action)])()


@pytest.fixture
def person(users):
    return make_person("罗秀英", worker=users["worker"].id, counsellor=users["counsellor"].id, male=False,
                       residence_address="贵阳市南明区花果园大街8号3栋")


@in_app
def agreement(person, staff, **values):
    case = person.current_case()
    return Agreement.create(case=case.id, edition=values.pop("edition", 1), signed_on=date(2025, 1, 12), staff=staff,
                            measures="每月尿检一次，每月谈话一次", obligations="不得吸毒；外出须报告",
                            liability="违反协议的予以批评教育", **values)


@in_app
def release(person, staff, on=date(2026, 11, 10)):
    case = person.current_case()
    CaseEvent.create(case=case.id, action="release", from_status="active", to_status="released", on=on,
                     document_number="筑南公（禁）解社戒字〔2026〕0012号")
    Case.update(status="released").where(Case.id == case.id).execute()
    return ReleaseNotice.create(case=case.id, sent_on=date(2026, 11, 13), recipient="新华路街道办事处",
                                document_number="南社戒解通〔2026〕12号", staff=staff)


@in_app
def breach(person, educated=True, **values):
    case = person.current_case()
    if educated:
        values = {"educated_on": date(2026, 10, 3), "education": "当面批评教育，讲明第二十条后果，本人表示改正", **values}
    return Breach.create(person=person.id, case=case.id, **{"kind": "missed_talk", "occurred_on": date(2026, 10, 1),
                                                           "description": "无故未参加十月例行谈话", **values})


@in_app
def refusals(person, staff, days):
    case = person.current_case()
    for day in days:
        Screening.create(person=person.id, case=case.id, staff=staff, tested_on=day, result="refused",
                         collectors="李明、陈丽")
        Breach.create(person=person.id, case=case.id, kind="refusal", occurred_on=day, staff=staff)
    counts = breaches.counters_of(case.id)
    return Incident.create(person=person.id, case=case.id, kind="serious_breach", occurred_on=days[-1],
                           detail=breaches.describe(counts))


@pytest.mark.parametrize("credited, end", [(0, "2028-01-10"), (31, "2027-12-10")])
def test_the_agreement_prints_the_parties_the_term_the_law_and_lines_to_sign(client, users, login_as, person, credited,
                                                                             end, caplog, tmp_path):
    in_app(lambda: Case.update(credited_days=credited).where(Case.person == person.id).execute())()
    row = agreement(person, users["worker"].id)
    login_as("worker")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data, name = download(client, "/agreements/%d/agreement.pdf" % row.id)
    text = text_of_pdf(data)
    assert name == "社区戒毒协议书-第1版-罗秀英.pdf"
    assert "社区戒毒协议书" in text and "第1版" in text and "罗秀英" in text and "女" in text
    assert person.id_number[:6] + "********" + person.id_number[-4:] in text and not FULL_ID.search(text)
    assert "贵阳市南明区花果园大街8号3栋" in text and "新华路街道" in text
    assert "送达日期2025-01-05" in text and "报到日期2025-01-10" in text and "预计期满" + end in text
    assert "《戒毒条例》第十六条" in text and "3日以上的，须事先书面报告" in text  # 19
    assert "逃避或者拒绝接受检测3次以上" in text and "累计超过30日" in text and "第二十一条" in text  # 20, 21
    assert "每月尿检一次，每月谈话一次" in text and "不得吸毒；外出须报告" in text and "违反协议的予以批评教育" in text
    assert "签订日期2025-01-12" in text and "测试worker" in text
    assert "乙方（本人）签字" in text and "工作人员签字" in text and "日期" in text
    assert "打印于" in text and "内部资料注意保密" in text
    fonts = fonts_of_pdf(data, tmp_path)
    assert "Noto-Sans-CJK-SC" in fonts and "Type 3" not in fonts
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert printed("agreement.print") == [(row.id, person.id)]


def test_a_rehabilitation_agreement_cites_its_own_article(client, users, login_as):
    person = make_person("社康", measure="community_rehab")
    row = agreement(person, users["officer"].id, edition=2)
    login_as("officer")
    data, name = download(client, "/agreements/%d/agreement.pdf" % row.id)
    text = text_of_pdf(data)
    assert name == "社区康复协议书-第2版-社康.pdf"
    assert "社区康复协议书" in text and "第三十八条" in text and "第十六条" not in text and "第四十条" in text


@pytest.mark.parametrize("measure, title, article", [("community_detox", "解除社区戒毒通知书", "第二十三条"),
                                                      ("community_rehab", "解除社区康复通知书", "第四十条")])
def test_the_release_notice_names_who_when_its_number_and_the_office(client, users, login_as, measure, title,
                                                                     article):
    person = make_person("解除", measure=measure, worker=users["worker"].id)
    notice = release(person, users["worker"].id)
    login_as("worker")
    data, name = download(client, "/notices/%d/notice.pdf" % notice.id)
    text = text_of_pdf(data)
    assert name == title + "-解除.pdf"
    assert title in text and article in text and "解除" in text
    assert "南社戒解通〔2026〕12号" in text and "新华路街道办事处：" in text
    assert "已于2026-11-10期满解除" in text and "筑南公（禁）解社戒字〔2026〕0012号" in text
    assert "通知日期2026-11-13" in text and "经办人测试worker" in text and "2025-01-10报到" in text
    assert not FULL_ID.search(text)
    assert printed("notice.print") == [(notice.id, person.id)]


def test_the_education_record_prints_what_was_given_and_by_whom(client, users, login_as, person):
    row = breach(person, staff=users["officer"].id)
    login_as("officer")
    data, name = download(client, "/breaches/%d/education.pdf" % row.id)
    text = text_of_pdf(data)
    assert name == "批评教育记录-2026-10-01-罗秀英.pdf"
    assert "批评教育记录" in text and "罗秀英" in text and "无故不参加谈话/活动" in text
    assert "发生日期2026-10-01" in text and "无故未参加十月例行谈话" in text
    assert "日期2026-10-03" in text and "教育人测试officer" in text and "当面批评教育，讲明第二十条后果，本人表示改正" in text
    assert "被教育人签字" in text and "教育人签字" in text and "《禁毒法》第三十五条" in text
    assert printed("breach.print") == [(row.id, person.id)]


def test_a_breach_without_its_education_cannot_be_printed(client, users, login_as, person):
    pending, done = breach(person, educated=False), breach(person, kind="other")
    login_as("worker")
    refused = client.get("/breaches/%d/education.pdf" % pending.id)
    assert refused.status_code == 409 and "尚未记录批评教育" in refused.get_data(as_text=True)
    assert printed("breach.print") == []
    page = client.get("/persons/%d/tracking" % person.id).get_data(as_text=True)
    assert "/breaches/%d/education.pdf" % done.id in page and "/breaches/%d/education.pdf" % pending.id not in page
    in_app(lambda: Breach.update(deleted_at=utcnow()).where(Breach.id == done.id).execute())()
    assert client.get("/breaches/%d/education.pdf" % done.id).status_code == 404  # deleted: gone


def test_the_serious_breach_report_counts_article_20_before_and_after_it_is_reported(client, users, login_as,
                                                                                    person):
    incident = refusals(person, users["officer"].id, [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)])
    login_as("officer")
    data, name = download(client, "/incidents/%d/report.pdf" % incident.id)
    text = text_of_pdf(data)
    assert name == "向公安机关报告-2026-11-02-罗秀英.pdf"
    assert "向公安机关报告" in text and "严重违反协议" in text and "罗秀英" in text and "2026-11-02" in text
    assert "拒绝/逃避检测3次，擅自外出0次，累计0日" in text and "第二十条" in text and "第二十一条" in text
    assert "2026-09-01拒绝检测" in text and "尚未记录报告" in text
    reported = client.post("/incidents/%d/report" % incident.id, headers={"HX-Request": "true"}, data={
        "reported_on": "2026-11-03", "recipient": "新华路派出所王警官", "report_notes": "电话报告并移交书面材料"})
    assert reported.status_code == 200
    text = text_of_pdf(download(client, "/incidents/%d/report.pdf" % incident.id)[0])
    assert "报告日期2026-11-03" in text and "新华路派出所王警官" in text and "电话报告并移交书面材料" in text
    assert "记录人测试officer" in text and "尚未记录报告" not in text
    assert printed("incident.print") == [(incident.id, person.id)] * 2


def test_the_relapse_report_names_the_positive_test(client, users, login_as, person):
    @in_app
    def positive():
        case = person.current_case()
        test = Screening.create(person=person.id, case=case.id, staff=users["officer"].id, tested_on=date(2026, 11, 5),
                                result="positive", panels="meth", positive_panels="meth", collectors="李明、陈丽",
                                sample_a="A-0512", sample_b="B-0512")
        return Incident.create(person=person.id, case=case.id, kind="relapse", occurred_on=test.tested_on,
                               screening=test.id, detail="检测结果阳性")
    incident = positive()
    login_as("worker")
    text = text_of_pdf(download(client, "/incidents/%d/report.pdf" % incident.id)[0])
    assert "复吸（检测阳性）" in text and "2026-11-05现场检测，尿液样本，甲基苯丙胺阳性" in text
    assert "A-0512/B-0512" in text and "第二十一条" in text


def test_roles_without_the_permission_get_403_and_others_out_of_scope_404(client, users, login_as, person):
    urls = ["/agreements/%d/agreement.pdf" % agreement(person, users["worker"].id).id,
            "/breaches/%d/education.pdf" % breach(person).id,
            "/incidents/%d/report.pdf" % refusals(person, users["officer"].id, [date(2026, 9, 1)]).id]
    released = make_person("已解除", worker=users["worker"].id, counsellor=users["counsellor"].id)
    urls.append("/notices/%d/notice.pdf" % release(released, users["worker"].id).id)
    for role in ("counsellor", "volunteer"):
        login_as(role)
        assert [client.get(url).status_code for url in urls] == [403] * 4, role
    login_as("worker2")  # a colleague's persons: as if they did not exist
    assert [client.get(url).status_code for url in urls] == [404] * 4
    denied = in_app(AuditLog.select().where(AuditLog.action == "person.view", AuditLog.outcome == "denied").count)()
    assert denied == 4
    assert client.get("/agreements/999999/agreement.pdf").status_code == 404
    login_as("lead")
    assert [client.get(url).status_code for url in urls] == [200] * 4
    for action in ("agreement.print", "breach.print", "incident.print", "notice.print"):
        assert len(printed(action)) == 1, action  # only the lead's prints


def test_the_tracking_file_offers_each_print_only_to_roles_that_may(client, users, login_as, person):
    row = agreement(person, users["worker"].id)
    incident = refusals(person, users["officer"].id, [date(2026, 9, 1)])
    login_as("worker")
    page = client.get("/persons/%d/tracking" % person.id).get_data(as_text=True)
    assert page.count("/agreements/%d/agreement.pdf" % row.id) == 2  # the fact line and the agreement itself
    assert "/incidents/%d/report.pdf" % incident.id in page and "打印报告" in page
    login_as("counsellor")
    page = client.get("/persons/%d/tracking" % person.id).get_data(as_text=True)
    assert "须报告公安机关的事件" in page and ".pdf" not in page


def test_the_notice_print_is_offered_once_the_notice_is_recorded(client, users, login_as, person):
    notice = release(person, users["worker"].id)
    login_as("worker")
    page = client.get("/persons/%d/tracking" % person.id).get_data(as_text=True)
    assert "/notices/%d/notice.pdf" % notice.id in page and "打印通知书" in page


def test_a_paper_of_a_deleted_agreement_or_case_is_not_found(client, users, login_as, person):
    row = agreement(person, users["worker"].id)
    login_as("officer")
    in_app(lambda: Agreement.update(deleted_at=utcnow()).where(Agreement.id == row.id).execute())()
    assert client.get("/agreements/%d/agreement.pdf" % row.id).status_code == 404
    other = agreement(make_person("另一人"), users["worker"].id)
    in_app(lambda: Case.update(deleted_at=utcnow()).where(Case.id == other.case_id).execute())()
    assert client.get("/agreements/%d/agreement.pdf" % other.id).status_code == 404
    assert printed("agreement.print") == []


def test_typed_markup_prints_as_text(client, users, login_as, person):
    """What people typed is escaped in the papers too (SECURITY.md W2, W8)."""
    row = breach(person, description='<img src="file:///etc/passwd">', education="<b>教育</b>")
    login_as("officer")
    text = text_of_pdf(download(client, "/breaches/%d/education.pdf" % row.id)[0])
    assert '<imgsrc="file:///etc/passwd">' in text and "<b>教育</b>" in text and "root:" not in text
