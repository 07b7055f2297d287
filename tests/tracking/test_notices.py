"""戒毒条例 23, 40: a release is notified to the street or township office within 7 days.

The station began recording notices on 2026-01-01 (the setting the migration writes); a case
released on 2026-11-10 must be notified by 2026-11-17; the test clock stands at 2026-11-20."""
from datetime import date

import pytest

from portal.models import AuditLog, Case, CaseEvent, ReleaseNotice, Setting

from factories import in_app, make_person, person_page, queue_rows, text_of

HX = {"HX-Request": "true"}


@in_app
def released(person, on, since=date(2026, 1, 1)):
    Setting.replace(key="release_notice.since", value=since.isoformat()).execute()
    case = person.current_case()
    CaseEvent.create(case=case.id, action="release", from_status="active", to_status="released", on=on)
    Case.update(status="released").where(Case.id == case.id).execute()
    return case


@pytest.mark.parametrize("release, shown", [
    (date(2026, 11, 13), "今日到期"),       # deadline 11-20: its last day
    (date(2026, 11, 12), "逾期 1 天"),      # deadline 11-19: the day after
    (date(2026, 11, 14), "还有 1 天"),
])
def test_the_queue_asks_for_the_notice_until_its_last_day_and_after(client, users, login_as, release, shown):
    person = make_person("解除", worker=users["worker"].id)
    released(person, release)
    login_as("worker")
    rows = queue_rows(client)
    assert "解除通知街道" in rows and shown in rows


def test_a_release_before_the_station_recorded_notices_is_not_asked_for(client, users, login_as):
    person = make_person("早年解除", worker=users["worker"].id)
    released(person, date(2025, 12, 31))  # the day before notices began
    login_as("worker")
    assert "解除通知街道" not in queue_rows(client)


def test_recording_the_notice_ends_the_item_and_is_audited(client, users, login_as):
    person = make_person("通知", worker=users["worker"].id)
    case = released(person, date(2026, 11, 10))
    login_as("worker")
    page = " ".join(text_of(person_page(client, person.id)).split())
    assert "期限 2026-11-17" in page and "已逾期 3 天" in page
    url = "/persons/%d/cases/%d/notice" % (person.id, case.id)
    refused = client.post(url, headers=HX, data={"sent_on": "2026-11-20", "recipient": "", "document_number": ""})
    assert refused.status_code == 422 and "此项为必填项" in refused.get_data(as_text=True)
    saved = client.post(url, headers=HX, data={"sent_on": "2026-11-20", "recipient": "新华路街道办事处",
                                               "document_number": "南社戒解通〔2026〕12号"})
    assert saved.status_code == 200 and "已于 2026-11-20 通知 新华路街道办事处" in saved.get_data(as_text=True)
    assert "解除通知街道" not in queue_rows(client)
    again = client.post(url, headers=HX, data={"sent_on": "2026-11-20", "recipient": "某街道", "document_number": "X"})
    assert again.status_code == 409 and in_app(ReleaseNotice.select().count)() == 1
    assert in_app(AuditLog.select().where(AuditLog.action == "case.notice").count)() == 1


def test_a_running_case_has_nothing_to_notify(client, users, login_as):
    person = make_person("在管", worker=users["worker"].id)
    case = in_app(person.current_case)()
    login_as("worker")
    url = "/persons/%d/cases/%d/notice" % (person.id, case.id)
    response = client.post(url, data={"sent_on": "2026-11-20", "recipient": "某街道", "document_number": "X"})
    assert response.status_code == 409 and in_app(ReleaseNotice.select().count)() == 0


def test_a_notice_before_the_release_is_refused_and_a_second_one_explains_itself(client, users, login_as):
    person = make_person("日期", worker=users["worker"].id)
    case = released(person, date(2026, 11, 10))
    login_as("worker")
    url = "/persons/%d/cases/%d/notice" % (person.id, case.id)
    early = client.post(url, headers=HX, data={"sent_on": "2026-11-09", "recipient": "新华路街道办事处",
                                               "document_number": "X"})
    assert early.status_code == 422 and "通知日期不能早于解除日期（2026-11-10）" in early.get_data(as_text=True)
    assert client.post(url, headers=HX, data={"sent_on": "2026-11-10", "recipient": "新华路街道办事处",
                                              "document_number": "X"}).status_code == 200
    again = client.post(url, headers=HX, data={"sent_on": "2026-11-11", "recipient": "某街道", "document_number": "Y"})
    body = again.get_data(as_text=True)
    assert again.status_code == 409 and "可能已由他人记录" in body and '<section class="card tracking"' in body
    assert "<html" not in body  # the tracking file again, never a whole error page inside it
