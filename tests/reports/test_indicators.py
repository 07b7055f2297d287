"""Indicators (DOMAIN.md §6) on a small station built by hand, with every answer worked out here.

The period is 2026 Q3 (2026-07-01 to 2026-09-30); the test clock stands at 2026-11-20.

    A  served 2025-01-05, running; positive test on 2026-09-30 (the period's last day); serious
       breach on 2026-09-30 and another on 2026-06-30 (before the period)
    B  served 2025-02-01, transferred out on 2026-08-15 (mid-period)
    C  served 2026-10-05 (after the period); positive on 2026-10-01
    D  served 2023-02-01, released 2026-06-30; a follow-up talk on 2026-08-01
    E  served 2026-09-30 (the last day), reported 2026-10-20 (20 days: late), no agreement
    F  served 2020-09-01, released 2023-09-30 (exactly three years before the period's end)
    G  released 2024-01-01, talk on 2024-06-01, ordered again 2025-03-01 (running)
    H  served 2020-10-01, released 2023-10-01 (one day short of three years)
    I  served 2026-07-10, reported 2026-07-20 with an agreement

    registered at 09-30: A, E, G(new), I = 4          at 2025-09-30: A, B, D, G(new) = 4
    managed in Q3: A, B, E, G, I = 5 (D closed the day before, C not yet served)
    relapse: A = 1 of 5 = 20%
    release cohort, released in (2023-09-30, 2026-09-30]: D, G, H = 3 (F, released on 2023-09-30
    itself, is three years clean instead: the two groups never overlap); followed up: D, G = 2;
    lost to follow-up: H
    maintenance: D (G has a later measure) = 1 of 2 = 50%
    abstinent three years: F (H is a day short; G's later measure runs) = 1
    ordered in Q3 with their 15 days over (or reported) by 09-30: I = 1 (E's deadline is 10-15);
    reported in 15 days: I = 1 (100%); under agreement: I = 1 (100%)
    serious breaches in Q3: 1; talks in Q3: D's = 1
"""
import re
import subprocess
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from factories import in_app, valid_id

from portal.models import AuditLog, Agreement, Case, CaseEvent, Incident, Person, Screening, Setting, Talk, User
from portal.cases import after_release
from portal.reports import indicators

Q3 = indicators.Period(date(2026, 7, 1), date(2026, 9, 30), "2026年第3季度")
ARGS = {"kind": "quarter", "year": "2026", "number": "3"}


@in_app
def case_for(person, served, report=None, closed=None, action="release", agreement=False, worker=None):
    """A case with its report event (and closing event): the history the indicators read."""
    case = Case.create(person=person, measure="community_detox", decision_number="X%d" % person.id,
                       decision_date=served, served_date=served, report_date=report, term_months=36,
                       street="新华路街道", status="active" if report else "pending_report", worker=worker)
    if report:
        CaseEvent.create(case=case, action="report", from_status="pending_report", to_status="active", on=report)
    if closed:
        CaseEvent.create(case=case, action=action, from_status="active", to_status="released", on=closed,
                         document_number="D")
        Case.update(status={"release": "released", "transfer": "transferred"}[action]).where(Case.id == case.id).execute()
    if agreement:
        Agreement.create(case=case, edition=1, signed_on=report, measures="m", obligations="o", liability="l",
                         staff=User.select().first())
    return case


@in_app
def person(name):
    return Person.create(name=name, sex="M", birth_date=date(1980, 1, 1), id_number=valid_id(date(1980, 1, 1)),
                         **Person.search_keys(name))


@pytest.fixture
def station(users):
    staff = users["officer"].id
    p = {name: person(name) for name in "ABCDEFGHI"}
    worker = users["worker"].id
    a = case_for(p["A"], date(2025, 1, 5), date(2025, 1, 10), worker=worker)
    case_for(p["B"], date(2025, 2, 1), date(2025, 2, 5), closed=date(2026, 8, 15), action="transfer")
    c = case_for(p["C"], date(2026, 10, 5), date(2026, 10, 6))
    case_for(p["D"], date(2023, 2, 1), date(2023, 2, 3), closed=date(2026, 6, 30))
    case_for(p["E"], date(2026, 9, 30), date(2026, 10, 20))
    case_for(p["F"], date(2020, 9, 1), date(2020, 9, 5), closed=date(2023, 9, 30))
    case_for(p["G"], date(2021, 1, 1), date(2021, 1, 2), closed=date(2024, 1, 1))
    case_for(p["G"], date(2025, 3, 1), date(2025, 3, 5))
    case_for(p["H"], date(2020, 10, 1), date(2020, 10, 2), closed=date(2023, 10, 1))
    case_for(p["I"], date(2026, 7, 10), date(2026, 7, 20), agreement=True, worker=worker)

    @in_app
    def records():
        for who, case, on in ((p["A"], a, date(2026, 9, 30)), (p["C"], c, date(2026, 10, 1))):
            Screening.create(person=who, case=case, staff=staff, tested_on=on, result="positive", collectors="甲、乙")
        for on in (date(2026, 9, 30), date(2026, 6, 30)):
            Incident.create(person=p["A"], case=a, kind="serious_breach", occurred_on=on)
        for who, on in ((p["D"], datetime(2026, 8, 1, 10)), (p["G"], datetime(2024, 6, 1, 10))):
            Talk.create(person=who, staff=staff, held_at=on, place="phone", topics="thoughts", assessment="stable",
                        signature="signed")
    records()
    return p


