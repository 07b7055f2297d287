"""The publication profile (对外发布) of the province tables: small cells withheld, with complementary
suppression so that no withheld value can be worked out from the figures shown (docs/province.md).

The published figures of one period form, for each data element and column (本期, 上年同期), a tree of
additive groups: every unit's count is the sum of its children's (province = Σ prefectures, prefecture =
Σ counties, county = Σ stations). One pattern is computed over the whole tree, so a county shows the same
cells on its own page and as a row of its prefecture's page.

The algorithm (`protect`):
1. primary: a count of persons from 1 to 4 is withheld ("<5"); 0 and 5 or more are not;
2. an attacker knows every cell shown, that a "<5" cell is 1–4, that a "×" cell (withheld to protect
   another) is 5 or more (a zero is never withheld), and that each group adds up. From these, the bounds
   of every withheld cell are narrowed over all groups until nothing changes (`bounds`);
3. while some withheld cell is pinned to one value (the simplest case: the only withheld cell of a group
   whose total is shown), withhold the smallest non-zero cell still shown in a group of that cell (a part
   before the total on a tie); when that group has none, look in the groups of its other withheld cells.
   Repeat to a fixed point.
A rate is withheld ("×") when its numerator or denominator is 1–4 and protected the same way on its
numerators (a shown rate is taken to reveal its numerator); a 同比 when either value it compares is
withheld; 在册人数同比 when 在册 of either year is, or when its denominator (在册 two years before, for the
上年同期 column) is 1–4 or withheld by the same rule.
"""
import math
from dataclasses import dataclass

from ..models import OrgUnit
from . import rollup

SMALL, DERIVED = "<5", "×"
NOT_PERSONS = {"TRAINING_ATTENDANCE", "TRAINING_HOURS", "EVENTS", "EVENTS_AUDIENCE"}  # staff, hours, events
COUNT_BOUNDS = {SMALL: (1, 4), DERIVED: (5, math.inf)}
RATE_BOUNDS = {SMALL: (0, math.inf), DERIVED: (0, math.inf)}  # a withheld rate shows "×" whatever the reason
WHY = {SMALL: "1–4 人，不对外公布", DERIVED: "为防止推算出 1–4 人的小数而隐去"}


@dataclass(frozen=True)
class Withheld:
    """A cell not published: what is shown instead and why (the template's title)."""
    mark: str
    withheld: bool = True

    @property
    def why(self):
        return WHY[SMALL] if self.mark == SMALL else WHY[DERIVED]


def is_small(value):
    return value is not None and 1 <= value <= 4


def bounds(values, groups, hidden, limits):
    """({cell: lowest}, {cell: highest}) an attacker can work out for each cell from the figures shown."""
    lo, hi = {}, {}
    for cell, value in values.items():
        lo[cell], hi[cell] = limits[hidden[cell]] if cell in hidden else (value, value)
    active = [(total, parts) for total, parts in groups if total in hidden or any(p in hidden for p in parts)]
    for _ in range(100):
        changed = False
        for total, parts in active:
            sum_lo, sum_hi = sum(lo[p] for p in parts), sum(hi[p] for p in parts)
            new = max(lo[total], sum_lo), min(hi[total], sum_hi)
            for p in parts:
                new_p = max(lo[p], lo[total] - (sum_hi - hi[p])), min(hi[p], hi[total] - (sum_lo - lo[p]))
                if new_p != (lo[p], hi[p]):
                    sum_lo, sum_hi = sum_lo - lo[p] + new_p[0], sum_hi - hi[p] + new_p[1]
                    lo[p], hi[p], changed = new_p[0], new_p[1], True
            if new != (lo[total], hi[total]):
                lo[total], hi[total], changed = new[0], new[1], True
        if not changed:
            break
    return lo, hi


def _next_to_hide(cell, values, groups_of, hidden, zeros):
    """The smallest non-zero shown cell of a group of `cell`, else of the groups of its withheld cells."""
    seen, queue = set(), [cell]
    while queue:
        here = queue.pop(0)
        for index, (total, parts) in groups_of.get(here, []):
            if index in seen:
                continue
            seen.add(index)
            shown = [c for c in parts + [total] if c not in hidden and (zeros or values[c] > 0)]
            if shown:  # a zero only when nothing else is left (rates)
                return min(shown, key=lambda c: (values[c] == 0, values[c], c == total))
            queue += [c for c in parts + [total] if c in hidden]
    return None


