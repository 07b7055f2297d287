"""The province's tables: every indicator for a month, quarter or year, for a unit and each unit under it
(drill from the province to a station), with 同比; and the completeness of reporting."""
import re

from flask import Blueprint, abort, render_template, request
from werkzeug.datastructures import MultiDict

from ..dates import today
from ..exchange.package import last_month
from ..models import OrgUnit
from ..permissions import requires
from . import completeness, rollup, suppression, trends

bp = Blueprint("province", __name__, url_prefix="/province")
NUMBERS = {"month": 12, "quarter": 4, "year": 1}  # months or quarters in a year


def chosen_period(args, today_):
    """(kind, year, number) from ?kind=month&year=2026&number=11; what is missing or out of range (a month
    number left over after switching to a quarter) falls back to the period holding last month."""
    over = last_month(today_)
    kind = args.get("kind") if args.get("kind") in rollup.KINDS else "month"
    year = args.get("year", type=int)
    year = year if year and 2000 <= year <= over.year else over.year
    default = {"month": over.month, "quarter": (over.month - 1) // 3 + 1, "year": 1}[kind]
    number = args.get("number", type=int)
    return kind, year, number if number and 1 <= number <= NUMBERS[kind] else default


@bp.get("/")
@requires("province.read")
def tables():
    """A unit's indicators (the province by default) and one row per unit under it."""
    today_ = today()
    kind, year, number = chosen_period(request.args, today_)
    code = request.args.get("unit", "")
    unit = (OrgUnit.get_or_none(OrgUnit.code == code) if re.fullmatch(r"[0-9-]{6,9}", code)
            else OrgUnit.select().where(OrgUnit.parent.is_null()).first())
    if unit is None:
        abort(404)
    plan = rollup.plan(kind, year, number, today_)
    if plan is None:  # a month or quarter of this year not begun: its last one that is
        kind, year, number = chosen_period(MultiDict({"kind": kind}), today_)
        plan = rollup.plan(kind, year, number, today_)
    publish = request.args.get("publish") == "1"  # 对外发布: small cells withheld (suppression.py)
    own, reporting, rows = (suppression.published if publish else rollup.table)(unit, plan)
    over = last_month(today_)
    unknown = [label for code, label, now, *_ in own + [i for _, inds, _ in rows for i in inds] if now is None]
    return render_template("province/tables.html", unit=unit, path=rollup.ancestors(unit), plan=plan, own=own,
                           reporting=reporting, rows=rows, kind=kind, year=year, number=number, publish=publish,
                           unknown=sorted(set(unknown)),
                           trends=None if publish else trends.series(unit, plan.months[-1]),
                           years=list(range(over.year, over.year - 6, -1)), kinds=rollup.KINDS)


@bp.get("/completeness")
@requires("province.read")
def completeness_page():
    """Which stations reported which months of a year; late ones (after the 5th of the next month) flagged."""
    over = last_month(today())
    year = request.args.get("year", type=int)
    year = year if year and 2000 <= year <= over.year else over.year
    months, rows = completeness.grid(year, over)
    return render_template("province/completeness.html", year=year, months=months, rows=rows,
                           years=list(range(over.year, over.year - 6, -1)), due_day=completeness.DUE_DAY)
