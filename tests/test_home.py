"""The start page: the persons in the user's scope by measure and status, beside today's due work."""
import re
from datetime import date

from factories import make_person, make_talk


def cell(page, measure, status):
    link = re.search(r'href="/persons/\?measure=%s&amp;status=%s">(\d+)</a>' % (measure, status), page)
    return int(link.group(1))


def test_the_start_page_counts_the_persons_in_scope_as_the_list_does(client, users, login_as):
    make_person("甲", worker=users["worker"].id)
    make_person("乙", worker=users["worker"].id)
    make_person("丙", worker=users["worker"].id, status="suspended")
    make_person("丁", worker=users["worker"].id, measure="community_rehab")
    make_person("戊")  # someone else's
    login_as("worker")
    page = client.get("/").get_data(as_text=True)
    assert "我负责的人员" in page and "今日待办" in page
    assert cell(page, "community_detox", "active") == 2 and cell(page, "community_detox", "suspended") == 1
    assert cell(page, "community_rehab", "active") == 1 and cell(page, "community_rehab", "pending_report") == 0
    login_as("lead")
    assert cell(client.get("/").get_data(as_text=True), "community_detox", "active") == 3  # the whole station


def test_the_ended_column_links_to_the_list_of_the_ended_persons_it_counts(client, users, login_as):
    """已结束 is a link like every other cell, to 两社人员 filtered to the ended statuses, with the same count;
    the heading names persons by measure and status (not 在管: the ended are counted too)."""
    make_person("甲", worker=users["worker"].id)
    make_person("乙", worker=users["worker"].id, status="released")
    make_person("丙", worker=users["worker"].id, status="terminated")
    make_person("丁", worker=users["worker"].id, status="released", measure="community_rehab")
    make_person("戊", status="deceased")  # someone else's
    login_as("lead")
    page = client.get("/").get_data(as_text=True)
    assert "本站人员（按措施和状态）" in page and "本站在管人员" not in page
    assert cell(page, "community_detox", "ended") == 3 and cell(page, "community_rehab", "ended") == 1
    listed = client.get("/persons/?measure=community_detox&status=ended").get_data(as_text=True)
    assert [name for name in "甲乙丙丁戊" if ">%s</a>" % name in listed] == list("乙丙戊")
    assert 'value="ended" selected' in listed
    login_as("worker")
    page = client.get("/").get_data(as_text=True)
    assert "我负责的人员（按措施和状态）" in page and cell(page, "community_detox", "ended") == 2
    listed = client.get("/persons/?status=ended").get_data(as_text=True)
    assert [name for name in "甲乙丙丁戊" if ">%s</a>" % name in listed] == list("乙丙丁")


def test_every_page_names_its_icon_so_browsers_ask_for_nothing_missing(client):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    answer = client.get(icon)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml" and b"<svg" in answer.data


def expected_counts(user):
    """The rule in plain Python: each listed person whose newest live case the user may open, by its
    measure and status."""
    from portal.models import Case, Person
    counts = {}
    for person in Person.select().where(Person.deleted_at.is_null(), Person.sealed_at.is_null()):
        live = [c for c in Case.select().where(Case.person == person.id) if c.deleted_at is None]
        if not live:
            continue
        case = max(live, key=lambda c: c.id)
        mine = {"lead": True, "officer": True, "worker": case.worker_id == user.id,
                "counsellor": case.counsellor_id == user.id}[user.role]
        if mine:
            counts.setdefault(case.measure, {}).setdefault(case.status, 0)
            counts[case.measure][case.status] += 1
    return counts


