"""The case lifecycle of 戒毒条例: guarded transitions and the end-date arithmetic."""
from datetime import date, timedelta

import pytest
from factories import in_app, make_person, person_form, person_page, text_of
from peewee import fn

from portal.cases import lifecycle
from portal.models import AuditLog, Breach, Case, CaseEvent

TODAY = date(2026, 11, 20)  # the test clock's station date


@in_app
def case_of(person, **values):
    """The person's case, with `values` set (a report date brings the decision and service before it)."""
    if values.get("report_date") and "served_date" not in values:
        values.update(served_date=values["report_date"] - timedelta(days=5),
                      decision_date=values["report_date"] - timedelta(days=7))
    if values:
        Case.update(**values).where(Case.person == person).execute()
    return person.current_case()


@in_app
def move(case, action, on, document="文书〔2026〕1号", place=None):
    return lifecycle.transition(Case.get_by_id(case.id), action, on, document, place)


@in_app
def end_of(case, day=TODAY):
    return lifecycle.expected_end(Case.get_by_id(case.id), day)


@in_app
def sql_end_of(case):
    return Case.select(lifecycle.sql_expected_end().alias("end")).where(Case.id == case.id).scalar()


def test_expected_end_counts_from_reporting_less_credit_plus_suspension(app):
    case = case_of(make_person(), report_date=date(2024, 1, 31), served_date=date(2024, 1, 20),
                   decision_date=date(2024, 1, 18))
    assert end_of(case) == date(2027, 1, 31)  # 36 months from the report date
    case = case_of(make_person("李四"), report_date=date(2024, 1, 31), credited_days=120)
    assert end_of(case) == date(2026, 10, 3)  # 2027-01-31 − 120 days (戒毒条例 31)
    assert sql_end_of(case) == "2026-10-03"


def test_a_suspension_moves_the_end_by_its_days(app, clock):
    case = case_of(make_person(), report_date=date(2024, 1, 31))
    move(case, "suspend", date(2026, 3, 1))
    assert end_of(case, date(2026, 3, 31)) == date(2027, 3, 2)  # open: 30 days so far
    move(case, "resume", date(2026, 4, 15))
    case = in_app(Case.get_by_id)(case.id)
    assert case.suspended_days == 45 and case.status == "active"
    assert end_of(case) == date(2027, 3, 17)  # 2027-01-31 + 45 days (戒毒条例 24)
    assert sql_end_of(case) == "2027-03-17"


@pytest.mark.parametrize("action, on, document, place, message", [
    ("resume", date(2026, 1, 5), "X", None, "当前状态为“执行中”"),      # not suspended
    ("report", date(2026, 1, 5), "X", None, "当前状态为“执行中”"),      # reported already
    ("suspend", date(2026, 12, 1), "X", None, "不能晚于今天"),
    ("suspend", date(2024, 12, 31), "X", None, "不能早于决定书送达日期"),
    ("suspend", date(2026, 1, 5), "", None, "请填写羁押/逮捕文书编号"),
    ("relocate", date(2026, 1, 5), "X", "新华路街道", "新的执行地"),     # the same place
    ("release", date(2026, 11, 20), "X", None, "期限尚未届满"),         # ends 2028-01-10
])
def test_illegal_transitions_are_refused_with_a_reason(app, action, on, document, place, message):
    case = case_of(make_person())
    with pytest.raises(lifecycle.TransitionRefused, match=message):
        move(case, action, on, document, place)
    assert in_app(Case.get_by_id)(case.id).status == "active"
    assert in_app(CaseEvent.select().count)() == 0


def test_a_closed_case_takes_no_further_transition(app):
    case = case_of(make_person(), report_date=date(2023, 11, 1), served_date=date(2023, 10, 25),
                   decision_date=date(2023, 10, 20))
    move(case, "release", date(2026, 11, 1))  # 2023-11-01 + 36 months: released on the day
    assert in_app(Case.get_by_id)(case.id).status == "released"
    for action in ("suspend", "resume", "release", "transfer"):
        with pytest.raises(lifecycle.TransitionRefused, match="期满解除"):
            move(case, action, date(2026, 11, 2), place="二戈街道")


