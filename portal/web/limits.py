"""Rate limits (SECURITY.md W7, issue 17 item 7) with Flask-Limiter, in memory (one process): sign-ins
per address and per account, and per user the heavy answers: PDFs, batch prints and exports. A burst
answers 429 with the Chinese error page (htmx shows it in the failure banner, static/failures.js).
The limits are settings (RATELIMIT_*); RATELIMIT_ENABLED = False turns them all off."""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

PDF_ENDPOINTS = ("summaries.summary", "documents.agreement", "documents.notice", "documents.education",
                 "documents.incident", "training.sheet", "dashboard.report",
                 "province.annual_report",
                 "lists.printout", "dashboard.drill_print")  # and the print views of whole lists


def by_user():
    """The signed-in account (every computer it uses shares the limit), else the address."""
    if current_user.is_authenticated:
        return "user:%d" % current_user.id
    return "address:" + (get_remote_address() or "")


def by_account():
    """The account a sign-in is for, as typed (an unknown name is limited like a real one)."""
    return "account:" + request.form.get("username", "").strip().lower()[:64]


def setting(name):
    return lambda: current_app.config[name]


LIMITS = [  # endpoints, setting, key, methods, shared scope
    (("auth.login",), "RATELIMIT_LOGIN_PER_ADDRESS", get_remote_address, ["POST"], "login-address"),
    (("auth.login",), "RATELIMIT_LOGIN_PER_ACCOUNT", by_account, ["POST"], "login-account"),
    (PDF_ENDPOINTS, "RATELIMIT_PDF", by_user, None, "pdf"),
    (("printing.index",), "RATELIMIT_BATCH_PRINT", by_user, ["POST"], "batch-print"),
    (("exports.export", "dashboard.drill_export"), "RATELIMIT_EXPORT", by_user, ["POST"], "export"),
]


def init_app(app):
    """After the blueprints: wrap each limited view the instance has (a shared limit: one budget for all
    of its endpoints; a province has no PDFs, batch prints or exports of a station). Each app has its
    own limiter and counters."""
    limiter = Limiter(key_func=by_user, app=app, storage_uri="memory://", strategy="moving-window")
    app.extensions["portal.limiter"] = limiter  # Flask-Limiter itself keeps only a weak reference
    for endpoints, name, key, methods, scope in LIMITS:
        decorate = limiter.shared_limit(setting(name), scope, key_func=key, methods=methods)
        for endpoint in endpoints:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = decorate(app.view_functions[endpoint])
