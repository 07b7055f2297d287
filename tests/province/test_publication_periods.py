"""The 对外发布 pages of a year, from signed packages received through the inbox: every month, quarter and the year
of every unit, read as a reader of all of them would. Each cell shows the same mark wherever it appears, and no
withheld count is the only unknown of a group or determined by the equations between them: a unit and the units
under it, a quarter and its months, the year and its quarters (a value at the period end: its last month's)."""
from datetime import date, datetime
from random import Random

import pytest
from test_suppression import lone_withheld, pinned_by_bounds
from test_suppression_periods import determined

from portal.models import OrgUnit
from portal.province import receiving, rollup, suppression, synthetic
from portal.province.suppression import SMALL, Withheld

MONTHS = 5  # January to May 2026 are over on 10 June
TODAY = date(2026, 6, 10)
STATIONS = {"520102-01": 3, "520102-02": 9, "520103-01": 2, "520103-02": 14, "520302-01": 6}
AT_END = {"REGISTERED", "MAINTENANCE", "MAINTENANCE_COHORT", "ABSTINENT_3Y"}


class Station(synthetic.Station):
    """Each month's counts drawn once, so that a quarter (year) to date is the sum of its months and a value at
    the period end is its last month's, as at a real station."""

    def month(self, element, year, month):
        rng = Random("%s-%s-%d-%d" % (self.code, element, year, month))
        numerator = rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 9, 12]) * self.size // 6
        return numerator, numerator + rng.choice([0, 1, 3, 8]) if synthetic.KINDS[element] == "rate" else None

    def figures(self, element, period, first):
        year = first.year - period.endswith("_last_year")
        if element == "REGISTERED_YOY":
            now, before = self.month("REGISTERED", year, first.month)[0], self.month("REGISTERED", year - 1, first.month)[0]
            return now - before, before
        start = {"month": first.month, "year": 1, "quarter": (first.month - 1) // 3 * 3 + 1}[period.split("_")[0]]
        months = [self.month(element, year, m) for m in range(start, first.month + 1)]
        if element in AT_END:
            return months[-1]
        return sum(n for n, _ in months), None if months[0][1] is None else sum(d for _, d in months)


@pytest.fixture
def year(app, runner, clock):
    """The year's pattern (suppression.year_pattern) from five stations' packages of January to May 2026."""
    assert runner.invoke(args=["province-init"]).exit_code == 0
    with app.app_context():
        for code, size in STATIONS.items():
            station = Station(code, size)
            OrgUnit.create(code=code, name="%s站" % code, level="station", public_key=station.public_key,
                           parent=OrgUnit.get(OrgUnit.code == code[:6]))
            for month in range(1, MONTHS + 1):
                receiving.receive(station.package(date(2026, month, 1), generated_at="2026-06-01T00:00:00Z"), "cli")
    clock.now = datetime(2026, 6, 10, 2, 0)
    with app.app_context():
        return suppression.year_pattern(rollup.plan("month", 2026, 3, TODAY))


def test_no_withheld_count_can_be_worked_out_from_all_the_year_s_pages(year):
    plans, _, children, inds, marks = year
    assert sorted(plans) == [("month", m) for m in range(1, 6)] + [("quarter", 1), ("quarter", 2), ("year", 1)]
    units = sorted({unit for _, unit in inds})
    tree = [((key, parent), [(key, kid.id) for kid in kids]) for key in plans
            for parent, kids in children.items() if parent is not None]
    codes = [code for code, *_ in inds[next(iter(inds))]]
    checked = withheld = 0
    for index, code in enumerate(codes):
        if code in suppression.NOT_PERSONS or code == "REGISTERED_YOY":
            continue
        groups = tree + suppression.period_groups(plans, units, code in AT_END)
        for position in (2, 3):
            cells = {cell: row[index][position] for cell, row in inds.items()}
            hidden = marks[code, position]
            for cell, c in cells.items():
                if cell not in hidden:
                    assert not suppression.is_small(c.numerator), (cell, code)
                    assert not (c.percent and suppression.is_small(c.denominator)), (cell, code)
            assert not lone_withheld(groups, hidden), code
            assert not determined(groups, hidden), code
            values = {cell: c.numerator for cell, c in cells.items()}
            limits = suppression.RATE_BOUNDS if cells[next(iter(cells))].percent else suppression.COUNT_BOUNDS
            assert not pinned_by_bounds(values, groups, hidden, limits), code
            checked += len(cells)
            withheld += len(hidden)
    assert checked > 1000 and withheld > 50


def test_every_page_of_the_year_shows_the_year_s_pattern(app, year):
    """A month, a quarter and the year of the province and of a county: each cell marked as in the pattern."""
    _, _, _, _, marks = year
    with app.app_context():
        for kind, number in (("month", 2), ("quarter", 1), ("quarter", 2), ("year", 1)):
            plan = rollup.plan(kind, 2026, number, TODAY)
            for code in ("520000", "520102"):
                unit = OrgUnit.get(OrgUnit.code == code)
                own, _, rows = suppression.published(unit, plan)
                for who, cells in [(unit, own)] + [(child, inds) for child, inds, _ in rows]:
                    for element, _, now, before, _ in cells:
                        for position, cell in ((2, now), (3, before)):
                            mark = marks.get((element, position), {}).get(((kind, number), who.id))
                            assert (cell.mark if isinstance(cell, Withheld) else None) == mark, (kind, who.code, element)


def test_a_small_month_is_withheld_with_its_quarter_or_a_neighbour(year):
    """Whatever talks are "<5" in a month leave a second unknown in its quarter's group."""
    _, _, _, _, marks = year
    talks = marks["TALKS", 2]
    smalls = [(key, unit) for (key, unit), mark in talks.items() if mark == SMALL and key[0] == "month"]
    assert smalls
    for key, unit in smalls:
        quarter = ("quarter", (key[1] - 1) // 3 + 1)
        months = [("month", m) for m in range(3 * quarter[1] - 2, 3 * quarter[1] + 1) if m <= MONTHS]
        assert len([c for c in [quarter] + months if (c, unit) in talks]) >= 2