def protect(values, groups, primary, limits=COUNT_BOUNDS, zeros=False):
    """{cell: SMALL | DERIVED} to withhold: `primary` cells and enough others that none can be worked out.
    `groups` are (total cell, [part cells]) with total = Σ parts; `zeros`: a zero may be withheld."""
    hidden = dict.fromkeys(primary, SMALL)
    groups_of = {}
    for index, (total, parts) in enumerate(groups):
        for cell in [total] + parts:
            groups_of.setdefault(cell, []).append((index, (total, parts)))
    lone = True  # first the quick rule alone: the only withheld cell of a group
    while True:
        if lone:
            pinned = [c for t, parts in groups for c in [t] + parts
                      if c in hidden and sum(x in hidden for x in [t] + parts) == 1]
        else:
            lo, hi = bounds(values, groups, hidden, limits)
            pinned = [c for c in hidden if lo[c] == hi[c]]
        more = {_next_to_hide(c, values, groups_of, hidden, zeros) for c in sorted(pinned, key=str)} - {None}
        if not more:
            if not lone:
                return hidden
            lone = False
            continue
        cell = min(more, key=lambda c: (values[c], str(c)))  # one at a time: it may unpin the others too
        hidden[cell] = DERIVED


def _column(inds, position, units, groups, element):
    """{unit id: mark} of one element's column (2: 本期, 3: 上年同期) over the whole tree."""
    index = [code for code, *_ in inds[units[0]]].index(element)
    cells = {u: inds[u][index][position] for u in units}
    if element in NOT_PERSONS or cells[units[0]] is None:  # not persons, or not given for this period
        return {}
    values = {u: ind.numerator for u, ind in cells.items()}
    if cells[units[0]].percent:
        primary = [u for u, ind in cells.items() if is_small(ind.numerator) or is_small(ind.denominator)]
        return dict.fromkeys(protect(values, groups, primary, RATE_BOUNDS, zeros=True), DERIVED)  # always "×"
    return protect(values, groups, [u for u, v in values.items() if is_small(v)])


def _registered_yoy(inds, units, groups, registered):
    """在册人数同比 withheld where 在册 of either year is, or its denominator (在册 a year before the column's
    year) is small or would give one away."""
    index = [code for code, *_ in inds[units[0]]].index("REGISTERED_YOY")
    before_base = {u: inds[u][index][3].denominator for u in units}
    base_hidden = protect(before_base, groups, [u for u, v in before_base.items() if is_small(v)])
    return {2: {u for u in units if u in registered[2] or u in registered[3]},
            3: {u for u in units if u in registered[3] or u in base_hidden}}


def published(unit, plan_):
    """rollup.table(unit, plan_) as published: withheld cells replaced by `Withheld`, and the 同比 of any."""
    _, children = OrgUnit.tree()
    sums = rollup.station_sums(plan_)
    everyone = [u for kids in children.values() for u in kids]
    units = sorted({u.id for u in everyone}, key=lambda i: i != _root_id(children))
    inds = {u.id: rollup.indicators(rollup.stations_under(u, children), sums, plan_) for u in everyone}
    groups = [(parent, [c.id for c in kids]) for parent, kids in children.items() if parent is not None]
    marks = {}  # (element, position) -> {unit id: mark}
    for code, *_ in inds[units[0]]:
        if code != "REGISTERED_YOY":
            for position in (2, 3):
                marks[code, position] = _column(inds, position, units, groups, code)
    for position, hidden in _registered_yoy(inds, units, groups, {p: marks["REGISTERED", p] for p in (2, 3)}).items():
        marks["REGISTERED_YOY", position] = dict.fromkeys(hidden, DERIVED)

    def shown(unit_id):
        out = []
        for code, label, now, before, change in inds[unit_id]:
            now_mark, before_mark = (marks[code, p].get(unit_id) for p in (2, 3))
            out.append((code, label, Withheld(now_mark) if now_mark and now is not None else now,
                        Withheld(before_mark) if before_mark and before is not None else before,
                        Withheld(DERIVED) if (now_mark or before_mark) and change is not None else change))
        return out

    rows = [(child, shown(child.id), rollup.reporting(child, children, plan_)) for child in children.get(unit.id, [])]
    return shown(unit.id), rollup.reporting(unit, children, plan_), rows


def _root_id(children):
    return children[None][0].id
