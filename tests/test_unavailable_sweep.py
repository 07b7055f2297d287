"""A full disk on every path (issue 17 item 1): with the database unable to grow, every POST route of a demo
station, and every GET route, as the lead, answers without a 500; whatever fails is a 503 that names the
full disk in Chinese. (A small row that still fits in a page with room is written: that is no failure.)"""
from portal.db import database

FILLER = "风险" * 4000  # a value that needs new pages: a full disk refuses it


def full():
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql("PRAGMA max_page_count = %d" % pages)


def filled(rule):
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace("<int:%s>" % argument, "1").replace("<%s>" % argument, {
            "kind": "talks", "name": "tracking", "key": "registered", "part": "numerator", "action": "suspend"}.get(
            argument, "x"))
    return path


def test_every_route_on_a_full_disk_answers_503_or_its_own_answer(app, demo_station):
    data = {name: FILLER for name in ("reason", "notes", "actions", "title", "name", "summary", "address",
                                      "participants", "destination", "outcome", "done")}
    full()
    answered = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login", "auth.logout", "serving.healthz") \
                or rule.endpoint.startswith("users."):  # would end the lead's own session (tests/accounts)
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        response = demo_station.open(filled(rule), method=method, data=data if method == "POST" else None)
        answered[rule.endpoint] = response.status_code
        assert response.status_code != 500, (rule.endpoint, response.get_data(as_text=True)[-300:])
        if response.status_code >= 500:
            body = response.get_data(as_text=True)
            assert response.status_code == 503 and "磁盘已满" in body, (rule.endpoint, body[-300:])
    assert list(answered.values()).count(503) >= 10, answered  # the reads that write their audit row, at least
