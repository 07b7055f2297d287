"""Duplicate files: the warning while registering, the side-by-side merge and the lead's undo."""
from datetime import date

from factories import in_app, make_family, make_person, make_talk, text_of, valid_id

from portal.models import AuditLog, Case, FamilyMember, Person, PersonMerge, Screening, Talk

BIRTH = date(1991, 6, 2)


def register_form(name, id_number, **extra):
    return {"p-name": name, "p-id_number": id_number, "p-ethnicity": "汉族", "p-drug_type": "",
            "c-measure": "community_detox", "c-decision_number": "筑南公（禁）社戒决字〔2026〕9号",
            "c-decision_date": "2026-10-01", "c-served_date": "2026-10-03", "c-term_months": "36",
            "c-street": "新华路街道", "c-officer": "0", "c-worker": "0", "c-counsellor": "0", "c-credited_days": "0",
            "c-screening_preset": "", **extra}


def test_typing_a_known_id_or_name_and_birth_date_warns(client, login_as, users):
    mine = make_person("杨帆", worker=users["worker"].id, birth_date=BIRTH)
    theirs = make_person("杨帆", worker=users["worker2"].id, birth_date=BIRTH)
    login_as("worker")
    fragment = client.get("/persons/check", query_string={"p-name": "杨帆", "p-id_number": mine.id_number.lower()})
    page = " ".join(text_of(fragment).split())
    assert "该身份证号已登记" in page and "打开已有档案" in page
    assert "姓名和出生日期相同，但身份证号不同" in page and "该档案由其他工作人员负责" in page
    assert theirs.id_number not in fragment.get_data(as_text=True)
    assert text_of(client.get("/persons/check", query_string={"p-name": "无名", "p-id_number": "1"})).strip() == ""
    assert in_app(lambda: AuditLog.select().where(AuditLog.action == "person.duplicate_check").count())() == 1


def test_registering_a_same_name_and_birth_date_asks_to_confirm(client, login_as, users):
    make_person("杨帆", birth_date=BIRTH)
    login_as("officer")
    other = valid_id(birth=BIRTH)
    response = client.post("/persons/new", data=register_form("杨帆", other))
    assert response.status_code == 422 and "可能重复登记" in text_of(response) and "尚未保存" in text_of(response)
    assert 'value="%s"' % other in response.get_data(as_text=True)  # nothing typed is lost
    assert in_app(lambda: Person.select().count())() == 1
    response = client.post("/persons/new", data=register_form("杨帆", other, distinct="1"))
    assert response.status_code == 302
    assert in_app(lambda: Person.select().count())() == 2


def test_merge_moves_every_record_and_the_lead_undoes_it(client, login_as, users):
    # an earlier file with a finished measure, and a new registration under a mistyped ID number
    survivor = make_person("杨帆", birth_date=BIRTH, phone="13800000001", employment="个体", status="released")
    duplicate = make_person("杨帆", birth_date=BIRTH, phone="13911112222", residence_address="花果园 3 栋")
    make_talk(survivor, users["worker"])
    make_talk(duplicate, users["worker"])
    make_family(duplicate, name="杨母")

    @in_app
    def screening(person):
        return Screening.create(person=person, case=person.current_case(), staff=users["worker"].id,
                                tested_on=date(2026, 10, 5), result="negative")
    screening(duplicate)
    login_as("officer")
    listing = " ".join(text_of(client.get("/persons/duplicates")).split())
    assert "比对合并" in listing
    page = client.get("/persons/%d/merge/%d" % (survivor.id, duplicate.id))
    assert page.status_code == 200 and "13911112222" in page.get_data(as_text=True)
    assert "很可能不是同一人" not in text_of(page)
    other_sex = make_person("杨帆", birth_date=BIRTH, male=False)
    assert "很可能不是同一人" in text_of(client.get("/persons/%d/merge/%d" % (survivor.id, other_sex.id)))
    refused = client.post("/persons/%d/merge/%d" % (survivor.id, duplicate.id), data={"phone": "duplicate"})
    assert refused.status_code == 422 and "请填写事由" in text_of(refused)
    done = client.post("/persons/%d/merge/%d" % (survivor.id, duplicate.id), data={
        "phone": "duplicate", "residence_address": "duplicate", "employment": "survivor",
        "reason": "同一人重复登记，身份证号录错"})
    assert done.status_code == 302

    @in_app
    def after_merge():
        kept = Person.get_by_id(survivor.id)
        assert (kept.phone, kept.residence_address, kept.employment) == ("13911112222", "花果园 3 栋", "个体")
        assert Talk.select().where(Talk.person == survivor.id).count() == 2
        assert Case.select().where(Case.person == survivor.id).count() == 2
        assert FamilyMember.select().where(FamilyMember.person == survivor.id).count() == 1
        assert Screening.select().where(Screening.person == survivor.id).count() == 1
        gone = Person.get_by_id(duplicate.id)
        assert gone.deleted_at is not None and "已合并至" in gone.deleted_reason
        assert AuditLog.select().where(AuditLog.action == "person.merge").count() == 2
        return PersonMerge.get()
    record = after_merge()
    assert client.post("/merges/%d/undo" % record.id, data={"reason": "误合并"}).status_code == 403  # officers
    login_as("lead")
    assert "撤销合并" in text_of(client.get("/persons/duplicates"))
    assert client.post("/merges/%d/undo" % record.id, data={"reason": "误合并，两人不同"}).status_code == 302

    @in_app
    def after_undo():
        kept = Person.get_by_id(survivor.id)
        assert (kept.phone, kept.residence_address) == ("13800000001", None)
        back = Person.get_by_id(duplicate.id)
        assert back.deleted_at is None and back.phone == "13911112222"
        for model in (Talk, Case, Screening):
            assert model.select().where(model.person == duplicate.id).count() == 1, model
        assert FamilyMember.select().where(FamilyMember.person == duplicate.id).count() == 1
        assert PersonMerge.get().undone_at is not None
        assert AuditLog.select().where(AuditLog.action == "person.unmerge").count() == 2
    after_undo()
    again = client.post("/merges/%d/undo" % record.id, data={"reason": "再次撤销"}, follow_redirects=True)
    assert "已经撤销过" in text_of(again)


