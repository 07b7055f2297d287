"""今日待办's stored due dates: kept current by every save, equal to a recomputation from the records, and
listed by the day the queue is read (due yesterday, today, tomorrow; each kind's reach)."""
import random
import re
from datetime import date, timedelta

import pytest
from factories import in_app, make_person, make_talk, queue_rows, talk_form
from flask_login import login_user

from portal.db import database
from portal.models import Case, DueDate, DueStale, Person, User
from portal.reports import due_store, queue, worklist

TODAY = date(2026, 11, 20)  # the test clock's station date
HX = {"HX-Request": "true"}
COLUMNS = 'SELECT "person_id", "case_id", "name", "worker_id", "kind", "due", "last", "undecided" FROM '


def stored():
    return sorted(database.execute_sql(COLUMNS + '"due_date"').fetchall(), key=repr)


def recomputed():
    """Every current case's owed rows computed from the records now, by the queue's rules."""
    ctes, rows = due_store.owed(queue.all_current())
    sql, params = rows.with_cte(*ctes).sql()
    return sorted(database.execute_sql(COLUMNS + "(%s)" % sql, params).fetchall(), key=repr)


def queue_for_everyone(username):
    """What `username`'s queue answers (counts and every row, both orders), read from the store as it is."""
    user = User.get(User.username == username)
    login_user(user)
    return [queue.read(dict(worklist.EVERYTHING, order=order), 1, 10_000) for order in worklist.ORDERS]


def random_save(client, rng, person_id, case_id):
    """One save through the real routes, of a kind that moves due dates."""
    day = (TODAY - timedelta(days=rng.randrange(0, 90))).isoformat()
    later = (TODAY + timedelta(days=rng.randrange(-20, 40))).isoformat()
    person, case = "/persons/%d" % person_id, "/persons/%d/cases/%d" % (person_id, case_id)
    posts = [
        (person + "/talks/", talk_form(held_at=day + "T09:30", next_date=rng.choice(["", later]))),
        (person + "/visits/", {"visited_on": day, "visitors": "陈丽", "address": "花果园大街1号", "found_at_home": "yes",
                               "family_met": "", "verified": ["living"], "anomalies": [], "actions": "",
                               "next_date": rng.choice(["", later])}),
        (person + "/risks/", {"assessed_on": day, "level": rng.choice(["high", "medium", "low"]), "factors": [],
                              "notes": ""}),
        (person + "/screenings/", {"tested_on": day, "kind": "onsite", "sample": rng.choice(["urine", "hair"]),
                                   "panels": ["opiates"], "collectors": "李明、陈丽", "female_collector": "y",
                                   "police_station": "新华路派出所", "signed": "y",
                                   "result": rng.choice(["negative", "negative", "absent", "positive"])}),
        (case + "/transition/suspend", {"on": day, "document_number": "中字〔2026〕1号", "notes": "住院"}),
        (case + "/transition/resume", {"on": TODAY.isoformat(), "document_number": "复字〔2026〕1号"}),
        (case + "/agreements/new", {"signed_on": day, "measures": "定期检测", "obligations": "不得吸毒",
                                    "liability": "违约报告公安"}),
    ]
    url, data = rng.choice(posts)
    response = client.post(url, data=data, headers=HX if rng.random() < 0.5 else {})
    assert response.status_code in (200, 302, 422), (url, response.status_code)
    return response.status_code != 422


def test_stored_dates_equal_a_recomputation_after_many_random_saves(app, demo_station):
    rng = random.Random(19)
    with app.app_context(), database.connection_context():
        cases = list(queue.all_current().select(Case.person, Case.id).tuples())
        assert not DueStale.select().exists() and stored() == recomputed()
    saved = 0
    for n in range(60):
        saved += random_save(demo_station, rng, *rng.choice(cases))
        if n == 30:  # a rule setting: every person's dates move
            assert demo_station.post("/settings/", data={"talk": "2", "visit": "3", "visit_high": "1", "review_high": "1",
                                                         "review_medium": "3", "review_low": "6"}).status_code == 302
    with app.test_request_context(), database.connection_context():
        assert not DueStale.select().exists()  # every save recomputed what it moved before it committed
        assert stored() == recomputed()
        by_store = queue_for_everyone("lead")
        with database.atomic() as transaction:  # everyone marked: the queue computes all from the records
            DueStale.insert(person_id=due_store.EVERYONE).execute()
            assert queue_for_everyone("lead") == by_store
            transaction.rollback()
        assert saved > 40 and sum(by_store[0][0].values()) > 20  # saves kept; the demo station owes plenty


def test_a_write_outside_a_transaction_is_read_from_the_records_until_the_next_commit(app, client, users,
                                                                                    login_as):
    person = make_person("迟到", worker=users["worker"].id)
    login_as("worker")  # a commit: the new person's dates are stored (a talk due since reporting)
    assert listed(client, person, "talk")
    make_talk(person, users["worker"].id, next_date=date(2026, 12, 20))  # no transaction: marked, not refreshed
    with app.app_context(), database.connection_context():
        assert DueStale.get_or_none(DueStale.person_id == person.id)
        assert DueDate.get(DueDate.person_id == person.id, DueDate.kind == "talk").due == date(2025, 1, 10)
    assert not listed(client, person, "talk") and listed(client, person, "visit")
    with app.app_context(), database.connection_context():
        with database.atomic():
            pass  # any commit recomputes the marked
        assert not DueStale.select().exists() and stored() == recomputed()
        assert DueDate.get(DueDate.person_id == person.id, DueDate.kind == "talk").due == date(2026, 12, 20)


