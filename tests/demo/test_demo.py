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
