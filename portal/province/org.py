"""The org tree (省 → 市（州） → 县（市、区） → 工作站) and the stations' registered keys: the admin adds a
station under a county with its code, name and Ed25519 public key (shown with its fingerprint)."""
import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Blueprint, abort, flash, redirect, render_template, url_for

from .. import audit
from ..dates import utcnow
from ..db import database
from ..exchange.signing import fingerprint
from ..models import OrgUnit
from ..permissions import requires
from .forms import KeyForm, StationForm, raw_key

bp = Blueprint("org", __name__, url_prefix="/org")


def key_fingerprint(text):
    raw = base64.b64decode(text) if text else None
    return fingerprint(Ed25519PublicKey.from_public_bytes(raw)) if raw else None


def render_tree(status=200, **context):
    root, children = OrgUnit.tree()
    return render_template("org/index.html", root=root, children=children, fingerprint=key_fingerprint,
                           **context), status


@bp.get("/")
@requires("province.manage")
def index():
    """The whole tree with every station's code, name and key fingerprint."""
    return render_tree()


def county_or_404(county_id):
    return OrgUnit.get_or_none(OrgUnit.id == county_id, OrgUnit.level == "county") or abort(404)


def add_station(county, code, name, key):
    """A station under a county with its registered public key (base64); audited with its fingerprint."""
    with database.atomic():
        station = OrgUnit.create(code=code, name=name, level="station", parent=county, public_key=key)
        audit.record("org.station_add", station, detail={"code": station.code, "name": station.name,
                                                         "fingerprint": key_fingerprint(key)})
    return station


def register_key(station, key):
    """A station's new public key (base64) replaces the old one; both fingerprints stay in the audit."""
    with database.atomic():
        OrgUnit.update(public_key=key, updated_at=utcnow()).where(OrgUnit.id == station.id).execute()
        audit.record("org.key_register", station, detail={
            "code": station.code, "old": key_fingerprint(station.public_key), "new": key_fingerprint(key)})


@bp.route("/counties/<int:county_id>/stations", methods=["GET", "POST"])
@requires("province.manage")
def new_station(county_id):
    """Add a station under a county with its registered public key."""
    county = county_or_404(county_id)
    form = StationForm(county=county)
    if form.validate_on_submit():
        key = base64.b64encode(raw_key(form.public_key.data)).decode("ascii")
        station = add_station(county, form.code.data, form.name.data.strip(), key)
        flash("已添加工作站 %s %s，公钥指纹 %s。" % (station.code, station.name, key_fingerprint(key)), "success")
        return redirect(url_for("org.index", _anchor="u%d" % county.id))
    return render_template("org/station_form.html", form=form, county=county), 422 if form.errors else 200


@bp.route("/stations/<int:station_id>/key", methods=["GET", "POST"])
@requires("province.manage")
def key(station_id):
    """Register a station's new key (a new machine or a lost key); the old fingerprint stays in the audit."""
    station = OrgUnit.get_or_none(OrgUnit.id == station_id, OrgUnit.level == "station") or abort(404)
    form = KeyForm()
    if form.validate_on_submit():
        new = base64.b64encode(raw_key(form.public_key.data)).decode("ascii")
        register_key(station, new)
        flash("已为 %s 登记新公钥，指纹 %s。" % (station.name, key_fingerprint(new)), "success")
        return redirect(url_for("org.index", _anchor="u%d" % station.parent_id))
    return render_template("org/key_form.html", form=form, station=station,
                           current=key_fingerprint(station.public_key)), 422 if form.errors else 200
