"""How the portal is served on a station PC (scripts/install.py sets it up): waitress on 127.0.0.1
behind the station's reverse proxy (nginx, HTTPS on the PC's LAN address). The client address the
proxy forwards is trusted only from the proxy's own address (`TRUSTED_PROXIES`); `/healthz` tells
the watchdog whether the portal can write and audit (a committed heartbeat and room to grow); `/certificate` offers the proxy's root certificate to
the other PCs of the station, with Chinese instructions.
"""
import hashlib
import os
import sqlite3
import ssl

from flask import Blueprint, abort, current_app, render_template, send_file
from peewee import PeeweeException
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import audit
from ..db import database, is_postgres
from ..models import Heartbeat
from ..permissions import public

HEADROOM_PAGES = 64  # pages SQLite must still be allowed to add (max_page_count): a save takes a few

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
    """Can the portal save and audit right now? A real write, committed, then room for the next ones.

    A GET that writes, on purpose: the accepted pattern for a liveness probe is to rewrite one fixed
    row (Heartbeat: never a second row, so the database does not grow) and commit it, because only a
    COMMIT shows a read-only file, a lock held past the busy timeout, a disk that cannot take the
    WAL or PostgreSQL refusing writes. No user's data changes and no audit row is added per probe:
    the audit is checked for what `audit.record` needs (the writers' turn, the head, the key).
    A write that fits an existing page commits even when the database may not grow, so it must
    also have room: pages left under SQLite's `max_page_count` and free space on the disk of the
    instance folder (the database, its WAL, the audit anchors, uploads, backups)."""
    try:
        with database.atomic():
            Heartbeat.beat()
            audit.ready()
        return room()
    except (PeeweeException, sqlite3.Error, OSError, audit.AuditUnavailable):
        return False


def room():
    """Can the database grow: HEADROOM_PAGES left under max_page_count (SQLite), HEALTH_MIN_FREE_BYTES free
    for the portal's account on the disk of the database's folder (both kinds: the province's instance/)."""
    if not is_postgres():
        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
        limit = database.execute_sql("PRAGMA max_page_count").fetchone()[0]
        if limit - pages < HEADROOM_PAGES:
            return False
    disk = os.statvfs(os.path.dirname(os.path.abspath(current_app.config["DATABASE"])))
    return disk.f_bavail * disk.f_frsize >= current_app.config["HEALTH_MIN_FREE_BYTES"]


@bp.get("/healthz")
@public
def healthz():
    """200 when the database is writable and the audit can be written, 503 otherwise; no data."""
    if writable():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return "unavailable\n", 503, {"Content-Type": "text/plain; charset=utf-8"}


# the certificate page's words: a station's PCs ask their lead, the bureau's ask the province's administrator
WORDS = {"station": {"here": "本站", "platform": "本站平台", "who": "站长", "file": "station-ca.crt"},
         "province": {"here": "本平台", "platform": "本平台", "who": "省局系统管理员", "file": "province-ca.crt"}}


def words():
    return WORDS["province" if current_app.config["INSTANCE"] == "province" else "station"]


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
    return render_template("serving/certificate.html", available=path is not None, fingerprint=fingerprint,
                           words=words())


@bp.get("/certificate/station-ca.crt")
@public
def certificate_file():
    path = ca_certificate() or abort(404)
    return send_file(path, mimetype="application/x-x509-ca-cert", as_attachment=True,
                     download_name=words()["file"])
