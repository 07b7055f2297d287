"""Case files: list, search, create and edit with validation, version check, soft delete."""
import re
from datetime import date

import pytest
from factories import make_family, make_person, person_form, person_page, text_of

from portal import idcard
from portal.models import AuditLog, Case, FamilyMember, Person, User


def test_list_shows_persons_with_masked_id(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("officer")
    page = client.get("/persons/").get_data(as_text=True)
    assert "张三" in page and person.id_number not in page and person.id_number[:6] + "********" in page


@pytest.mark.parametrize("query", ["zs", "zhangsan", "张", "张三"])
def test_search_finds_by_name_and_pinyin(client, users, login_as, query):
    make_person("张三", worker=users["worker"].id)
    make_person("李四", worker=users["worker"].id)
    login_as("lead")
    page = text_of(client.get("/persons/?q=" + query))
    assert "张三" in page and "李四" not in page


def test_search_by_last_four_of_id(client, users, login_as):
    person = make_person("张三")
    make_person("李四")
    login_as("lead")
    page = text_of(client.get("/persons/?q=" + person.id_number[-4:].lower()))
    assert "张三" in page and "李四" not in page


def test_filters_and_paging_keep_the_query_in_links(client, users, login_as, app):
    app.config["PAGE_SIZE"] = 2
    for i in range(5):
        make_person("赵%s" % "一二三四五"[i], measure="community_rehab")
    make_person("钱六", measure="community_detox")
    login_as("lead")
    page = client.get("/persons/?measure=community_rehab&q=zhao").get_data(as_text=True)
    assert "第 1 / 3 页" in page and "钱六" not in page
    assert "page=2" in page and "measure=community_rehab" in page and "q=zhao" in page


def test_injection_strings_in_search_return_nothing_extra(client, users, login_as):
    make_person("张三")
    login_as("lead")
    for q in ("' OR 1=1 --", "%", "_", "\" OR \"\"=\"", "张三'; DROP TABLE person; --"):
        response = client.get("/persons/", query_string={"q": q})
        assert response.status_code == 200
        assert "张三" not in text_of(response) or q.startswith("张三")
    assert Person.select().count() == 1


def test_worker_sees_assigned_and_others_only_masked_on_exact_match(client, users, login_as):
    mine = make_person("张三", worker=users["worker"].id)
    theirs = make_person("张四", worker=users["worker2"].id, status="compulsory")
    login_as("worker")
    listing = client.get("/persons/").get_data(as_text=True)
    assert "张三" in listing and "张四" not in listing
    prefix = client.get("/persons/?q=张").get_data(as_text=True)
    assert "张三" in prefix and "张*" not in prefix  # a prefix never reveals colleagues' persons
    exact = results(client.get("/persons/?q=张四"))
    assert "张*" in exact and "张四" not in exact
    assert "/persons/%d" % theirs.id not in exact and "转强戒" not in exact
    by_id = results(client.get("/persons/?q=" + theirs.id_number))
    assert "张*" in by_id and theirs.id_number not in by_id
    # Filters narrow only the worker's own persons: they cannot probe a colleague's case.
    probe = results(client.get("/persons/?q=zhangs&status=compulsory"))
    assert "张*" not in probe and "张四" not in probe
    assert "/persons/%d" % mine.id in prefix


def results(response):
    """The results region of the list page (the search box echoes the query above it)."""
    page = response.get_data(as_text=True)
    return page[page.index('id="results"'):]


def test_create_person_with_case(client, users, login_as):
    login_as("worker")
    response = client.post("/persons/new", data=person_form(**{"c-worker": str(users["worker"].id)}))
    assert response.status_code == 302, text_of(response)
    person = Person.get(Person.name == "龙小兵")
    assert person.sex == "M" and person.birth_date == date(1990, 6, 1) and person.name_initials == "lxb"
    case = person.current_case()
    assert case.worker_id == users["worker"].id and case.term_months == 36
    assert client.get(response.headers["Location"]).status_code == 200


def test_worker_can_only_assign_themself(client, users, login_as):
    login_as("worker")
    response = client.post("/persons/new", data=person_form(**{"c-worker": str(users["worker2"].id)}))
    assert response.status_code == 422 and Person.select().count() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"p-id_number": "520103199006010019"}, "校验位不正确"),
    ({"p-sex": "F"}, "性别与身份证号不符"),
    ({"p-birth_date": "1990-06-02"}, "出生日期与身份证号不符"),
    ({"p-phone": "1381234"}, "11 位手机号"),
    ({"p-name": ""}, "此项为必填项"),
    ({"c-served_date": "2026-10-01"}, "送达日期不能早于决定日期"),
    ({"c-report_date": "2026-10-09"}, "报到日期不能早于送达日期"),
    ({"c-term_months": "24"}, "社区戒毒期限为三年"),
    ({"c-measure": "community_rehab", "c-term_months": "48"}, "不超过三年"),
    ({"c-decision_date": "2026-13-01"}, "不是有效的日期值"),
    ({"c-report_date": "2099-01-01"}, "不能晚于今天"),
])
def test_invalid_input_shows_chinese_error_and_keeps_what_was_typed(client, users, login_as, overrides, message):
    login_as("officer")
    data = person_form(**overrides)
    response = client.post("/persons/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "龙小兵" in page or data["p-name"] == ""
    assert "贵阳市南明区花果园大街1号" in page and "筑南公（禁）社戒决字〔2026〕0101号" in page
    assert Person.select().count() == 0 and Case.select().count() == 0


def test_duplicate_id_number_is_refused(client, users, login_as):
    existing = make_person("张三")
    login_as("officer")
    response = client.post("/persons/new", data=person_form(**{"p-id_number": existing.id_number.lower()}))
    assert response.status_code == 422 and "已登记" in response.get_data(as_text=True)


def test_person_page_masks_id_and_reveal_needs_a_reason(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    page = person_page(client, person.id).get_data(as_text=True)
    assert person.id_number not in page and person.id_number[-4:] in page
    refused = client.post("/persons/%d/reveal" % person.id, data={"reason": ""})
    assert refused.status_code == 422 and person.id_number not in refused.get_data(as_text=True)
    assert "请填写事由" in refused.get_data(as_text=True)
    shown = client.post("/persons/%d/reveal" % person.id, data={"reason": "派出所办理尿检手续"})
    assert person.id_number in shown.get_data(as_text=True)
    row = AuditLog.get(AuditLog.action == "person.reveal_id")
    assert row.reason == "派出所办理尿检手续" and row.object_id == person.id and row.username == "worker"


def test_counsellor_cannot_reveal_id(client, users, login_as):
    person = make_person("张三", counsellor=users["counsellor"].id)
    login_as("counsellor")
    page = person_page(client, person.id).get_data(as_text=True)
    assert "查看完整号码" not in page
    assert client.post("/persons/%d/reveal" % person.id, data={"reason": "需要"}).status_code == 403


def test_edit_saves_and_bumps_version(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    form = person_form(**{"p-name": "张三丰", "p-id_number": person.id_number, "version": "1"})
    data = {k[2:]: v for k, v in form.items() if k.startswith("p-")}
    data["version"] = "1"
    assert client.post("/persons/%d/edit" % person.id, data=data).status_code == 302
    saved = Person.get_by_id(person.id)
    assert saved.name == "张三丰" and saved.version == 2 and saved.name_initials == "zsf"


def test_concurrent_edit_shows_conflict_and_never_overwrites(client, users, login_as, app):
    person = make_person("张三", phone="13800000001")
    login_as("officer")
    base = {"name": "张三", "id_number": person.id_number, "ethnicity": "汉族", "drug_type": "", "version": "1"}
    first = client.post("/persons/%d/edit" % person.id, data={**base, "phone": "13900000002"})
    assert first.status_code == 302
    second = client.post("/persons/%d/edit" % person.id, data={**base, "phone": "13700000003"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409 and "保存冲突" in page
    assert "13900000002" in page and "13700000003" in page
    assert Person.get_by_id(person.id).phone == "13900000002"
    # Saving again after seeing the conflict is a deliberate overwrite.
    import re
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    third = client.post("/persons/%d/edit" % person.id, data={**base, "phone": "13700000003", "version": version})
    assert third.status_code == 302 and Person.get_by_id(person.id).phone == "13700000003"


def test_case_edit_is_version_checked(client, users, login_as):
    person = make_person("张三")
    case = person.current_case()
    login_as("officer")
    data = {"measure": "community_detox", "decision_number": "X1", "decision_date": "2025-01-02",
            "served_date": "2025-01-05", "report_date": "2025-01-10", "term_months": "36", "street": "花果园街道",
            "officer": "0", "worker": str(users["worker"].id), "counsellor": "0", "credited_days": "0", "screening_preset": "",
            "version": "1"}
    assert client.post("/persons/%d/cases/%d/edit" % (person.id, case.id), data=data).status_code == 302
    assert Case.get_by_id(case.id).worker_id == users["worker"].id
    stale = client.post("/persons/%d/cases/%d/edit" % (person.id, case.id), data={**data, "street": "二戈街道"})
    assert stale.status_code == 409 and Case.get_by_id(case.id).street == "花果园街道"


def test_soft_delete_and_restore(client, users, login_as, auth):
    person = make_person("张三")
    login_as("officer")
    assert client.post("/persons/%d/delete" % person.id, data={"reason": ""}).status_code == 302
    assert Person.get_by_id(person.id).deleted_at is None  # no reason, nothing deleted
    client.post("/persons/%d/delete" % person.id, data={"reason": "重复登记"})
    assert Person.get_by_id(person.id).deleted_at is not None
    assert person_page(client, person.id).status_code == 404
    assert "张三" not in text_of(client.get("/persons/"))
    auth.logout()
    login_as("lead")
    assert "重复登记" in client.get("/persons/deleted").get_data(as_text=True)
    client.post("/persons/%d/restore" % person.id)
    assert person_page(client, person.id).status_code == 200
    actions = [r.action for r in AuditLog.select().where(AuditLog.object_id == person.id,
                                                         AuditLog.object_type == "person")]
    assert "person.delete" in actions and "person.restore" in actions


def test_family_member_added_inline_and_soft_removed(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    bad = client.post("/persons/%d/family/" % person.id, data={"name": "", "relation": "女儿", "phone": "123"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "此项为必填项" in bad.get_data(as_text=True)
    assert 'value="123"' in bad.get_data(as_text=True)
    good = client.post("/persons/%d/family/" % person.id, headers={"HX-Request": "true"},
                       data={"name": "张小雨", "relation": "女儿", "birth_date": "2010-03-01"})
    assert good.status_code == 200 and "张小雨" in good.get_data(as_text=True) and "未成年" in good.get_data(as_text=True)
    member = FamilyMember.get(FamilyMember.name == "张小雨")
    refused = client.post("/persons/%d/family/%d/delete" % (person.id, member.id), headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "请填写事由" in refused.get_data(as_text=True)  # a delete asks a reason
    assert FamilyMember.get_by_id(member.id).deleted_at is None
    gone = client.post("/persons/%d/family/%d/delete" % (person.id, member.id), headers={"HX-Request": "true"},
                       data={"reason": "登记错误"})
    assert "张小雨" not in gone.get_data(as_text=True) and "已移除的家庭成员" not in gone.get_data(as_text=True)
    assert FamilyMember.get_by_id(member.id).deleted_at is not None
    row = AuditLog.select().where(AuditLog.action == "family.delete").get()
    assert row.reason == "登记错误" and row.person_id == person.id
    assert client.post("/persons/%d/family/%d/restore" % (person.id, member.id)).status_code == 403  # workers cannot


def test_the_lead_restores_a_removed_family_member(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    client.post("/persons/%d/family/" % person.id, headers={"HX-Request": "true"}, data={"name": "张小雨", "relation": "女儿"})
    member = FamilyMember.get(FamilyMember.name == "张小雨")
    client.post("/persons/%d/family/%d/delete" % (person.id, member.id), headers={"HX-Request": "true"},
                data={"reason": "误删测试"})
    login_as("lead")
    page = person_page(client, person.id).get_data(as_text=True)
    assert "已移除的家庭成员（1）" in page and "张小雨（女儿）" in page
    back = client.post("/persons/%d/family/%d/restore" % (person.id, member.id), headers={"HX-Request": "true"})
    assert back.status_code == 200 and "张小雨" in back.get_data(as_text=True) and "已移除的家庭成员" not in back.get_data(as_text=True)
    assert FamilyMember.get_by_id(member.id).deleted_at is None
    assert AuditLog.select().where(AuditLog.action == "family.restore", AuditLog.person_id == person.id).count() == 1
    assert client.post("/persons/%d/family/%d/restore" % (person.id, member.id)).status_code == 404  # already back


def test_family_without_javascript_redirects_back(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    response = client.post("/persons/%d/family/" % person.id, data={"name": "李梅", "relation": "配偶"})
    assert response.status_code == 302 and response.headers["Location"] == "/persons/%d" % person.id


def test_the_family_form_is_fetched_when_opened(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    page = client.get("/persons/%d" % person.id).get_data(as_text=True)
    assert "添加家庭成员" in page and 'name="relation"' not in page  # not rendered until asked for
    assert 'hx-get="/persons/%d/family/new" hx-trigger="toggle once"' % person.id in page
    assert '<a href="/persons/%d/family/new">' % person.id in page  # without JavaScript: its own page
    views = AuditLog.select().where(AuditLog.action == "person.view").count()
    form = client.get("/persons/%d/family/new" % person.id, headers={"HX-Request": "true"})
    body = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in body and 'name="relation"' in body and 'name="form_token"' in body
    assert 'hx-post="/persons/%d/family/"' % person.id in body
    assert AuditLog.select().where(AuditLog.action == "person.view").count() == views  # an empty form names no one
    alone = client.get("/persons/%d/family/new" % person.id).get_data(as_text=True)
    assert "<html" in alone and "张三 · 添加家庭成员" in alone and 'name="relation"' in alone
    assert AuditLog.select().where(AuditLog.action == "person.view").count() == views + 1  # its page names them


def test_the_family_form_keeps_to_the_users_persons(client, users, login_as):
    mine, other = make_person("张三", worker=users["worker"].id), make_person("李四")
    login_as("worker")
    assert client.get("/persons/%d/family/new" % other.id, headers={"HX-Request": "true"}).status_code == 404
    missing = client.get("/persons/999999/family/new")
    assert missing.status_code == 404 and "未找到" in text_of(missing) and "Not Found" not in text_of(missing)
    for role in ("counsellor", "volunteer"):
        login_as(role)
        assert client.get("/persons/%d/family/new" % mine.id).status_code == 403


def test_a_family_form_that_fails_without_javascript_comes_back_open_with_its_errors(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    failed = client.post("/persons/%d/family/" % person.id, data={"name": "", "relation": "女儿", "phone": "139"})
    body = failed.get_data(as_text=True)
    assert failed.status_code == 422 and "<html" in body and "此项为必填项" in body and 'value="139"' in body
    assert re.search(r'<details class="inline-form" open>\s*<summary>添加家庭成员', body)
    assert 'hx-trigger="toggle once"' not in body  # opened with its errors, not fetched again


def test_surnames_use_their_surname_reading(client, users, login_as):
    make_person("曾斌峰")
    make_person("单田芳")
    login_as("lead")
    assert "曾斌峰" in text_of(client.get("/persons/?q=zbf"))
    assert "单田芳" in text_of(client.get("/persons/?q=shan"))


def test_list_opens_on_persons_under_management(client, users, login_as):
    make_person("张三", status="active")
    make_person("李四", status="released")
    login_as("lead")
    default = text_of(client.get("/persons/"))
    assert "张三" in default and "李四" not in default
    assert "李四" in text_of(client.get("/persons/?status=all"))
    assert "李四" in text_of(client.get("/persons/?q=lisi"))  # a search looks at everyone


def test_family_relation_must_be_chosen(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    response = client.post("/persons/%d/family/" % person.id, data={"name": "李梅", "relation": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "请选择与本人的关系" in response.get_data(as_text=True)


def test_edit_form_keeps_the_id_number_masked_and_audits_the_read(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    page = client.get("/persons/%d/edit" % person.id).get_data(as_text=True)
    assert person.id_number not in page and idcard.mask(person.id_number) in page
    assert AuditLog.select().where(AuditLog.action == "person.view", AuditLog.object_id == person.id).exists()
    data = {"name": "张三", "id_number": idcard.mask(person.id_number), "ethnicity": "汉族", "drug_type": "",
            "phone": "13800000009", "version": "1"}
    assert client.post("/persons/%d/edit" % person.id, data=data).status_code == 302
    saved = Person.get_by_id(person.id)
    assert saved.id_number == person.id_number and saved.phone == "13800000009"
    bad = client.post("/persons/%d/edit" % person.id, data={**data, "name": "", "version": "2"})
    assert bad.status_code == 422 and person.id_number not in bad.get_data(as_text=True)


def test_garbled_version_is_a_conflict_not_a_crash(client, users, login_as):
    person = make_person("张三")
    login_as("officer")
    data = {"name": "张三", "id_number": person.id_number, "ethnicity": "汉族", "drug_type": "", "version": "1x"}
    assert client.post("/persons/%d/edit" % person.id, data=data).status_code == 409


def test_stale_case_save_shows_every_changed_field(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id)
    case = person.current_case()
    login_as("officer")
    data = {"measure": "community_detox", "decision_number": case.decision_number, "decision_date": "2025-01-02",
            "served_date": "2025-01-05", "report_date": "2025-01-10", "term_months": "36", "street": "新华路街道",
            "officer": "0", "worker": str(users["worker"].id), "counsellor": "0", "credited_days": "120",
            "screening_preset": "B", "version": "1"}
    client.post("/persons/%d/cases/%d/edit" % (person.id, case.id), data=data)
    stale = client.post("/persons/%d/cases/%d/edit" % (person.id, case.id),
                        data={**data, "credited_days": "0", "screening_preset": ""})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "折抵天数" in page and "120" in page and "方案B" in page


def test_disabled_assignee_stays_selectable(client, users, login_as):
    person = make_person("张三", worker=users["worker2"].id)
    User.update(is_active=False).where(User.id == users["worker2"].id).execute()
    login_as("officer")
    page = client.get("/persons/%d/cases/%d/edit" % (person.id, person.current_case().id)).get_data(as_text=True)
    assert re.search(r'<option selected value="%d">' % users["worker2"].id, page)


def test_scope_follows_the_current_case(client, users, login_as):
    person = make_person("张三", worker=users["worker"].id, status="released")
    Case.create(person=person, measure="community_rehab", decision_number="新", decision_date=date(2026, 1, 2),
                served_date=date(2026, 1, 3), term_months=24, street="二戈街道", worker=users["worker2"].id)
    login_as("worker")
    assert person_page(client, person.id).status_code == 404
    old_case = Case.select().where(Case.person == person).order_by(Case.id).first()
    assert client.get("/persons/%d/cases/%d/edit" % (person.id, old_case.id)).status_code == 404


def test_counsellor_sees_a_summary_without_contacts_or_family(client, users, login_as):
    person = make_person("张三", counsellor=users["counsellor"].id, phone="13912345678",
                         residence_address="花果园大街99号")
    make_family(person, name="张小雨", relation="女儿")
    login_as("counsellor")
    page = person_page(client, person.id).get_data(as_text=True)
    assert "张三" in page
    for secret in ("13912345678", "花果园大街99号", "张小雨"):
        assert secret not in page


def test_out_of_scope_open_is_audited_as_denied(client, users, login_as):
    theirs = make_person("李四", worker=users["worker2"].id)
    login_as("worker")
    person_page(client, theirs.id)
    row = AuditLog.get(AuditLog.action == "person.view")
    assert row.outcome == "denied" and row.object_id == theirs.id and row.username == "worker"


def test_full_id_search_is_masked_in_the_audit_trail(client, users, login_as):
    person = make_person("张三")
    login_as("lead")
    client.get("/persons/?q=" + person.id_number)
    row = AuditLog.get(AuditLog.action == "person.list")
    assert person.id_number not in row.detail and idcard.mask(person.id_number) in row.detail


def test_the_search_under_htmx_answers_only_the_results_it_swaps(client, users, login_as):
    make_person("张三", worker=users["worker"].id)
    login_as("lead")
    page = client.get("/persons/?q=zs").get_data(as_text=True)
    part = client.get("/persons/?q=zs", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in page and 'id="results"' in page and "登记新人员" in page
    assert part.lstrip().startswith('<section id="results"') and part.rstrip().endswith("</section>")
    assert "张三" in part and "<html" not in part and 'role="search"' not in part


def test_a_family_birth_date_is_typed_as_every_other_date(client, users, login_as):
    """出生日期 is a text box taking 2026/11/20 as 2026-11-20; a day that does not exist is named in Chinese."""
    person = make_person("张三", worker=users["worker"].id)
    login_as("worker")
    form = client.get("/persons/%d/family/new" % person.id, headers={"HX-Request": "true"}).get_data(as_text=True)
    box = re.search(r'<input[^>]*name="birth_date"[^>]*>', form).group(0)
    assert 'type="text"' in box and 'type="date"' not in box and 'placeholder="如 2026-11-20"' in box
    bad = client.post("/persons/%d/family/" % person.id, headers={"HX-Request": "true"},
                      data={"name": "张小雨", "relation": "女儿", "birth_date": "2026-02-30"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请按“2026-11-20”的格式填写日期。" in body and 'value="2026-02-30"' in body
    assert FamilyMember.select().count() == 0
    good = client.post("/persons/%d/family/" % person.id, headers={"HX-Request": "true"},
                       data={"name": "张小雨", "relation": "女儿", "birth_date": "2026/11/20"})
    assert good.status_code == 200 and FamilyMember.get(FamilyMember.name == "张小雨").birth_date == date(2026, 11, 20)
    late = client.post("/persons/%d/family/" % person.id, headers={"HX-Request": "true"},
                       data={"name": "张小明", "relation": "儿子", "birth_date": "2026-11-21"})
    assert late.status_code == 422 and "日期不能晚于今天。" in late.get_data(as_text=True)