def test_undo_is_refused_when_the_survivor_changed_since(client, login_as, users):
    survivor = make_person("杨帆", birth_date=BIRTH)
    duplicate = make_person("杨帆", birth_date=BIRTH)
    login_as("lead")
    repeat = in_app(lambda: duplicate.current_case().id)()
    client.post("/persons/%d/merge/%d" % (survivor.id, duplicate.id), data={"reason": "重复登记",
                                                                           "drop_case": str(repeat)})
    in_app(lambda: Person.update(phone="13700000000", version=Person.version + 1).where(
        Person.id == survivor.id).execute())()
    record = in_app(PersonMerge.get)()
    response = client.post("/merges/%d/undo" % record.id, data={"reason": "误合并"}, follow_redirects=True)
    assert "无法自动撤销" in text_of(response)
    assert in_app(lambda: Person.get_by_id(duplicate.id).deleted_at)() is not None


def test_choose_lists_the_same_name_and_birth_date(client, login_as, users):
    survivor = make_person("杨帆", birth_date=BIRTH)
    make_person("杨帆", birth_date=BIRTH)
    make_person("李雷")
    login_as("lead")
    page = text_of(client.get("/persons/%d/merge" % survivor.id))
    assert page.count("比对") >= 1 and "李雷" not in page
    assert "李雷" in text_of(client.get("/persons/%d/merge?q=李雷" % survivor.id))


def test_a_repeated_registration_cannot_displace_the_running_case(client, login_as, users):
    survivor = make_person("杨帆", birth_date=BIRTH, worker=users["worker"].id)
    duplicate = make_person("杨帆", birth_date=BIRTH, status="pending_report")
    running = in_app(lambda: survivor.current_case().id)()
    repeat = in_app(lambda: duplicate.current_case().id)()
    login_as("lead")
    page = client.get("/persons/%d/merge/%d" % (survivor.id, duplicate.id)).get_data(as_text=True)
    assert 'name="drop_case" value="%d" checked' % repeat in page  # proposed: it never reported
    refused = client.post("/persons/%d/merge/%d" % (survivor.id, duplicate.id), data={"reason": "重复登记"},
                          follow_redirects=True)
    assert "会取代它成为当前案件" in text_of(refused)
    assert in_app(lambda: Person.get_by_id(duplicate.id).deleted_at)() is None  # nothing happened
    done = client.post("/persons/%d/merge/%d" % (survivor.id, duplicate.id),
                       data={"reason": "重复登记", "drop_case": str(repeat)})
    assert done.status_code == 302
    assert in_app(lambda: Person.get_by_id(survivor.id).current_case().id)() == running
    assert in_app(lambda: Case.get_by_id(repeat).deleted_at)() is not None
    record = in_app(PersonMerge.get)()
    client.post("/merges/%d/undo" % record.id, data={"reason": "误合并"})
    assert in_app(lambda: Person.get_by_id(duplicate.id).current_case().id)() == repeat


def test_the_duplicate_check_masks_persons_outside_the_workers_scope_like_the_search(client, login_as, users, auth):
    theirs = make_person("陈雪梅", worker=users["worker2"].id, birth_date=BIRTH)
    mine = make_person("陈雪松", worker=users["worker"].id, birth_date=BIRTH)
    login_as("worker")
    for typed in ({"p-id_number": theirs.id_number}, {"p-name": "陈雪梅", "p-birth_date": BIRTH.isoformat()}):
        body = client.get("/persons/check", query_string={"p-name": "", **typed}).get_data(as_text=True)
        assert "可能重复登记" in body and "陈**" in body and "陈雪梅" not in body.replace('value="陈雪梅"', "")
        assert "1991-06-02" not in body and theirs.id_number not in body
        assert "该档案由其他工作人员负责" in body
    body = client.get("/persons/check", query_string={"p-id_number": mine.id_number}).get_data(as_text=True)
    assert "陈雪松" in body and "1991-06-02 出生" in body  # their own person: in full
    search = client.get("/persons/", query_string={"q": "陈雪梅"}).get_data(as_text=True)
    assert "陈**" in search  # the same mask as the search's
    auth.logout()
    login_as("officer")
    body = client.get("/persons/check", query_string={"p-id_number": theirs.id_number}).get_data(as_text=True)
    assert "陈雪梅" in body and "1991-06-02 出生" in body
