"""Counselling notes are their author's: a canary written into them never reaches a worker, an
officer or a volunteer, in any page, fragment or PDF; the lead reads it only after a reason."""
import io
import subprocess
import zipfile

from factories import in_app, make_family, make_person, person_page, text_of

from portal.ledgers.exports import EXPORTS
from portal.models import AuditLog, Case, CounsellingSession, RiskAssessment

CANARY = "CANARY-7Q9-笔记"
FORM = {"held_on": "2026-11-18", "mode": "individual", "concerns": "0", "presenting": ["mood", "craving"],
        "scl90": "180", "phq9": "12", "gad7": "9", "plan": "每两周一次", "summary": "情绪较前平稳，建议家属多陪伴",
        "notes": CANARY + "：自述与母亲冲突，童年经历……"}


def write_session(client, person, **overrides):
    return client.post("/persons/%d/counselling/" % person.id, data={**FORM, **overrides},
                       headers={"HX-Request": "true"})


def every_get_url(app, person, session):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield (rule.rule.replace("<int:person_id>", str(person.id)).replace("<int:case_id>", str(
                in_app(person.current_case)().id)).replace("<int:session_id>", str(session.id))
                .replace("<int:user_id>", "1").replace("<action>", "suspend").replace("<key>", "relapse")
                .replace("<part>", "numerator").replace("<kind>", "persons").replace("<name>", "counselling"))


def test_the_canary_never_reaches_other_roles(app, client, users, login_as, tmp_path):
    person = make_person("疏导", worker=users["worker"].id, counsellor=users["counsellor"].id)
    login_as("counsellor")
    assert CANARY in write_session(client, person).get_data(as_text=True)  # its author reads it
    session = in_app(CounsellingSession.get)()
    for role in ("worker", "officer", "volunteer", "lead"):
        login_as(role)
        for url in every_get_url(app, person, session):
            for headers in ({"HX-Request": "true"}, {}):
                body = client.get(url, headers=headers).data  # pages, fragments and the report PDF alike
                assert CANARY.encode() not in body and CANARY not in body.decode("utf-8", "replace"), (role, url)
        if role in ("worker", "officer", "lead"):
            profile = "working" if role == "worker" else "full"
            pdf = client.post("/persons/%d/print" % person.id, data={
                "profile": profile, "sections": ["identity", "case", "risk", "talks"]}).data
            path = tmp_path / ("%s.pdf" % role)
            path.write_bytes(pdf)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout.decode()
            assert CANARY not in text
        if role in ("officer", "lead"):  # Excel exports of every list, full numbers where allowed
            for kind in EXPORTS:
                response = client.post("/exports/%s?year=2026" % kind, data={"reason": "季度报送", "unmasked": "y"})
                assert response.status_code == 200, kind
                with zipfile.ZipFile(io.BytesIO(response.data)) as book:
                    assert not any(CANARY in book.read(name).decode("utf-8") for name in book.namelist()), kind


def test_workers_see_the_summary_officers_see_nothing(client, users, login_as):
    person = make_person("疏导", worker=users["worker"].id, counsellor=users["counsellor"].id)
    login_as("counsellor")
    write_session(client, person)
    login_as("worker")
    page = text_of(person_page(client, person.id))
    assert "情绪较前平稳" in page and "SCL-90" not in page and "心理疏导" in page
    login_as("officer")
    page = text_of(person_page(client, person.id))
    assert "情绪较前平稳" not in page and "心理疏导" not in page


def test_the_lead_reads_the_notes_after_a_reason_which_is_audited(client, users, login_as):
    person = make_person("疏导", counsellor=users["counsellor"].id)
    login_as("counsellor")
    write_session(client, person)
    session = in_app(CounsellingSession.get)()
    login_as("lead")
    assert "查看咨询记录（须填写事由）" in text_of(person_page(client, person.id))
    refused = client.post("/counselling/%d/reveal" % session.id, data={"reason": ""})
    assert refused.status_code == 422 and CANARY not in refused.get_data(as_text=True)
    shown = client.post("/counselling/%d/reveal" % session.id, data={"reason": "个案会商，需了解危机干预情况"})
    assert CANARY in shown.get_data(as_text=True)
    row = in_app(AuditLog.get)(AuditLog.action == "counselling.reveal_notes")
    assert row.reason == "个案会商，需了解危机干预情况" and row.person_id == person.id


def test_a_crisis_forces_high_risk_and_scales_are_checked(client, users, login_as):
    person = make_person("危机", counsellor=users["counsellor"].id)
    make_family(person, name="罗雨涵", relation="女儿")
    login_as("counsellor")
    bad = write_session(client, person, phq9="30", scl90="60")
    assert bad.status_code == 422 and "PHQ-9 的分数应在 0 到 27 之间" in bad.get_data(as_text=True)
    assert CANARY in bad.get_data(as_text=True)  # what was typed is kept
    page = write_session(client, person, crisis="y").get_data(as_text=True)
    assert "风险等级调为高" in page
    assert in_app(RiskAssessment.get)().forced_by == "self_harm"


def test_another_counsellor_cannot_edit_or_read_the_notes(client, users, login_as):
    from factories import make_user
    person = make_person("疏导", counsellor=users["counsellor"].id)
    login_as("counsellor")
    write_session(client, person)
    session = in_app(CounsellingSession.get)()
    other = make_user("counsellor", username="counsellor2")
    in_app(lambda: Case.update(counsellor=other.id).execute())()
    client.post("/logout")
    client.post("/login", data={"username": "counsellor2", "password": "Str0ng&Secret-pass"})
    assert client.get("/counselling/%d/edit" % session.id).status_code == 404
    assert CANARY not in person_page(client, person.id).get_data(as_text=True)
