"""No person-level value can be in a package (DOMAIN.md §7, SECURITY.md D8): the canary approach.

The demo station's persons and records get distinctive names, ID numbers, phones, addresses, notes and
decision numbers; packages are built for several months; none of those strings, no date of a person's
records and no ID number is in the bytes; and every string of the payload is of the closed vocabulary
of docs/package.md (codes, the station code, periods, the format and the build time)."""
import json
import re
from datetime import date, datetime

import pytest
from factories import in_app
from peewee import fn

from portal.exchange import archive, package, signing
from portal.models import (Absence, AssistanceCase, AssistanceStep, Case, CaseEvent, CounsellingSession, FamilyMember,
                           HomeVisit, Incident, Person, RelapseFinding, RiskAssessment, Screening, Setting, Talk)

CANARY = "鸐鸑"  # in no indicator label, code or period
KEYS = {"format", "station", "month", "periods", "generatedAt", "dataElements", "breakdowns", "values", "dataElement",
        "period", "orgUnit", "breakdown", "numerator", "denominator"}  # docs/package.md
MONTHS = [date(2026, 10, 1), date(2026, 6, 1), date(2026, 1, 1), date(2025, 12, 1)]
TEXT_FIELDS = {
    Person: ("name", "phone", "household_address", "residence_address", "employment", "notes"),
    FamilyMember: ("name", "phone", "notes"), Case: ("decision_number", "street"),
    Talk: ("participants", "risk_factors", "actions"), HomeVisit: ("visitors", "address", "family_met", "actions"),
    RiskAssessment: ("notes",), Screening: ("collectors", "sample_a", "sample_b", "police_station", "notes"),
    Absence: ("destination", "reason", "notes"), Incident: ("detail", "recipient", "report_notes"),
    CounsellingSession: ("plan", "notes", "summary"), AssistanceCase: ("title", "outcome"),
    AssistanceStep: ("who", "done"), RelapseFinding: ("police_unit", "document_number", "notes"),
    CaseEvent: ("document_number", "place", "notes"),
}
DATE_FIELDS = {Person: ("birth_date",), Case: ("decision_date", "served_date", "report_date"),
               CaseEvent: ("on",), Screening: ("tested_on",), Talk: ("held_at",), HomeVisit: ("visited_on",),
               Absence: ("leave_on",), Incident: ("occurred_on",), CounsellingSession: ("held_on",),
               AssistanceCase: ("opened_on", "closed_on"), RelapseFinding: ("found_on",)}


@pytest.fixture
def planted(app, runner):
    """The demo station, every free-text field of every person and record a canary: their values."""
    assert runner.invoke(args=["demo-data", "--persons", "40"]).exit_code == 0

    @in_app
    def plant():
        Setting.replace(key="station.code", value="520102-01").execute()
        for model, fields in TEXT_FIELDS.items():
            model.update({getattr(model, f): fn.printf(CANARY + "%s-%d", f, model.id) for f in fields}).execute()
        Person.update(phone=fn.printf("139%08d", Person.id + 41230000)).execute()
        secrets = {v for model, fields in TEXT_FIELDS.items()
                   for row in model.select().tuples() for v in row if isinstance(v, str) and CANARY in v}
        secrets |= {p.id_number for p in Person.select()} | {p.phone for p in Person.select()}
        days = set()
        for model, fields in DATE_FIELDS.items():
            for f in fields:
                days |= {getattr(row, f) for row in model.select() if getattr(row, f) is not None}
        return secrets, {d.date() if isinstance(d, datetime) else d for d in days}
    return plant()


@pytest.fixture
def packages(planted):
    made = [in_app(archive.make)(month) for month in MONTHS]
    return [data for _, data, _ in made]


def test_no_planted_value_is_in_any_package(planted, packages):
    secrets, _ = planted
    assert len(secrets) > 500  # many records, every kind planted
    for data in packages:
        text = data.decode("utf-8")
        assert CANARY not in text
        assert [s for s in secrets if s in text] == []
        assert not re.search(r"\d{8}", text)  # no phone, ID number or compact date
        assert not re.search(r"\d{17}[\dXx]", text)


def test_no_date_of_a_person_s_records_is_in_any_package(planted, packages, clock):
    _, days = planted
    built = clock.now.date()
    assert len(days) > 200
    for data in packages:
        text = data.decode("utf-8")
        assert set(re.findall(r"\d{4}-\d{2}-\d{2}", text)) == {built.isoformat()}  # generatedAt, nothing else
        for day in days - {built}:
            for spelling in (day.isoformat(), day.strftime("%Y%m%d"), "%d年%d月%d日" % (day.year, day.month, day.day),
                             day.strftime("%Y/%m/%d")):
                assert spelling not in text


def test_every_string_in_a_payload_is_of_the_closed_vocabulary(planted, packages):
    vocabulary = (set(package.CODES.values()) | set(package.EXTRAS) | set(package.BREAKDOWNS) | set(package.PERIODS)
                  | {c for codes in package.BREAKDOWNS.values() for c in codes} | {"rate", "count", "sum"}
                  | {"520102-01", signing.FORMAT} | KEYS)
    period = re.compile(r"^\d{4}-\d{2}(/\d{4}-\d{2})?$")
    for data in packages:
        payload = signing.verify(data)
        strings, numbers = [], []
        walk(payload, strings, numbers)
        odd = [s for s in strings if s not in vocabulary and not period.match(s) and s != payload["generatedAt"]]
        assert odd == []
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", payload["generatedAt"])
        assert all(isinstance(n, int) for n in numbers)
        assert set(json.loads(data)) == {"format", "payload", "signature", "key"}


def walk(value, strings, numbers):
    """Every string (keys included) and every number of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            strings.append(key)
            walk(item, strings, numbers)
    elif isinstance(value, list):
        for item in value:
            walk(item, strings, numbers)
    elif isinstance(value, str):
        strings.append(value)
    elif value is not None:
        numbers.append(value)
