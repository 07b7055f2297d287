"""The station portal: create_app() builds the Flask application.

Each area of the station's work is a package (accounts, audit, persons, cases, records, tracking,
care, training, reports, ledgers, backup, exchange, demo); a province instance (INSTANCE = "province",
on PostgreSQL) serves the core and `province` only; the modules at this level are what every area
shares. Conventions, the same in every package:
- a module that makes a blueprint is named after it (the package's main one lives in views.py);
- forms.py holds the area's forms; any other module is a rule, named after the rule;
- queries live on the model they return (portal/models/); templates in templates/<blueprint>/;
  tests in tests/<area>/test_<module>.py.
"""
import os

from flask import Flask
from flask_wtf import CSRFProtect

from . import cli, config, db, home, jinja, permissions, province, settings
from .web import limits, once, owner_only, security, serving
from .accounts import auth, users
from .audit import chain as audit_chain
from .audit import views as audit_views
from .care import assistance, caseload, counselling
from .cases import measures
from .cases import views as cases
from .exchange import views as packages
from .ledgers import exports, imports, printouts
from .persons import attachments, family, merges, sealing
from .persons import views as persons
from .records import removed, risks, talks, timeline, visits
from .reports import dashboard, printing, queue, summaries
from .tracking import absences, choices, documents, findings, screenings
from .tracking import views as tracking
from .training import events
from .training import views as training

csrf = CSRFProtect()
# both kinds of instance: accounts, sessions, the audit trail, health and the certificate page
CORE = (auth.bp, users.bp, home.bp, audit_views.bp, serving.bp)
BLUEPRINTS = CORE + (
    settings.bp,
    persons.bp, family.bp, merges.bp, attachments.bp, sealing.bp, cases.bp, measures.bp,
    timeline.bp, talks.bp, visits.bp, risks.bp, removed.bp,
    tracking.bp, screenings.bp, choices.bp, absences.bp, findings.bp, documents.bp,
    counselling.bp, caseload.bp, assistance.bp, training.bp, events.bp,
    queue.bp, dashboard.bp, summaries.bp, printing.bp,
    exports.bp, imports.bp, printouts.bp, packages.bp,
)


def create_app(test_config=None):
    """Application factory: config, database, login, CSRF, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config.Defaults)
    if test_config is None:
        chosen = os.environ.get("PORTAL_CONFIG")  # another instance's config (the demo province's)
        app.config.from_pyfile(chosen or "config.py", silent=not chosen)
        app.config.from_prefixed_env("PORTAL")  # e.g. PORTAL_DATABASE, PORTAL_SECRET_KEY
    else:
        app.config.from_mapping(test_config)
    app.config["DATABASE"] = app.config["DATABASE"] or os.path.join(app.instance_path, "portal.sqlite3")
    # batch prints wait here until downloaded once (beside the database, never under static/)
    app.config["PRINT_DIR"] = app.config.get("PRINT_DIR") or os.path.join(
        os.path.dirname(app.config["DATABASE"]), "print-jobs")
    if app.config["INSTANCE"] == "province":
        config.province_defaults(app)
    # the audit key lives beside config.py, never in the database or its backups (AU4)
    app.config["AUDIT_KEY_FILE"] = app.config.get("AUDIT_KEY_FILE") or os.path.join(app.instance_path, "audit.key")
    app.config["AUDIT_ANCHOR_FILE"] = app.config.get("AUDIT_ANCHOR_FILE") or os.path.join(
        os.path.dirname(app.config["DATABASE"]), "audit-anchors.log")
    audit_chain.init_app(app)
    config.check_secret(app)
    owner_only.init_app(app)  # umask 077 before any file is made
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    csrf.init_app(app)
    app.before_request(permissions.check_request)  # deny by default, before any view reads data
    auth.init_app(app)
    security.init_app(app)
    once.init_app(app)
    for blueprint in (CORE + province.BLUEPRINTS if app.config["INSTANCE"] == "province" else BLUEPRINTS):
        app.register_blueprint(blueprint)
    limits.init_app(app)
    jinja.init_app(app)
    cli.register(app)
    app.wsgi_app = serving.TrustedProxy(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    return app
