"""Deny by default (AC1), the role matrix, and record scope (AC2)."""
import re

import pytest
from factories import ROOT, make_person

from portal.permissions import MATRIX, PUBLIC, endpoint_permission

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout", "serving.healthz", "serving.certificate",
                    "serving.certificate_file"}

# Hand-written from SECURITY.md's role table: which roles may reach each endpoint.
ALL = {"lead", "officer", "worker", "counsellor", "volunteer"}
CASE = {"lead", "officer", "worker", "counsellor"}
WRITE = {"lead", "officer", "worker"}
EXPECTED = {
    "home.index": ALL,
    "auth.change_password": ALL,
    "persons.index": CASE,
    "persons.show": CASE,
    "persons.section": CASE,  # and each section's own right (tests/persons/test_page.py)
    "persons.new": WRITE,
    "persons.edit": WRITE,
    "persons.edit_case": WRITE,
    "persons.reveal_id": WRITE,
    "persons.delete": {"lead", "officer"},
    "persons.deleted": {"lead"},
    "persons.restore": {"lead"},
    "family.new": WRITE,
    "family.create": WRITE,
    "family.delete": WRITE,
    "family.restore": {"lead"},
    "removed.index": {"lead"},
    "removed.restore": {"lead"},
    "removed.restore_attachment": {"lead"},
    "talks.new": WRITE,
    "talks.create": WRITE,
    "talks.show": CASE,
    "talks.edit": WRITE,
    "talks.delete": WRITE,
    "talks.index": CASE,
    "visits.new": WRITE,
    "visits.create": WRITE,
    "visits.at_home": WRITE,
    "visits.show": CASE,
    "visits.edit": WRITE,
    "visits.delete": WRITE,
    "visits.index": CASE,
    "risks.new": WRITE,
    "risks.create": WRITE,
    "risks.show": CASE,
    "risks.edit": WRITE,
    "risks.delete": WRITE,
    "timeline.page": CASE,
    "screenings.new": WRITE,
    "screenings.create": WRITE,
    "screenings.negative": WRITE,
    "screenings.show": CASE,
    "screenings.edit": WRITE,
    "screenings.delete": WRITE,
    "screenings.index": CASE,
    "screenings.day": WRITE,
    "screenings.decide_absent": WRITE,
    "screenings.decide_missed": WRITE,
    "absences.new": WRITE,
    "absences.create": WRITE,
    "absences.show": CASE,
    "absences.edit": WRITE,
    "absences.delete": WRITE,
    "absences.decide": WRITE,
    "findings.new": WRITE,
    "findings.create": WRITE,
    "findings.show": CASE,
    "findings.edit": WRITE,
    "findings.delete": WRITE,
    "tracking.show": CASE,
    "tracking.report": WRITE,
    "tracking.notify": WRITE,
    "tracking.relocation_report": WRITE,
    "tracking.educate": WRITE,
    "tracking.decide_late_report": WRITE,
    "tracking.create_breach": WRITE,
    "documents.agreement": WRITE,  # print.documents: the papers of the tracking file
    "documents.notice": WRITE,
    "documents.education": WRITE,
    "documents.incident": WRITE,
    "attachments.upload": WRITE,
    "attachments.download": WRITE,  # persons.full: counsellors see a summary, never the scans
    "attachments.delete": {"lead", "officer"},
    "cases.transition": WRITE,
    "cases.new_agreement": WRITE,
    "summaries.summary": WRITE,
    "printing.index": WRITE,
    "printing.job": WRITE,
    "printing.cancel": WRITE,
    "printing.download": WRITE,
    "queue.index": WRITE,
    "queue.closed": WRITE,
    "caseload.index": {"counsellor"},
    "caseload.sessions": {"counsellor"},
    "assistance.new": WRITE,
    "assistance.show": CASE,
    "assistance.add_step": WRITE,
    "assistance.set_status": WRITE,
    "assistance.index": CASE,
    "training.index": CASE,
    "training.new": WRITE,
    "training.show": CASE,
    "training.mark": WRITE,
    "training.mark_all": WRITE,
    "training.add_to_roster": WRITE,
    "training.sheet": CASE,
    "training.trainees": CASE,
    "training.add_trainee": WRITE,
    "training.trainee": CASE,
    "training.mine": ALL,
    "events.index": CASE,
    "events.new": WRITE,
    "events.show": CASE,
    "events.upload": WRITE,
    "events.photo": CASE,
    "counselling.new": {"counsellor"},
    "counselling.create": {"counsellor"},
    "counselling.edit": {"counsellor"},
    "counselling.reveal": {"lead"},
    "dashboard.index": WRITE,
    "dashboard.drill": WRITE,
    "dashboard.drill_print": WRITE,
    "dashboard.drill_export": {"lead", "officer"},
    "dashboard.help": WRITE,
    "dashboard.report": WRITE,
    "settings.index": {"lead"},
    "settings.screening": {"lead"},
    "settings.backup": {"lead"},
    "settings.retention_years": {"lead"},
    "settings.station_code": {"lead"},
    "choices.index": {"lead"},
    "choices.add": {"lead"},
    "choices.hide": {"lead"},
    "choices.restore": {"lead"},
    "packages.index": {"lead"},
    "packages.build": {"lead"},
    "packages.show": {"lead"},
    "packages.download": {"lead"},
    "imports.index": {"lead", "officer"},
    "imports.template": {"lead", "officer"},
    "imports.dry_run": {"lead", "officer"},
    "imports.commit": {"lead", "officer"},
    "imports.abandon": {"lead", "officer"},
    "exports.export": {"lead", "officer"},
    "lists.printout": CASE,  # prints what the list shows the same role
    "merges.check": WRITE,
    "merges.index": {"lead", "officer"},
    "merges.choose": {"lead", "officer"},
    "merges.compare": {"lead", "officer"},
    "merges.undo": {"lead"},
    "sealing.open_sealed": {"lead"},
    "measures.new": WRITE,
    "users.index": {"lead"},
    "users.new": {"lead"},
    "users.edit": {"lead"},
    "users.reset": {"lead"},
    "audit.index": {"lead"},
    "audit.verify": {"lead"},
    "audit.person": {"lead"},
    "audit.user": {"lead"},
}


