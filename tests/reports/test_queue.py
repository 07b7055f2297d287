"""The due-work queue: derived from the records, scoped, cleared by recording the work."""
from datetime import date

from factories import due, in_app, make_person, make_talk, queue_rows, talk_form

from portal.models import Case, Setting
from portal.records import risk_levels

TODAY = date(2026, 11, 20)  # the test clock's station date



def test_overdue_and_due_today_talks_are_listed(client, users, login_as):
    late = make_person("迟到", worker=users["worker"].id)
    make_talk(late, users["worker"].id, next_date=date(2026, 11, 10))
    today = make_person("今天", worker=users["worker"].id)
    make_talk(today, users["worker"].id, next_date=TODAY)
    fine = make_person("正常", worker=users["worker"].id)
    make_talk(fine, users["worker"].id, next_date=date(2026, 12, 1))
    login_as("worker")
    rows = queue_rows(client)
    assert "逾期 10 天" in rows and "今日到期" in rows
    assert due(client) == {"迟到", "今天"}


def test_a_person_without_talks_is_due_from_reporting(client, users, login_as):
    make_person("新报到", worker=users["worker"].id)  # reported 2025-01-10, never talked to
    login_as("worker")
    assert "新报到" in queue_rows(client) and "尚无谈话记录" in queue_rows(client)


def test_recording_the_talk_clears_the_row(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    make_talk(person, users["worker"].id, next_date=date(2026, 11, 1))
    login_as("worker")
    assert due(client) == {"迟到"} and due(client, "风险复评") == {"迟到"}
    client.post("/persons/%d/talks/" % person.id, data=talk_form(), headers={"HX-Request": "true"})
    assert due(client) == set()
    client.post("/persons/%d/risks/" % person.id, data={"assessed_on": "2026-11-20", "level": "low"})
    assert due(client, "风险复评") == set()


def test_risk_review_follows_the_level_cadence(client, users, login_as):
    person = make_person("复评", worker=users["worker"].id)
    make_talk(person, users["worker"].id, next_date=date(2026, 12, 20))
    in_app(risk_levels.force_high)(person, "positive_screening", on=date(2026, 10, 20))  # high: monthly
    login_as("worker")
    assert due(client, "风险复评") == {"复评"} and due(client) == set()


def test_term_ending_and_report_deadline(client, users, login_as):
    ending = make_person("将期满", worker=users["worker"].id)
    Case.update(decision_date=date(2023, 12, 1), served_date=date(2023, 12, 4),
                report_date=date(2023, 12, 10)).where(Case.person == ending).execute()  # ends 2026-12-10
    pending = make_person("待报到", worker=users["worker"].id, status="pending_report")
    Case.update(report_date=None).where(Case.person == pending).execute()
    Case.update(decision_date=date(2026, 10, 28), served_date=date(2026, 11, 1)).where(Case.person == pending).execute()
    login_as("worker")
    rows = queue_rows(client)
    assert due(client, "期限届满") == {"将期满"} and "还有 20 天" in rows
    assert due(client, "报到期限") == {"待报到"} and "2026-11-16" in rows  # served + 15 days: 4 days late


def test_worker_sees_only_assigned_persons_and_lead_sees_all(client, users, login_as):
    make_person("我的", worker=users["worker"].id)
    make_person("别人的", worker=users["worker2"].id)
    login_as("worker")
    assert due(client) == {"我的"}
    login_as("lead")
    assert due(client) == {"我的", "别人的"}


def test_lead_changes_cadence_and_the_queue_follows(client, users, login_as):
    person = make_person("周期", worker=users["worker"].id)
    login_as("lead")
    client.post("/persons/%d/talks/" % person.id, data=talk_form(held_at="2026-09-20 09:00"))
    assert due(client) == {"周期"}  # monthly: due 2026-10-20
    form = {"talk": "3", "visit": "3", "visit_high": "1", "review_high": "1", "review_medium": "3", "review_low": "6"}
    assert client.post("/settings/", data=form).status_code == 302
    assert Setting.get(Setting.key == "cadence.talk").value == "3"
    assert due(client) == set()  # every 3 months: due 2026-12-20
    bad = client.post("/settings/", data={**form, "talk": "0"})
    assert bad.status_code == 422 and "1 到 12" in bad.get_data(as_text=True)


def test_queue_links_open_the_form_on_the_person_page(client, users, login_as):
    person = make_person("迟到", worker=users["worker"].id)
    login_as("worker")
    assert "/persons/%d?record=talk" % person.id in queue_rows(client)
    page = client.get("/persons/%d?record=talk" % person.id).get_data(as_text=True)
    assert 'name="held_at"' in page and "记录面对面谈话" in page
