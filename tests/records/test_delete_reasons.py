"""Every delete asks a reason (issue 17 item 8, D5): each delete endpoint of the station, found in the URL
map, refuses a delete without a reason (the row stays live, nothing audited) and with one marks the row
deleted, never removes it, and audits the reason."""
import pytest
from factories import in_app

from portal.models import (Absence, Attachment, AuditLog, FamilyMember, HomeVisit, Person, RelapseFinding,
                           RiskAssessment, Screening, Talk)

DELETES = {  # endpoint: (model, URL of one row, audit action), by hand
    "persons.delete": (Person, "/persons/%d/delete", "person.delete"),
    "family.delete": (FamilyMember, "/persons/{person}/family/%d/delete", "family.delete"),
    "attachments.delete": (Attachment, "/attachments/%d/delete", "attachment.delete"),
    "talks.delete": (Talk, "/talks/%d/delete", "talk.delete"),
    "visits.delete": (HomeVisit, "/visits/%d/delete", "visit.delete"),
    "risks.delete": (RiskAssessment, "/risks/%d/delete", "risk.delete"),
    "screenings.delete": (Screening, "/screenings/%d/delete", "screening.delete"),
    "absences.delete": (Absence, "/absences/%d/delete", "absence.delete"),
    "findings.delete": (RelapseFinding, "/findings/%d/delete", "finding.delete"),
}


def test_the_list_names_every_delete_endpoint(app):
    found = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.split(".")[-1] == "delete"}
    assert found == set(DELETES)


@in_app
def live_row(model):
    row = model.select().where(model.deleted_at.is_null()).order_by(model.id).first()
    return row.id, getattr(row, "person_id", row.id)


@in_app
def state(model, row_id, action):
    rows = list(AuditLog.select().where(AuditLog.action == action))
    return model.get_by_id(row_id).deleted_at, [r.reason for r in rows]


@pytest.mark.parametrize("endpoint", sorted(DELETES))
def test_a_delete_without_a_reason_is_refused_and_with_one_is_audited(demo_station, endpoint):
    model, url, action = DELETES[endpoint]
    row_id, person_id = live_row(model)
    url = url.replace("{person}", str(person_id)) % row_id
    for reason in ("", "   "):
        refused = demo_station.post(url, data={"reason": reason}, headers={"HX-Request": "true"})
        assert refused.status_code in (302, 303, 422), (endpoint, refused.status_code)
        if refused.status_code == 422:
            assert "请填写事由" in refused.get_data(as_text=True), endpoint
        assert state(model, row_id, action) == (None, []), endpoint
    done = demo_station.post(url, data={"reason": "录入错误"}, headers={"HX-Request": "true"})
    assert done.status_code in (200, 302, 303), (endpoint, done.status_code)
    deleted_at, reasons = state(model, row_id, action)
    assert deleted_at is not None and reasons == ["录入错误"], endpoint
