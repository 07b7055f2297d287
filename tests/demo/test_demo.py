"""Demo data: a believable station, demo accounts, and the banner on every page."""
from portal.idcard import parse
from portal.models import Case, FamilyMember, Person, User
from portal.persons.duplicates import suspected_pairs


def test_demo_data_builds_a_station(app, runner, client):
    result = runner.invoke(args=["demo-data", "--persons", "60"])
    assert result.exit_code == 0, result.output
    assert {u.username for u in User.select()} == {
        "lead", "officer", "officer2", "worker", "worker2", "counsellor", "volunteer"}
    assert Person.select().count() == 60
    assert Case.select().where(Case.is_current()).count() == 60  # every person has a current case
    (pair,) = suspected_pairs()  # one person registered twice, for the merge screen to resolve
    twins = [Person.get_by_id(i) for i in pair.values()]
    assert twins[0].name == twins[1].name and twins[0].id_number != twins[1].id_number
    for person in Person.select():
        number, birth, sex = parse(person.id_number)
        assert number.startswith("52") and birth == person.birth_date and sex == person.sex
    worker_ids = {c.worker_id for c in Case.select()}
    assert len(worker_ids) == 2
    assert FamilyMember.select().count() > 30
    # The seed's story: a mother in community rehab whose 16-year-old daughter is back at school.
    mother = Person.get(Person.name == "罗秀英")
    assert mother.current_case().measure == "community_rehab"
    assert mother.live_family().where(FamilyMember.relation == "女儿").exists()


def test_demo_accounts_log_in_and_see_the_banner(app, runner, client):
    runner.invoke(args=["demo-data", "--persons", "10"])
    response = client.post("/login", data={"username": "worker", "password": "Demo@2026station"})
    assert response.status_code == 302
    for url in ("/", "/persons/", "/account/password"):
        assert "演示数据" in client.get(url).get_data(as_text=True)
    client.post("/logout")
    assert "演示数据" in client.get("/login").get_data(as_text=True)


def test_demo_data_refuses_a_database_with_accounts(app, runner):
    runner.invoke(args=["demo-data", "--persons", "5"])
    result = runner.invoke(args=["demo-data", "--persons", "5"])
    assert result.exit_code != 0 and "已有账户" in result.output


def test_no_banner_without_demo_data(client):
    assert "演示数据" not in client.get("/login").get_data(as_text=True)


def test_demo_tracking_follows_the_rules(app, runner):
    """The demo's screenings, breaches and incidents are what the rules modules make of them."""
    from portal.models import Breach, CaseEvent, Incident, Screening
    from portal.tracking import breaches

    assert runner.invoke(args=["demo-data", "--persons", "120"]).exit_code == 0
    serious = list(Incident.select().where(Incident.kind == "serious_breach"))
    assert len(serious) == 1 and serious[0].reported_on is None
    assert breaches.counters_of(serious[0].case_id)["missed"] >= 3
    positives = list(Screening.select().where(Screening.result == "positive"))
    assert positives and all(s.sample_a and s.sample_b and s.positive_panels for s in positives)
    during = [s for s in positives if s.case_id]  # a positive follow-up test after release opens nothing
    assert Incident.select().where(Incident.kind == "relapse").count() == len(during) == len(positives) - 1
    assert Screening.select().where(Screening.case.is_null()).count() == 2
    from portal.models import Absence
    from portal.tracking import returns
    reported = list(Absence.select().where(Absence.kind == "reported"))
    assert sum(returns.return_overdue(a) for a in reported) == 1
    assert [a.decision for a in reported if a.decision] == ["excused"]
    refusals = Screening.select().where(Screening.result.in_(("refused", "evaded"))).count()
    assert Breach.select().where(Breach.kind.in_(("refusal", "evasion"))).count() == refusals
    closing = CaseEvent.select().where(CaseEvent.action != "report")
    assert closing.exists() and all(e.document_number for e in closing)  # every column reached the rows
    mother = Person.get(Person.name == "罗秀英")
    assert not Screening.select().where(Screening.person == mother, Screening.result != "negative").exists()


WALL_CLOCK = ("ts", "hash", "prev_hash", "password_hash", "sha256", "stored_name")  # and every *_at


def station_rows():
    """Every table's rows, without what the wall clock or a random salt decides."""
    from portal.db import database

    tables = [r[0] for r in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'schema_migration' ORDER BY name")]
    rows = {}
    for table in tables:
        columns = [r[1] for r in database.execute_sql('PRAGMA table_info("%s")' % table)
                   if r[1] not in WALL_CLOCK and not r[1].endswith("_at")]
        rows[table] = database.execute_sql('SELECT %s FROM "%s" ORDER BY 1' % (
            ", ".join('"%s"' % c for c in columns), table)).fetchall()
    return rows


def built(app, path, seed):
    from portal import db, demo

    if not db.database.is_closed():
        db.database.close()
    db.open_sqlite(str(path))
    with app.app_context():
        db.upgrade()
        with db.database.connection_context():
            demo.build(persons=40, seed=seed)
            return station_rows()


def test_the_same_seed_builds_the_same_station(app, app_config, tmp_path):
    """Rows are made in memory and written in bulk: the seed alone decides them, and another seed
    makes another station."""
    from portal import db

    try:
        first, again = built(app, tmp_path / "a.sqlite3", 7), built(app, tmp_path / "b.sqlite3", 7)
        other = built(app, tmp_path / "c.sqlite3", 8)
    finally:
        db.open_sqlite(app_config["DATABASE"])
    assert first["talk"] and first["screening"] and first["counselling_session"] and first["audit_log"]
    assert first == again
    assert first["person"] != other["person"] and first["talk"] != other["talk"]


def test_demo_audit_rows_keep_the_chain(app, runner):
    """The demo's audit rows (breaches, incidents, forced risks, the load itself) are chained in one
    insert at the end of the build: the trail verifies."""
    from portal import audit
    from portal.db import database
    from portal.models import AuditLog

    assert runner.invoke(args=["demo-data", "--persons", "120"]).exit_code == 0
    with app.app_context(), database.connection_context():
        actions = {a for (a,) in AuditLog.select(AuditLog.action).tuples()}
        assert {"demo.load", "breach.create", "incident.create", "risk.force_high"} <= actions
        assert audit.verify_trail() == []


def test_bulk_insert_fills_every_column(app):
    """A key only some rows carry, a field default no row carries and a foreign key given as a
    model instance all reach the rows."""
    from datetime import date, datetime

    from portal.db import database
    from portal.demo.rows import insert
    from portal.models import Person, Talk, User

    with app.app_context(), database.connection_context():
        staff = User.create(username="w", display_name="陈丽", role="worker", password_hash="x")
        insert(Person, [dict(id=1, name="王伟", name_pinyin="wangwei", name_initials="ww", sex="M",
                             birth_date=date(1980, 1, 2), id_number="520102198001020011"),
                        dict(id=2, name="李娜", name_pinyin="lina", name_initials="ln", sex="F",
                             birth_date=date(1990, 3, 4), id_number="520102199003040021", phone="13800000000")])
        insert(Talk, [dict(person=1, staff=staff, held_at=datetime(2026, 1, 5, 9, 30), place="home", topics="work",
                           assessment="stable", signature="signed")])
        one, two = Person.get_by_id(1), Person.get_by_id(2)
        assert one.phone is None and two.phone == "13800000000" and one.version == two.version == 1
        assert one.created_at is not None and Talk.get().staff_id == staff.id
