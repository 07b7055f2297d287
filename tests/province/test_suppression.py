"""The publication profile's complementary suppression: on many random trees and by hand, no withheld value
can be worked out from the figures shown (a lone withheld cell of a group, linear algebra over the groups,
the bounds "<5" = 1–4 and "×" ≥ 5 narrowed over the groups), and 0 and ≥ 5 are not withheld needlessly."""
import math
import random
from fractions import Fraction

import pytest

from portal.province.suppression import DERIVED, RATE_BOUNDS, SMALL, protect


def tree(rng, prefectures, counties, stations):
    """(values, groups) of a random province → prefectures → counties → stations tree, many small counts."""
    values, groups, leaf = {}, [], 0
    top = []
    for p in range(rng.randint(1, prefectures)):
        mids = []
        for c in range(rng.randint(1, counties)):
            leaves = []
            for _ in range(rng.randint(1, stations)):
                leaf += 1
                values["s%d" % leaf] = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 40])
                leaves.append("s%d" % leaf)
            values["c%d.%d" % (p, c)] = sum(values[s] for s in leaves)
            groups.append(("c%d.%d" % (p, c), leaves))
            mids.append("c%d.%d" % (p, c))
        values["p%d" % p] = sum(values[c] for c in mids)
        groups.append(("p%d" % p, mids))
        top.append("p%d" % p)
    values["root"] = sum(values[p] for p in top)
    groups.append(("root", top))
    return values, groups


def lone_withheld(groups, hidden):
    """Groups with exactly one withheld cell: it is the total minus the others (or their sum)."""
    return [(t, parts) for t, parts in groups if sum(c in hidden for c in [t] + parts) == 1]


def determined_by_sums(values, groups, hidden):
    """Withheld cells whose value the group equations alone give (e_x in the row space, exact fractions)."""
    cells = sorted(hidden)
    rows = [[Fraction((c == t) - (c in parts)) for c in cells] for t, parts in groups]
    rows = [r for r in rows if any(r)]

    def rank(matrix):
        m, r = [row[:] for row in matrix], 0
        for col in range(len(cells)):
            pivot = next((i for i in range(r, len(m)) if m[i][col]), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for i in range(len(m)):
                if i != r and m[i][col]:
                    f = m[i][col] / m[r][col]
                    m[i] = [a - f * b for a, b in zip(m[i], m[r])]
            r += 1
        return r

    base = rank(rows)
    return [c for c in cells if rank(rows + [[Fraction(c == d) for d in cells]]) == base]


def pinned_by_bounds(values, groups, hidden, limits):
    """Withheld cells an attacker pins to one value from the shown cells and what each mark says."""
    box = {c: (limits[hidden[c]] if c in hidden else (v, v)) for c, v in values.items()}
    for _ in range(200):
        before = dict(box)
        for t, parts in groups:
            for x in [t] + parts:  # x = t - others (x a part) or Σ parts (x the total)
                if x == t:
                    lo, hi = sum(box[p][0] for p in parts), sum(box[p][1] for p in parts)
                else:
                    others = [p for p in parts if p != x]
                    lo = box[t][0] - sum(box[p][1] for p in others)
                    hi = box[t][1] - sum(box[p][0] for p in others)
                box[x] = (max(box[x][0], lo), min(box[x][1], hi))
        if box == before:
            break
    assert all(box[c][0] <= values[c] <= box[c][1] for c in values)  # the attacker's reasoning is sound
    return [c for c in hidden if box[c][0] == box[c][1]]


def check(values, groups, hidden):
    assert all((1 <= values[c] <= 4) == (mark == SMALL) for c, mark in hidden.items())
    assert not [c for c, v in values.items() if 1 <= v <= 4 and c not in hidden]
    assert not [c for c in hidden if values[c] == 0], "a zero withheld"
    assert not lone_withheld(groups, hidden)
    assert not determined_by_sums(values, groups, hidden)
    assert not pinned_by_bounds(values, groups, hidden, {SMALL: (1, 4), DERIVED: (5, math.inf)})


@pytest.mark.parametrize("seed", range(300))
def test_no_withheld_count_can_be_worked_out_on_random_trees(seed):
    rng = random.Random(seed)
    values, groups = tree(rng, 4, 4, 4)
    hidden = protect(values, groups, [c for c, v in values.items() if 1 <= v <= 4])
    check(values, groups, hidden)


@pytest.mark.parametrize("seed", range(100))
def test_no_withheld_rate_numerator_can_be_worked_out_on_random_trees(seed):
    """Rates: withheld when the numerator or the denominator is 1–4; a shown rate counts as its numerator."""
    rng = random.Random(1000 + seed)
    values, groups = tree(rng, 3, 3, 4)
    denominators = {c: v + rng.choice([0, 1, 3, 6]) for c, v in values.items()}
    primary = [c for c in values if 1 <= values[c] <= 4 or 1 <= denominators[c] <= 4]
    hidden = protect(values, groups, primary, RATE_BOUNDS, zeros=True)
    assert set(primary) <= set(hidden)
    assert not lone_withheld(groups, hidden)
    assert not determined_by_sums(values, groups, hidden)
    assert not pinned_by_bounds(values, groups, hidden, RATE_BOUNDS)


def test_zero_and_five_or_more_are_not_withheld_needlessly():
    values = {"t": 20, "a": 0, "b": 8, "c": 12}
    assert protect(values, [("t", ["a", "b", "c"])], []) == {}
    values = {"t": 25, "a": 3, "b": 10, "c": 12, "z": 0}
    hidden = protect(values, [("t", ["a", "b", "c", "z"])], ["a"])
    assert hidden == {"a": SMALL, "b": DERIVED}  # the next smallest non-zero, not 12, not the zero, not the total
    values = {"t": 9, "a": 0, "b": 4, "c": 5}
    assert protect(values, [("t", ["a", "b", "c"])], ["b"]) == {"b": SMALL, "c": DERIVED}


def test_two_small_cells_that_pin_each_other_take_a_third():
    """8 = 4 + 4: two withheld cells, but each "<5" is at most 4, so both are 4; the total goes too."""
    values = {"t": 8, "a": 4, "b": 4, "z": 0}
    hidden = protect(values, [("t", ["a", "b", "z"])], ["a", "b"])
    assert hidden == {"a": SMALL, "b": SMALL, "t": DERIVED}
    assert pinned_by_bounds(values, [("t", ["a", "b", "z"])], {"a": SMALL, "b": SMALL},
                            {SMALL: (1, 4), DERIVED: (5, math.inf)}) == ["a", "b"]  # the checker sees it


def test_a_small_cell_beside_one_of_five_is_pinned_by_the_marks():
    """6 = 1 + 5: "×" says 5 or more, "<5" at least 1: both pinned; the total must go (its own group above)."""
    values = {"root": 16, "t": 6, "a": 1, "b": 5, "u": 10}
    groups = [("t", ["a", "b"]), ("root", ["t", "u"])]
    hidden = protect(values, groups, ["a"])
    assert hidden == {"a": SMALL, "b": DERIVED, "t": DERIVED, "u": DERIVED}
    check(values, groups, hidden)


def test_a_county_with_one_station_hides_with_it_and_its_prefecture_takes_a_neighbour():
    values = {"p": 30, "c1": 3, "c2": 27, "s1": 3, "s2": 20, "s3": 7}
    groups = [("c1", ["s1"]), ("c2", ["s2", "s3"]), ("p", ["c1", "c2"])]
    hidden = protect(values, groups, ["c1", "s1"])
    check(values, groups, hidden)
    assert "c2" in hidden and "p" not in hidden and ("s2" in hidden or "s3" in hidden)
