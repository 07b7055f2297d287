"""报备外出逾期未归: past the planned return with no return recorded, a candidate 擅自外出 for a person to decide."""
import re
from datetime import date

from factories import due, in_app, make_person, text_of

from portal.models import Absence, AuditLog, Breach

HX = {"HX-Request": "true"}
REPORTED = {"kind": "reported", "destination": "广东省深圳市", "reason": "探亲", "leave_on": "2026-11-10",
            "return_on": "2026-11-21", "written_report": "y", "approved_by": "王站长"}


def record(client, person, **form):
    return client.post("/persons/%d/absences/" % person.id, data={**REPORTED, **form}, headers=HX)


def candidates(client):
    return sorted(due(client, "逾期未归待认定"))


def test_the_planned_return_day_is_allowed_and_the_day_after_is_a_candidate(client, users, login_as, clock):
    person = make_person("外出", worker=users["worker"].id)
    login_as("worker")
    assert record(client, person).status_code == 200  # today is 2026-11-20: planned back tomorrow
    assert in_app(Absence.get)().returned_on is None
    clock.advance(days=1)  # the planned return day itself: still allowed
    login_as("worker")
    assert candidates(client) == []
    assert "报备外出逾期未归" not in text_of(client.get("/persons/%d/tracking" % person.id))
    clock.advance(days=1)
    login_as("worker")
    assert candidates(client) == ["外出"]
    assert "报备外出逾期未归" in text_of(client.get("/persons/%d/tracking" % person.id))


def test_an_absence_recorded_after_the_return_is_back_on_its_day(client, users, login_as):
    person = make_person("事后", worker=users["worker"].id)
    login_as("worker")
    record(client, person, return_on="2026-11-15")
    assert in_app(Absence.get)().returned_on == date(2026, 11, 15) and candidates(client) == []


def test_a_return_recorded_on_time_ends_the_candidate_and_a_late_one_does_not(client, users, login_as, clock):
    person = make_person("返回", worker=users["worker"].id)
    login_as("worker")
    record(client, person)
    clock.advance(days=3)
    login_as("worker")
    absence = in_app(Absence.get)()
    edit = {**REPORTED, "version": absence.version, "returned_on": "2026-11-22"}
    assert client.post("/absences/%d/edit" % absence.id, data=edit, headers=HX).status_code == 200
    assert candidates(client) == ["返回"]  # back a day late: still to be decided
    edit = {**edit, "version": absence.version + 1, "returned_on": "2026-11-21"}
    assert client.post("/absences/%d/edit" % absence.id, data=edit, headers=HX).status_code == 200
    assert candidates(client) == []


def test_excusing_needs_a_reason_and_counts_nothing(client, users, login_as, clock):
    person = make_person("理由", worker=users["worker"].id)
    login_as("worker")
    record(client, person)
    clock.advance(days=2)
    login_as("worker")
    absence = in_app(Absence.get)()
    url = "/absences/%d/decide" % absence.id
    bad = client.post(url, data={"decision": "excuse"}, headers=HX)
    assert bad.status_code == 422 and "不计违反须写明正当理由" in bad.get_data(as_text=True)
    page = client.post(url, data={"decision": "excuse", "reason": "已于 11-21 按时返回，电话核实"}, headers=HX)
    assert page.status_code == 200 and "不计为擅自外出" in page.get_data(as_text=True)
    decided = in_app(Absence.get)()
    assert decided.decision == "excused" and decided.decided_by_id == users["worker"].id
    assert decided.excuse.startswith("已于") and candidates(client) == []
    assert in_app(Absence.select().count)() == 1 and in_app(Breach.select().count)() == 0
    assert in_app(AuditLog.get)(AuditLog.action == "absence.decide").reason.startswith("已于")
    assert client.post(url, data={"decision": "confirm"}, headers=HX).status_code == 409


def test_confirming_records_the_unauthorised_days_from_the_day_after(client, users, login_as, clock):
    person = make_person("擅离", worker=users["worker"].id)
    login_as("officer")
    record(client, person)
    clock.advance(days=3)
    login_as("officer")
    absence = in_app(Absence.get)()
    page = client.post("/absences/%d/decide" % absence.id, data={"decision": "confirm"}, headers=HX)
    assert page.status_code == 200 and "擅自外出：已计入违反协议次数" in page.get_data(as_text=True)
    overstay = in_app(Absence.get)(Absence.kind == "unauthorised")
    assert overstay.leave_on == date(2026, 11, 22) and overstay.return_on is None
    assert in_app(Breach.get)().absence_id == overstay.id
    assert in_app(Absence.get_by_id)(absence.id).decision == "confirmed" and candidates(client) == []
    assert "1 次 擅自外出" in re.sub(r"\s+", " ", text_of(client.get("/persons/%d/tracking" % person.id)))
