"""The trend charts of the province tables page: inline SVG read back, one point per month with packages, each
value equal to that month's table, a gap for a month not sent, a table of the same numbers, nothing for the CSP
to refuse, and none in the publication profile."""
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from factories import PASSWORD, make_user

from portal.dates import add_months
from portal.models import OrgUnit
from portal.province import receiving, rollup, synthetic, trends

SENT = [add_months(date(2025, 11, 1), i) for i in range(12) if i != 5]  # 2025-11 … 2026-10 without 2026-04
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def received(app, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    with app.app_context():
        for code, size in (("520102-01", 30), ("520102-02", 12)):
            station = synthetic.Station(code, size)
            OrgUnit.create(code=code, name="%s站" % code, level="station", public_key=station.public_key,
                           parent=OrgUnit.get(OrgUnit.code == code[:6]))
            for first in SENT:
                receiving.receive(station.package(first, generated_at="2026-11-01T00:00:00Z"), "cli")


def charts(html):
    """{caption: svg element} of the page's trend figures."""
    found = {}
    for caption, svg in re.findall(r"<figcaption>(.*?)</figcaption>\s*(<svg.*?</svg>)", html, re.S):
        found[caption] = ET.fromstring(svg)
    return found


def test_each_indicator_is_drawn_month_by_month_as_the_tables_give_it(app, client, received):
    make_user("province_viewer", username="viewer")
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    html = client.get("/province/?unit=520102&kind=month&year=2026&number=10").get_data(as_text=True)
    drawn = charts(html)
    assert len(drawn) == len(rollup.ELEMENTS) and "逐月趋势：南明区（近 24 个月，至2026年10月）" in html
    section = html[html.index('class="card trends"'):]
    assert "style=" not in section and "<script" not in section  # nothing inline for the CSP to refuse
    assert "月份" in section and "未报送" in section and "数据表" in section
    unit = None
    with app.app_context():
        unit = OrgUnit.get(OrgUnit.code == "520102")
        for code, label, percent in rollup.ELEMENTS:
            svg = drawn[label]
            points = {c.get("data-month"): c.get("data-value") for c in svg.iter(SVG + "circle")}
            lines = list(svg.iter(SVG + "polyline"))
            tables = {}
            for first in SENT:
                own, _, _ = rollup.table(unit, rollup.plan("month", first.year, first.month, date(2026, 11, 20)))
                tables[rollup.month_key(first)] = next(now for c, _, now, _, _ in own if c == code)
            expected = {m: str(ind.value) for m, ind in tables.items() if ind.value is not None}
            assert points == expected, code
            assert sum(len(line.get("points").split()) for line in lines) == len(expected)
            if len(expected) == len(SENT):  # the missing April breaks the line in two
                assert len(lines) == 2
        assert len(charts(html)["面对面谈话"].findall(SVG + "circle")) == 11


def test_month_keys_run_back_over_new_year():
    assert trends.month_keys("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert trends.axis(0, 0) == (0, 1, 1) and trends.axis(0, 7) == (0, 8, 2) and trends.axis(0, 21) == (0, 25, 5)
    assert trends.axis(0, 100) == (0, 100, 20) and trends.axis(3, 101) == (0, 150, 50)
    assert trends.axis(-3.2, 11.4) == (-5, 15, 5)  # 在册人数同比 may fall below 0


def test_the_publication_profile_draws_no_monthly_chart(app, client, received):
    make_user("province_viewer", username="viewer")
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    html = client.get("/province/?unit=520102&kind=month&year=2026&number=10&publish=1").get_data(as_text=True)
    assert "<svg" not in html and "对外发布口径不显示逐月趋势图" in html
