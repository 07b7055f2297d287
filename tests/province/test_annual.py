"""The annual report PDF: the demo's 云岩区 prints the seed's lines (a reduced demo built by the code of `make
province`, read back with pdftotext); the wording rule on both sides (a fall, a rise, equal, a zero
denominator); the link follows the unit and year; roles, audit and the PDF rate limit."""
import json
import shutil
import subprocess
from datetime import date

import pytest
from factories import PASSWORD

from portal.demo import DEMO_PASSWORD
from portal.models import AuditLog, OrgUnit
from portal.province import annual, demo, gb2260
from portal.reports.indicators import Indicator, change

REDUCED = [s for s in demo.STATIONS if s[0] in (demo.SEED, "520102-02", "522725-01")]  # 云岩, 南明, 瓮安
YEAR_ENDS = [date(2021, 12, 1), date(2022, 12, 1)]  # a year's figures come from its December package
SEED_LINES = ("云岩区在册吸毒人员同比下降26.74%，戒断三年未复吸人员同比上升23.47%，复吸率从9.12%下降到2.71%",
              "三年解戒人员平均操守保持率88.07%")


def login(client, username, password=PASSWORD):
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302


def pdf_text(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout
    return "".join(text.decode().split())  # a sentence may wrap anywhere


@pytest.fixture
def tree(app, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0


@pytest.fixture
def reduced_demo(app, tree, tmp_path):
    with app.app_context():
        received, skipped = demo.build(tmp_path / "demo", REDUCED, YEAR_ENDS)
        assert (received, skipped) == (6, 0)
        assert demo.build(tmp_path / "demo", REDUCED, YEAR_ENDS) == (0, 6)  # a second run reuses everything
    return tmp_path / "demo"


def test_the_demos_yunyan_prints_the_seeds_lines(app, client, reduced_demo):
    shutil.rmtree(reduced_demo / "stations" / demo.SEED)  # generated again, with a new key: registered, and
    for path in (reduced_demo / "packages").glob("*%s*" % demo.SEED):  # its packages replace the earlier ones
        path.unlink()
    with app.app_context():
        assert demo.build(reduced_demo, REDUCED, YEAR_ENDS) == (2, 4)
        assert AuditLog.select().where(AuditLog.action == "org.key_register").count() == 1
    login(client, "viewer", DEMO_PASSWORD)  # the demo's own account
    text = pdf_text(client.get("/province/annual.pdf?unit=520103&year=2022"))
    for line in SEED_LINES:
        assert line in text, text
    assert "截至2022年底，云岩区三年解戒人员平均操守保持率88.07%（近三年解除253人，已回访243人，保持操守214人）" in text
    assert "复吸率2.71%9.12%下降6.41个百分点6/221" in text  # the table: this year, last year, 同比, parts
    province = pdf_text(client.get("/province/annual.pdf?unit=520000&year=2022"))
    assert "与2021年相比，贵州省在册吸毒人员同比" in province and "3/3个工作站" in province
    with app.app_context():
        rows = list(AuditLog.select().where(AuditLog.action == "province.print").order_by(AuditLog.id))
        assert [json.loads(r.detail) for r in rows] == [{"unit": "520103", "year": 2022}, {"unit": "520000", "year": 2022}]
        assert OrgUnit.by_level("station").count() == 3


def test_the_link_follows_the_unit_and_year_shown(app, client, users, tree):
    login(client, "admin")
    page = client.get("/province/?unit=520103&kind=year&year=2022").get_data(as_text=True)
    assert 'href="/province/annual.pdf?unit=520103&amp;year=2022"' in page
    page = client.get("/province/?unit=520100&kind=month&year=2025&number=3").get_data(as_text=True)
    assert 'href="/province/annual.pdf?unit=520100&amp;year=2025"' in page


def test_a_unit_with_no_packages_prints_dashes_not_zeros(app, client, users, tree):
    login(client, "admin")
    text = pdf_text(client.get("/province/annual.pdf?unit=520000&year=2024"))
    assert "在册吸毒人员同比—（上年同期为0）" in text and "复吸率从—到—" in text
    assert "三年解戒人员平均操守保持率—" in text
    for url in ("/province/annual.pdf?unit=529999&year=2024", "/province/annual.pdf?unit=520000&year=1999",
                "/province/annual.pdf?unit=520000&year=2031", "/province/annual.pdf?unit=520000"):
        assert client.get(url).status_code == 404, url


def indicator(numerator, denominator=0, percent=False):
    return Indicator("x", "x", "", "", percent=percent, numerator=numerator, denominator=denominator)


@pytest.mark.parametrize("now, before, words", [
    (63, 86, "在册吸毒人员同比下降26.74%"),
    (121, 98, "在册吸毒人员同比上升23.47%"),
    (86, 86, "在册吸毒人员同比持平"),
    (5, 0, "在册吸毒人员同比—（上年同期为 0）"),
    (0, 4, "在册吸毒人员同比下降100.00%"),
])
def test_a_count_change_in_words(now, before, words):
    assert annual.count_change("在册吸毒人员", change(indicator(now), indicator(before))) == words


@pytest.mark.parametrize("now, before, words", [
    ((6, 221), (25, 274), "复吸率从9.12%下降到2.71%"),
    ((25, 274), (6, 221), "复吸率从2.71%上升到9.12%"),
    ((1, 3), (2, 6), "复吸率与上年持平，为33.33%"),
    ((0, 5), (1, 5), "复吸率从20.00%下降到0.00%"),
    ((1, 5), (0, 0), "复吸率从—到20.00%"),
    ((0, 0), (1, 5), "复吸率从20.00%到—"),
])
def test_a_rate_change_in_words(now, before, words):
    assert annual.rate_change("复吸率", indicator(*now, percent=True), indicator(*before, percent=True)) == words


@pytest.mark.parametrize("code, now, before, cell", [
    ("RELAPSE", (6, 221), (25, 274), "下降6.41 个百分点"),
    ("RELAPSE", (25, 274), (6, 221), "上升6.41 个百分点"),
    ("RELAPSE", (1, 4), (2, 8), "持平"),
    ("RELAPSE", (1, 4), (0, 0), "—"),
    ("TALKS", (12, 0), (10, 0), "上升20.00%"),
    ("TALKS", (10, 0), (12, 0), "下降16.67%"),
    ("TALKS", (10, 0), (10, 0), "持平"),
    ("TALKS", (10, 0), (0, 0), "—"),
    ("REGISTERED_YOY", (-46, 172), (0, 0), "（本项即为同比）"),
])
def test_the_table_says_how_each_indicator_moved(code, now, before, cell):
    percent = code != "TALKS"
    now_, before_ = indicator(*now, percent=percent), indicator(*before, percent=percent)
    assert annual.yoy_cell(code, now_, change(now_, before_)) == cell
    assert annual.value_cell(indicator(0, 0, percent=True)) == "—" and annual.value_cell(indicator(7)) == "7"


def test_the_demo_has_25_stations_in_22_counties_of_all_9_prefectures():
    codes = [code for code, _, _ in demo.STATIONS]
    counties = {code for code, _ in gb2260.read() if gb2260.level_of(code) == "county"}
    assert len(set(codes)) == 25 and {c[:6] for c in codes} <= counties
    assert len({c[:6] for c in codes}) == 22 and len({c[:4] for c in codes}) == 9
    assert [c for c in codes if c.startswith("520103")] == [demo.SEED]  # 云岩区's figures are its station's alone
    assert len({size for _, _, size in demo.STATIONS}) >= 6  # stations of different sizes
    assert demo.MONTHS[0] == date(2021, 1, 1) and demo.MONTHS[-1] == date(2022, 12, 1) and len(demo.MONTHS) == 24
