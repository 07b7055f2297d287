"""Assistance cases: the seed's story recorded end to end; steps inline; totals; scope."""
from factories import in_app, make_family, make_person, person_page, text_of

from portal.models import AssistanceCase, AssistanceStep, AuditLog


def open_case(client, person, **overrides):
    data = {"category": "schooling", "title": "协调女儿入读职业学校", "beneficiary": "0",
            "partners": ["street", "school", "women"], "opened_on": "2026-03-02", **overrides}
    return client.post("/persons/%d/assistance/new" % person.id, data=data)


def test_the_seed_story_end_to_end(client, users, login_as):
    mother = make_person("罗秀英", worker=users["worker"].id, male=False, measure="community_rehab")
    daughter = make_family(mother, name="罗雨涵", relation="女儿")
    login_as("worker")
    response = open_case(client, mother, beneficiary=str(daughter.id))
    assert response.status_code == 302
    case = in_app(AssistanceCase.get)()
    assert case.beneficiary_id == daughter.id and case.status == "applied"
    for day, who, done in (("2026-03-02", "陈丽", "入户走访，了解女儿辍学情况"),
                           ("2026-03-10", "陈丽、街道办", "联系三所学校，说明情况"),
                           ("2026-04-01", "职业学校", "同意入学，办理手续")):
        page = client.post("/assistance/%d/steps" % case.id, data={"on": day, "who": who, "done": done},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
        assert done in page and page.lstrip().startswith('<div id="steps">')
    assert in_app(AssistanceStep.select().count)() == 3
    assert in_app(AssistanceCase.get_by_id)(case.id).status == "accepted"  # the first step accepts it
    refused = client.post("/assistance/%d/status" % case.id, data={"status": "closed"})
    assert refused.status_code == 422 and "请填写结果" in refused.get_data(as_text=True)
    client.post("/assistance/%d/status" % case.id, data={"status": "closed", "closed_on": "2026-04-01",
                                                         "outcome": "已入读职业学校", "amount": "2000"})
    case = in_app(AssistanceCase.get_by_id)(case.id)
    assert case.status == "closed" and case.amount == 2000
    assert client.post("/assistance/%d/steps" % case.id, data={"on": "2026-04-02", "who": "x",
                                                               "done": "y"}).status_code == 409
    timeline = text_of(person_page(client, mother.id))
    assert "协调女儿入读职业学校" in timeline and "已入读职业学校" in timeline
    totals = text_of(client.get("/assistance/?year=2026"))
    assert "助学" in totals and "2000" in totals
    assert in_app(AuditLog.select().where(AuditLog.action == "assistance.step").count)() == 3


def test_errors_keep_what_was_typed_and_scope_holds(client, users, login_as):
    mine = make_person("我的", worker=users["worker"].id)
    theirs = make_person("别人的", worker=users["worker2"].id)
    login_as("worker")
    bad = open_case(client, mine, category="", title="申请低保")
    assert bad.status_code == 422 and "请选择帮扶类别" in bad.get_data(as_text=True) and "申请低保" in \
        bad.get_data(as_text=True)
    assert open_case(client, theirs).status_code == 404
    open_case(client, mine)
    step = client.post("/assistance/%d/steps" % in_app(AssistanceCase.get)().id,
                       data={"on": "2026-03-05", "who": "", "done": "打电话给学校"}, headers={"HX-Request": "true"})
    assert step.status_code == 422 and "打电话给学校" in step.get_data(as_text=True)
    login_as("counsellor")
    assert "协调女儿" not in text_of(client.get("/assistance/"))  # not her client


def test_the_list_says_how_many_cases_it_holds_on_every_page(client, users, login_as):
    mine, other = make_person("甲", worker=users["worker"].id), make_person("乙", worker=users["worker2"].id)

    @in_app
    def cases(person, n, category="schooling"):
        for i in range(n):
            AssistanceCase.create(person=person, category=category, title="帮扶 %d" % i, opened_on="2026-03-02",
                                  staff=users["worker"].id)
    cases(mine, 20)
    cases(other, 5)  # another worker's: not in scope, not counted
    login_as("worker")
    page = text_of(client.get("/assistance/?year=2026"))
    assert "共 20 条" in page and "下一页" not in page  # exactly one page
    cases(mine, 1, category="medical")
    page = text_of(client.get("/assistance/?year=2026"))
    assert "第 1 / 2 页，共 21 条" in page and "下一页" in page
    assert "第 2 / 2 页，共 21 条" in text_of(client.get("/assistance/?year=2026&page=2"))
    assert "共 21 条" in text_of(client.get("/assistance/?year=2026&per=50"))
    assert "共 1 条" in text_of(client.get("/assistance/?year=2026&category=medical"))


def test_the_form_opened_as_its_own_page_leads_back_to_the_person(client, users, login_as):
    person = make_person("罗秀英", worker=users["worker"].id)
    login_as("worker")
    back = '<a href="/persons/%d">返回 罗秀英 的档案</a>' % person.id
    assert back in client.get("/persons/%d/assistance/new" % person.id).get_data(as_text=True)
    refused = open_case(client, person, title="")
    assert refused.status_code == 422 and back in refused.get_data(as_text=True)
