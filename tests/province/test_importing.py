"""Importing a folder with several worker processes, in transactions of any number of files, gives what one process
gives: every good package current, a resubmission superseding (and keeping) the earlier one, a bad file among good
ones refused with its reason, the audit chain intact; and the fast tuple check refuses exactly what the reasoned
check names."""
from datetime import date

import pytest
from factories import in_app

from portal.exchange.package import BREAKDOWNS, periods
from portal.models import AuditLog, OrgUnit, Package, PackageValue
from portal import audit
from portal.province import importing, receiving, synthetic

MONTHS = (date(2026, 9, 1), date(2026, 10, 1))
COUNTIES = ("520102", "520103", "520302", "520111")


@pytest.fixture
def folder(app, runner, tmp_path):
    """Four registered synthetic stations' packages for two months, one resubmitted, one tampered."""
    assert runner.invoke(args=["province-init"]).exit_code == 0
    made = [synthetic.Station(county + "-01", 8 + 5 * i) for i, county in enumerate(COUNTIES)]
    for station in made:
        county = in_app(lambda c=station.code[:6]: OrgUnit.get(OrgUnit.code == c))()
        in_app(lambda s=station, c=county: OrgUnit.create(code=s.code, name="%s工作站" % c.name, level="station",
                                                          parent=c, public_key=s.public_key))()
    path = tmp_path / "in"
    path.mkdir()
    for station in made:
        for first in MONTHS:
            name = "%s-%s" % (station.code, first.strftime("%Y-%m"))
            (path / ("%s-a.json" % name)).write_bytes(station.package(first, generated_at="2026-11-01T00:00:00Z"))
    (path / "520103-01-2026-10-b.json").write_bytes(made[1].package(MONTHS[1], generated_at="2026-11-02T00:00:00Z"))
    good = made[2].package(MONTHS[1], generated_at="2026-11-03T00:00:00Z")
    (path / "520302-01-2026-10-b.json").write_bytes(good.replace(b'"numerator":0', b'"numerator":1', 1))
    return path


def received(app):
    """Every package as (station, month, sha256, superseded?, number of values), and the audit's counts."""
    with app.app_context():
        packages = sorted((p.station.code, p.month, p.sha256, p.superseded_by_id is not None,
                           PackageValue.select().where(PackageValue.package == p.id).count())
                          for p in Package.select())
        actions = {a: AuditLog.select().where(AuditLog.action == a).count()
                   for a in ("package.receive", "package.refuse")}
        return packages, actions