def compute(user, period=Q3):
    return in_app(indicators.compute)(user, period)


def test_each_indicator_on_the_hand_built_station(station, users):
    got = compute(users["officer"])
    expected = {  # key: (numerator, denominator, value)
        "registered": (4, 0, 4), "yoy": (0, 4, 0.0), "relapse": (1, 5, 20.0), "maintenance": (1, 2, 50.0),
        "abstinent3": (1, 0, 1), "reported": (1, 1, 100.0), "executed": (1, 1, 100.0), "serious": (1, 0, 1),
        "talks": (1, 0, 1), "positives": (1, 0, 1),
    }
    for key, (numerator, denominator, value) in expected.items():
        assert (got[key].numerator, got[key].denominator, got[key].value) == (numerator, denominator, value), key
    assert got["maintenance"].extra == {"cohort": 3, "lost": 1}
    assert got["events"].value == 0 and got["counselling"].value == 0  # recorded kinds, none in Q3


def test_a_positive_on_the_last_day_counts_and_the_next_day_does_not(station, users):
    october = indicators.Period(date(2026, 10, 1), date(2026, 10, 31), "2026年10月")
    got = compute(users["officer"], october)
    assert got["relapse"].numerator == 1  # C's positive on 10-01; A's on 09-30 belongs to Q3


def test_a_case_served_late_in_the_period_counts_once_its_deadline_is_past(station, users):
    october = indicators.Period(date(2026, 7, 1), date(2026, 10, 31), "")
    got = compute(users["officer"], october)["reported"]
    assert (got.numerator, got.denominator) == (2, 3)  # I, C on time; E (served 09-30, reported 10-20) late


def test_a_release_exactly_three_years_ago_counts(station, users):
    day_later = indicators.Period(date(2026, 7, 1), date(2026, 10, 1), "")
    assert compute(users["officer"], day_later)["abstinent3"].numerator == 2  # now H too


def test_a_worker_sees_the_numbers_of_assigned_cases(station, users):
    got = compute(users["worker"])
    assert got["registered"].numerator == 2 and got["relapse"].numerator == 1  # A and I are hers


@pytest.mark.parametrize("key", [k for k, spec in indicators.SPECS.items() if spec.lists])
def test_drill_down_lists_exactly_the_numerator(station, client, users, login_as, key):
    login_as("lead")
    got = compute(users["lead"])[key]
    page = client.get("/indicators/%s/numerator" % key, query_string=ARGS)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    rows = body[body.index("<tbody>"):body.index("</tbody>")].count("<tr>") if "<tbody>" in body else 0
    assert rows == got.numerator, key
    if got.denominator_label:
        page = client.get("/indicators/%s/denominator" % key, query_string=ARGS).get_data(as_text=True)
        assert page[page.index("<tbody>"):page.index("</tbody>")].count("<tr>") == got.denominator


