"""集中检测: ticks that survive the filter, a street or today's due ticked at once, 全部阴性, the
female-collector reminder before saving (and on save), remembered collectors and 协同派出所."""
import re

import pytest

from factories import in_app, make_person, text_of

from portal.dates import today
from portal.models import AuditLog, Case, Screening, User

HEADER = {"tested_on": "2026-11-20", "kind": "onsite", "sample": "urine", "panels": ["opiates", "meth"],
          "collectors": "李明、陈丽", "police_station": "新华路派出所"}


@in_app
def move(person, street):
    Case.update(street=street).where(Case.person == person.id).execute()


@in_app
def screened(person, on=None, **values):
    case = Case.get(Case.person == person.id)
    return Screening.create(person=person.id, case=case.id, staff=User.get(User.username == "officer").id, tested_on=on or today(), result="negative",
                            **values)


def ticked(page):
    """Names of the persons ticked on the choosing page."""
    return set(re.findall(r'<input type="checkbox" name="person" value="\d+" id="pick-\d+" checked>\s*(\S+)', page))


def grid(persons, **header):
    data = {**HEADER, **header}
    for i, person in enumerate(persons):
        data["rows-%d-person_id" % i] = str(person.id)
        data["rows-%d-signed" % i] = "y"
    return data


def count():
    return in_app(Screening.select().count)()


def test_ticks_survive_a_filter_that_hides_them(client, users, login_as):
    zhang, li = make_person("张三", worker=users["worker"].id), make_person("李四", worker=users["worker"].id)
    move(li, "中曹司街道")
    login_as("officer")
    page = client.get("/screenings/day", query_string={"q": "中曹司", "person": [zhang.id]}).get_data(as_text=True)
    assert "已勾选、但不在当前筛选结果中的 1 人" in page and ticked(page) == {"张三"}
    assert re.search(r'id="pick-%d"\s*>' % li.id, page)  # 李四 matches the filter, not ticked
    cleared = client.get("/screenings/day", query_string={"person": [zhang.id, li.id]}).get_data(as_text=True)
    assert ticked(cleared) == {"张三", "李四"} and "不在当前筛选结果中" not in cleared


def test_tick_a_whole_street_in_the_users_scope(client, users, login_as):
    a, b = make_person("甲", worker=users["worker"].id), make_person("乙", worker=users["worker"].id)
    other_street = make_person("丙", worker=users["worker"].id)
    colleagues = make_person("丁", worker=users["worker2"].id)
    move(other_street, "二戈街道")
    login_as("worker")
    page = client.get("/screenings/day", query_string={"add": "street", "street": "新华路街道",
                                                        "person": [other_street.id]}).get_data(as_text=True)
    assert ticked(page) == {"甲", "乙", "丙"}  # the street added to what was ticked; a colleague's person never
    assert "丁" not in text_of(client.get("/screenings/day")) and a and b and colleagues


def test_tick_todays_due_and_mark_them(client, users, login_as):
    due, done = make_person("应检者", worker=users["worker"].id), make_person("已检者", worker=users["worker"].id)
    screened(done)  # tested today: the next test is a month away
    screened(due, on=today().replace(year=today().year - 1))  # last tested a year ago: overdue
    login_as("officer")
    page = client.get("/screenings/day").get_data(as_text=True)
    assert "勾选今日应检（1 人）" in page
    rows = {name: row for row, name in re.findall(r"(<li><label>.*?(\S+者).*?</li>)", page, re.S)}
    assert "今日应检" in rows["应检者"] and "今日应检" not in rows["已检者"] and "今日已检测" in rows["已检者"]
    assert ticked(client.get("/screenings/day?add=due").get_data(as_text=True)) == {"应检者"}


def test_all_negative_fills_only_the_empty_rows_and_saves_nothing(client, users, login_as):
    persons = [make_person("人员%d" % i, worker=users["worker"].id) for i in range(3)]
    login_as("officer")
    data = {**grid(persons), "rows-1-result": "refused", "step": "fill"}
    response = client.post("/screenings/day", data=data)
    page = response.get_data(as_text=True)
    chosen = re.findall(r'<select[^>]*name="rows-(\d)-result"[^>]*>.*?<option selected value="(\w+)"', page, re.S)
    assert response.status_code == 200 and dict(chosen) == {"0": "negative", "1": "refused", "2": "negative"}
    assert count() == 0 and "请选择检测结果" not in page


def reminders(client, persons, **values):
    page = client.post("/screenings/day", data={**grid(persons), "step": "check", **values}).get_data(as_text=True)
    box = re.search(r'<div id="collector-check".*?</div>', page, re.S).group(0)
    return re.findall(r"提醒：(\S+?)为女性", box)


def test_the_female_collector_rule_is_checked_before_saving_on_both_sides(client, users, login_as):
    woman = make_person("王芳", worker=users["worker"].id, male=False)
    man = make_person("张三", worker=users["worker"].id)
    login_as("officer")
    read = {"rows-0-result": "negative", "rows-1-result": "negative"}
    assert reminders(client, [woman, man], **read) == ["王芳"]  # a woman's urine, no woman collecting
    assert reminders(client, [woman, man], female_collector="y", **read) == []  # a woman collecting
    assert reminders(client, [woman, man], sample="hair", **read) == []  # not urine
    assert reminders(client, [woman, man], **{"rows-0-result": "refused"}) == []  # no sample was taken
    assert reminders(client, [woman, man]) == []  # no result chosen yet
    assert count() == 0  # checking saves nothing
    page = client.post("/screenings/day", data={**grid([woman, man]), **read}).get_data(as_text=True)
    assert count() == 2 and "王芳为女性，尿样应由女性工作人员采集" in page  # and on save it is still said


