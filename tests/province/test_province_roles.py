"""The province's endpoints × its two roles, hand-written from docs/roles.md; no station endpoint exists."""
import pytest
from factories import PASSWORD

from portal.permissions import PUBLIC, endpoint_permission

ADMIN, BOTH = {"admin"}, {"admin", "viewer"}
EXPECTED = {
    "home.index": BOTH,
    "auth.change_password": BOTH,
    "province.tables": BOTH,
    "province.completeness_page": BOTH,
    "province.annual_report": BOTH,
    "org.index": ADMIN,
    "org.new_station": ADMIN,
    "org.key": ADMIN,
    "inbox.index": ADMIN,
    "inbox.upload": ADMIN,
    "users.index": ADMIN,
    "users.new": ADMIN,
    "users.edit": ADMIN,
    "users.reset": ADMIN,
    "audit.index": ADMIN,
    "audit.verify": ADMIN,
    "audit.person": ADMIN,  # 404 on a province: no person data
    "audit.user": ADMIN,
}
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout", "serving.healthz", "serving.certificate",
                    "serving.certificate_file"}  # the province is served the same way (scripts/install.py)


def test_the_province_serves_only_the_core_and_its_own_endpoints(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints - PUBLIC_ENDPOINTS == set(EXPECTED)
    for rule in app.url_map.iter_rules():
        with app.app_context():
            permission = endpoint_permission(rule.endpoint)
        assert permission is not None and (permission != PUBLIC or rule.endpoint in PUBLIC_ENDPOINTS)


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_role_matrix(app, client, users, runner, role):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    assert client.post("/login", data={"username": role, "password": PASSWORD}).status_code == 302
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for name in ("user_id", "county_id", "station_id", "person_id"):
            url = url.replace("<int:%s>" % name, "999999")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        if role in EXPECTED[rule.endpoint]:
            assert response.status_code != 403 and response.status_code < 500, (role, rule.endpoint, response.status_code)
        else:
            assert response.status_code == 403, (role, rule.endpoint, response.status_code)


def test_the_province_sends_its_staff_to_its_administrator_not_to_a_lead(client, users):
    assert "请联系省局系统管理员重置" in client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    refused = client.get("/org/").get_data(as_text=True)
    assert "请联系省局系统管理员" in refused and "站长" not in refused