def test_dashboard_and_report_pdf_show_the_same_figures(station, client, users, login_as, tmp_path):
    login_as("lead")
    page = client.get("/indicators/", query_string=ARGS).get_data(as_text=True)
    for figure in ("20.00%", "50.00%", "100.00%", "禁毒宣传活动", "2026年第3季度"):
        assert figure in page
    fragment = client.get("/indicators/", query_string=ARGS, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<div id="indicators">') and "<svg" in fragment
    response = client.get("/indicators/report.pdf", query_string=ARGS)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    for figure in ("20.00%", "50.00%", "期内复吸 1", "期内在管 5", "内部资料 注意保密", "季报"):
        assert figure in text, figure
    assert re.search(r"打印于", text)
    from portal.models import AuditLog
    assert in_app(AuditLog.select().where(AuditLog.action == "indicators.print").count)() == 1


def test_help_page_explains_every_indicator(client, users, login_as):
    login_as("worker")
    page = client.get("/indicators/help").get_data(as_text=True)
    for spec in indicators.SPECS.values():
        label, definition = spec.label, spec.definition
        assert label in page and definition in page


def test_a_custom_range_and_bad_ranges(station, client, users, login_as):
    login_as("officer")
    page = client.get("/indicators/", query_string={"kind": "custom", "start": "2026-07-01", "end": "2026-09-30"})
    assert page.status_code == 200 and "20.00%" in page.get_data(as_text=True)
    assert client.get("/indicators/", query_string={"kind": "custom", "start": "2026-10-01",
                                                    "end": "2026-09-30"}).status_code == 404
    assert client.get("/indicators/relapse/numerator", query_string={
        "kind": "custom", "start": "2026-07-01", "end": "2026-09-30"}).status_code == 200


def test_officers_count_counselling_but_do_not_see_who(station, client, users, login_as):
    login_as("officer")
    assert client.get("/indicators/counselling/numerator", query_string=ARGS).status_code == 403
    assert "/indicators/counselling/numerator" not in client.get("/indicators/", query_string=ARGS).get_data(
        as_text=True)


def test_training_attendance_rate(station, users):
    from portal.models import Attendance, Trainee, TrainingSession

    @in_app
    def build():
        people = [Trainee.create(name="学员%d" % i, kind="worker") for i in range(4)]
        session = TrainingSession.create(held_on=date(2026, 8, 1), title="培训", audience="worker", trainer="王",
                                         topics="law", hours=2, venue="驿站", staff=users["officer"].id)
        for person, status in zip(people, ("present", "present", "present", "excused")):
            Attendance.create(session=session, trainee=person, status=status)
    build()
    got = compute(users["officer"])["training"]
    assert (got.numerator, got.denominator, got.value) == (3, 4, 75.0)


def test_the_cohort_and_the_three_years_clean_are_complementary(station, users):
    """F was released on 2023-09-30: at 2026-09-30 three years clean and out of the cohort; at
    2026-09-29 (one day less) in the cohort (lost to follow-up) and not yet three years clean."""
    with_f = compute(users["officer"], indicators.Period(date(2026, 7, 1), date(2026, 9, 29), ""))
    assert with_f["maintenance"].extra == {"cohort": 4, "lost": 2} and with_f["abstinent3"].numerator == 0
    without_f = compute(users["officer"])
    assert without_f["maintenance"].extra == {"cohort": 3, "lost": 1} and without_f["abstinent3"].numerator == 1


@in_app
def screening_of(who, on, result="negative"):
    case = Case.select().where(Case.person == who).order_by(Case.id.desc()).first()
    Screening.create(person=who, case=case, staff=User.select().first(), tested_on=on, result=result,
                     collectors="甲、乙")


def test_a_drug_test_alone_is_a_follow_up(station, users):
    """H (released 2023-10-01) had no talk or visit; a negative test on 2024-03-01 follows them up."""
    screening_of(station["H"], date(2024, 3, 1))
    got = compute(users["officer"])
    assert got["maintenance"].extra == {"cohort": 3, "lost": 0}
    assert (got["maintenance"].numerator, got["maintenance"].denominator) == (2, 3)  # D and H clean, of D, G, H


def test_a_positive_after_release_is_relapse_evidence(station, users):
    """F, three years clean at 2026-09-30, tested positive on 2025-05-01: neither clean nor abstinent."""
    screening_of(station["F"], date(2025, 5, 1), "positive")
    assert compute(users["officer"])["abstinent3"].numerator == 0


def test_an_older_case_entered_later_does_not_make_anyone_three_years_clean(station, users):
    """J's measure ended by release on 2025-06-01; a 2018-2021 case typed in afterwards (a higher id)
    is not their last measure: J is not three years clean at 2026-09-30."""
    j = person("J")
    case_for(j, date(2022, 6, 1), date(2022, 6, 2), closed=date(2025, 6, 1))
    case_for(j, date(2018, 1, 1), date(2018, 1, 2), closed=date(2021, 1, 1))  # entered later, from a ledger
    got = compute(users["officer"])
    assert got["abstinent3"].numerator == 1  # F alone
    assert got["maintenance"].extra["cohort"] == 4  # J, released 2025-06-01, joins the cohort


@pytest.mark.parametrize("now, before, percent, relative, points", [
    (4, 4, False, 0.0, None),           # a count that did not move: 同比持平
    (2.71, 9.12, True, -70.29, -6.41),  # the seed: 复吸率从9.12%下降到2.71%
    (5, 4, False, 25.0, None),
    (3, 0, False, None, None),          # last year 0: no relative change
    (50.0, 0.0, True, None, 50.0),      # a rate from 0: points only
])
def test_the_change_from_last_year(now, before, percent, relative, points):
    got = indicators.change(SimpleNamespace(value=now, percent=percent), SimpleNamespace(value=before, percent=percent))
    assert (got.relative, got.points) == (relative, points)


def test_every_indicator_shows_its_change_on_the_dashboard_and_in_the_report(station, client, users, login_as):
    login_as("lead")
    page = client.get("/indicators/", query_string=ARGS).get_data(as_text=True)
    cards = page.split('class="indicator-card')[1:]
    assert len(cards) == 8 and all("indicator-change" in card for card in cards)
    assert "同比下降" in page or "同比上升" in page or "同比持平" in page
    volume = page.split("<h2>工作量</h2>")[1]
    assert volume.count("<tr>") == 10 and ("同比" in volume)
    pdf = client.get("/indicators/report.pdf", query_string=ARGS)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True).stdout.decode()
    assert "同比" in text and text.count("同比") >= 10


