"""Words, not codes: every audit detail, label and help text reads as Chinese, without code names, internal
row numbers or file names of the project's documents."""
import json
import re
from pathlib import Path

import pytest
from factories import make_person

from portal.audit.labels import DETAIL_LABELS, HIDDEN_DETAILS, audit_detail

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def written_detail_keys():
    """The keys the code writes into audit details as literals, and the filter keys an export records."""
    source = "".join(p.read_text(encoding="utf-8") for p in PORTAL.rglob("*.py"))
    keys = set()
    for block in re.findall(r"detail=(\{[^}]*\})", source) + re.findall(r"filters = (\{[^}]*\})", source):
        keys |= set(re.findall(r'"(\w+)":', block))
    return keys


def test_the_key_scan_finds_the_detail_keys():
    keys = written_detail_keys()
    assert {"minors_left_out", "unmasked", "rows", "export", "kind", "assessment", "start"} <= keys


@pytest.mark.parametrize("key", sorted(written_detail_keys()))
def test_every_detail_key_has_a_chinese_label_or_is_not_shown(key):
    assert key in DETAIL_LABELS or key in HIDDEN_DETAILS
    if key in DETAIL_LABELS:
        assert not re.search(r"[a-z]{2,}", DETAIL_LABELS[key].replace("SHA-256", ""))


def test_an_export_detail_reads_in_words(app):
    worker = make_person("张三").current_case().worker  # no worker: the name of a deleted account is not a code
    with app.test_request_context():
        text = audit_detail(json.dumps({"export": 825, "kind": "persons", "rows": 20, "unmasked": False,
                                        "minors_left_out": 0, "status": "current", "staff": 99999,
                                        "assessment": "stable", "start": "2026-11-01"}))
    assert worker is None
    assert "825" not in text and not re.search(r"[A-Za-z_]{3,}", text), text
    for words in ("类别：人员台账", "导出行数：20", "完整身份证号和电话：否", "未列入的未成年人：0", "状态：在管",
                  "评估：稳定", "起始日期：2026-11-01", "工作人员："):
        assert words in text, (words, text)


def test_a_breach_kind_is_named(app):
    with app.test_request_context():
        assert audit_detail(json.dumps({"kind": "absence"})) == "类别：擅自外出"
        assert audit_detail(json.dumps({"kind": "late_report"})) == "类别：逾期报到"
        assert audit_detail(json.dumps({"attachment": 3263, "kind": "absence"})) == "类别：擅自外出"


def test_the_audit_log_shows_no_internal_row_numbers(client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    client.get("/persons/%d" % person.id)
    client.get("/queue/")
    client.get("/indicators/?kind=quarter")
    page = client.get("/audit/").get_data(as_text=True)
    table = page[page.index("<table"):]
    assert not re.search(r"#\d", table)
    assert "今日待办" in table and ">queue<" not in table
    assert "起始日期：2026-10-01" in table and "原状态：2026" not in table


def test_help_and_settings_name_no_project_files(client, users, login_as):
    login_as("lead")
    for url in ("/indicators/help", "/settings/"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"DOMAIN|README|\.md\b|§|flask --app", page), url  # no project files, no commands
