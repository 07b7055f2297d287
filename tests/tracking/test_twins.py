"""Each rule the queue and the lists compute in SQL agrees with its Python twin on hand-picked dates
(both sides of every boundary): next hair test, days away, the art. 20 thresholds, the breach date."""
from datetime import date

import pytest
from factories import in_app, make_person, make_user
from peewee import Value

from portal.db import database
from portal.cases import running_time
from portal.models import Absence, Case, CaseEvent, Screening
from portal.tracking import breaches
from portal.tracking.plan import next_hair, sql_next_hair


def sql_value(expr):
    sql, params = database.get_sql_context().sql(expr).query()
    with database.connection_context():
        return database.execute_sql("SELECT " + sql, params).fetchone()[0]


REPORTED = date(2024, 2, 29)
HAIR = [  # (last hair test, next hair test)
    (None, REPORTED),                             # the first on reporting
    (REPORTED, date(2024, 8, 29)),                # six months on
    (date(2024, 8, 31), date(2025, 2, 28)),       # clamped to February's end
    (date(2025, 8, 29), date(2026, 2, 28)),
    (date(2027, 9, 1), date(2028, 3, 1)),
]


@pytest.mark.parametrize("last, expected", HAIR)
def test_next_hair_in_python_and_sql(app, last, expected):
    assert next_hair(REPORTED, last) == expected
    assert sql_value(sql_next_hair(Value(REPORTED.isoformat()), Value(last.isoformat() if last else None))) == \
        expected.isoformat()


def test_a_hair_test_before_reporting_does_not_count_in_python():
    """The SQL twin is only given a case's own tests, all after reporting; Python guards it itself."""
    assert next_hair(REPORTED, date(2023, 12, 1)) == REPORTED


@pytest.mark.parametrize("missed, away, days, serious", [
    (2, 0, 0, False), (3, 0, 0, True), (0, 2, 0, False), (0, 3, 0, True),
    (0, 1, 30, False), (0, 1, 31, True), (2, 2, 30, False),
])
def test_is_serious_in_python_and_sql(app, missed, away, days, serious):
    assert breaches.is_serious(missed, away, days) is serious
    assert bool(sql_value(breaches.sql_is_serious(Value(missed), Value(away), Value(days)))) is serious


@in_app
def absence(person, leave_on, return_on):
    return Absence.create(person=person, case=person.current_case(), staff=make_user.__wrapped__("officer"),
                          kind="unauthorised", destination="广东", leave_on=leave_on, return_on=return_on,
                          discovered="visit")


# A case reported 2026-01-10, suspended 2026-03-01 (detained), resumed 2026-04-01, released 2026-09-01:
# it ran [01-10, 03-01) and [04-01, 09-01). A second case, reported 2026-01-10, is suspended since 02-01.
@in_app
def case_with(person, events):
    case = person.current_case()
    Case.update(report_date=date(2026, 1, 10), served_date=date(2026, 1, 5)).where(Case.id == case.id).execute()
    for action, on in events:
        CaseEvent.create(case=case.id, action=action, from_status="active", to_status="active", on=on)
    return Case.get_by_id(case.id)


LIFE = [("suspend", date(2026, 3, 1)), ("resume", date(2026, 4, 1)), ("release", date(2026, 9, 1))]


@pytest.mark.parametrize("day, ran", [
    (date(2026, 1, 9), False), (date(2026, 1, 10), True),     # the day before the report, the report
    (date(2026, 2, 28), True), (date(2026, 3, 1), False),     # the last day before the suspension, its first
    (date(2026, 3, 31), False), (date(2026, 4, 1), True),     # the last day suspended, the resumption
    (date(2026, 8, 31), True), (date(2026, 9, 1), False),     # the last day of the measure, the release
])
def test_the_running_time_in_python_and_sql(app, day, ran):
    case = case_with(make_person(), LIFE)
    with app.app_context():
        assert running_time.ran_on(running_time.running_spans(case), day) is ran
        assert bool(Case.select(running_time.sql_ran_on(Case.id, Case.report_date, day)).where(
            Case.id == case.id).scalar()) is ran