def test_the_end_of_dynamic_control_in_python_agrees_with_sql(station, users):
    """On the hand-built station at 2026-09-30 (and a day before): only F's control has ended."""
    j = person("J")  # an older case entered later does not end J's control
    case_for(j, date(2022, 6, 1), date(2022, 6, 2), closed=date(2025, 6, 1))
    case_for(j, date(2018, 1, 1), date(2018, 1, 2), closed=date(2021, 1, 1))
    everyone = {**station, "J": j}
    for day, expected in ((date(2026, 9, 30), {"F"}), (date(2026, 9, 29), set())):
        in_sql = set(in_app(lambda: set(indicators.abstinent_query(users["lead"], day).scalars()))())
        in_python = {name for name, p in everyone.items()
                     if (in_app(after_release.control_ends_on)(p, day) or date.max) <= day}
        assert {name for name, p in everyone.items() if p.id in in_sql} == in_python == expected, day
    assert in_app(after_release.control_ends_on)(station["H"], date(2026, 9, 30)) == date(2026, 10, 1)
    assert in_app(after_release.control_ends_on)(station["A"], date(2026, 9, 30)) is None  # still under a measure


def test_the_lead_lists_the_sealed_files_and_opens_one_with_a_reason(station, client, users, login_as, clock):
    """At 2026-11-20 (the test clock): F (released 2023-09-30) and H (2023-10-01) are three years
    clean; the daily sweep seals their files."""
    assert in_app(after_release.seal_ended)() == 2
    login_as("lead")
    page = client.get("/persons/?status=sealed").get_data(as_text=True)
    codes = set(re.findall(r'<a href="/persons/(\d+)">(个案 [^<]+)</a>', page))
    assert {int(pid) for pid, _ in codes} == {station["F"].id, station["H"].id}
    assert "导出" not in page.split("<h1>")[1].split("</div>")[0]  # a sealed file is never exported
    gate = client.get("/persons/%d" % station["H"].id)
    assert gate.status_code == 403 and "档案已封存" in gate.text and ">H<" not in gate.text
    assert client.post("/persons/%d/open-sealed" % station["H"].id, data={"reason": "x"}).status_code == 422
    opened = client.post("/persons/%d/open-sealed" % station["H"].id, data={"reason": "公安通报核查"})
    assert opened.status_code == 302
    shown = client.get("/persons/%d" % station["H"].id).get_data(as_text=True)
    assert "已于 2026-10-01 解除" in shown
    assert client.get("/persons/%d" % station["F"].id).status_code == 403  # opened one by one
    assert in_app(lambda: AuditLog.get(AuditLog.action == "person.open_sealed").reason)() == "公安通报核查"
    assert "动态管控" not in client.get("/persons/%d" % station["A"].id).get_data(as_text=True)


def test_sealing_and_anonymising_leave_every_indicator_unchanged(station, users, app, runner):
    periods = [Q3, indicators.period_of("year", 2026, today_=date(2026, 11, 20)),
               indicators.period_of("month", 2026, 10), indicators.period_of("year", 2025)]

    def everything():
        return [{key: (i.numerator, i.denominator, i.value, i.extra) for key, i in compute(user, period).items()}
                for user in (users["lead"], users["worker"]) for period in periods]

    before = everything()
    assert in_app(after_release.seal_ended)() == 2  # F and H
    assert everything() == before
    in_app(lambda: Setting.replace(key="retention.years", value="0").execute())()
    result = runner.invoke(args=["retention"])
    assert "已匿名化 2 份" in result.output
    assert in_app(lambda: Person.get_by_id(station["F"].id).name)() .startswith("个案 ")
    assert everything() == before