def test_the_counts_by_measure_and_status_follow_each_persons_newest_live_case_for_every_role(app, users):
    from portal import home
    from portal.models import Case, Person
    worker, worker2 = users["worker"].id, users["worker2"].id
    make_person("单案", worker=worker, counsellor=users["counsellor"].id)
    reopened = make_person("重新决定", worker=worker, status="released")
    transferred = make_person("转出后回来", worker=worker2, status="transferred", measure="community_rehab")
    removed = make_person("新案已删", worker=worker2, status="suspended")
    sealed = make_person("已封存", worker=worker, status="released")
    gone = make_person("已删除", worker=worker)
    make_person("已结束", worker=worker2, counsellor=users["counsellor"].id, status="terminated")
    with app.app_context():
        def add(person, **values):
            fields = dict(measure="community_detox", decision_number="再次决定", decision_date=date(2026, 6, 1),
                          served_date=date(2026, 6, 2), report_date=None, term_months=24, street="中华路街道",
                          status="pending_report")
            fields.update(values)
            return Case.create(person=person.id, **fields)
        add(reopened, worker=worker2)  # the newer case is a colleague's: the first worker no longer counts it
        add(transferred, status="active", measure="community_detox", worker=worker2)
        add(removed, worker=worker, deleted_at=date(2026, 11, 19))  # removed: the suspended case stays current
        Person.update(sealed_at=date(2026, 11, 1)).where(Person.id == sealed.id).execute()
        Person.update(deleted_at=date(2026, 11, 1)).where(Person.id == gone.id).execute()
        Person.create(name="无案件", sex="F", birth_date=date(1990, 2, 2), id_number="52010219900202002X",
                      **Person.search_keys("无案件"))
        for role in ("lead", "officer", "worker", "worker2", "counsellor", "officer2"):
            user = users[role]
            assert home.by_measure_and_status(user) == expected_counts(user), role
        assert home.by_measure_and_status(users["worker"]) == {"community_detox": {"active": 1}}
        assert home.by_measure_and_status(users["worker2"]) == {
            "community_detox": {"active": 1, "pending_report": 1, "suspended": 1, "terminated": 1}}
        # the other side of each boundary: the removed case restored, the sealed file opened again
        Case.update(deleted_at=None).where(Case.person == removed.id, Case.worker == worker).execute()
        Person.update(sealed_at=None).where(Person.id == sealed.id).execute()
        for role in ("lead", "worker", "worker2"):
            assert home.by_measure_and_status(users[role]) == expected_counts(users[role]), role
        assert home.by_measure_and_status(users["worker"]) == {
            "community_detox": {"active": 1, "pending_report": 1, "released": 1}}


def test_the_due_counts_equal_the_worklists_own_items_for_every_role(app, client, users, login_as):
    from flask_login import login_user

    from portal.reports import queue, worklist
    for n, (who, due) in enumerate([("worker", date(2026, 11, 19)), ("worker", date(2026, 11, 20)),
                                    ("worker", date(2026, 11, 21)), ("worker2", date(2026, 11, 20)),
                                    ("worker2", date(2026, 11, 21))]):
        make_talk(make_person("待谈%d" % n, worker=users[who].id), users[who].id, next_date=due)
    for role in ("lead", "officer", "worker", "worker2"):
        with app.test_request_context("/"):
            login_user(users[role])
            counts, _ = queue.read(worklist.EVERYTHING)  # the counts alone, as the start page asks
            full, rows = queue.read(worklist.EVERYTHING, size=1000)  # with every row, as the queue page
            by_rows = {}
            for row in rows:
                by_rows[row["kind"], row["worker_id"]] = by_rows.get((row["kind"], row["worker_id"]), 0) + 1
            assert counts == full == by_rows and counts, role
            talks = {w: n for (kind, w), n in counts.items() if kind == "talk"}
            assert talks == {"lead": {users["worker"].id: 2, users["worker2"].id: 1},
                             "officer": {users["worker"].id: 2, users["worker2"].id: 1},
                             "worker": {users["worker"].id: 2}, "worker2": {users["worker2"].id: 1}}[role]
    login_as("worker")
    page = client.get("/").get_data(as_text=True)
    assert "面对面谈话 2 项" in page
