"""How the portal is served on a station PC (scripts/install.py sets it up): waitress on 127.0.0.1
behind the station's reverse proxy (nginx, HTTPS on the PC's LAN address). The client address the
proxy forwards is trusted only from the proxy's own address (`TRUSTED_PROXIES`); `/healthz` tells
the watchdog whether the portal can write; `/certificate` offers the proxy's root certificate to
the other PCs of the station, with Chinese instructions.
"""
import hashlib
import os
import ssl

from flask import Blueprint, abort, current_app, render_template, send_file
from peewee import PeeweeException
from werkzeug.middleware.proxy_fix import ProxyFix

from .db import database
from .models import AuditLog, Setting
from .permissions import public

bp = Blueprint("serving", __name__)


class TrustedProxy:
    """WSGI middleware: take X-Forwarded-For/-Proto from the proxy's own address only; from any other
    address the headers are ignored, so nobody on the PC can forge the address the audit records."""

    def __init__(self, app, trusted):
        self.app = app
        self.trusted = frozenset(trusted or ())
        self.forwarded = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.forwarded(environ, start_response)
        return self.app(environ, start_response)


def writable():
    """Can the portal write (the write lock, a row) and read the audit chain's head? Nothing is kept."""
    try:
        with database.atomic() as transaction:
            Setting.replace(key="health.probe", value="1").execute()
            AuditLog.select(AuditLog.hash).order_by(AuditLog.id.desc()).first()
            transaction.rollback()
    except (PeeweeException, OSError):
        return False
    return True


@bp.get("/healthz")
@public
def healthz():
    """200 when the database is writable and the audit can be written, 503 otherwise; no data."""
    if writable():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return "unavailable\n", 503, {"Content-Type": "text/plain; charset=utf-8"}


def ca_certificate():
    path = current_app.config.get("CA_CERT")
    return path if path and os.path.isfile(path) else None


@bp.get("/certificate")
@public
def certificate():
    """How to trust the station's own certificate authority, in each browser the stations use, with
    the fingerprint to compare (the install printed the same)."""
    path = ca_certificate()
    fingerprint = None
    if path:
        with open(path, encoding="ascii") as pem:
            digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.read())).hexdigest().upper()
        fingerprint = ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
    return render_template("serving/certificate.html", available=path is not None, fingerprint=fingerprint)


@bp.get("/certificate/station-ca.crt")
@public
def certificate_file():
    path = ca_certificate() or abort(404)
    return send_file(path, mimetype="application/x-x509-ca-cert", as_attachment=True,
                     download_name="station-ca.crt")
