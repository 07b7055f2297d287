"""Audit trail: every read and change recorded, append-only, hash-chained (AU1-AU4, AU7)."""
import sqlite3

import pytest
from factories import make_person
from peewee import IntegrityError

from portal import audit
from portal.db import database
from portal.models import AuditLog


def test_viewing_a_person_writes_one_audit_row(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    before = AuditLog.select().count()
    client.get("/persons/%d" % person.id)
    rows = list(AuditLog.select().where(AuditLog.id > before))
    assert [(r.action, r.object_type, r.object_id, r.username, r.outcome, r.ip) for r in rows] == [
        ("person.view", "person", person.id, "officer", "ok", "127.0.0.1")]


def test_every_change_is_audited_with_changed_fields(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    data = {"name": "张三", "id_number": person.id_number, "ethnicity": "汉族", "phone": "13800000001",
            "drug_type": "", "version": "1"}
    client.post("/persons/%d/edit" % person.id, data=data)
    row = AuditLog.select().where(AuditLog.action == "person.update").get()
    assert row.object_id == person.id and '"phone"' in row.detail and "13800000001" not in row.detail


def test_update_and_delete_of_audit_rows_are_refused(client, users, login_as):
    login_as("lead")
    with pytest.raises(IntegrityError, match="append-only"):
        AuditLog.update(action="tampered").execute()
    with pytest.raises(IntegrityError, match="append-only"):
        AuditLog.delete().execute()


def test_chain_verifies_and_detects_tampering(app, client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    for _ in range(3):
        client.get("/persons/%d" % person.id)
    assert audit.verify_chain() is None
    target = AuditLog.select().where(AuditLog.action == "person.view").first()
    database.close()
    raw = sqlite3.connect(app.config["DATABASE"])  # an attacker with file access
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET username = 'someone' WHERE id = ?", (target.id,))
    raw.commit()
    raw.close()
    assert audit.verify_chain() == target.id
    assert "完整性校验失败" in client.get("/audit/verify").get_data(as_text=True)


def test_audit_write_failure_fails_the_request_and_sends_no_data(app, client, users, login_as):
    person = make_person("机密姓名")
    login_as("officer")
    database.execute_sql("CREATE TRIGGER audit_block BEFORE INSERT ON audit_log "
                         "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    response = client.get("/persons/%d" % person.id)
    assert response.status_code == 503
    assert "机密姓名" not in response.get_data(as_text=True)
    assert "暂时无法" in response.get_data(as_text=True)


def test_audit_failure_rolls_back_the_change(app, client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    database.execute_sql("CREATE TRIGGER audit_block BEFORE INSERT ON audit_log "
                         "WHEN NEW.action = 'person.delete' BEGIN SELECT RAISE(ABORT, 'no'); END")
    response = client.post("/persons/%d/delete" % person.id, data={"reason": "测试回滚"})
    assert response.status_code == 503
    from portal.models import Person
    assert Person.get_by_id(person.id).deleted_at is None


def test_who_viewed_this_person_is_exact(client, users, login_as, auth):
    person = make_person("张三", worker=users["worker"].id)
    other = make_person("李四")
    login_as("worker")
    client.get("/persons/%d" % person.id)
    auth.logout()
    login_as("officer")
    client.get("/persons/%d" % person.id)
    client.get("/persons/%d" % other.id)
    auth.logout()
    login_as("lead")
    page = client.get("/audit/persons/%d" % person.id).get_data(as_text=True)
    assert page.count("查看档案") == 2 and "worker" in page and "officer" in page
    mine = client.get("/audit/users/%d" % users["officer"].id).get_data(as_text=True)
    assert "张三" in mine and "李四" in mine


def test_audit_pages_filter_by_date(client, users, login_as, clock):
    person = make_person("张三")
    login_as("lead")
    client.get("/persons/%d" % person.id)
    clock.advance(days=3)
    login_as("lead")
    client.get("/persons/%d" % person.id)
    day = clock.now.strftime("%Y-%m-%d")
    page = client.get("/audit/persons/%d?start=%s&end=%s" % (person.id, day, day)).get_data(as_text=True)
    assert page.count("查看档案") == 1


def test_worker_cannot_read_the_audit_trail(client, users, login_as):
    login_as("worker")
    for url in ("/audit/", "/audit/persons/1", "/audit/users/1"):
        assert client.get(url).status_code == 403


def test_audit_schema_has_the_required_columns():
    columns = set(AuditLog._meta.columns)
    assert {"ts", "user_id", "username", "action", "object_type", "object_id", "outcome", "ip", "reason",
            "prev_hash", "hash"} <= columns


def test_audit_page_speaks_chinese(client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    client.get("/persons/?q=zs")
    client.get("/persons/%d" % person.id)
    page = client.get("/audit/").get_data(as_text=True)
    assert "人员：张三" in page and "查询：zs" in page and "查看人员列表" in page
    table = page[page.index("<table"):]
    assert "person #" not in table and "{&#34;" not in table and '{"' not in table


def test_who_viewed_includes_case_and_family_changes(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    client.post("/persons/%d/family/" % person.id, data={"name": "张小雨", "relation": "女儿"})
    client.get("/persons/%d/cases/%d/edit" % (person.id, person.current_case().id))
    login_as("lead")
    page = client.get("/audit/persons/%d" % person.id).get_data(as_text=True)
    assert "添加家庭成员" in page and "打开案件编辑" in page


def test_chain_covers_the_acting_user(app, client, users, login_as):
    login_as("worker")
    database.close()
    raw = sqlite3.connect(app.config["DATABASE"])
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET user_id = ? WHERE action = 'login'", (users["lead"].id,))
    raw.commit()
    raw.close()
    assert audit.verify_chain() is not None
