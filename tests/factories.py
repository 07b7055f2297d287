"""Factories shared by the tests: rows made directly in the test app's database, and small helpers."""
import functools
import itertools
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from stdnum.cn import ric

from portal.accounts import passwords
from portal.dates import utcnow
from portal.models import Case, FamilyMember, Person, User

ROOT = Path(__file__).resolve().parent.parent  # the checkout
PASSWORD = "Str0ng&Secret-pass"
ROLES = ("lead", "officer", "worker", "counsellor", "volunteer")


class Clock:
    """An injected clock that tests move forward by hand."""

    def __init__(self):
        self.now = datetime(2026, 11, 20, 2, 0, 0)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


apps = []  # the current test's app, pushed by the app fixture


def in_app(fn):
    """Run a factory inside the current test app's context (config, injected clock)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with apps[-1].app_context():
            return fn(*args, **kwargs)
    return wrapper


@in_app
def make_user(role="worker", username=None, password=PASSWORD, **overrides):
    username = username or "%s.%d" % (role, next(_counter))  # never a fixture name such as "worker2"
    values = dict(username=username, display_name="测试" + username, role=role,
                  password_hash=passwords.hash_password(password), must_change_password=False,
                  password_changed_at=utcnow())
    values.update(overrides)
    return User.create(**values)


_counter = itertools.count(1)


def valid_id(birth=date(1985, 3, 14), male=True, area="520102", seq=None):
    seq = next(_counter) % 499 if seq is None else seq
    body = "%s%s%03d" % (area, birth.strftime("%Y%m%d"), seq * 2 + (1 if male else 0))
    return body + ric.calc_check_digit(body + "0")


@in_app
def make_person(name="张三", worker=None, counsellor=None, measure="community_detox", status="active",
                **overrides):
    """A person with one case; `worker` is the responsible 专干."""
    male = overrides.pop("male", True)
    birth = overrides.pop("birth_date", date(1985, 3, 14))
    values = dict(name=name, sex="M" if male else "F", birth_date=birth,
                  id_number=valid_id(birth, male), **Person.search_keys(name))
    values.update(overrides)
    person = Person.create(**values)
    Case.create(person=person, measure=measure, decision_number="筑南公（禁）社戒决字〔2025〕%04d号" % person.id,
                decision_date=date(2025, 1, 2), served_date=date(2025, 1, 5), report_date=date(2025, 1, 10),
                term_months=36, street="新华路街道", status=status, worker=worker, counsellor=counsellor)
    return person


@in_app
def make_family(person, **overrides):
    values = dict(person=person, name="李四", relation="母亲")
    values.update(overrides)
    return FamilyMember.create(**values)


def text_of(response):
    """Visible text of an HTML response, tags stripped."""
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


def inline_text(response):
    """Visible text with tags dropped without a space: inline markup (a fingerprint's groups) reads as typed."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


LAZY_SECTION = re.compile(r'<section class="card section-slot"[^>]*hx-get="([^"]+)"[^>]*>.*?</section>', re.S)


def person_page(client, person_id):
    """The person page as a browser ends up showing it: the page, each section it loads swapped in
    where it stands (as htmx does on reveal), every request audited and answered on its own."""
    page = client.get("/persons/%d" % person_id)
    if page.status_code == 200:
        html = page.get_data(as_text=True)
        page.set_data(LAZY_SECTION.sub(lambda m: client.get(m.group(1).replace("&amp;", "&"), headers={
            "HX-Request": "true"}).get_data(as_text=True), html))
    return page


def talk_form(**overrides):
    """A valid talk as the inline form posts it."""
    data = {"held_at": "2026-11-20T09:30", "place": "sunshine", "kind": "routine", "participants": "陈丽、其母",
            "topics": ["thoughts", "family"], "risk_factors": "", "assessment": "stable",
            "actions": "按时尿检", "next_date": "", "signature": "signed"}
    data.update(overrides)
    return data


@in_app
def make_talk(person, staff, **overrides):
    from portal.models import Talk
    values = dict(person=person, staff=staff, held_at=datetime(2026, 10, 20, 9, 30), place="sunshine",
                  topics="thoughts", assessment="stable", signature="signed", next_date=date(2026, 11, 20))
    values.update(overrides)
    return Talk.create(**values)


def queue_rows(client, **args):
    page = client.get("/queue/", query_string=args).get_data(as_text=True)
    return page[page.index("<tbody"):page.rindex("</tbody>")] if "<tbody" in page else ""  # a tbody per item


def due(client, kind="面对面谈话"):
    """Names listed in the queue for one kind of work."""
    rows = re.split(r"<tr[ >]", queue_rows(client))[1:]
    return {re.search(r'">([^<]+)</a></td>', row).group(1) for row in rows if "<td>%s</td>" % kind in row}


def person_form(**overrides):
    """A valid registration (person and case) as the form posts it."""
    birth = date(1990, 6, 1)
    data = {
        "p-name": "龙小兵", "p-id_number": valid_id(birth, True, "520103"), "p-ethnicity": "苗族",
        "p-phone": "13812345678", "p-residence_address": "贵阳市南明区花果园大街1号", "p-drug_type": "海洛因",
        "c-measure": "community_detox", "c-decision_number": "筑南公（禁）社戒决字〔2026〕0101号",
        "c-decision_date": "2026-10-08", "c-served_date": "2026-10-10", "c-report_date": "2026-10-20",
        "c-term_months": "36", "c-street": "新华路街道", "c-officer": "0", "c-worker": "0", "c-counsellor": "0",
        "c-credited_days": "0", "c-screening_preset": "",
    }
    data.update(overrides)
    return data


def page_answers(port, text, path="/login", tries=50):
    """Does the server on 127.0.0.1:port answer `path` with 200 and a page holding `text` (retried while it starts)?"""
    import time
    import urllib.request

    for _ in range(tries):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path), timeout=2) as response:
                return response.status == 200 and text in response.read().decode("utf-8")
        except OSError:
            time.sleep(0.1)
    return False
