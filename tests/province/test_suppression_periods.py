"""The publication pattern across a year's pages: months, quarters and the year of every unit, protected as one
system (a quarter = Σ its months, a year = Σ its quarters; a value at the period end = that of the last month).
On random trees × months so far, no withheld cell is the only one of a group, none is determined by the group
equations (exact linear algebra over the tree and the period dimension together) and none is pinned by the
bounds; the same checks find what protecting each page on its own leaves open."""
import math
import random
from fractions import Fraction

import pytest
from test_suppression import determined_by_sums, lone_withheld, pinned_by_bounds, tree

from portal.province.suppression import DERIVED, FREE, RATE_BOUNDS, SMALL, period_groups, protect

COUNTS = {SMALL: (1, 4), DERIVED: (5, math.inf)}


def year_tree(rng, months, at_end=False, shape=(2, 2, 3)):
    """(values, groups) of a random province tree over the first `months` months of a year: each station's months
    at random, each quarter (so far) the sum of its months or, `at_end`, its last month's value, the year the same
    of its quarters; every unit the sum of its children in every period. Cells are (period key, unit)."""
    base, tree_groups = tree(rng, *shape)
    names = list(base)
    stations = [n for n in names if n.startswith("s")]
    keys = [("month", m) for m in range(1, months + 1)]
    quarters = {q: [("month", m) for m in range(3 * q - 2, 3 * q + 1) if m <= months] for q in range(1, 5)}
    quarters = {("quarter", q): parts for q, parts in quarters.items() if parts}
    values = {(key, s): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15]) for key in keys for s in stations}
    period = {**quarters, ("year", 1): list(quarters)}
    for total, parts in period.items():
        for s in stations:
            cells = [values[part, s] for part in parts]
            values[total, s] = cells[-1] if at_end else sum(cells)
    keys += list(period)
    groups = []
    for key in keys:
        for total, parts in tree_groups:  # children first: a unit's total is ready before its parent's
            values[key, total] = sum(values[key, p] for p in parts)
            groups.append(((key, total), [(key, p) for p in parts]))
    for total, parts in period.items():
        groups += [((total, n), [(part, n) for part in (parts[-1:] if at_end else parts)]) for n in names]
    assert sorted(map(str, groups[len(keys) * len(tree_groups):])) == sorted(
        map(str, period_groups(dict.fromkeys(keys), names, at_end)))  # the portal's own model of the periods
    return values, groups


def determined(groups, unknown):
    """The unknown cells the group equations give (as determined_by_sums), by one sparse reduction: a cell is
    determined when its unit vector is in the row space, i.e. it is a pivot whose reduced row has nothing else."""
    pivots = {}  # pivot cell -> its row {cell: coefficient}, 1 at the pivot, 0 at every other pivot
    for total, parts in groups:
        row = {}
        for cell, sign in [(total, 1)] + [(p, -1) for p in parts]:
            if cell in unknown:
                row[cell] = row.get(cell, 0) + Fraction(sign)
        for cell in [c for c in row if c in pivots]:
            factor = row.get(cell, 0)
            if factor:
                for c, v in pivots[cell].items():
                    row[c] = row.get(c, 0) - factor * v
        row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        pivot = min(row, key=str)
        row = {c: v / row[pivot] for c, v in row.items()}
        for other in pivots.values():
            factor = other.get(pivot, 0)
            if factor:
                for c, v in row.items():
                    other[c] = other.get(c, 0) - factor * v
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[pivot] = row
    return sorted((c for c, row in pivots.items() if len(row) == 1), key=str)


def check(values, groups, hidden, limits=COUNTS, free=()):
    """Nothing withheld can be worked out: the unknowns are the withheld cells and the ones not given (`free`)."""
    unknown = {**dict.fromkeys(free, FREE), **hidden}
    assert not [g for g in lone_withheld(groups, unknown) if not set([g[0]] + g[1]) & set(free)]
    assert not set(determined(groups, unknown)) & set(hidden)
    assert not set(pinned_by_bounds(values, groups, unknown, {**limits, FREE: (0, math.inf)})) & set(hidden)


