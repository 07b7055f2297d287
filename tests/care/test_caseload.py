"""The counsellor's own queue: sessions due for her clients and the list of her sessions; nobody else's,
and nothing of a session's notes, summary or clinical detail."""
from datetime import date

import pytest
from factories import in_app, make_person, make_user, text_of

from portal.models import AuditLog, CounsellingSession


@in_app
def session(person, counsellor, held_on, next_date=None, notes="私密咨询记录", summary="可共享摘要"):
    return CounsellingSession.create(person=person, counsellor=counsellor, held_on=held_on, mode="individual",
                                     next_date=next_date, notes=notes, summary=summary, plan="每周一次")


@pytest.fixture
def other(app):
    return make_user("counsellor", username="counsellor2")


def test_the_counsellor_sees_her_clients_sessions_due(client, users, other, login_as):
    me = users["counsellor"]
    late = make_person("逾期", worker=users["worker"].id, counsellor=me.id)
    session(late, me, date(2026, 10, 1), next_date=date(2026, 11, 10))
    today = make_person("今天", worker=users["worker"].id, counsellor=me.id)
    session(today, me, date(2026, 10, 20), next_date=date(2026, 11, 20))
    later = make_person("以后", worker=users["worker"].id, counsellor=me.id)
    session(later, me, date(2026, 11, 1), next_date=date(2026, 11, 21))  # tomorrow: not yet
    theirs = make_person("别人的", worker=users["worker"].id, counsellor=other.id)
    session(theirs, other, date(2026, 10, 1), next_date=date(2026, 11, 1))
    login_as("counsellor")
    page = text_of(client.get("/caseload/"))
    assert "逾期" in page and "逾期 10 天" in page and "今日到期" in page
    assert "以后" not in page and "别人的" not in page
    assert page.index("今天") < page.index("逾期 10 天")  # due today first, then the most recent overdue
    assert "私密咨询记录" not in page and "可共享摘要" not in page
    home = client.get("/").get_data(as_text=True)
    assert "到期的心理疏导" in home and 'title="到期的心理疏导 2 项">2</span>' in home


def test_her_sessions_list_shows_hers_only_and_no_notes(client, users, other, login_as):
    me = users["counsellor"]
    mine = make_person("我的来访者", worker=users["worker"].id, counsellor=me.id)
    session(mine, me, date(2026, 11, 2), next_date=date(2026, 11, 30))
    theirs = make_person("别人的来访者", worker=users["worker"].id, counsellor=other.id)
    session(theirs, other, date(2026, 11, 3), notes="别人的记录")
    login_as("counsellor")
    page = text_of(client.get("/caseload/sessions"))
    assert "我的来访者" in page and "2026-11-02" in page and "2026-11-30" in page and "个体" in page
    assert "别人的来访者" not in page and "别人的记录" not in page and "私密咨询记录" not in page
    assert "每周一次" not in page and "可共享摘要" not in page


@pytest.mark.parametrize("role", ["lead", "officer", "worker", "volunteer"])
def test_only_the_counsellor_has_this_queue(client, users, login_as, role):
    login_as(role)
    assert client.get("/caseload/").status_code == 403
    assert client.get("/caseload/sessions").status_code == 403


def test_the_counsellor_still_has_no_station_queue(client, users, login_as):
    login_as("counsellor")
    assert client.get("/queue/").status_code == 403
    nav = client.get("/").get_data(as_text=True)
    assert 'href="/caseload/"' in nav and 'href="/queue/"' not in nav


def test_reading_her_queue_is_audited(client, users, login_as):
    login_as("counsellor")
    client.get("/caseload/")
    client.get("/caseload/sessions")
    actions = in_app(lambda: [(a.action, a.user_id) for a in AuditLog.select().order_by(AuditLog.id)])()
    assert ("caseload.view", users["counsellor"].id) in actions
    assert ("caseload.sessions", users["counsellor"].id) in actions
