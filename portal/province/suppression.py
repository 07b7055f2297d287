"""The publication profile (对外发布) of the province tables: small cells withheld, with complementary
suppression so that no withheld value can be worked out from the figures shown (docs/province.md).

The published figures of a year form, for each data element and column (本期, 上年同期), additive groups
over cells (period, unit): every unit's count is the sum of its children's (province = Σ prefectures,
prefecture = Σ counties, county = Σ stations) in every period, and each unit's quarter is the sum of its
months so far and its year the sum of its quarters (for a value at the period end: the last of them). One
pattern is computed over the whole tree and every month, quarter and the year that is over, so a county
shows the same cells on its own page and as a row of its prefecture's page, and a month, its quarter and its
year cannot be played against each other (docs/province.md says what is still not covered).

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

from ..dates import today
from ..models import OrgUnit
from . import rollup

SMALL, DERIVED, FREE = "<5", "×", "—"  # FREE: not given for the period (protect's `free`)
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


def protect(values, groups, primary, limits=COUNT_BOUNDS, zeros=False, free=()):
    """{cell: SMALL | DERIVED} to withhold: `primary` cells and enough others that none can be worked out.
    `groups` are (total cell, [part cells]) with total = Σ parts; `zeros`: a zero may be withheld; `free`: cells
    not shown for another reason (unknown to anyone: any value ≥ 0), nothing to protect in them."""
    if not primary:
        return {}
    hidden = {**dict.fromkeys(free, FREE), **dict.fromkeys(primary, SMALL)}
    limits = {**limits, FREE: (0, math.inf)}
    groups_of = {}
    for index, (total, parts) in enumerate(groups):
        for cell in [total] + parts:
            groups_of.setdefault(cell, []).append((index, (total, parts)))
    count = [sum(c in hidden for c in [t] + parts) for t, parts in groups]
    lone = True  # first the quick rule alone: the only withheld cell of a group
    while True:
        if lone:
            pinned = {c for i, (t, parts) in enumerate(groups) if count[i] == 1 for c in [t] + parts if c in hidden}
        else:
            lo, hi = bounds(values, groups, hidden, limits)
            pinned = {c for c in hidden if lo[c] == hi[c]}
        pinned = [c for c in pinned if hidden[c] != FREE]
        more = {_next_to_hide(c, values, groups_of, hidden, zeros) for c in sorted(pinned, key=str)} - {None}
        if not more:
            if not lone:
                return {c: mark for c, mark in hidden.items() if mark != FREE}
            lone = False
            continue
        cell = min(more, key=lambda c: (values[c], str(c)))  # one at a time: it may unpin the others too
        hidden[cell] = DERIVED
        for index, _ in groups_of.get(cell, []):
            count[index] += 1


def year_plans(plan_, today_):
    """{period key: Plan} of every month, quarter and the year of plan_'s year that is over, plan_ itself among
    them; and plan_'s key, ("month", 11), ("quarter", 4) or ("year", 1)."""
    year, month = int(plan_.months[-1][:4]), int(plan_.months[-1][5:])
    plans = {(kind, number): found for kind, count in (("month", 12), ("quarter", 4), ("year", 1))
             for number in range(1, count + 1) for found in [rollup.plan(kind, year, number, today_)] if found}
    here = {"month": ("month", month), "quarter": ("quarter", (month - 1) // 3 + 1), "year": ("year", 1)}[plan_.kind]
    plans[here] = plan_
    return plans, here


def period_groups(plans, units, at_end):
    """Each unit's quarter from its months and its year from its quarters: their sum (an additive count, or one
    taken to be: an attacker may take a quarter's distinct persons for the sum of its months'), or the last of
    them for a value at the period end. Cells are (period key, unit id)."""
    groups = []
    for total, kind, numbers in [(("quarter", q), "month", range(3 * q - 2, 3 * q + 1)) for q in range(1, 5)] + [
            (("year", 1), "quarter", range(1, 5))]:
        parts = [(kind, n) for n in numbers if (kind, n) in plans]
        if total in plans and parts:
            groups += [((total, u), [(part, u) for part in (parts[-1:] if at_end else parts)]) for u in units]
    return groups


def _column(cells, groups):
    """{cell: mark} of one element's column over the year's periods and the whole tree (`cells`: {cell: Indicator,
    or None where not given})."""
    free = [c for c, ind in cells.items() if ind is None]
    shown = {c: ind for c, ind in cells.items() if ind is not None}
    if not shown:
        return {}
    values = {c: 0 if ind is None else ind.numerator for c, ind in cells.items()}
    if next(iter(shown.values())).percent:
        primary = [c for c, ind in shown.items() if is_small(ind.numerator) or is_small(ind.denominator)]
        return dict.fromkeys(protect(values, groups, primary, RATE_BOUNDS, zeros=True, free=free), DERIVED)
    return protect(values, groups, [c for c, ind in shown.items() if is_small(ind.numerator)], free=free)


def year_pattern(plan_):
    """The year of plan_ as published: (plans {period key: Plan}, plan_'s key, the tree's children,
    indicators {(period key, unit id): rollup.indicators rows}, marks {(element, position): {(period key, unit id):
    mark}}), one pattern over the whole tree and every month, quarter and the year that is over."""
    _, children = OrgUnit.tree()
    everyone = [u for kids in children.values() for u in kids]
    units = [u.id for u in everyone]
    under = {u.id: rollup.stations_under(u, children) for u in everyone}
    plans, here = year_plans(plan_, today())
    inds = {}
    for key, each in plans.items():
        sums = rollup.station_sums(each)
        inds.update({(key, u): rollup.indicators(under[u], sums, each) for u in units})
    kept = {u for u in units if under[u]}  # a unit with no station under it is 0 in every cell: left out
    tree = [((key, parent), [(key, c.id) for c in kids if c.id in kept]) for key in plans
            for parent, kids in children.items() if parent in kept]
    groups = {at_end: tree + period_groups(plans, sorted(kept), at_end) for at_end in (False, True)}
    cells = {c: row for c, row in inds.items() if c[1] in kept}
    codes = [code for code, *_ in inds[here, units[0]]]
    marks = {}
    for index, code in enumerate(codes):
        if code in NOT_PERSONS or code == "REGISTERED_YOY":
            continue
        for position in (2, 3):  # 本期, 上年同期
            marks[code, position] = _column({c: row[index][position] for c, row in cells.items()},
                                            groups[code in rollup.AT_PERIOD_END])
    yoy = codes.index("REGISTERED_YOY")  # withheld where 在册 of either year is, or its base (在册 a year before
    base = protect({c: row[yoy][3].denominator for c, row in cells.items()}, groups[True],  # the 上年同期 column)
                   [c for c, row in cells.items() if is_small(row[yoy][3].denominator)])
    registered = {p: marks["REGISTERED", p] for p in (2, 3)}
    marks["REGISTERED_YOY", 2] = dict.fromkeys([c for c in inds if c in registered[2] or c in registered[3]], DERIVED)
    marks["REGISTERED_YOY", 3] = dict.fromkeys([c for c in inds if c in registered[3] or c in base], DERIVED)
    return plans, here, children, inds, marks


def published(unit, plan_):
    """rollup.table(unit, plan_) as published: withheld cells replaced by `Withheld`, and the 同比 of any; the
    pattern of plan_'s year (`year_pattern`), so every page of that year shows the same cells."""
    _, here, children, inds, marks = year_pattern(plan_)

    def shown(unit_id):
        out = []
        for code, label, now, before, change in inds[here, unit_id]:
            now_mark, before_mark = (marks.get((code, p), {}).get((here, unit_id)) for p in (2, 3))
            out.append((code, label, Withheld(now_mark) if now_mark and now is not None else now,
                        Withheld(before_mark) if before_mark and before is not None else before,
                        Withheld(DERIVED) if (now_mark or before_mark) and change is not None else change))
        return out

    rows = [(child, shown(child.id), rollup.reporting(child, children, plan_)) for child in children.get(unit.id, [])]
    return shown(unit.id), rollup.reporting(unit, children, plan_), rows
