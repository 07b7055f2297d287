"""The 对外发布 profile of the province tables, on PostgreSQL with signed packages received through the inbox:
counts 1–4 show as "<5", their complements as "×", and on every unit's page no withheld cell is the only one
of a group (a unit and the units under it), no rate with a small numerator or denominator and no 同比 of a
withheld value is shown."""
from datetime import date

import pytest
from factories import PASSWORD, make_user

from portal.models import OrgUnit
from portal.province import receiving, rollup, suppression, synthetic
from portal.province.suppression import Withheld

OCTOBER = date(2026, 10, 1)
FIGURES = {  # station: {element: (numerator, denominator)}, the same in every period
    "520102-01": {"TALKS": (3, None), "RELAPSE": (2, 20), "REGISTERED": (30, None)},
    "520102-02": {"TALKS": (12, None), "RELAPSE": (0, 3), "REGISTERED": (4, None)},
    "520103-01": {"TALKS": (9, None), "RELAPSE": (7, 40), "REGISTERED": (44, None)},
    "520302-01": {"TALKS": (20, None), "RELAPSE": (5, 30), "REGISTERED": (31, None)},
}


@pytest.fixture
def received(app, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    with app.app_context():
        for code, fixed in FIGURES.items():
            station = synthetic.Station(code, 25, fixed=fixed)
            OrgUnit.create(code=code, name="%s站" % code, level="station", public_key=station.public_key,
                           parent=OrgUnit.get(OrgUnit.code == code[:6]))
            receiving.receive(station.package(OCTOBER, generated_at="2026-11-01T00:00:00Z"), "cli")


def cell(table, code, position):
    return next(row[position] for row in table if row[0] == code)


def test_every_published_page_leaves_no_withheld_value_to_work_out(app, received):
    plan = rollup.plan("month", 2026, 10, date(2026, 11, 20))
    with app.app_context():
        pages = [OrgUnit.get(OrgUnit.code == code) for code in ("520000", "520100", "520300", "520102", "520103")]
        checked = 0
        for unit in pages:
            own, _, rows = suppression.published(unit, plan)
            for index, (code, *_rest) in enumerate(own):
                for position in (2, 3):
                    cells = [own[index][position]] + [inds[index][position] for _, inds, _ in rows]
                    if any(c is None for c in cells):
                        continue
                    withheld = [c for c in cells if isinstance(c, Withheld)]
                    assert len(withheld) != 1, (unit.code, code, position)
                    for c in cells:
                        if isinstance(c, Withheld) or code in suppression.NOT_PERSONS or code == "REGISTERED_YOY":
                            continue
                        assert not suppression.is_small(c.numerator), (unit.code, code, position)
                        assert not (c.percent and suppression.is_small(c.denominator)), (unit.code, code, position)
                        checked += 1
                for _, now, before, change in [r[1:] for r in [own[index]]] + [
                        (None, inds[index][2], inds[index][3], inds[index][4]) for _, inds, _ in rows]:
                    if isinstance(now, Withheld) or isinstance(before, Withheld):
                        assert change is None or isinstance(change, Withheld), (unit.code, code)
        assert checked > 100
        county, _, stations = suppression.published(OrgUnit.get(OrgUnit.code == "520102"), plan)
    talks = {child.code: cell(inds, "TALKS", 2) for child, inds, _ in stations}
    assert talks["520102-01"].mark == "<5" and talks["520102-02"].mark == "×"  # 15 = 3 + 12: 12 goes too
    assert cell(county, "TALKS", 2).numerator == 15  # 0 and ≥ 5 left alone where nothing can be worked out
    relapse = {child.code: cell(inds, "RELAPSE", 2) for child, inds, _ in stations}
    assert relapse["520102-01"].mark == "×" and relapse["520102-02"].mark == "×"  # 2/20, and 0/3 (denominator)
    registered = {child.code: cell(inds, "REGISTERED", 2) for child, inds, _ in stations}
    assert registered["520102-02"].mark == "<5" and registered["520102-01"].mark == "×"  # 34 = 30 + 4
    assert cell(county, "REGISTERED", 2).numerator == 34
    yoy = {child.code: cell(inds, "REGISTERED_YOY", 2) for child, inds, _ in stations}
    assert isinstance(yoy["520102-02"], Withheld)


def test_the_publication_page_shows_marks_and_no_numerators(app, client, received):
    make_user("province_viewer", username="viewer")
    client.post("/login", data={"username": "viewer", "password": PASSWORD})
    inside = client.get("/province/?unit=520102&kind=month&year=2026&number=10").get_data(as_text=True)
    assert "÷" in inside and "&lt;5" not in inside and "对外发布口径" in inside
    page = client.get("/province/?unit=520102&kind=month&year=2026&number=10&publish=1").get_data(as_text=True)
    assert "（对外发布）" in page and "&lt;5" in page and "×" in page and "÷" not in page
    assert "publish=1" in page.split("下级单位")[1]  # the drill-down stays in the publication profile
    assert client.get("/province/?unit=520000&kind=quarter&year=2026&number=4&publish=1").status_code == 200
    assert client.get("/province/?unit=520000&kind=year&year=2026&publish=1").status_code == 200
