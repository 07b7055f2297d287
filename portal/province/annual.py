"""The annual report PDF (年度报告) of a unit (the province, a prefecture, a county or a station): the seed's
lines ("云岩区在册吸毒人员同比下降26.74%，戒断三年未复吸人员同比上升23.47%，复吸率从9.12%下降到2.71%",
"三年解戒人员平均操守保持率88.07%") and every indicator with 同比, all from rollup's summed numerators and
denominators. Wording: 下降/上升/持平, percentages to 2 decimals, "—" when a denominator is 0."""
import re

from flask import abort, request
from flask_login import current_user

from .. import audit, pdf
from ..dates import today
from ..exchange.package import last_month
from ..models import OrgUnit
from ..permissions import requires
from . import rollup
from .views import bp

DASH = "—"


def percent(value):
    return DASH if value is None else "%.2f%%" % value


def way(difference):
    return "上升" if difference > 0 else "下降" if difference < 0 else "持平"


def count_change(subject, change):
    """'在册吸毒人员同比下降26.74%'; 持平 when equal; — when last year's count was 0."""
    if change is None or change.relative is None:
        return "%s同比%s（上年同期为 0）" % (subject, DASH)
    if change.relative == 0:
        return subject + "同比持平"
    return "%s同比%s%.2f%%" % (subject, way(change.relative), abs(change.relative))


def rate_change(subject, now, before):
    """'复吸率从9.12%下降到2.71%'; 持平 when equal; — for a side whose denominator is 0."""
    if now is None or before is None or now.value is None or before.value is None:
        return "%s从%s到%s" % (subject, percent(before and before.value), percent(now and now.value))
    if now.value == before.value:
        return "%s与上年持平，为%s" % (subject, percent(now.value))
    return "%s从%s%s到%s" % (subject, percent(before.value), way(now.value - before.value), percent(now.value))


def yoy_cell(code, now, change):
    """The 同比 column of the table: a count in %, a rate in percentage points."""
    if code in rollup.NO_CHANGE:
        return "（本项即为同比）"
    if change is None or (change.relative is None and change.points is None):
        return DASH
    if change.points is not None:
        return "持平" if change.points == 0 else "%s%.2f 个百分点" % (way(change.points), abs(change.points))
    return "持平" if change.relative == 0 else "%s%.2f%%" % (way(change.relative), abs(change.relative))


def value_cell(indicator):
    if indicator is None:
        return DASH
    return percent(indicator.value) if indicator.percent else str(indicator.numerator)


def lines(unit, year, own):
    """The report's sentences, from the unit's rolled-up indicators of the year."""
    got = {code: (now, before, change) for code, _, now, before, change in own}
    relapse_now, relapse_before, _ = got["RELAPSE"]
    maintenance = got["MAINTENANCE"][0]
    headline = "与%d年相比，%s%s，%s，%s。" % (
        year - 1, unit.name, count_change("在册吸毒人员", got["REGISTERED"][2]),
        count_change("戒断三年未复吸人员", got["ABSTINENT_3Y"][2]), rate_change("复吸率", relapse_now, relapse_before))
    keeping = "截至%d年底，%s三年解戒人员平均操守保持率%s（近三年解除 %d 人，已回访 %d 人，保持操守 %d 人）。" % (
        year, unit.name, percent(maintenance.value), got["MAINTENANCE_COHORT"][0].numerator, maintenance.denominator,
        maintenance.numerator)
    return [headline, keeping]


def report_context(unit, year, today_):
    """What the PDF prints; None when no month of the year is over."""
    plan = rollup.plan("year", year, 1, today_)
    if plan is None:
        return None
    own, reporting, _ = rollup.table(unit, plan)
    table = [(label, value_cell(now), value_cell(before), yoy_cell(code, now, change), now)
             for code, label, now, before, change in own]
    return {"unit": unit, "path": rollup.ancestors(unit), "plan": plan, "year": year, "reporting": reporting,
            "lines": lines(unit, year, own), "table": table}


@bp.get("/annual.pdf")
@requires("province.read")
def annual_report():
    """The annual report PDF of a unit and a year; printing is audited."""
    code = request.args.get("unit", "")
    unit = OrgUnit.get_or_none(OrgUnit.code == code) if re.fullmatch(r"[0-9-]{6,9}", code) else None
    year = request.args.get("year", type=int)
    if unit is None or not year or not 2000 <= year <= last_month(today()).year:
        abort(404)
    context = report_context(unit, year, today())
    if context is None:
        abort(404)
    audit.record("province.print", unit, detail={"unit": unit.code, "year": year})
    document = pdf.render_pdf("province/annual_report.html", current_user, **context)
    return pdf.send_pdf(document, "年度报告-%s-%d.pdf" % (unit.name, year))
