"""The station dashboard: indicators for a chosen period with last year's beside them, SVG charts
drawn on the server, the drill-down behind every number, the definitions, and the report PDF."""
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user

from .. import audit, pdf

from ..web import listing
from ..dates import add_months, parse_day, today
from ..ledgers import exports, printouts
from ..permissions import can, requires
from ..web.responses import htmx, region
from . import drills, indicators

bp = Blueprint("dashboard", __name__, url_prefix="/indicators")
KINDS = {"month": "月报", "quarter": "季报", "year": "年报", "custom": "报表"}
CARDS = ("registered", "yoy", "relapse", "maintenance", "abstinent3", "reported", "executed", "serious")
VOLUME = ("talks", "visits", "screenings", "positives", "counselling", "assistance", "assistance_closed", "events",
          "training")


def chosen_period(args):
    """The period in the query string (month, quarter, year or a custom range), the current year by default.

    The month and the quarter have their own controls (`month`, `quarter`); links carry `number`. A mode
    without its own value, or a value still to come this year, opens on the current month or quarter."""
    day = today()
    kind = args.get("kind") if args.get("kind") in KINDS else "year"
    if kind == "custom":  # any range up to today: 2026-03-01 … 2026-08-31
        start = parse_day(args.get("start")) or day.replace(month=1, day=1)
        end = min(parse_day(args.get("end")) or day, day)
        if start > end or start.year < 2000:
            abort(404)
        return kind, start.year, 1, indicators.Period(start, end, "%s 至 %s" % (start, end))
    year = args.get("year", type=int) or day.year
    year = min(max(year, 2000), day.year)
    current = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 1}[kind]
    limit = current if year == day.year else {"month": 12, "quarter": 4, "year": 1}[kind]
    number = args.get(kind, type=int) or args.get("number", type=int) or current
    number = number if 1 <= number <= limit else current
    return kind, year, number, indicators.period_of(kind, year, number, day)


@dataclass
class Chart:
    """A bar chart as SVG geometry: one or two series over the same labels."""
    title: str
    labels: list
    series: list  # [(name, css class, values)]
    width: int = 640
    height: int = 220

    @property
    def peak(self):
        return max([v for _, _, values in self.series for v in values] + [1])

    def bars(self):
        """(x, y, width, height, value, css class) of each bar, left to right."""
        slot = (self.width - 40) / max(len(self.labels), 1)
        inner = slot * 0.7 / len(self.series)
        scale = (self.height - 50) / self.peak
        out = []
        for i in range(len(self.labels)):
            for j, (_, css, values) in enumerate(self.series):
                h = values[i] * scale
                out.append((round(30 + i * slot + slot * 0.15 + j * inner, 1), round(self.height - 25 - h, 1),
                            round(inner, 1), round(h, 1), values[i], css))
        return out

    def label_x(self, i):
        slot = (self.width - 40) / max(len(self.labels), 1)
        return round(30 + i * slot + slot / 2, 1)


def month_ends(period):
    """The last day of each of the 12 months up to the period's end (the last one: its end)."""
    first = add_months(period.end.replace(day=1), -11)
    return [min(add_months(first, i + 1) - timedelta(days=1), period.end) for i in range(12)]


def charts(user, period):
    ends = month_ends(period)
    labels = ["%d月" % d.month for d in ends]
    registered = [indicators.registered_cases(user, d).count() for d in ends]
    monthly = indicators.monthly_screenings(user, ends[0].replace(day=1), ends[-1])
    tests = [monthly.get(d.strftime("%Y-%m"), (0, 0))[0] for d in ends]
    positives = [monthly.get(d.strftime("%Y-%m"), (0, 0))[1] for d in ends]
    return [Chart("近 12 个月在册人数（月末）", labels, [("在册人数", "bar-main", registered)]),
            Chart("近 12 个月检测次数与阳性", labels, [("检测", "bar-main", tests), ("阳性", "bar-alert", positives)])]


def context(period):
    current = indicators.compute(current_user, period)
    before = indicators.compute(current_user, period.last_year())
    changes = {key: indicators.change(current[key], before[key]) for key in current}
    return {"period": period, "now": current, "before": before, "changes": changes, "cards": CARDS,
            "volume": VOLUME, "charts": charts(current_user, period)}


