"""The province: accounts on PostgreSQL, the org tree, the inbox (every refusal in Chinese, a resubmission
keeping both versions), the tables equal to the sums of three stations' dashboards, completeness."""
import base64
import json
from datetime import date, datetime
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from factories import PASSWORD, in_app, inline_text, text_of
from stations import Station, other_key_package

from portal import db
from portal.exchange import signing
from portal.exchange.package import CODES
from portal.models import AuditLog, OrgUnit, Package, PackageValue, User
from portal.province import completeness, gb2260, receiving, rollup
from portal.reports.indicators import SPECS

CODES_ = ("520102-01", "520103-01", "520302-01")  # 南明区, 云岩区 (贵阳市), 红花岗区 (遵义市)


@pytest.fixture
def tree(app, runner):
    result = runner.invoke(args=["province-init"])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def stations(app, app_config, tmp_path, tree):
    """Three stations of different sizes, each with its package; the province is bound again after."""
    built = [Station(tmp_path, app_config, code, size) for code, size in zip(CODES_, (5, 9, 14))]
    db.open_postgres(app.config["DATABASE_URL"])
    for s in built:
        county = in_app(lambda c=s.code: OrgUnit.get(OrgUnit.code == c[:6]))()
        in_app(lambda s=s, county=county: OrgUnit.create(code=s.code, name="%s工作站" % county.name,
                                                        level="station", parent=county, public_key=s.key))()
    return built


def login(client, username):
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text