def test_the_single_test_form_prefills_the_last_collectors_and_offers_the_stations_entries(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    first = client.get("/persons/%d/screenings/new" % person.id).get_data(as_text=True)
    assert collectors_prefilled(first) is None  # no test yet: empty, not one name the rule refuses
    screened(person, collectors="赵丽、孙强", police_station="花果园派出所")  # someone else's entry: offered, not prefilled
    client.post("/persons/%d/screenings/" % person.id, data={
        **HEADER, "collectors": "陈丽 李明", "police_station": "新华路派出所", "result": "negative", "signed": "y"})
    page = client.get("/persons/%d/screenings/new" % person.id).get_data(as_text=True)
    assert re.search(r'name="collectors"[^>]*value="陈丽、李明"', page)
    assert re.search(r'name="police_station"[^>]*value="新华路派出所"', page)
    assert 'list="collector-choices"' in page and '<option value="赵丽、孙强">' in page
    assert '<option value="花果园派出所">' in page and '<option value="新华路派出所">' in page


def collectors_prefilled(page):
    """The value the collectors field of a test form opens with (None: empty)."""
    field = re.search(r'<input[^>]*name="collectors"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', field)
    return value.group(1) if value and value.group(1) else None


@in_app
def own_test(person, username, collectors, police_station="新华路派出所"):
    """A test the user `username` recorded (an imported one may name a single collector)."""
    return Screening.create(person=person.id, case=Case.get(Case.person == person.id).id, result="negative",
                            staff=User.get(User.username == username).id, tested_on=today(), collectors=collectors,
                            police_station=police_station)


@pytest.mark.parametrize("form", ["single", "day"])
def test_collectors_are_prefilled_only_when_the_remembered_entry_meets_the_rule(client, users, login_as, form):
    person = make_person("张三", worker=users["worker"].id)
    screened(person, collectors="赵丽、孙强")  # the station's entries, offered as the choice list

    def opened():
        page = (client.get("/persons/%d/screenings/new" % person.id) if form == "single" else
                client.post("/screenings/day", data={"step": "choose", "person": [person.id]})).get_data(as_text=True)
        assert 'list="collector-choices"' in page and '<option value="赵丽、孙强">' in page
        assert "至少两人，用顿号分隔" in page  # the hint stays under the empty field
        return page
    login_as("worker")
    own_test(person, "worker", "陈丽")  # one name: below the rule
    page = opened()
    assert collectors_prefilled(page) is None  # not "陈丽" alone, nor the user's own name
    assert re.search(r'name="police_station"[^>]*value="新华路派出所"', page)  # the station is still remembered
    own_test(person, "worker", "陈丽、李明")  # two names: the rule is met
    assert collectors_prefilled(opened()) == "陈丽、李明"


def test_the_lead_adds_and_hides_entries_with_a_reason_and_nothing_is_lost(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    screened(person, collectors="赵丽、孙强", police_station="花果园派出所")
    login_as("lead")
    assert client.post("/settings/choices/", data={"kind": "collectors", "value": "王五"}).status_code == 422
    assert client.post("/settings/choices/", data={"kind": "police_station", "value": "二戈派出所"}).status_code == 302
    refused = client.post("/settings/choices/hide", data={"kind": "police_station", "value": "花果园派出所"})
    assert refused.status_code == 422 and "此项为必填项" in text_of(refused)
    assert client.post("/settings/choices/hide", data={"kind": "police_station", "value": "花果园派出所",
                                                      "reason": "辖区调整"}).status_code == 302
    row = in_app(AuditLog.get)(AuditLog.action == "choice.hide")
    assert row.reason == "辖区调整" and "花果园派出所" in row.detail
    login_as("worker")
    page = client.get("/persons/%d/screenings/new" % person.id).get_data(as_text=True)
    assert '<option value="二戈派出所">' in page and '<option value="花果园派出所">' not in page
    assert in_app(Screening.get)().police_station == "花果园派出所"  # past tests keep what they said
    login_as("lead")
    settings = text_of(client.get("/settings/choices/"))
    assert "已停用" in settings and "花果园派出所" in settings
    client.post("/settings/choices/restore", data={"kind": "police_station", "value": "花果园派出所"})
    login_as("worker")
    assert '<option value="花果园派出所">' in client.get("/persons/%d/screenings/new" % person.id).get_data(as_text=True)
    assert in_app(AuditLog.select().where(AuditLog.action.startswith("choice.")).count)() == 3


def test_the_single_test_form_checks_the_female_collector_rule_without_saving(client, users, login_as):
    woman, man = make_person("王芳", worker=users["worker"].id, male=False), make_person("张三", worker=users["worker"].id)
    login_as("worker")

    def check(person, **values):
        data = {**HEADER, "result": "negative", "step": "check", **values}
        return text_of(client.post("/persons/%d/screenings/" % person.id, data=data))

    assert "王芳为女性，尿样应由女性工作人员采集" in check(woman)
    assert "女性" not in check(woman, female_collector="y") and "女性" not in check(man)
    assert "女性" not in check(woman, result="absent") and "女性" not in check(woman, sample="hair")
    assert count() == 0
