"""The trail on /audit/ names whose record a change concerns: a lead sees whose talk was deleted or restored."""
import re

from factories import make_person, make_talk

HX = {"HX-Request": "true"}


def rows_of(page):
    """(操作, 对象) of each row of the trail, as the lead reads them."""
    return [tuple(re.sub(r"<[^>]+>|\s", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2:4])
            for row in re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S)]


def test_a_deleted_then_restored_talk_names_its_person_in_the_trail(client, users, login_as, auth):
    person, other = make_person("杨梅英", worker=users["worker"].id), make_person("曹平超", worker=users["worker"].id)
    talk = make_talk(person, users["worker"])
    login_as("worker")
    assert client.post("/talks/%d/delete" % talk.id, headers=HX, data={"reason": "重复录入"}).status_code == 200
    auth.logout()
    login_as("lead")
    assert client.post("/removed/talk/%d/restore" % talk.id, data={"reason": "误删，经核实"}).status_code == 302
    client.get("/persons/%d" % other.id)
    trail = rows_of(client.get("/audit/").get_data(as_text=True))
    assert ("删除谈话", "谈话（杨梅英）") in trail and ("恢复已删除的工作记录", "谈话（杨梅英）") in trail
    assert ("查看档案", "人员：曹平超") in trail  # a person's own row keeps its name, once
    assert ("登录", "账户：测试lead") in trail  # a row about no person names none
    assert not any("曹平超" in shown and "杨梅英" in shown for _, shown in trail)
