"""Training: the roster, the attendance grid's fragments, hours, the sign-in sheet, volunteers' own page."""
import re
import subprocess
from decimal import Decimal

from factories import in_app, text_of

from portal.models import Attendance, Trainee, TrainingSession
from portal.jinja import hours as training_hours
from portal.training import views as training

SESSION = {"held_on": "2026-11-20", "title": "第四季度专干业务培训", "audience": "worker", "trainer": "市禁毒办 王老师",
           "topics": ["law", "risk"], "hours": "3", "venue": "阳光驿站会议室"}


@in_app
def trainees(n, kind="worker", **values):
    return [Trainee.create(name="学员%02d" % i, kind=kind, unit="新华路社区", **values) for i in range(n)]


def start(client, **overrides):
    response = client.post("/training/new", data={**SESSION, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_session_gets_its_roster_and_attendance_toggles_by_fragment(client, users, login_as):
    people = trainees(3)
    trainees(2, kind="volunteer")
    login_as("worker")
    session_id = start(client)
    assert in_app(Attendance.select().count)() == 3  # the workers, not the volunteers
    grid = text_of(client.get("/training/%d" % session_id))
    assert re.search(r"未记录\s*3", grid) and re.search(r"缺席\s*0", grid)  # nobody absent before being marked
    row = client.post("/training/%d/attendance/%d" % (session_id, people[0].id), data={"status": "present"},
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="att-%d"' % people[0].id in row and 'aria-pressed="true"' in row
    assert 'hx-swap-oob="true"' in row and re.search(r"出席 <b>1</b>", row) and re.search(r"未记录 <b>2</b>", row)
    assert re.search(r"缺席 <b>0</b>", row)
    client.post("/training/%d/attendance/%d" % (session_id, people[1].id), data={"status": "excused"},
                headers={"HX-Request": "true"})
    for wrong in ("maybe", "unrecorded"):  # a mark is 出席, 缺席 or 请假; nobody un-records by hand
        assert client.post("/training/%d/attendance/%d" % (session_id, people[1].id),
                           data={"status": wrong}).status_code == 422
    grid = client.post("/training/%d/attendance" % session_id, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r"出席 <b>3</b>", grid)
    assert {a.status for a in in_app(lambda: list(Attendance.select()))()} == {"present"}


def test_late_additions_and_hours_count_only_attendance(client, users, login_as):
    workers = trainees(2)
    late = in_app(lambda: Trainee.create(name="迟到者", kind="grid"))()
    login_as("officer")
    first = start(client)
    second = start(client, held_on="2026-06-01", hours="2.5")
    client.post("/training/%d/roster" % first, data={"trainee": late.id}, headers={"HX-Request": "true"})
    for session_id in (first, second):
        client.post("/training/%d/attendance/%d" % (session_id, workers[0].id), data={"status": "present"})
    client.post("/training/%d/attendance/%d" % (first, late.id), data={"status": "present"})
    client.post("/training/%d/attendance/%d" % (second, workers[1].id), data={"status": "excused"})
    hours = in_app(training.hours_by_trainee)(2026)
    assert hours == {workers[0].id: Decimal("5.5"), late.id: Decimal("3")}
    page = text_of(client.get("/trainees/%d" % workers[0].id))
    assert re.search(r"2026 年：\s*5.5\s*学时", page)


def test_the_sign_in_sheet_lists_the_trainees_in_a_cjk_font(client, users, login_as, tmp_path):
    trainees(4)
    login_as("worker")
    session_id = start(client)
    response = client.get("/training/%d/sheet.pdf" % session_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "培训签到表" in text and all("学员%02d" % i in text for i in range(4)) and "签名" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK-SC" in fonts
    client.post("/training/%d/attendance" % session_id)
    record = client.get("/training/%d/sheet.pdf?record=1" % session_id).data
    path.write_bytes(record)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "培训出勤记录" in text and "出席 4 人" in text


def test_errors_are_chinese_and_keep_what_was_typed(client, users, login_as):
    login_as("worker")
    response = client.post("/training/new", data={**SESSION, "hours": "30", "topics": []})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "学时应在 0.5 到 24 之间" in page and "请至少勾选一项培训内容" in page
    assert "第四季度专干业务培训" in page and in_app(TrainingSession.select().count)() == 0


def test_a_volunteer_sees_their_own_trainings_and_cannot_mark(client, users, login_as):
    mine = in_app(lambda: Trainee.create(name="赵小雨", kind="volunteer", user=users["volunteer"].id))()
    trainees(1, kind="volunteer")
    login_as("lead")
    session_id = start(client, audience="volunteer", title="志愿者禁毒知识培训")
    client.post("/training/%d/attendance/%d" % (session_id, mine.id), data={"status": "present"})
    login_as("volunteer")
    page = text_of(client.get("/my/training"))
    assert "志愿者禁毒知识培训" in page and re.search(r"2026 年：\s*3\s*学时", page) and "学员00" not in page
    assert client.post("/training/%d/attendance/%d" % (session_id, mine.id),
                       data={"status": "absent"}).status_code == 403
    assert client.get("/training/").status_code == 403


def test_a_volunteer_never_sees_absent_for_a_session_not_yet_recorded(client, users, login_as):
    mine = in_app(lambda: Trainee.create(name="赵小雨", kind="volunteer", user=users["volunteer"].id))()
    login_as("lead")
    start(client, audience="volunteer", title="尚未点名的培训")
    marked = start(client, audience="volunteer", title="已点名的培训", held_on="2026-11-10")
    client.post("/training/%d/attendance/%d" % (marked, mine.id), data={"status": "absent"})
    login_as("volunteer")
    page = text_of(client.get("/my/training"))
    assert re.search(r"尚未点名的培训\s*3(\.0)?\s*未记录", page), page
    assert re.search(r"已点名的培训\s*3(\.0)?\s*缺席", page)  # a recorded absence still reads 缺席


def test_staff_add_trainees_and_a_counsellor_only_reads_the_roster(client, users, login_as):
    login_as("counsellor")
    assert client.get("/trainees/").status_code == 200
    assert client.post("/trainees/", data={"name": "孙志愿", "kind": "volunteer", "user": "0"}).status_code == 403
    login_as("worker")
    bad = client.post("/trainees/", data={"name": "", "kind": "volunteer", "user": "0", "phone": "123"})
    assert bad.status_code == 422 and "请输入 11 位手机号" in bad.get_data(as_text=True)
    assert client.post("/trainees/", data={"name": "孙志愿", "kind": "volunteer", "user": "0"}).status_code == 302
    assert in_app(Trainee.get)().name == "孙志愿"


def test_the_migration_turns_only_never_marked_absences_into_unrecorded(app, users):
    """0021: a row still at its first version with the old default 缺席 was never marked; a marked one keeps it."""
    import importlib

    from portal.db import database
    old = importlib.import_module("portal.migrations.0006_training").STATEMENTS
    new = importlib.import_module("portal.migrations.0021_attendance_unrecorded")
    with database.connection_context():
        session = TrainingSession.create(held_on="2026-11-20", title="旧培训", audience="worker", trainer="王老师",
                                         hours=2, venue="阳光驿站", staff=users["lead"].id)
        people = [Trainee.create(name="学员%d" % i, kind="worker") for i in range(4)]
        database.execute_sql('DROP TABLE "attendance"')
        for statement in old[-4:]:  # the attendance table as 0006 made it
            database.execute_sql(statement)
        for person, status, version in zip(people, ("absent", "absent", "present", "excused"), (1, 2, 1, 3)):
            database.execute_sql('INSERT INTO "attendance" ("session_id", "trainee_id", "status", "version") '
                                 "VALUES (?, ?, ?, ?)", (session.id, person.id, status, version))
        with database.atomic():
            new.up(None, database)
        statuses = [a.status for a in Attendance.select().order_by(Attendance.trainee)]
    assert statuses == ["unrecorded", "absent", "present", "excused"]


def test_the_list_says_unrecorded_until_someone_is_marked(client, users, login_as):
    people = trainees(3)
    login_as("worker")
    session_id = start(client)
    assert "未记录（应到 3 人）" in text_of(client.get("/training/?year=2026"))  # not "0 / 3": nobody came?
    client.post("/training/%d/attendance/%d" % (session_id, people[0].id), data={"status": "present"})
    listed = text_of(client.get("/training/?year=2026"))
    assert re.search(r"1 / 3\s*（2 人未记录）", listed) and "应到 3 人" not in listed
    for person in people[1:]:
        client.post("/training/%d/attendance/%d" % (session_id, person.id), data={"status": "absent"})
    listed = text_of(client.get("/training/?year=2026"))
    assert "1 / 3" in listed and "未记录" not in listed


def test_hours_read_as_people_write_them():
    assert [training_hours(v) for v in (Decimal("7.0"), Decimal("3.5"), Decimal("4"), Decimal("0.25"), None)] == \
        ["7", "3.5", "4", "0.25", ""]
