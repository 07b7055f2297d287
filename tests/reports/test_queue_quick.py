"""One-click outcomes in a 今日待办 row: "在家，已走访" and "阴性" save exactly what the row's form would,
through the same form and save (audited, once-only); a prefill that does not validate answers the form
with its Chinese errors and saves nothing."""
from datetime import date
from html.parser import HTMLParser

import pytest
from factories import in_app, make_person

from portal.models import AuditLog, HomeVisit, Screening

HX = {"HX-Request": "true"}
KEPT = {"visit": ("visited_on", "visitors", "address", "found_at_home", "family_met", "living_verified",
                  "employment_verified", "anomalies", "actions", "next_date", "staff", "person", "deleted_at"),
        "screening": ("tested_on", "kind", "sample", "panels", "collectors", "female_collector", "police_station",
                      "result", "positive_panels", "sample_a", "sample_b", "random", "signed", "notes", "staff",
                      "person", "case", "deleted_at")}


class FormFields(HTMLParser):
    """What a browser posts for the first form of a fragment: inputs, ticked boxes, textareas, selects."""

    def __init__(self, html):
        super().__init__()
        self.data, self._text, self._select, self._forms = [], None, None, 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._forms += 1
        if self._forms != 1 or not a.get("name") and tag != "option":
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.data.append((a["name"], a.get("value", "y" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._text = a["name"]
            self.data.append((a["name"], ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._text:
            self.data[-1] = (self._text, data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None


@in_app
def earlier_test(person, staff, collectors="陈丽、杨芳", police_station="新华路派出所"):
    """An earlier test of this user: its collectors and 协同派出所 are what the next form opens with."""
    return Screening.create(person=person, case=person.current_case(), staff=staff, tested_on=date(2026, 9, 20),
                            result="negative", collectors=collectors, police_station=police_station, signed=True)


@in_app
def fields_of(model, row_id, kind):
    row = model.get_by_id(row_id)
    return {name: getattr(row, name + "_id" if name in ("staff", "person", "case") else name) for name in KEPT[kind]}


@in_app
def actions(*names):
    return [(row.action, row.object_id) for row in AuditLog.select().where(AuditLog.action.in_(names))
            .order_by(AuditLog.id)]


def one_click(client, person, kind, route, token="t" * 24, headers=HX, **extra):
    row = "q-%s-%d" % (kind, person.id)
    data = dict(form_token=token, target=row, back="/queue/#" + row, **extra)
    return client.post("/persons/%d/%s" % (person.id, route), data=data, headers=headers)


def by_the_form(client, person, kind, form_name, **chosen):
    """The row's own form, opened and posted as a browser would, with `chosen` filled in."""
    html = client.get("/persons/%d/%s/new?target=q-%s-%d" % (person.id, form_name, kind, person.id),
                      headers=HX).get_data(as_text=True)
    posted = [(k, v) for k, v in FormFields(html).data if k not in chosen] + list(chosen.items())
    data = {}
    for k, v in posted:
        data.setdefault(k, []).append(v)
    return client.post("/persons/%d/%s/" % (person.id, form_name), data=data, headers=HX)


def test_the_rows_of_a_visit_and_a_test_offer_their_one_click_outcome(client, users, login_as):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    earlier_test(person, users["worker"].id)  # the next urine test falls due today
    login_as("worker")
    page = client.get("/queue/").get_data(as_text=True)
    for route, label in (("visits/at-home", "在家，已走访"), ("screenings/negative", "阴性")):
        assert 'action="/persons/%d/%s" hx-post="/persons/%d/%s"' % (person.id, route, person.id, route) in page
        assert ">%s</button>" % label in page
    assert page.count('name="form_token"') == 2  # one token per button; the talk and the review have none
    assert 'title="按常用值登记尿检阴性"' in page and 'name="back" value="/queue/#q-visit-%d"' % person.id in page


def test_one_click_visit_saves_the_visit_the_form_would(client, users, login_as):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    login_as("worker")
    response = one_click(client, person, "visit", "visits/at-home")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#q-visit-%d-item" % person.id
    assert "罗江飞：走访记录已保存。此项已从今日待办中移除。" in body
    quick = HomeVisit.select().where(HomeVisit.person == person.id).get()
    assert 'hx-get="/visits/%d/edit" hx-target="#visit-%d"' % (quick.id, quick.id) in body and ">修改</a>" in body
    assert by_the_form(client, person, "visit", "visits", found_at_home="yes").status_code == 200
    full = HomeVisit.select().where(HomeVisit.person == person.id).order_by(HomeVisit.id.desc()).get()
    assert full.id != quick.id and fields_of(HomeVisit, quick.id, "visit") == fields_of(HomeVisit, full.id, "visit")
    assert quick.found_at_home and quick.address == "新华路 12 号" and quick.visited_on == date(2026, 11, 20)
    assert ("visit.create", quick.id) in actions("visit.create")


def test_one_click_negative_saves_the_test_the_form_would(client, users, login_as):
    person = make_person("曹平超", worker=users["worker"].id)
    earlier = earlier_test(person, users["worker"].id)
    login_as("worker")
    response = one_click(client, person, "screening", "screenings/negative")
    assert response.status_code == 200 and "曹平超：检测记录已保存。" in response.get_data(as_text=True)
    quick = Screening.select().where(Screening.person == person.id, Screening.id != earlier.id).get()
    assert by_the_form(client, person, "screening", "screenings", result="negative").status_code == 200
    full = Screening.select().where(Screening.person == person.id).order_by(Screening.id.desc()).get()
    assert full.id != quick.id and fields_of(Screening, quick.id, "screening") == fields_of(Screening, full.id, "screening")
    assert (quick.result, quick.collectors, quick.police_station, quick.signed, quick.panels, quick.sample) == (
        "negative", "陈丽、杨芳", "新华路派出所", True, "opiates,meth,ketamine", "urine")
    assert ("screening.create", quick.id) in actions("screening.create")


def test_a_prefill_that_does_not_validate_answers_the_form_in_the_row(client, users, login_as):
    """No test yet: no remembered collectors (a test form never prefills one name alone); no address on file."""
    person = make_person("曹平超", worker=users["worker"].id)
    login_as("worker")
    response = one_click(client, person, "screening", "screenings/negative")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "HX-Retarget" not in response.headers
    assert "一键登记未保存" in body and 'id="collectors-error">此项为必填项。' in body and 'name="target" value="q-screening-%d"' % person.id in body
    assert 'checked id="result-0" name="result" type="radio" value="negative"' in body and 'hx-target="#q-screening-%d-slot"' % person.id in body
    response = one_click(client, person, "visit", "visits/at-home")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "一键登记未保存" in body and "此项为必填项" in body and 'checked id="found_at_home-0" name="found_at_home" type="radio" value="yes"' in body
    assert ("person.view", person.id) in actions("person.view")  # the form shows the address: a read
    assert Screening.select().count() == 0 and HomeVisit.select().count() == 0


def test_a_womans_urine_without_a_woman_collecting_is_not_saved_by_one_click(client, users, login_as):
    person = make_person("杨梅英", worker=users["worker"].id, male=False)
    earlier_test(make_person("曹平超", worker=users["worker"].id), users["worker"].id)
    login_as("worker")
    response = one_click(client, person, "screening", "screenings/negative")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "一键登记未保存" in body and "提醒：杨梅英为女性，尿样应由女性工作人员采集" in body
    assert 'value="陈丽、杨芳"' in body  # the remembered collectors stay in the form
    assert Screening.select().where(Screening.person == person.id).count() == 0


def test_one_click_needs_a_running_measure(client, users, login_as):
    person = make_person("未报到", worker=users["worker"].id, status="pending_report")
    earlier_test(make_person("曹平超", worker=users["worker"].id), users["worker"].id)
    login_as("worker")
    response = one_click(client, person, "screening", "screenings/negative")
    assert response.status_code == 422 and "尚未报到执行" in response.get_data(as_text=True)
    assert Screening.select().where(Screening.person == person.id).count() == 0


@pytest.mark.parametrize("role, status", [("volunteer", 403), ("counsellor", 403), ("worker2", 404)])
def test_one_click_keeps_the_role_rules(client, users, login_as, role, status):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    earlier_test(person, users["worker"].id)
    login_as(role)
    assert one_click(client, person, "visit", "visits/at-home").status_code == status
    assert one_click(client, person, "screening", "screenings/negative").status_code == status
    assert HomeVisit.select().count() == 0 and Screening.select().count() == 1


def test_a_get_saves_nothing(client, users, login_as):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    login_as("worker")
    for route in ("visits/at-home", "screenings/negative"):
        response = client.get("/persons/%d/%s" % (person.id, route), headers=HX)
        assert response.status_code == 405 and "Method" not in response.get_data(as_text=True)
    assert HomeVisit.select().count() == 0 and Screening.select().count() == 0


def test_the_same_button_posted_twice_saves_once(client, users, login_as):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    earlier_test(person, users["worker"].id)
    login_as("worker")
    for kind, route, model in (("visit", "visits/at-home", HomeVisit), ("screening", "screenings/negative", Screening)):
        before = model.select().count()
        first = one_click(client, person, kind, route, token=kind * 6)
        again = one_click(client, person, kind, route, token=kind * 6)
        assert first.status_code == 200 and again.headers.get("X-Portal-Replayed") == "1"
        assert again.get_data() == first.get_data() and model.select().count() == before + 1


def test_without_javascript_one_click_goes_back_to_the_queue_row(client, users, login_as):
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    login_as("worker")
    response = one_click(client, person, "visit", "visits/at-home", headers={})
    assert response.status_code == 302 and response.headers["Location"] == "/queue/#q-visit-%d" % person.id
    assert "罗江飞：走访记录已保存。" in client.get("/queue/").get_data(as_text=True)
    untested = make_person("曹平超", worker=users["worker"].id)
    refused = one_click(client, untested, "screening", "screenings/negative", headers={}).get_data(as_text=True)
    assert "<html" in refused and 'name="back" value="/queue/#q-screening-' in refused  # the full form, back after


def test_the_pager_total_follows_a_one_click_save(client, users, login_as):
    """The total under the list drops with the counts above it: the save sends the pager out of band."""
    person = make_person("罗江飞", worker=users["worker"].id, residence_address="新华路 12 号")
    make_person("曹平超", worker=users["worker"].id)
    login_as("worker")
    page = client.get("/queue/").get_data(as_text=True)
    before = int(page.split('id="queue-pager"')[1].split("共 ")[1].split(" 项")[0])
    assert before >= 2
    body = one_click(client, person, "visit", "visits/at-home",
                     headers=dict(HX, **{"HX-Current-URL": "http://localhost/queue/"})).get_data(as_text=True)
    pager = body.split('id="queue-pager"')[1]
    assert pager.startswith(' hx-swap-oob="true"') and "共 %d 项" % (before - 1) in pager.split("</div>")[0]
    assert "共 %d 项" % (before - 1) in client.get("/queue/").get_data(as_text=True).split('id="queue-pager"')[1]
