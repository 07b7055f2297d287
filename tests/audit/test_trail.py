"""A trail no one can rewrite (AU4): the keyed chain, its head anchored outside the database, and
their checks on /audit/verify, `flask sweep`, backups and verify-backup."""
import hashlib
import json
import os
import sqlite3
import stat

from factories import make_person

from portal import audit
from portal.audit import anchors, chain
from portal.backup import make as backup
from portal.backup import restore as restoring
from portal.db import database
from portal.models import AuditLog


def raw(app):
    """The database as an attacker holding the file sees it: no triggers in the way."""
    database.close()
    con = sqlite3.connect(app.config["DATABASE"])
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con


def sha(prev, row):
    """Plain SHA-256 over the previous hash and the fields, as the chain was before it was keyed."""
    payload = json.dumps([prev] + [str(row[f]) if row[f] is not None else None for f in chain.FIELDS],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def rehash_plain(con, from_id, chain_value):
    """Recompute every hash from `from_id` on, in plain SHA-256: all an attacker without the key can do."""
    rows = list(chain.rows(con))
    prev = chain.GENESIS
    for row in rows:
        if row["id"] >= from_id:
            digest = sha(prev, row)
            con.execute("UPDATE audit_log SET prev_hash = ?, hash = ?, chain = ? WHERE id = ?",
                        (prev, digest, chain_value, row["id"]))
            prev = digest
        else:
            prev = row["hash"]
    con.commit()


def views(client, person, n):
    for _ in range(n):
        client.get("/persons/%d" % person.id)


def verify_page(client, login_as):
    login_as("lead")
    return client.get("/audit/verify").get_data(as_text=True)


def test_a_good_trail_verifies_with_its_anchors(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("lead")
    views(client, person, 3)
    assert "审计日志已锚定" in runner.invoke(args=["sweep"]).output
    views(client, person, 2)
    with app.app_context():
        assert audit.verify_trail() == []
        assert AuditLog.select().where(AuditLog.chain != chain.KEYED).count() == 0
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "完整性校验通过" in page and "未发现改动、删除或截短" in page


def test_the_key_file_is_made_owner_only_by_init_db(app, runner):
    key = app.config["AUDIT_KEY_FILE"]
    assert not os.path.exists(key)
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "已生成审计密钥" in result.output
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and len(open(key).read().strip()) == 64
    assert stat.S_IMODE(os.stat(app.config["AUDIT_ANCHOR_FILE"]).st_mode) == 0o600
    assert "已生成审计密钥" not in runner.invoke(args=["init-db"]).output  # kept, never replaced


def test_an_edited_row_with_recomputed_plain_hashes_is_found(app, client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 4)
    target = AuditLog.select().where(AuditLog.action == "person.view").first().id
    con = raw(app)
    con.execute("UPDATE audit_log SET username = 'someone' WHERE id = ?", (target,))
    rehash_plain(con, target, chain.KEYED)  # keyed rows recomputed without the key
    con.close()
    with app.app_context():
        assert audit.verify_chain() == target
    page = verify_page(client, login_as)
    assert "完整性校验失败：从第 %d 条记录起" % target in page and "内容与其哈希不符" in page


def test_a_trail_rewritten_in_plain_sha256_is_found(app, client, runner, users, login_as):
    """Relabelling rows as the old, unkeyed chain and recomputing every hash: caught at the first one."""
    person = make_person("张三")
    login_as("officer")
    views(client, person, 3)
    runner.invoke(args=["sweep"])
    views(client, person, 2)
    con = raw(app)
    con.execute("UPDATE audit_log SET username = 'someone' WHERE action = 'person.view'")
    rehash_plain(con, 1, chain.PLAIN)
    con.close()
    with app.app_context():
        problems = audit.verify_trail()
    assert problems and problems[0][0] == 1 and "审计密钥签名" in problems[0][1]
    # and a plain row written after the keyed chain began breaks it there
    con = raw(app)
    last = con.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    con.execute("UPDATE audit_log SET chain = 2 WHERE id < ?", (last,))
    con.commit()
    con.close()
    with app.app_context():
        assert chain.check(database.connection(), chain.load_key())[0] <= last


def test_deleting_the_newest_rows_is_found_against_the_anchor(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 5)
    assert runner.invoke(args=["sweep"]).exit_code == 0
    with app.app_context():
        anchored = anchors.read()[0][-1]["id"]
    con = raw(app)
    con.execute("DELETE FROM audit_log WHERE id > ?", (anchored - 3,))  # the newest three
    con.commit()
    con.close()
    with app.app_context():
        assert chain.check(database.connection(), chain.load_key()) is None  # the chain alone still holds
        assert audit.verify_chain() == anchored - 2
    page = verify_page(client, login_as)  # signing in writes rows again: still found
    assert "完整性校验失败：从第" in page


def test_deleted_rows_replaced_by_new_ones_are_found(app, client, runner, users, login_as, clock):
    """SQLite reuses the ids of deleted newest rows: the anchored row then has another hash."""
    person = make_person("张三")
    login_as("officer")
    views(client, person, 3)
    runner.invoke(args=["sweep"])
    with app.app_context():
        anchored = anchors.read()[0][-1]["id"]
    con = raw(app)
    con.execute("DELETE FROM audit_log WHERE id > ?", (anchored - 2,))
    con.commit()
    con.close()
    clock.advance(minutes=5)
    views(client, person, 4)  # new rows, properly keyed, take the deleted ids
    with app.app_context():
        problems = audit.verify_trail()
    assert problems and problems[0][0] == anchored and "锚定值不符" in problems[0][1]


def test_a_truncated_trail_is_found(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 3)
    runner.invoke(args=["sweep"])
    con = raw(app)
    con.execute("DELETE FROM audit_log")
    con.commit()
    con.close()
    with app.app_context():
        problems = audit.verify_trail()
    assert problems[0][0] == 1 and "第 1 条起的记录被删除" in problems[0][1]


def test_an_edited_anchor_line_is_found(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 2)
    runner.invoke(args=["sweep"])
    runner.invoke(args=["sweep"])
    path = app.config["AUDIT_ANCHOR_FILE"]
    lines = open(path, encoding="utf-8").read().splitlines()
    first = json.loads(lines[0])
    first["id"] = 1
    lines[0] = json.dumps(first, sort_keys=True)
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")
    with app.app_context():
        problems = audit.verify_trail()
    assert [text for row, text in problems if row is None] == [
        "锚定文件 audit-anchors.log 第 1 行签名不符：锚定文件被改动过（行被修改、删除或插入）。"]
    assert "锚定文件" in verify_page(client, login_as)


def test_rows_from_before_the_key_keep_verifying(app, users):
    """Rows written by the unkeyed chain (chain 1) verify as they are; keyed rows follow them."""
    con = raw(app)
    con.execute("DELETE FROM audit_log")
    prev = chain.GENESIS
    for n in range(3):
        row = {"ts": "2026-01-0%d 08:00:00" % (n + 1), "user_id": None, "username": None, "action": "login",
               "object_type": None, "object_id": None, "person_id": None, "outcome": "ok", "ip": None,
               "reason": None, "detail": None}
        digest = sha(prev, row)
        con.execute("INSERT INTO audit_log (ts, action, outcome, prev_hash, hash, chain) VALUES (?, ?, ?, ?, ?, 1)",
                    (row["ts"], row["action"], row["outcome"], prev, digest))
        prev = digest
    con.commit()
    con.close()
    with app.app_context():
        audit.record("audit.view", object_type="audit")
        assert [r.chain for r in AuditLog.select().order_by(AuditLog.id)] == [1, 1, 1, 2]
        assert audit.verify_trail() == []


def test_backups_anchor_the_head_and_verify_backup_checks_the_trail(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 3)
    with app.app_context():
        made = backup.make_backup()
        head = made["manifest"]["audit_head"]
        row = AuditLog.select().where(AuditLog.action == "backup.create").get()  # written after the copy
        last = AuditLog.get_by_id(row.id - 1)
        assert (head["id"], head["hash"], head["rows"]) == (last.id, last.hash, last.id)
        assert anchors.read()[0][-1]["source"] == "backup"
    assert runner.invoke(args=["verify-backup", str(made["path"])]).exit_code == 0
    # a backup made after the trail was cut short: found against the anchor the first backup left
    con = raw(app)
    con.execute("DELETE FROM audit_log WHERE id > ?", (head["id"] - 2,))
    con.commit()
    con.close()
    with app.app_context():
        later = backup.make_backup(rotate=False)
    result = runner.invoke(args=["verify-backup", str(later["path"])])
    assert result.exit_code != 0
    assert "备份中的审计日志：" in result.output and "第 %d 条起的记录被删除" % (head["id"] - 1) in result.output


def test_verify_backup_finds_a_rewritten_trail_in_the_backup(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    views(client, person, 3)
    con = raw(app)
    target = con.execute("SELECT min(id) FROM audit_log WHERE action = 'person.view'").fetchone()[0]
    con.execute("UPDATE audit_log SET detail = NULL WHERE id = ?", (target,))
    rehash_plain(con, target, chain.KEYED)
    con.close()
    with app.app_context():
        made = backup.make_backup()
        problems = restoring.verify(made["path"])
    assert problems == ["备份中的审计日志：第 %d 条记录的内容与其哈希不符：该条记录被改动过。" % target]


def test_a_restore_starts_the_anchors_afresh(app, client, runner, users, login_as):
    person = make_person("张三")
    login_as("officer")
    with app.app_context():
        made = backup.make_backup()
    views(client, person, 4)
    runner.invoke(args=["sweep"])  # anchors a head the restore will legitimately go back from
    with app.app_context():
        restoring.restore(made["path"])
        assert anchors.read()[0][-1]["source"] == "restore"
        assert audit.verify_trail() == []
