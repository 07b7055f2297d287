"""Idempotent saves: every rendered form carries a one-time token (fields.Form.form_token). The first
successful answer to a validated form is kept with its token; the same form posted again (a save
re-sent after a network failure, a double click, the browser's "resend") is answered with that first
answer instead of saving a second record. Done here once for every view, never per view.

A post arriving while the first one with the same token still runs waits for it (one process, many
threads) and then gets its answer. Only answers of validated forms are kept (g.form_token is set by
Form.validate), so a refused form can be corrected and sent again with the same token."""
import json
import logging
import threading
from datetime import timedelta

from flask import flash, g, make_response, request
from flask_login import current_user
from peewee import PeeweeException

from .. import db
from ..dates import utcnow
from ..db import database
from ..models import FormAnswer

LOG = logging.getLogger(__name__)
FIELD = "form_token"
KEEP = timedelta(days=1)
WAIT_SECONDS = 30
KEPT_HEADERS = ("Content-Type", "Location", "HX-Redirect", "HX-Trigger", "HX-Retarget", "HX-Reswap", "HX-Refresh")
REPLAYED = "此表单已保存过，没有重复保存；显示的是第一次保存的结果。"

PURGE_EVERY = timedelta(minutes=10)  # answers older than KEEP are deleted at most this often
_purged = {}  # database -> when this process last deleted its old answers
_running = {}  # token -> Event set when its first post has answered
_lock = threading.Lock()


def init_app(app):
    app.before_request(_replay_or_claim)
    app.after_request(_keep)
    app.teardown_request(_release)


def _token():
    if request.method != "POST" or not current_user.is_authenticated:
        return None
    token = request.form.get(FIELD, "")
    return token if 16 <= len(token) <= 64 else None


def _replay_or_claim():
    token = _token()
    if token is None:
        return None
    while True:
        answer = _answer(token)
        if answer is not None:
            return answer
        with _lock:
            running = _running.get(token)
            if running is None:
                _running[token] = g.form_claim = threading.Event()
                g.form_claim_token = token
                return None  # this post saves; a twin waits for it
        if not running.wait(WAIT_SECONDS):
            return None


def _answer(token):
    """The first answer to this form, if it was saved by this user at this address."""
    row = FormAnswer.get_or_none(FormAnswer.token == token, FormAnswer.user == current_user.id,
                                 FormAnswer.path == request.path)
    if row is None:
        return None
    headers = json.loads(row.headers)
    if not request.headers.get("HX-Request"):
        flash(REPLAYED, "info")
    response = make_response(row.body, row.status)
    for name, value in headers.items():
        response.headers[name] = value
    response.headers["X-Portal-Replayed"] = "1"
    return response


def _keep(response):
    token = g.pop("form_token", None)
    if (token is None or token != g.get("form_claim_token") or response.status_code >= 400
            or response.direct_passthrough or response.is_streamed
            or not (response.mimetype == "text/html" or 300 <= response.status_code < 400)):
        return response  # a file (a PDF, a workbook) is no record: sending it again saves nothing
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    now = utcnow()
    last = _purged.get(database.database)
    purge = last is None or not now - PURGE_EVERY < last <= now
    try:
        with db.unsynced():  # one insert (now and then a purge), not held through a disk sync
            if purge:
                FormAnswer.delete().where(FormAnswer.created_at < now - KEEP).execute()
                _purged[database.database] = now
            FormAnswer.insert(token=token, user=current_user.id, path=request.path, status=response.status_code,
                              headers=json.dumps(headers), body=response.get_data(as_text=True)
                              ).on_conflict_ignore().execute()
    except PeeweeException:  # the save itself is done: a full disk must not turn it into an error
        LOG.warning("the answer to form %s could not be kept", token[:6], exc_info=True)
    return response


def _release(exc):
    claim = g.pop("form_claim", None)
    if claim is not None:
        with _lock:
            _running.pop(g.pop("form_claim_token", None), None)
        claim.set()