@bp.get("/")
@requires("indicators.read")
def index():
    """The dashboard; changing the period swaps the indicators in place (HTMX)."""
    kind, year, number, period = chosen_period(request.args)
    audit.record("indicators.view", object_type="indicator",
                 detail={"period": period.label, "start": period.start, "end": period.end})
    args = {"kind": kind, "year": year, "number": number}
    if kind == "custom":
        args = {"kind": kind, "start": period.start.isoformat(), "end": period.end.isoformat()}
    day = today()
    latest = {"month": day.month, "quarter": (day.month - 1) // 3 + 1} if (kind == "custom" or year == day.year) \
        else {"month": 12, "quarter": 4}
    data = dict(context(period), args=args, kinds=KINDS, years=range(day.year, day.year - 6, -1), latest=latest,
                today=day)
    response = make_response(region("dashboard/index.html", "dashboard/_indicators.html", **data))
    if htmx():  # the address bar shows the period the way every link names it (kind, year, number)
        response.headers["HX-Push-Url"] = url_for("dashboard.index", **args)
    return response


def drill_list(key, part):
    """The indicator's spec, its period and the query of the ids behind one of its numbers (404 for none)."""
    if key not in indicators.SPECS or part not in ("numerator", "denominator"):
        abort(404)
    if key == "counselling" and not can(current_user, "counselling.read"):
        abort(403)  # who had counselling, and when, is not an officer's to read
    kind, year, number, period = chosen_period(request.args)
    numerator, denominator = indicators.queries(current_user, period, key)
    query = numerator if part == "numerator" else denominator
    what = indicators.SPECS[key].lists or ("case" if key == "yoy" else None)
    if query is None or what is None:
        abort(404)  # a rate of the station's own activity (training) has no list of persons behind it
    spec = indicators.SPECS[key]
    label = spec.numerator if part == "numerator" else spec.denominator
    # the filters in words for the export and the print view, and for their audit rows
    words = {"indicator": spec.label, "part": label, "period": period.label}
    return spec, label, period, what, query, words


def period_args():
    """The period as the dashboard's links carry it, without the drill-down's own sort."""
    return {k: v for k, v in request.args.items() if k not in ("sort", "dir", "per", "page")}


def drill_view(key, part, what, printing=False):
    return listing.View("dashboard.drill", period_args(), drills.sorting(what), request.args, printing=printing,
                        key=key, part=part)


@bp.get("/<key>/<part>")
@requires("indicators.read")
def drill(key, part):
    """The exact persons or records behind a number (its length equals the number), sortable."""
    spec, label, period, what, query, words = drill_list(key, part)
    rows = list(drills.rows(what, query, request.args))
    audit.record("indicators.drill", object_type="indicator",
                 detail={"indicator": key, "part": part, "period": period.label, "shown": len(rows)})
    view = drill_view(key, part, what)
    return render_template("dashboard/drill.html", rows=rows, what=what, period=period, key=key, spec=spec,
                           label=label, view=view, args=period_args(), unit=drills.unit(what),
                           detail=drills.detail, name=drills.name, header=drills.HEADERS[what])


@bp.route("/<key>/<part>/export", methods=["GET", "POST"])
@requires("lists.export")
def drill_export(key, part):
    """The drill-down as an Excel ledger, by the rules of every export (reason, masking, minors, audit)."""
    spec, label, period, what, query, words = drill_list(key, part)
    export = drills.export_spec(what, "%s明细（%s）" % (spec.label, label))
    return exports.answer(export, "drill", words, drills.rows(what, query, request.args),
                          back=drill_view(key, part, what).url())


@bp.get("/<key>/<part>/print")
@requires("indicators.read")
def drill_print(key, part):
    """The print view of a drill-down, audited like every printed list."""
    spec, label, period, what, query, words = drill_list(key, part)
    view = drill_view(key, part, what, printing=True)
    return printouts.render("drill", "%s · %s" % (spec.label, label), "dashboard/_drill_table.html",
                            drills.rows(what, query, request.args), filters_words=exports.filter_text(words),
                            sort_words=drills.sorting(what).words(request.args), audit_filters=words,
                            person_of=drills.person_of, back=view.url(), view=view, what=what, unit=drills.unit(what),
                            detail=drills.detail, name=drills.name, header=drills.HEADERS[what])


@bp.get("/help")
@requires("indicators.read")
def help():
    """How each indicator is counted, in the words a lead uses to explain it."""
    return render_template("dashboard/help.html", specs=indicators.SPECS)


@bp.get("/report.pdf")
@requires("indicators.read")
def report():
    """The station report (月报/季报/年报) as a PDF: indicators with their definitions, numerators and
    denominators, last year's values, the charts and the work volume; printing is audited."""
    kind, year, number, period = chosen_period(request.args)
    audit.record("indicators.print", object_type="indicator",
                 detail={"period": period.label, "kind": kind})
    document = pdf.render_pdf("dashboard/report.html", current_user, title=KINDS[kind], **context(period))
    return pdf.send_pdf(document, "工作站%s-%s.pdf" % (KINDS[kind], period.label))
