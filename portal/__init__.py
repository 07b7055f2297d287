"""The station portal: create_app() builds the Flask application."""
import os

from flask import Flask
from flask_wtf import CSRFProtect

from .tracking import absences, screenings, views as tracking
from .care import assistance, counselling
from .persons import attachments, family, merges, views as persons
from .audit import views as audit_views
from .accounts import auth, users
from .cases import views as cases
from . import cli, config, db, jinja, home, permissions, security, settings
from .reports import dashboard, printing, queue, summaries
from .training import events, views as training
from .ledgers import exports, imports
from .records import risks, talks, timeline, visits

csrf = CSRFProtect()


def create_app(test_config=None):
    """Application factory: config, database, login, CSRF, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PORTAL")  # e.g. PORTAL_DATABASE, PORTAL_SECRET_KEY
    else:
        app.config.from_mapping(test_config)
    app.config["DATABASE"] = app.config["DATABASE"] or os.path.join(app.instance_path, "portal.sqlite3")
    # batch prints wait here until downloaded once (beside the database, never under static/)
    app.config["PRINT_DIR"] = app.config.get("PRINT_DIR") or os.path.join(
        os.path.dirname(app.config["DATABASE"]), "print-jobs")
    config.check_secret(app)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    csrf.init_app(app)
    app.before_request(permissions.check_request)  # deny by default, before any view reads data
    auth.init_app(app)
    security.init_app(app)
    for blueprint in (home.bp, queue.bp, persons.bp, cases.bp, family.bp, talks.bp, visits.bp, risks.bp,
                      screenings.bp, absences.bp, tracking.bp, attachments.bp, summaries.bp, printing.bp, dashboard.bp, counselling.bp, assistance.bp, training.bp, events.bp, exports.bp, imports.bp, merges.bp, timeline.bp, users.bp,
                      settings.bp, audit_views.bp):
        app.register_blueprint(blueprint)
    jinja.init_app(app)
    cli.register(app)
    return app