@pytest.mark.parametrize("seed", range(12))
def test_the_fast_reduction_agrees_with_the_rank_test(seed):
    rng = random.Random(7000 + seed)
    values, groups = year_tree(rng, rng.randint(1, 5), shape=(2, 2, 2))
    hidden = dict.fromkeys(rng.sample(sorted(values, key=str), 12), SMALL)
    assert determined(groups, hidden) == sorted(determined_by_sums(values, groups, hidden), key=str)


@pytest.mark.parametrize("seed", range(40))
def test_no_withheld_count_can_be_worked_out_across_months_quarters_and_the_year(seed):
    rng = random.Random(5000 + seed)
    values, groups = year_tree(rng, rng.randint(1, 12))
    hidden = protect(values, groups, [c for c, v in values.items() if 1 <= v <= 4])
    assert all((1 <= values[c] <= 4) == (mark == SMALL) for c, mark in hidden.items())
    assert not [c for c in hidden if values[c] == 0], "a zero withheld"
    check(values, groups, hidden)


@pytest.mark.parametrize("seed", range(20))
def test_no_withheld_value_at_the_period_end_shows_on_its_quarter_or_year(seed):
    """在册 and the like: a quarter's is its last month's, a year's its last quarter's: withheld on all or none."""
    rng = random.Random(6000 + seed)
    values, groups = year_tree(rng, rng.randint(1, 12), at_end=True)
    hidden = protect(values, groups, [c for c, v in values.items() if 1 <= v <= 4])
    check(values, groups, hidden)
    for (key, unit), mark in hidden.items():
        if key[0] == "month" and key[1] % 3 == 0:
            assert (("quarter", key[1] // 3), unit) in hidden


@pytest.mark.parametrize("seed", range(20))
def test_no_withheld_rate_numerator_can_be_worked_out_across_periods(seed):
    rng = random.Random(8000 + seed)
    values, groups = year_tree(rng, rng.randint(2, 12))
    denominators = {c: v + rng.choice([0, 1, 3, 6]) for c, v in values.items()}
    primary = [c for c in values if 1 <= values[c] <= 4 or 1 <= denominators[c] <= 4]
    hidden = protect(values, groups, primary, RATE_BOUNDS, zeros=True)
    assert set(primary) <= set(hidden)
    check(values, groups, hidden, RATE_BOUNDS)


@pytest.mark.parametrize("seed", range(15))
def test_cells_not_given_are_unknowns_not_cells_to_protect(seed):
    """A quarter's 复吸率 not given for some units (format 1): any value to an attacker, never withheld itself."""
    rng = random.Random(9000 + seed)
    values, groups = year_tree(rng, rng.randint(4, 12))
    free = [c for c in values if c[0][0] == "quarter" and rng.random() < 0.3]
    hidden = protect(values, groups, [c for c, v in values.items() if 1 <= v <= 4 and c not in free], free=free)
    assert not set(hidden) & set(free)
    check(values, groups, hidden, free=free)


def test_a_hidden_month_is_not_left_to_its_quarter_minus_the_other_months():
    """One station: 3 talks in February (<5) beside 10 and 12; the quarter 25 would give it away."""
    values = {(("month", 1), "s"): 10, (("month", 2), "s"): 3, (("month", 3), "s"): 12, (("quarter", 1), "s"): 25,
              (("year", 1), "s"): 25}
    groups = [((("quarter", 1), "s"), [(("month", m), "s") for m in (1, 2, 3)]),
              ((("year", 1), "s"), [(("quarter", 1), "s")])]
    hidden = protect(values, groups, [(("month", 2), "s")])
    assert hidden == {(("month", 2), "s"): SMALL, (("month", 1), "s"): DERIVED}  # the smallest other part
    check(values, groups, hidden)


def test_protecting_each_page_on_its_own_leaves_cells_to_work_out():
    """The checks above fail for the earlier way (each period's pattern alone, over the tree): they can fail."""
    leaks = 0
    for seed in range(10):
        values, groups = year_tree(random.Random(5000 + seed), 12)
        hidden = {}
        for key in {c[0] for c in values}:
            mine = [(t, parts) for t, parts in groups if t[0] == key and all(p[0] == key for p in parts)]
            cells = {c: v for c, v in values.items() if c[0] == key}
            hidden.update(protect(cells, mine, [c for c, v in cells.items() if 1 <= v <= 4]))
        leaks += bool(set(determined(groups, hidden)) or lone_withheld(groups, hidden))
    assert leaks >= 5
