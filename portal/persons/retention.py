"""Retention: a sealed file past the station's retention age (years after sealing, a setting,
default 5) is anonymised by `flask --app portal retention`.

What goes: the name (the case code stands for it), the ID number (a keyed hash is kept, so a
re-registration with the same number is recognised), the address below the district, the phone,
the family, the free text of every record, earlier versions of them, and uploaded scans (the
files themselves). What stays is what the indicators count: the rows, their dates, kinds,
results, sex, birth date and main drug, so that no indicator moves. The audit trail keeps its
rows (a hash chain cannot be rewritten): they name the person by id only.
"""
import contextlib
import hashlib
import hmac
import json
import os
import re

from flask import current_app
from peewee import fn

from .. import audit, uploads
from ..dates import add_months, local, today, utcnow
from ..db import database
from ..models import (Absence, Agreement, AssistanceCase, Attachment, Breach, Case, CaseEvent, CounsellingSession,
                      FamilyMember, HomeVisit, Incident, Person, PersonMerge, RelapseFinding, ReleaseNotice, Revision,
                      RiskAssessment, Screening, Setting, Talk)
from . import attachments

DEFAULT_YEARS = 5
GONE = "（已匿名化）"
# The free text of each record kept about a person: cleared. A test fails when a model linked to a
# person gains a text field that is not listed here.
FREE_TEXT = {
    Case: ("decision_number",), CaseEvent: ("document_number", "place", "notes"),
    ReleaseNotice: ("document_number",), Agreement: ("measures", "obligations", "liability"),
    Talk: ("participants", "topics", "risk_factors", "actions"),
    HomeVisit: ("visitors", "address", "family_met", "anomalies", "actions"),
    RiskAssessment: ("factors", "notes"),
    Screening: ("collectors", "sample_a", "sample_b", "police_station", "excuse", "notes"),
    Absence: ("destination", "reason", "approved_by", "excuse", "notes"), Breach: ("description", "education", "excuse"),
    Incident: ("detail", "recipient", "report_notes"), RelapseFinding: ("police_unit", "document_number", "notes"),
    CounsellingSession: ("plan", "notes", "summary"), AssistanceCase: ("title", "partners", "outcome"),
    Attachment: ("title", "original_name"),
}
DISTRICT = re.compile(r"^(?:.{2,8}?(?:省|自治区))?(?:.{2,9}?(?:自治州|市|州|盟|地区))?.{1,9}?(?:区|县|旗|市)")


def years():
    stored = Setting.get_or_none(Setting.key == "retention.years")
    return int(stored.value) if stored else DEFAULT_YEARS


def id_hash(id_number):
    """The keyed hash an anonymised file keeps of its ID number (the key comes from SECRET_KEY: a
    new key stops matching old files, nothing else)."""
    key = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"portal.retention", hashlib.sha256).digest()
    return hmac.new(key, id_number.upper().encode(), hashlib.sha256).hexdigest()


def district_of(address):
    """The address down to its district or county (贵州省贵阳市云岩区新华路12号 → 贵州省贵阳市云岩区)."""
    found = DISTRICT.match(address or "")
    return found.group(0) if found else None


def due(as_of=None):
    """Sealed, not yet anonymised files sealed at least `years()` ago (on the station's calendar)."""
    limit = add_months(as_of or today(), -12 * years())
    sealed = Person.select().where(Person.is_live(), Person.sealed_at.is_null(False), Person.anonymised_at.is_null())
    return [p for p in sealed.order_by(Person.id) if local(p.sealed_at).date() <= limit]


def blank(model, name):
    return None if model._meta.fields[name].null else ""


def anonymise(person):
    """Remove what identifies the person from their file, in one transaction with its audit row."""
    case = person.current_case()
    with database.atomic():
        Person.update(name=case.code if case else "个案 %d" % person.id, name_pinyin="", name_initials="",
                      id_number="ANON%014d" % person.id, id_hash=id_hash(person.id_number), phone=None,
                      household_address=district_of(person.household_address),
                      residence_address=district_of(person.residence_address), employment=None, notes=None,
                      anonymised_at=utcnow(), version=Person.version + 1).where(Person.id == person.id).execute()
        FamilyMember.update(name=GONE, phone=None, birth_date=None, notes=None,
                            deleted_at=fn.COALESCE(FamilyMember.deleted_at, utcnow())).where(
            FamilyMember.person == person.id).execute()
        scrubbed = {"Person": [person.id]}
        for model, fields in FREE_TEXT.items():
            rows = model.select(model.id).where(of_person(model, person.id))
            ids = [row.id for row in rows]
            if ids:
                model.update({getattr(model, f): blank(model, f) for f in fields}).where(model.id.in_(ids)).execute()
                scrubbed[model.__name__] = ids
        for model_name, ids in scrubbed.items():  # earlier versions held the same text
            Revision.update(data=json.dumps({"anonymised": True})).where(
                Revision.model == model_name, Revision.record_id.in_(ids)).execute()
        PersonMerge.update(survivor_before="{}").where(
            (PersonMerge.survivor == person.id) | (PersonMerge.merged == person.id)).execute()
        scans = [row.stored_name for row in Attachment.select(Attachment.stored_name).where(
            Attachment.person == person.id)]
        audit.record("person.anonymise", object_type="person", object_id=person.id, user=None,
                     detail={"records": sum(len(ids) for ids in scrubbed.values()), "scans": len(scans)})
    for name in scans:  # after the commit: a failed transaction leaves every file in place
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(uploads.directory(attachments.FOLDER), name))


def of_person(model, person_id):
    """The rows of `model` that belong to the person: by their own column, or through a case."""
    if "person" in model._meta.fields:
        return model.person == person_id
    return model.case.in_(Case.select(Case.id).where(Case.person == person_id))


def revive(values, user):
    """A registration whose ID number matches an anonymised file takes that file back (the same
    person: their measures, tests and indicators stay one history): the identity typed now
    replaces the removed one. Returns the person, or None when no anonymised file matches."""
    person = Person.get_or_none(Person.id_hash == id_hash(values["id_number"]), Person.is_live())
    if person is None:
        return None
    Person.update(**values, **Person.search_keys(values["name"]), id_hash=None, anonymised_at=None,
                  version=Person.version + 1).where(Person.id == person.id).execute()
    audit.record("person.reidentify", person, user=user)
    return Person.get_by_id(person.id)


def run(as_of=None):
    """Anonymise every file due; returns how many."""
    files = due(as_of)
    for person in files:
        anonymise(person)
    return len(files)
