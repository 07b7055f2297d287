"""The lead's page of monthly packages (报送包): build one for a month that is over, the packages made
before, a preview of every number in one, and its download."""
import io
import json
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from .. import audit
from ..dates import add_months, today
from ..permissions import requires
from ..reports.indicators import SPECS
from . import archive, package, signing
from .forms import MonthForm

bp = Blueprint("packages", __name__, url_prefix="/packages")
LABELS = {code: SPECS[key] for key, code in package.CODES.items()}


def month_choices():
    """The 36 months before this one, newest first: ("2026-10", "2026年10月")."""
    first = package.last_month(today())
    months = [add_months(first, -n) for n in range(36)]
    return [("%04d-%02d" % (m.year, m.month), "%d年%d月" % (m.year, m.month)) for m in months]


def render_index(form, status=200):
    key = signing.load_key()
    form.month.choices = month_choices()
    return render_template("packages/index.html", form=form, station=package.station_code(),
                           fingerprint=signing.fingerprint(key) if key else None,
                           packages=archive.stored()), status


@bp.get("/")
@requires("exchange.package")
def index():
    """Choose a month, the packages made before, the station's code and key."""
    return render_index(MonthForm(formdata=None, month=month_choices()[0][0]))


@bp.post("/")
@requires("exchange.package")
def build():
    """Build, sign and keep the month's package (audited), then show what is in it."""
    form = MonthForm()
    form.month.choices = month_choices()
    if not form.validate():
        return render_index(form, 422)
    try:
        first = package.parse_month(form.month.data, today())
        name, _, digest = archive.make(first, current_user)
    except package.NotReady as exc:
        form.month.errors = [str(exc)]
        return render_index(form, 422)
    flash("报送包已生成并签名（SHA-256 %s…）。请核对下列数字后下载，报送省局。" % digest[:16], "success")
    return redirect(url_for("packages.show", name=name))


def kept(name):
    return archive.read(name) or abort(404)


@bp.get("/<name>")
@requires("exchange.package")
def show(name):
    """Every number of a kept package in Chinese, after checking its signature with the station's key."""
    data = kept(name)
    key = signing.load_key()
    try:
        payload = signing.verify(data, signing.public_bytes(key) if key else None)
    except signing.PackageError as exc:
        return render_template("packages/show.html", name=name, problem=str(exc), payload=None), 200
    built = datetime.strptime(payload["generatedAt"], "%Y-%m-%dT%H:%M:%SZ")
    return render_template("packages/show.html", name=name, problem=None, payload=payload, built=built,
                           version=signing.FORMATS.index(payload["format"]) + 1,
                           elements=preview(payload), periods=shown_periods(payload), size=len(data),
                           fingerprint=signing.fingerprint(key) if key else None)


@bp.get("/<name>/download")
@requires("exchange.package")
def download(name):
    """The kept file, byte for byte, as 报送包-<station code>-<month>.json; audited."""
    data = kept(name)
    payload = json.loads(data)["payload"]
    audit.record("package.download", object_type="package", detail={"month": payload["month"], "file": name})
    return send_file(io.BytesIO(data), mimetype="application/json", as_attachment=True,
                     download_name=archive.download_name(payload["station"], payload["month"]))


# the page shows training hours as hours (the package carries tenths: docs/package.md)
SHOWN = {"TRAINING_HOURS": "专干培训计入学时"}


def cell_label(breakdown):
    if not breakdown:
        return "合计"
    (dimension, code), = breakdown.items()
    return package.BREAKDOWNS[dimension][code]


def shown_periods(payload):
    """{name: label} of the periods a package carries (format 1 has no quarter to date)."""
    return {name: label for name, label in package.PERIODS.items() if name in payload["periods"]}


def preview(payload):
    """[(code, label, definition, is rate, rows)] with rows [(cell label, [(num, den) per period])]."""
    values = {}
    for v in payload["values"]:
        row = values.setdefault(v["dataElement"], {}).setdefault(cell_label(v["breakdown"]), {})
        row[v["period"]] = (v["numerator"], v["denominator"])
    periods = [payload["periods"][name] for name in shown_periods(payload)]
    out = []
    for code, kind in payload["dataElements"].items():
        spec = LABELS.get(code)
        label, definition = (spec.label, spec.definition) if spec else (SHOWN.get(code, package.EXTRAS[code][0]), "")
        rows = [(cell, [cells.get(p) for p in periods]) for cell, cells in values.get(code, {}).items()]
        out.append((code, label, definition, kind, rows))
    order = list(package.CODES.values()) + list(package.EXTRAS)
    return sorted(out, key=lambda e: order.index(e[0]) if e[0] in order else len(order))
