"""Hypothesis over the forms people type into: never a 500, and a refused entry changes nothing."""
import pytest
from factories import make_person
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import (Absence, Breach, Case, FamilyMember, HomeVisit, Incident, Person, RiskAssessment,
                           Screening, Talk)

TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "2026-13-45", "0", "-1", "x" * 300, "'; --",
                                                          "<script>", "２０２６-１１-２０", "52010219850314123X"]))
FIELDS = {
    "/persons/new": ["p-name", "p-id_number", "p-sex", "p-birth_date", "p-phone", "c-measure", "c-decision_number",
                     "c-decision_date", "c-served_date", "c-report_date", "c-term_months", "c-street", "c-worker",
                     "c-credited_days", "c-screening_preset"],
    "/persons/{id}/talks/": ["held_at", "place", "kind", "participants", "topics", "assessment", "next_date",
                             "signature", "version"],
    "/persons/{id}/visits/": ["visited_on", "visitors", "address", "found_at_home", "verified", "anomalies",
                              "next_date"],
    "/persons/{id}/risks/": ["assessed_on", "level", "factors", "next_review"],
    "/persons/{id}/family/": ["name", "relation", "phone", "birth_date", "is_guardian"],
    "/persons/{id}/screenings/": ["tested_on", "kind", "sample", "panels", "collectors", "result", "sample_a",
                                  "sample_b", "female_collector"],
    "/persons/{id}/absences/": ["kind", "destination", "leave_on", "return_on", "written_report", "discovered"],
    "/persons/{id}/breaches/": ["kind", "occurred_on", "description", "educated_on", "education"],
    "/persons/{id}/screenings/missed": ["decision", "reason", "due"],
    "/screenings/day": ["step", "person", "tested_on", "collectors", "rows-0-person_id", "rows-0-result",
                        "rows-0-sample_a"],
}
TABLES = (Person, Case, Talk, HomeVisit, RiskAssessment, FamilyMember, Screening, Absence, Breach, Incident)


def counts():
    return [model.select().count() for model in TABLES]


@pytest.mark.parametrize("url", sorted(FIELDS))
def test_random_input_never_breaks_a_form(app, users, url):
    person = make_person("张三", worker=users["worker"].id)
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": "Str0ng&Secret-pass"})

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.fixed_dictionaries({name: TEXT for name in FIELDS[url]}))
    def check(data):
        before = counts()
        response = client.post(url.format(id=person.id), data=data, headers={"HX-Request": "true"})
        assert response.status_code in (200, 302, 409, 422), response.status_code
        if response.status_code == 422:
            assert counts() == before

    check()