def test_dates_cannot_go_back_before_the_last_transition(app):
    case = case_of(make_person())
    move(case, "suspend", date(2026, 5, 1))
    with pytest.raises(lifecycle.TransitionRefused, match="上一次办理"):
        move(case, "resume", date(2026, 4, 30))


def test_reporting_late_starts_the_term_and_records_a_breach(client, users, login_as):
    person = make_person(status="pending_report")
    case = case_of(person, report_date=None, served_date=date(2026, 10, 1), decision_date=date(2026, 9, 28))
    login_as("officer")
    page = text_of(person_page(client, person.id))
    assert "逾期未报到" in page  # served 2026-10-01: the deadline 2026-10-16 has passed
    url = "/persons/%d/cases/%d/transition/report" % (person.id, case.id)
    assert client.post(url, data={"on": "2026-10-20"}).status_code == 302
    case = in_app(Case.get_by_id)(case.id)
    assert case.status == "active" and case.report_date == date(2026, 10, 20)
    breach = in_app(Breach.get)(Breach.case == case.id)
    assert breach.kind == "late_report" and "第 19 日" in breach.description
    assert in_app(lambda: AuditLog.select().where(AuditLog.action == "case.transition").count())() == 1
    assert in_app(lambda: AuditLog.get(AuditLog.action == "breach.create").object_id)() == breach.id
    assert "2029-10-20" in text_of(person_page(client, person.id))  # expected end


def test_refused_transition_keeps_what_was_typed(client, users, login_as):
    person = make_person()
    case = case_of(person)
    login_as("officer")
    response = client.post("/persons/%d/cases/%d/transition/release" % (person.id, case.id),
                           data={"on": "2026-11-20", "document_number": "解字〔2026〕8号", "notes": "提前解除"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "期限尚未届满" in page and "解字〔2026〕8号" in page and "提前解除" in page


def test_change_of_place_keeps_the_clock_and_asks_for_a_new_agreement(client, users, login_as):
    person = make_person()
    case = case_of(person)
    login_as("officer")
    assert "待签订" in text_of(person_page(client, person.id))
    new = "/persons/%d/cases/%d/agreements/new" % (person.id, case.id)
    assert client.post(new, data={"signed_on": "2025-01-10", "measures": "定期检测", "obligations": "不得吸毒",
                                  "liability": "违约报告公安"}).status_code == 302
    assert not in_app(lifecycle.needs_agreement)(case)
    end = end_of(case)
    client.post("/persons/%d/cases/%d/transition/relocate" % (person.id, case.id),
                data={"on": "2026-06-01", "document_number": "变字〔2026〕3号", "place": "二戈街道"})
    case = in_app(Case.get_by_id)(case.id)
    assert case.street == "二戈街道" and end_of(case) == end  # the clock continues (戒毒条例 22)
    assert in_app(lifecycle.needs_agreement)(case)
    assert "变更执行地后须重新签订" in text_of(person_page(client, person.id))
    client.post(new, data={"signed_on": "2026-06-02", "measures": "定期检测", "obligations": "不得吸毒",
                           "liability": "违约报告公安"})
    assert not in_app(lifecycle.needs_agreement)(case)
    assert in_app(lambda: Case.select(fn.COUNT(1)).join(CaseEvent).scalar())() == 1
    assert "第 2 版协议" in text_of(person_page(client, person.id))


def test_registering_a_person_who_already_reported_records_the_report(client, users, login_as):
    login_as("officer")
    assert client.post("/persons/new", data=person_form()).status_code == 302
    event = in_app(CaseEvent.get)()
    assert event.action == "report" and event.on == date(2026, 10, 20) and event.to_status == "active"
