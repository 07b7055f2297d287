"""戒毒条例 22: after a change of place (变更执行地) the person reports at the new place within 15 days.

Moved on 2026-11-01: the 15th day, 2026-11-16, is the last; a report on 11-17 is late (逾期报到).
The test clock stands at 2026-11-20."""
from datetime import date

import pytest

from portal.models import AuditLog, Breach, CaseEvent, Setting

from factories import in_app, make_person, person_page, queue_rows, text_of

HX = {"HX-Request": "true"}


@in_app
def moved(person, on=date(2026, 11, 1), since="2026-01-01"):
    """The change of place, and the day the station began to record these reports."""
    Setting.replace(key="relocation_report.since", value=since).execute()
    case = person.current_case()
    CaseEvent.create(case=case.id, action="relocate", from_status="active", to_status="active", on=on,
                     place="太慈桥街道", document_number="变更决字〔2026〕8号")
    return case


def report(client, person, case, on):
    return client.post("/persons/%d/cases/%d/relocation-report" % (person.id, case.id), headers=HX,
                       data={"reported_on": on})


@pytest.mark.parametrize("on, late", [("2026-11-16", False), ("2026-11-17", True)])
def test_the_fifteenth_day_is_in_time_and_the_sixteenth_is_a_breach(client, users, login_as, on, late):
    person = make_person("变更", worker=users["worker"].id)
    case = moved(person)
    login_as("worker")
    rows = queue_rows(client)
    assert "新执行地报到" in rows and "逾期 4 天" in rows  # deadline 11-16, today 11-20
    page = report(client, person, case, on).get_data(as_text=True)
    assert ("超过 15 日期限" in page) is late and ("已记录到新执行地报到" in page) is not late
    breaches = in_app(lambda: list(Breach.select().where(Breach.kind == "late_report")))()
    assert len(breaches) == (1 if late else 0)
    if late:
        assert "第 16 日报到" in breaches[0].description
    assert "新执行地报到" not in queue_rows(client)
    assert in_app(AuditLog.select().where(AuditLog.action == "case.relocation_report").count)() == 1
    assert report(client, person, case, on).status_code == 409  # recorded already


def test_a_report_before_the_move_is_refused_in_chinese(client, users, login_as):
    person = make_person("早报", worker=users["worker"].id)
    case = moved(person)
    login_as("worker")
    response = report(client, person, case, "2026-10-30")
    assert response.status_code == 422 and "不能早于变更执行地日期" in response.get_data(as_text=True)
    assert "2026-11-16" in " ".join(text_of(person_page(client, person.id)).split())


def test_a_change_of_place_before_the_station_recorded_reports_is_not_asked_for(client, users, login_as):
    person = make_person("旧变更", worker=users["worker"].id)
    moved(person, since="2026-11-02")  # moved on 2026-11-01, the day before
    login_as("worker")
    assert "新执行地报到" not in queue_rows(client)
    assert "到新执行地报到" not in text_of(person_page(client, person.id))