def upload(client, *files):
    return client.post("/inbox/", data={"files": [(BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


# --- accounts and roles -----------------------------------------------------------------------------------

def test_accounts_sign_in_and_roles_on_the_province(app, client, users):
    assert client.post("/login", data={"username": "viewer", "password": "wrong"}).status_code == 200
    login(client, "viewer")
    assert "汇总报表" in client.get("/").get_data(as_text=True)
    assert client.get("/province/").status_code in (200, 404)  # no tree yet: no province unit
    assert client.get("/province/completeness").status_code == 200
    for url in ("/org/", "/inbox/", "/users/", "/audit/"):
        assert client.get(url).status_code == 403, url
    for url in ("/persons/", "/indicators/", "/packages/", "/settings/"):
        assert client.get(url).status_code == 404, url  # no station blueprint on a province
    client.post("/logout")
    login(client, "admin")
    for url in ("/org/", "/inbox/", "/users/", "/audit/"):
        assert client.get(url).status_code == 200, url
    page = client.get("/users/new").get_data(as_text=True)
    assert "省局查看" in page and "站长" not in page.split("角色")[1][:400]
    response = client.post("/users/new", data={"username": "wang", "display_name": "王", "role": "province_viewer",
                                               "is_active": "y"})
    assert response.status_code == 200 and in_app(User.get)(User.username == "wang").role == "province_viewer"
    with app.app_context():
        assert {"login", "login_failed", "user.create"} <= {r.action for r in AuditLog.select()}


def test_province_init_loads_the_tree_once(app, runner, tree):
    assert "新增 98 个" in tree.output
    with app.app_context():
        assert OrgUnit.by_level("prefecture").count() == 9 and OrgUnit.by_level("county").count() == 88
        yunyan = OrgUnit.get(OrgUnit.code == "520103")
        assert yunyan.name == "云岩区" and yunyan.parent.name == "贵阳市" and yunyan.parent.parent.code == "520000"
        assert {u.name for u in OrgUnit.by_level("prefecture")} >= {"黔西南布依族苗族自治州", "黔东南苗族侗族自治州",
                                                                    "黔南布依族苗族自治州", "毕节市", "铜仁市"}
    again = runner.invoke(args=["province-init"])
    assert again.exit_code == 0 and "新增 0 个" in again.output


def test_a_tree_file_with_an_orphan_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n520000,贵州省\n520102,南明区\n", encoding="utf-8")
    with pytest.raises(gb2260.TreeFileError, match="上级 520100"):
        gb2260.read(path)


def test_the_admin_adds_a_station_with_its_key_and_sees_its_fingerprint(app, client, users, tree):
    key = Ed25519PrivateKey.generate()
    b64 = base64.b64encode(signing.public_bytes(key)).decode()
    login(client, "admin")
    county = in_app(OrgUnit.get)(OrgUnit.code == "520102")
    url = "/org/counties/%d/stations" % county.id
    bad = client.post(url, data={"code": "520103-01", "name": "站", "public_key": "abc"})
    assert bad.status_code == 422
    assert "应以所在县（市、区）的代码 520102 开头" in bad.get_data(as_text=True)
    assert "Base64 编码的 Ed25519 公钥" in bad.get_data(as_text=True)
    assert client.post(url, data={"code": "520102-01", "name": "新华路工作站", "public_key": b64}).status_code == 302
    page = inline_text(client.get("/org/"))
    assert "新华路工作站" in page and signing.fingerprint(key) in page
    again = client.post(url, data={"code": "520102-02", "name": "另一站", "public_key": b64})
    assert again.status_code == 422 and "该公钥已登记给 520102-01 新华路工作站" in again.get_data(as_text=True)
    assert client.post(url, data={"code": "520102-01", "name": "重复", "public_key": b64}).status_code == 422
    station = in_app(OrgUnit.get)(OrgUnit.code == "520102-01")
    new_key = Ed25519PrivateKey.generate()
    response = client.post("/org/stations/%d/key" % station.id,
                           data={"public_key": base64.b64encode(signing.public_bytes(new_key)).decode()})
    assert response.status_code == 302 and signing.fingerprint(new_key) in inline_text(client.get("/org/"))
    with app.app_context():
        assert AuditLog.select().where(AuditLog.action == "org.station_add").count() == 1
        row = AuditLog.get(AuditLog.action == "org.key_register")
        assert json.loads(row.detail)["old"] == signing.fingerprint(key)


# --- the inbox: every refusal, the resubmission -----------------------------------------------------------

def test_every_bad_package_is_refused_with_its_reason(app, client, users, stations, clock):
    good = stations[0]
    tampered = good.data.replace(b'"numerator":0', b'"numerator":1', 1)
    payload = json.loads(good.data)["payload"]
    unknown_data = signing.sign({**payload, "station": "520111-07",
                                 "values": [{**v, "orgUnit": "520111-07"} for v in payload["values"]]},
                                Ed25519PrivateKey.generate())
    clock.now = datetime(2026, 10, 31, 15, 0)  # station time 2026-10-31 23:00: October is not over
    login(client, "admin")
    future = upload(client, ("future.json", good.data))
    assert "报送月份 2026年10月 尚未结束" in text_of(future)
    clock.now = datetime(2026, 11, 20, 2, 0)
    login(client, "admin")  # the session timed out while the clock moved
    response = upload(client, ("tampered.json", tampered), ("unknown.json", unknown_data),
                      ("wrongkey.json", other_key_package(good)), ("broken.json", b"{not json"),
                      ("good.json", good.data))
    assert response.status_code == 422
    text = text_of(response)
    assert "tampered.json：报送包签名无效" in text
    assert "unknown.json：未登记的工作站“520111-07”" in text
    assert "wrongkey.json：报送包不是用该工作站登记的密钥签名的" in text
    assert "broken.json：报送包格式错误：文件不是有效的 UTF-8 JSON。" in text
    assert "已接收" in text and "good.json" in text
    duplicate = upload(client, ("again.json", good.data))
    assert "与 2026-11-20 已收到的" in text_of(duplicate) and "完全相同" in text_of(duplicate)
    with app.app_context():
        assert Package.select().count() == 1
        refused = [r.reason for r in AuditLog.select().where(AuditLog.action == "package.refuse")]
        assert len(refused) == 6 and all(refused)


def test_a_malformed_payload_signed_by_the_station_is_refused(app, stations):
    good = stations[1]
    payload = json.loads(good.data)["payload"]
    key = _private_key_of(good)
    for change, reason in (
            ({"values": payload["values"][:1] + [{"dataElement": "TALKS"}]}, "第 2 条数据的项目不全"),
            ({"values": [{**payload["values"][0], "numerator": -1}]}, "分子或分母不是非负整数"),
            ({"values": [{**payload["values"][0], "orgUnit": "520102-01"}]}, "与工作站“520103-01”不符"),
            ({"periods": {**payload["periods"], "month": "2026-09"}}, "期间与报送月份不符"),
            ({"month": "2026-13"}, "月份“2026-13”"),
            ({"month": 202609}, "月份“202609”")):  # not text: looked up with no month, then refused
        with app.app_context(), pytest.raises(signing.PackageError, match=reason):
            receiving.receive(signing.sign({**payload, **change}, key), "cli")


def _private_key_of(station):
    """The station's own signing key (beside its database): a package it really signed."""
    return serialization.load_pem_private_key((station.folder / signing.KEY_FILE).read_bytes(), password=None)


def test_a_resubmission_replaces_the_earlier_one_and_both_are_kept(app, runner, stations, tmp_path):
    first = stations[2]
    rebuilt = signing.sign({**signing.verify(first.data), "generatedAt": "2026-11-21T06:00:00Z"},
                           _private_key_of(first))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_bytes(first.data)
    assert runner.invoke(args=["import-packages", str(folder)]).exit_code == 0
    (folder / "a.json").unlink()
    (folder / "b.json").write_bytes(rebuilt)
    result = runner.invoke(args=["import-packages", str(folder)])
    assert result.exit_code == 0 and "替换此前收到的版本" in result.output
    (folder / "b.json").unlink()
    (folder / "c.json").write_bytes(first.data)  # the first file again, built before the current one
    stale = runner.invoke(args=["import-packages", str(folder)])
    assert stale.exit_code == 1 and "早于 2026-11-20 已收到的版本（生成于 2026-11-21T06:00:00Z），未替换" in stale.output
    with app.app_context():
        old, new = Package.select().order_by(Package.id)
        assert old.superseded_by_id == new.id and new.superseded_by_id is None
        assert old.content == first.data.decode() and new.content == rebuilt.decode()
        assert PackageValue.select().where(PackageValue.package == old.id).count() > 0  # kept whole
        row = AuditLog.select().where(AuditLog.action == "package.receive").order_by(AuditLog.id.desc()).get()
        assert json.loads(row.detail)["replaces"] == old.id
        plan = rollup.plan("month", 2026, 10, date(2026, 11, 20))
        own, _, _ = rollup.table(OrgUnit.get(OrgUnit.code == "520000"), plan)
        talks = [now for code, _, now, _, _ in own if code == "TALKS"][0]
        assert talks.numerator == first.dashboard["talks"].numerator  # counted once, not twice


# --- the tables ---------------------------------------------------------------------------------------------

def test_province_tables_equal_the_sums_of_the_station_dashboards(app, client, users, stations, runner, tmp_path):
    folder = tmp_path / "all"
    folder.mkdir()
    for s in stations:
        (folder / ("%s.json" % s.code)).write_bytes(s.data)
    assert runner.invoke(args=["import-packages", str(folder)]).exit_code == 0
    today_ = date(2026, 11, 20)
    plan = rollup.plan("month", 2026, 10, today_)
    with app.app_context():
        for unit_code, members in (("520000", stations), ("520100", stations[:2]), ("520103", stations[1:2]),
                                   ("520300", stations[2:]), ("520102-01", stations[:1])):
            own, _, _ = rollup.table(OrgUnit.get(OrgUnit.code == unit_code), plan)
            got = {code: (now, before) for code, _, now, before, _ in own}
            compared = 0
            for key, code in CODES.items():
                now, before = got[code]
                for mine, theirs in ((now, "dashboard"), (before, "last_year")):
                    expected_n = sum(getattr(s, theirs)[key].numerator for s in members)
                    expected_d = sum(getattr(s, theirs)[key].denominator for s in members)
                    assert mine.numerator == expected_n, (unit_code, code, theirs)
                    if SPECS[key].percent:
                        assert mine.denominator == expected_d, (unit_code, code, theirs)
                        total = (100.0 * expected_n / expected_d) if expected_d else None
                        assert mine.value == (None if total is None else round(total, 2))
                    compared += 1
            assert compared == 2 * len(CODES)
            cohort = got["MAINTENANCE_COHORT"][0].numerator
            assert cohort == sum(s.dashboard["maintenance"].extra["cohort"] for s in members)
            audience = got["EVENTS_AUDIENCE"][0].numerator
            assert audience == sum(s.dashboard["events"].extra["audience"] for s in members)
        assert sum(s.dashboard["talks"].numerator for s in stations) > 0
        assert sum(s.dashboard["relapse"].numerator for s in stations) > 0
    login(client, "viewer")
    page = text_of(client.get("/province/?kind=month&year=2026&number=10"))
    assert "贵阳市" in page and "3 / 3 个工作站" in page
    drill = text_of(client.get("/province/?unit=520103&kind=month&year=2026&number=10"))
    assert "云岩区工作站" in drill and "贵州省" in drill
    assert client.get("/province/?kind=quarter&year=2026&number=4").status_code == 200
    assert client.get("/province/?kind=year&year=2026").status_code == 200
    assert "2026年10月" in text_of(client.get("/province/?kind=month&year=2026&number=11"))  # not over: the last that is
    assert "2026年第4季度（截至10月）" in text_of(client.get("/province/?kind=quarter&year=2026&number=11"))
    assert client.get("/province/?unit=529999").status_code == 404


def test_a_rate_is_recomputed_from_sums_never_averaged(app, runner, stations, tmp_path):
    """复吸率 2/5, 3/9 and 5/14 give 10/28 = 35.71% for the province, not their mean 36.35%."""
    with app.app_context():
        for s in stations:
            receiving.receive(s.data, "cli")
        own, _, _ = rollup.table(OrgUnit.get(OrgUnit.code == "520000"), rollup.plan("month", 2026, 10, date(2026, 11, 20)))
    relapse = [now for code, _, now, _, _ in own if code == "RELAPSE"][0]
    rates = [s.dashboard["relapse"].value for s in stations]
    assert [(s.dashboard["relapse"].numerator, s.dashboard["relapse"].denominator) for s in stations] == [
        (2, 5), (3, 9), (5, 14)]
    assert relapse.value == 35.71 and round(sum(rates) / 3, 2) == 36.35


def test_a_quarter_takes_its_last_month_s_quarter_to_date(app, app_config, tmp_path, tree):
    """Q3 2026 from the September package (format 2): talks of July to September, 在册 of September, 复吸率 given;
    the line says July was not sent."""
    station = Station(tmp_path, app_config, "520103-02", 7, month=date(2026, 9, 1), also=[date(2026, 8, 1)])
    db.open_postgres(app.config["DATABASE_URL"])
    with app.app_context():
        OrgUnit.create(code=station.code, name="测试站", level="station", public_key=station.key,
                       parent=OrgUnit.get(OrgUnit.code == "520103"))
        receiving.receive(station.data, "cli")
        receiving.receive(station.more[date(2026, 8, 1)][0], "cli")
        plan = rollup.plan("quarter", 2026, 3, date(2026, 11, 20))
        own, reporting, _ = rollup.table(OrgUnit.get(OrgUnit.code == "520103"), plan)
    got = {code: now for code, _, now, _, _ in own}
    august = station.more[date(2026, 8, 1)][1]
    assert got["TALKS"].numerator == station.dashboard["talks"].numerator + august["talks"].numerator > 0
    assert august["talks"].numerator > 0 and station.dashboard["talks"].numerator > 0
    assert got["REGISTERED"].numerator == station.dashboard["registered"].numerator != 2 * august["registered"].numerator
    assert got["RELAPSE"] is not None and reporting == (0, 1)  # July was not sent


def test_which_packages_a_period_takes():
    plan = rollup.plan("quarter", 2026, 4, date(2026, 11, 20))
    assert plan.months == ["2026-10"] and "截至10月" in plan.label and not plan.missing  # one month: its own 复吸率
    plan = rollup.plan("quarter", 2026, 3, date(2026, 11, 20))
    assert plan.months == ["2026-07", "2026-08", "2026-09"] and plan.now == "month" and "RELAPSE" in plan.missing
    first = rollup.plan("quarter", 2026, 1, date(2026, 11, 20))
    assert first.whole == ("year_to_date", "year_to_date_last_year") and "RELAPSE" in first.missing
    assert plan.whole == ("quarter_to_date", "quarter_to_date_last_year")
    year = rollup.plan("year", 2025, 1, date(2026, 11, 20))
    assert year.months == ["2025-12"] and year.now == "year_to_date"
    assert rollup.plan("month", 2026, 11, date(2026, 11, 30)) is None


# --- completeness -----------------------------------------------------------------------------------------

def test_late_is_after_the_fifth_of_the_next_month():
    october = date(2026, 10, 1)
    assert not completeness.is_late(october, datetime(2026, 11, 5, 15, 59))  # 23:59 on the 5th, station time
    assert completeness.is_late(october, datetime(2026, 11, 5, 16, 0))  # 00:00 on the 6th
    assert completeness.due_on(date(2026, 12, 1)) == date(2027, 1, 5)


def test_the_completeness_grid_flags_late_and_missing(app, client, users, stations, clock):
    clock.now = datetime(2026, 11, 5, 10, 0)
    with app.app_context():
        receiving.receive(stations[0].data, "cli")
    clock.now = datetime(2026, 11, 20, 2, 0)
    with app.app_context():
        receiving.receive(stations[1].data, "cli")
    login(client, "viewer")
    page = client.get("/province/completeness?year=2026").get_data(as_text=True)
    row = lambda code: page[page.index(code):].split("</tr>")[0]  # noqa: E731
    assert row("520102-01").count("已报") == 1 and row("520103-01").count("迟报") == 1
    assert row("520302-01").count("未报") == 10