@pytest.mark.parametrize("events, first, last, days", [
    (LIFE, date(2026, 2, 20), date(2026, 4, 5), 14),   # 02-20..02-28 (9) + 04-01..04-05 (5)
    (LIFE, date(2026, 8, 25), date(2026, 9, 10), 7),   # stops at the release: 08-25..08-31
    (LIFE, date(2026, 1, 5), date(2026, 1, 12), 3),    # starts at the report: 01-10..01-12
    (LIFE, date(2026, 3, 5), date(2026, 3, 20), 0),    # wholly within the suspension
    ([("suspend", date(2026, 2, 1))], date(2026, 1, 25), date(2026, 2, 10), 7),  # a suspension still open
    ([], date(2026, 10, 25), date(2026, 11, 24), 31),  # no events: every day
])
def test_running_days_in_python_and_sql(app, events, first, last, days):
    case = case_with(make_person(), events)
    with app.app_context():
        assert running_time.running_days(running_time.running_spans(case), first, last) == days
        assert Case.select(running_time.sql_running_days(Case.id, Case.report_date, first.isoformat(),
                                                      last.isoformat())).where(Case.id == case.id).scalar() == days


@in_app
def refusal(person, on):
    Screening.create(person=person, case=person.current_case(), staff=make_user.__wrapped__("officer"),
                     tested_on=on, result="refused", collectors="李明、陈丽")


SCENARIOS = {  # records, then days on which the walk and the counters are compared
    "three refusals": ([("refused", date(2026, 1, 5)), ("refused", date(2026, 2, 5)), ("refused", date(2026, 3, 5))],
                       date(2026, 3, 5)),
    "two refusals": ([("refused", date(2026, 1, 5)), ("refused", date(2026, 2, 5))], None),
    "an absence still running": ([("away", date(2026, 10, 25), None)], date(2026, 11, 24)),
    "two absences adding up": ([("away", date(2026, 3, 1), date(2026, 3, 20)),
                                ("away", date(2026, 6, 1), date(2026, 6, 15))], date(2026, 6, 11)),
    "two short absences": ([("away", date(2026, 3, 1), date(2026, 3, 5)),
                            ("away", date(2026, 6, 1), date(2026, 6, 5))], None),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_breach_date_walk_agrees_with_the_sql_counters(app, name):
    """On the day before the walk's crossing date the counters say "not serious", from that day on "serious"."""
    records, crossing = SCENARIOS[name]
    person = make_person()
    for record in records:
        if record[0] == "refused":
            refusal(person, record[1])
        else:
            absence(person, record[1], record[2])
    case_id = in_app(person.current_case)().id
    last = max(r[-1] or r[1] for r in records)
    with app.app_context():
        for day in (last, date(2026, 11, 23), date(2026, 11, 24), date(2026, 12, 31)):
            if day < last:
                continue
            walked = breaches.crossing_date(case_id, day)
            assert walked == (crossing if crossing and crossing <= day else None), day
            assert breaches.counters_of(case_id, day)["serious"] is (walked is not None), day


# A reported absence planned back on 2026-11-10 (its last allowed day): a candidate 擅自外出 from 11-11.
@pytest.mark.parametrize("day, returned_on, decision, overdue", [
    (date(2026, 11, 10), None, None, False),                   # the planned return day itself
    (date(2026, 11, 11), None, None, True),                    # the day after, no return recorded
    (date(2026, 11, 11), date(2026, 11, 10), None, False),     # back on the planned day
    (date(2026, 11, 11), date(2026, 11, 11), None, True),      # back a day late
    (date(2026, 11, 20), None, "excused", False),              # decided
    (date(2026, 11, 20), None, "confirmed", False),
])
def test_the_overdue_return_in_python_and_sql(app, users, day, returned_on, decision, overdue):
    from portal.tracking import returns
    person = make_person("逾期")

    @in_app
    def row():
        return Absence.create(person=person, case=person.current_case(), staff=users["officer"].id, kind="reported",
                              destination="广东", leave_on=date(2026, 11, 1), return_on=date(2026, 11, 10),
                              returned_on=returned_on, decision=decision, written_report=True)
    absence = row()
    assert returns.return_overdue(absence, day) is overdue
    with database.connection_context():
        assert Absence.select().where(Absence.id == absence.id, returns.sql_return_overdue(day)).exists() is overdue