@pytest.mark.parametrize("workers, batch", [(1, 16), (1, 3), (2, 16), (3, 2)])
def test_workers_import_what_one_process_imports(app, runner, folder, workers, batch, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", batch)  # transactions of `batch` files, a refused one among them
    result = runner.invoke(args=["import-packages", str(folder), "--workers", str(workers)])
    assert result.exit_code == 1, result.output  # the tampered file
    assert "拒收 520302-01-2026-10-b.json：报送包签名无效" in result.output
    assert "已接收 520103-01-2026-10-b.json" in result.output and "（替换此前收到的版本）" in result.output
    assert "共 10 个文件：接收 9 个，拒收 1 个。" in result.output
    lines = [line.split("：")[0] for line in result.output.splitlines()[:-1]]
    assert lines == sorted(lines)  # reported in the folder's order whatever worker took each file
    packages, actions = received(app)
    assert len(packages) == 9 and actions == {"package.receive": 9, "package.refuse": 1}
    superseded = [p for p in packages if p[3]]
    assert [(code, month) for code, month, *_ in superseded] == [("520103-01", "2026-10")]  # kept, not deleted
    assert all(count > 1000 for *_, count in packages)
    with app.app_context():
        assert Package.current().count() == 8
        assert audit.verify_chain() is None  # each batch's rows chained after the one before


def test_a_second_run_with_workers_refuses_every_file_as_a_duplicate_or_stale(app, runner, folder):
    assert runner.invoke(args=["import-packages", str(folder), "--workers", "2"]).exit_code == 1
    again = runner.invoke(args=["import-packages", str(folder), "--workers", "2"])
    assert "共 10 个文件：接收 0 个，拒收 10 个。" in again.output
    assert again.output.count("完全相同") == 8 and "早于" in again.output  # the first 520103-01 October file
    assert received(app)[0].__len__() == 9


GOOD = {"breakdown": {"sex": "F"}, "dataElement": "TALKS", "denominator": None, "numerator": 3,
        "orgUnit": "520102-01", "period": "2026-10"}
BY_NAME = {"2026-10": "month", "2026-01/2026-10": "year_to_date"}


@pytest.mark.parametrize("change", [
    {}, {"breakdown": {}}, {"denominator": 0}, {"denominator": 7}, {"numerator": 0},
    {"dataElement": "REGISTERED_YOY", "numerator": -2}, {"period": "2026-01/2026-10"},
    {"numerator": -1}, {"denominator": -1}, {"numerator": True}, {"denominator": False}, {"numerator": 1.0},
    {"numerator": None}, {"numerator": "3"}, {"dataElement": "talks"}, {"dataElement": ""}, {"dataElement": 5},
    {"dataElement": "TALKS\n"}, {"orgUnit": "520103-01"}, {"period": "2026-09"}, {"period": ["2026-10"]},
    {"period": None}, {"breakdown": {"sex": "X"}}, {"breakdown": {"sex": ["F"]}}, {"breakdown": {"sex": None}},
    {"breakdown": {"colour": "F"}}, {"breakdown": {"sex": "F", "age": "LT18"}}, {"breakdown": ["sex", "F"]},
    {"breakdown": None}, {"extra": 1}, {"numerator": KeyError}, {"numerator": KeyError, "extra": 3},
    {"orgUnit": KeyError, "org": "520102-01"}, {"dataElement": ["TALKS"]}, {"dataElement": "NEW_ELEMENT_2"},
])
def test_the_fast_check_refuses_exactly_what_the_reasoned_check_names(change):
    item = {key: value for key, value in {**GOOD, **change}.items() if value is not KeyError}
    row = receiving._row(item, "520102-01", BY_NAME)
    problem = receiving._tuple_problem(item, "520102-01", BY_NAME)
    assert (row is None) == (problem != "无法识别"), (row, problem)
    if row is not None:
        assert row == (item["dataElement"], BY_NAME[item["period"]], *(next(iter(item["breakdown"].items()))
                       if item["breakdown"] else (None, None)), item["numerator"], item["denominator"])


def test_every_breakdown_code_of_the_format_is_accepted():
    for dimension, codes in BREAKDOWNS.items():
        for code in codes:
            assert receiving._row({**GOOD, "breakdown": {dimension: code}}, "520102-01", BY_NAME) is not None


@pytest.mark.parametrize("bad, reason", [
    ({"numerator": -1}, "第 3 条数据的分子或分母不是非负整数"),
    ({"period": ["2026-10"]}, "第 3 条数据的期间“\\['2026-10'\\]”不在本包的期间内"),  # refused, not a crash
    ({"breakdown": {"drug": {}}}, "第 3 条数据的分组“{\"drug\": {}}”无法识别"),
])
def test_a_refused_tuple_is_named_by_its_number(bad, reason):
    encoded = {key: text for key, (text, _) in periods(date(2026, 10, 1)).items()}
    good = {**GOOD, "period": encoded["month"]}
    payload = {"format": "portal.package/2", "station": "520102-01", "month": "2026-10", "dataElements": [],
               "breakdowns": {}, "periods": encoded, "values": [good, good, {**good, **bad}, good]}
    assert len(receiving.check_values({**payload, "values": [good]}, "520102-01", date(2026, 10, 1))) == 1
    with pytest.raises(receiving.PackageError, match=reason):
        receiving.check_values(payload, "520102-01", date(2026, 10, 1))