def test_the_rebuild_command_remakes_every_date(app, runner, users):
    person = make_person("甲", worker=users["worker"].id)
    with app.app_context(), database.connection_context():
        DueDate.update(due=date(2000, 1, 1)).execute()  # a store gone wrong (outside the app's saves)
        assert stored() != recomputed()
    result = runner.invoke(args=["rebuild-due-dates"])
    assert result.exit_code == 0 and "已重建今日待办的到期日" in result.output
    with app.app_context(), database.connection_context():
        assert stored() == recomputed() and DueDate.select().where(DueDate.person_id == person.id).exists()


@in_app
def owes(person, kind, due, undecided=None):
    """The person's stored dates replaced by one kind owed from `due` (the read is what is under test)."""
    DueStale.delete().execute()
    DueDate.delete().where(DueDate.person_id == person.id).execute()
    case = Case.get(Case.person == person.id)
    DueDate.create(person_id=person.id, case_id=case.id, name=person.name, worker_id=case.worker_id, kind=kind,
                   due=due, undecided=undecided)


def listed(client, person, kind):
    return 'id="q-%s-%d"' % (kind, person.id) in queue_rows(client, kind=kind)


DAY = timedelta(days=1)
TODAY_KINDS = ["talk", "visit", "review", "hair", "assistance", "counselling", "overdue_return"]
ANY_KINDS = ["agreement", "report", "police", "relocated", "late_report", "notice"]


@pytest.mark.parametrize("kind", TODAY_KINDS)
def test_work_due_today_or_before_is_listed_and_tomorrows_is_not(client, users, login_as, kind):
    person = make_person("甲", worker=users["worker"].id)
    login_as("lead")
    for due, shown in ((TODAY + DAY, False), (TODAY, True), (TODAY - DAY, True)):
        owes(person, kind, due)
        assert listed(client, person, kind) is shown, due


@pytest.mark.parametrize("kind", ANY_KINDS)
def test_work_owed_is_listed_whatever_its_day(client, users, login_as, kind):
    person = make_person("甲", worker=users["worker"].id)
    login_as("lead")
    for due in (TODAY + 40 * DAY, TODAY + DAY, TODAY, TODAY - DAY):
        owes(person, kind, due)
        assert listed(client, person, kind), due


def test_a_term_is_listed_from_the_first_warning(client, users, login_as):
    person = make_person("甲", worker=users["worker"].id)
    login_as("lead")
    for due, shown in ((TODAY + 31 * DAY, False), (TODAY + 30 * DAY, True), (TODAY + DAY, True), (TODAY, True),
                       (TODAY - DAY, True)):
        owes(person, "term", due)
        assert listed(client, person, "term") is shown, due


def test_a_test_beyond_its_days_of_grace_becomes_a_candidate_evasion(client, users, login_as):
    person = make_person("甲", worker=users["worker"].id)  # the station's grace: 7 days
    login_as("lead")
    for due, test, missed in ((TODAY + DAY, False, False), (TODAY, True, False), (TODAY - 7 * DAY, True, False),
                              (TODAY - 8 * DAY, False, True)):
        owes(person, "screening", due)
        assert (listed(client, person, "screening"), listed(client, person, "missed")) == (test, missed), due
    owes(person, "screening", TODAY + DAY, undecided=TODAY - DAY)  # a 未到 awaits its decision
    assert not listed(client, person, "screening") and listed(client, person, "missed")
    assert "2026-11-19" in queue_rows(client, kind="missed")


def test_the_days_pass_without_a_save_and_the_queue_follows(app, client, clock, users, login_as):
    person = make_person("甲", worker=users["worker"].id)
    login_as("worker")
    client.post("/persons/%d/talks/" % person.id, data=talk_form(next_date="2026-11-22"))
    with app.app_context(), database.connection_context():
        assert not DueStale.select().exists()  # the save stored its dates
    seen = []
    for _ in range(3):  # 11-20, 11-21: not yet; 11-22: due today
        seen.append(listed(client, person, "talk"))
        clock.advance(days=1)
        login_as("worker")
    assert seen == [False, False, True]
    assert "今日到期" in queue_rows(client, kind="talk") or re.search("逾期", queue_rows(client, kind="talk"))


def test_a_new_name_or_worker_and_sealing_move_the_stored_rows(app, client, users, login_as):
    person = make_person("甲", worker=users["worker"].id)
    login_as("lead")
    client.post("/persons/%d/talks/" % person.id, data=talk_form(held_at="2026-09-01T09:30"))
    assert listed(client, person, "talk")
    with app.app_context(), database.connection_context():
        with database.atomic():
            Person.update(name="乙").where(Person.id == person.id).execute()
            Case.update(worker=users["worker2"].id).where(Case.person == person.id).execute()
        assert {(row.name, row.worker_id) for row in DueDate.select().where(DueDate.person_id == person.id)} == {
            ("乙", users["worker2"].id)}
        assert stored() == recomputed()
        with database.atomic():
            Person.update(sealed_at=TODAY).where(Person.id == person.id).execute()
        assert not DueDate.select().where(DueDate.person_id == person.id).exists()
    assert not listed(client, person, "talk")
