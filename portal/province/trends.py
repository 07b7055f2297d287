"""The trends on the province tables page: each indicator of a unit month by month (24 months to the period's
last month), from the current packages' `month` tuples, drawn as inline SVG on the server (no script, no
network, nothing inline for the CSP to refuse), with a table of the same numbers beside it."""
import math
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape
from peewee import fn

from ..dates import add_months
from ..models import OrgUnit, Package, PackageValue
from ..reports.indicators import Indicator
from . import rollup

MONTHS = 24
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 340, 180, 44, 12, 22, 40


@dataclass
class Series:
    code: str
    label: str
    percent: bool
    points: list  # [(month key, Indicator or None when no package of the month)]

    @property
    def svg(self):
        return chart(self)


def month_keys(last, count=MONTHS):
    """The `count` month keys ("2026-10") ending with `last` ("2026-10")."""
    year, month = int(last[:4]), int(last[5:])
    first = add_months(date(year, month, 1), -(count - 1))
    return [rollup.month_key(add_months(first, i)) for i in range(count)]


def monthly_sums(stations, months):
    """(month, element, Σ numerator, Σ denominator) of the stations' current packages of those months: their totals
    of the month, read from the index of the totals (migration 0011)."""
    return (PackageValue.select(Package.month, PackageValue.element, fn.SUM(PackageValue.numerator),
                                fn.SUM(PackageValue.denominator))
            .join(Package)
            .where(Package.superseded_by.is_null(), Package.station.in_(stations), Package.month.in_(months),
                   PackageValue.dimension.is_null(), PackageValue.period == "month")
            .group_by(Package.month, PackageValue.element).tuples())


def series(unit, last, count=MONTHS):
    """[Series] of every element for the unit: the month's numbers summed over its stations, one query."""
    stations, months = rollup.stations_under(unit, OrgUnit.subtree(unit)), month_keys(last, count)
    sums = {(month, element): (int(n), int(d or 0)) for month, element, n, d in (
        monthly_sums(stations, months) if stations else [])}
    sent = {month for month, _ in sums}
    out = []
    for code, label, percent in rollup.ELEMENTS:
        points = []
        for month in months:
            n, d = sums.get((month, code), (0, 0))
            points.append((month, Indicator(code, label, "", "", percent=percent, numerator=n, denominator=d)
                           if month in sent else None))
        out.append(Series(code, label, percent, points))
    return out


def axis(low, high):
    """(bottom, top, step) of a y axis from 0 (or below, for a negative value) with at most 5 steps of
    1, 2 or 5 × 10^k."""
    low, high = min(0, low), max(high, low + 1, 1)
    scale = 1
    while True:
        for m in (1, 2, 5):
            step = m * scale
            bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
            if (top - bottom) / step <= 5:
                return bottom, top, step
        scale *= 10


def month_label(key):
    return "%s年%d月" % (key[2:4], int(key[5:]))


def chart(s):
    """The SVG of one series: y axis with ticks (the indicator's unit), months along x, a line with a gap where
    a month has no package or no denominator, and one point per month carrying its value."""
    values = [(m, None if p is None else p.value) for m, p in s.points]
    known = [v for _, v in values if v is not None] or [0]
    bottom, top, step = axis(min(known), max(known))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x = lambda i: LEFT + plot_w * i / max(1, len(values) - 1)  # noqa: E731
    y = lambda v: TOP + plot_h * (top - v) / (top - bottom)  # noqa: E731
    unit = "%" if s.percent else "数量"
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 %d %d" width="%d" height="%d" '
             'role="img" aria-label="%s（近%d个月）">' % (WIDTH, HEIGHT, WIDTH, HEIGHT, escape(s.label), len(values)),
             '<title>%s：逐月趋势</title>' % escape(s.label)]
    for tick in range(round((top - bottom) / step) + 1):
        v = bottom + tick * step
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>'
                     % (LEFT, WIDTH - RIGHT, y(v), y(v), "#8a96a3" if v == 0 else "#dde3ea"))
        parts.append('<text x="%d" y="%.1f" text-anchor="end" font-size="10" fill="#555">%s</text>'
                     % (LEFT - 4, y(v) + 3, ("%g" % v)))
    parts.append('<text x="%d" y="%d" text-anchor="end" font-size="10" fill="#555">%s</text>' % (LEFT - 4, TOP - 8, unit))
    for i, (month, _) in enumerate(values):
        if (len(values) - 1 - i) % 6 == 0:  # every sixth month back from the last
            anchor = "end" if i == len(values) - 1 else "middle"
            parts.append('<text x="%.1f" y="%d" text-anchor="%s" font-size="10" fill="#555">%s</text>'
                         % (x(i), HEIGHT - BOTTOM + 14, anchor, month_label(month)))
    parts.append('<text x="%d" y="%d" text-anchor="middle" font-size="10" fill="#555">月份</text>'
                 % (LEFT + plot_w // 2, HEIGHT - 6))
    runs, run = [], []
    for i, (_, v) in enumerate(values):
        if v is None:
            runs, run = runs + ([run] if run else []), []
        else:
            run.append("%.1f,%.1f" % (x(i), y(v)))
    for line in runs + ([run] if run else []):
        parts.append('<polyline class="line" points="%s" fill="none" stroke="#1f6fd1" stroke-width="2"/>'
                     % " ".join(line))
    for i, (month, v) in enumerate(values):
        if v is not None:
            shown = ("%.2f%%" % v) if s.percent else str(v)
            parts.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="#1f6fd1" data-month="%s" data-value="%s">'
                         '<title>%s：%s</title></circle>' % (x(i), y(v), month, v, month_label(month), shown))
    parts.append("</svg>")
    return Markup("".join(parts))
