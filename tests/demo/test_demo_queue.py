"""The demo as a station first meets it: the worker's 今日待办 one-click 阴性 saves, because the demo's tests
are recorded the way a station records them (the worker collects with the officer, a woman among them)."""
import re

from factories import in_app

from portal.demo import DEMO_PASSWORD
from portal.models import Case, Person, Screening, User

HX = {"HX-Request": "true"}


def due_urine_tests(page):
    """The persons of the page's 尿检到期 rows."""
    return [int(i) for i in re.findall(r'hx-post="/persons/(\d+)/screenings/negative"', page)]


@in_app
def sex_of(person_id):
    return Person.get_by_id(person_id).sex


@in_app
def a_woman_of(username):
    """A woman whose measure runs, followed by this worker (her test may be due another day: the one-click
    posts the same either way)."""
    return (Person.select(Person.id).join(Case, on=Case.person == Person.id).join(User, on=Case.worker == User.id)
            .where(Person.sex == "F", User.username == username, Case.status == "active", Case.is_current())
            .order_by(Person.id).first().id)


@in_app
def saved_negatives(person_id):
    return list(Screening.select().where(Screening.person == person_id, Screening.result == "negative",
                                         Screening.tested_on == Screening.select(Screening.tested_on).where(
                                             Screening.person == person_id).order_by(Screening.id.desc()).limit(1)))


def test_the_demo_workers_one_click_negative_saves_for_a_man_and_a_woman(runner, client):
    assert runner.invoke(args=["demo-data", "--persons", "150"]).exit_code == 0
    assert client.post("/login", data={"username": "worker", "password": DEMO_PASSWORD}).status_code == 302
    due = due_urine_tests(client.get("/queue/?kind=screening").get_data(as_text=True))
    men = [i for i in due if sex_of(i) == "M"]
    assert men  # the demo's worker has a man's urine test due today
    for person_id in (men[0], a_woman_of("worker")):
        row = "q-screening-%d" % person_id
        response = client.post("/persons/%d/screenings/negative" % person_id, headers=HX,
                               data={"form_token": "t%d" % person_id * 8, "target": row, "back": "/queue/#" + row})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "一键登记未保存" not in body, body
        assert "已保存" in body
        (test,) = [s for s in saved_negatives(person_id) if s.staff.username == "worker"]
        assert "、" in test.collectors and "陈丽" in test.collectors and test.female_collector