def test_every_endpoint_declares_a_permission(app):
    for rule in app.url_map.iter_rules():
        with app.app_context():
            permission = endpoint_permission(rule.endpoint)
        assert permission is not None, "%s declares no permission" % rule.endpoint
        assert permission == PUBLIC or permission in MATRIX
        if permission == PUBLIC:
            assert rule.endpoint in PUBLIC_ENDPOINTS, "%s is public but not allow-listed" % rule.endpoint


def test_the_matrix_covers_every_endpoint(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()} - PUBLIC_ENDPOINTS
    assert endpoints == set(EXPECTED), "update EXPECTED by hand from SECURITY.md"


def test_an_undeclared_endpoint_is_refused(app, client, login_as):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret data")
    login_as("lead")
    response = client.get("/forgotten")
    assert response.status_code == 403 and "secret data" not in response.get_data(as_text=True)


def _fill(path, values):
    values = {"entry_id": 999999, "incident_id": 999999, "breach_id": 999999, "job_id": 999999,
              "session_id": 999999, "assistance_id": 999999, "trainee_id": 999999, "event_id": 999999,
              "photo_id": 999999, "attachment_id": 999999, "other_id": 999999, "merge_id": 999999,
              "agreement_id": 999999, "notice_id": 999999, **values}
    for name, value in values.items():
        path = path.replace("<int:%s>" % name, str(value))
    return path.replace("<action>", "suspend").replace("<key>", "relapse").replace("<part>", "numerator").replace(
        "<kind>", "persons").replace("<name>", "tracking")


@pytest.mark.parametrize("role", sorted(ALL))
def test_role_matrix(app, client, users, login_as, role):
    """Every endpoint × role: allowed roles are never refused, others always 403."""
    person = make_person(worker=users["worker"].id, counsellor=users["counsellor"].id)
    case = person.current_case()
    login_as(role)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _fill(rule.rule, {"person_id": person.id, "case_id": case.id, "user_id": users["worker"].id,
                                "member_id": 999999})
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        if role in EXPECTED[rule.endpoint]:
            assert response.status_code != 403 and response.status_code < 500, (role, rule.endpoint, response.status_code)
        else:
            assert response.status_code == 403, (role, rule.endpoint, response.status_code)


def test_anonymous_is_sent_to_login_everywhere(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _fill(rule.rule, {"person_id": 1, "case_id": 1, "user_id": 1, "member_id": 1})
        response = client.open(url, method="GET" if "GET" in rule.methods else "POST")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), rule.rule


def test_worker_cannot_open_a_colleagues_person(client, users, login_as):
    theirs = make_person("李四", worker=users["worker2"].id)
    login_as("worker")
    for url in ("/persons/%d" % theirs.id, "/persons/%d/edit" % theirs.id,
                "/persons/%d/cases/%d/edit" % (theirs.id, theirs.current_case().id)):
        assert client.get(url).status_code == 404
    assert client.post("/persons/%d/reveal" % theirs.id, data={"reason": "想看看"}).status_code == 404
    assert client.post("/persons/%d/family/" % theirs.id, data={"name": "某某", "relation": "母亲"}).status_code == 404


def test_counsellor_sees_only_assigned_clients(client, users, login_as):
    mine = make_person("张三", counsellor=users["counsellor"].id)
    other = make_person("李四")
    login_as("counsellor")
    assert client.get("/persons/%d" % mine.id).status_code == 200
    assert client.get("/persons/%d" % other.id).status_code == 404
    page = client.get("/persons/?q=李").get_data(as_text=True)
    assert "李四" not in page and "李*" not in page


def test_volunteer_sees_no_case_anywhere(app, client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("volunteer")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = _fill(rule.rule, {"person_id": person.id, "case_id": 1, "user_id": 1, "member_id": 1})
        body = client.get(url).get_data(as_text=True)
        assert "张三" not in body and person.id_number[-4:] not in body, rule.rule


ROLE_DECISION = re.compile(r"\.role\s*(==|!=|\bin\b|\.in_\()|\brole\.data\s*(==|!=|\bin\b)|User\.staff\(\s*['\"]|"
                           r"current_user\.role\b(?!_label)")


def test_roles_are_decided_only_by_the_permission_matrix():
    """No view, rule or template looks at a role itself: it asks permissions (can, may, holders)."""
    root = ROOT / "portal"
    offenders = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.suffix not in (".py", ".html") or relative == "permissions.py" or \
                relative.startswith(("models/", "migrations/", "demo/")):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_DECISION.search(line):
                offenders.append("%s:%d: %s" % (relative, number, line.strip()))
    assert not offenders, "\n".join(offenders)


def test_the_role_check_would_catch_a_role_decision():
    for line in ('if current_user.role == "lead":', "{% if current_user.role in ('lead', 'officer') %}",
                 'User.select().where(User.role.in_(("officer", "lead")))', 'User.staff("worker")',
                 'form.role.data != "lead"'):
        assert ROLE_DECISION.search(line), line
    assert not ROLE_DECISION.search("{{ current_user.role_label }}")
