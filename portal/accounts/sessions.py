"""Server-side sessions: logout, timeouts, password change and disabling end them for real."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session
from peewee import PeeweeException

from .. import audit
from ..dates import utcnow
from ..db import database
from ..models import User, UserSession

TOUCH_EVERY = timedelta(seconds=60)


def _hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(user):
    """Open a new server session for user, audited in the same transaction; the cookie gets
    a fresh random id only once both are stored (S2). A session already in this browser ends."""
    token = secrets.token_urlsafe(32)
    with database.atomic():
        end_current("replaced")
        UserSession.create(token_hash=_hash(token), user=user, ip=request.remote_addr)
        audit.record("login", user, user=user)
    session.clear()
    session["sid"] = token
    session.permanent = False


def current():
    """The live UserSession of this request, or None (expired sessions are revoked here)."""
    token = session.get("sid")
    if not token:
        return None
    row = (UserSession.select(UserSession, User).join(User)
           .where(UserSession.token_hash == _hash(token), UserSession.revoked_at.is_null())
           .first())
    if row is None:
        return None
    now = utcnow()
    cfg = current_app.config
    if not row.user.is_active:
        reason = "disabled"
    elif now - row.last_seen > timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        reason = "idle"
    elif now - row.created_at > timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]):
        reason = "absolute"
    else:
        if now - row.last_seen > TOUCH_EVERY:
            try:
                UserSession.update(last_seen=now).where(UserSession.id == row.id).execute()
            except PeeweeException:
                pass  # a full or read-only database: pages stay readable, the idle clock waits
        return row
    with database.atomic():
        revoke(UserSession.id == row.id, reason)
        audit.record("session_expired", row.user, user=row.user, detail={"reason": reason})
    return None


def load_user():
    """Flask-Login request loader: the user of the live session, if any."""
    row = current()
    return row.user if row else None


def end(user):
    """Sign out: the session is revoked first, so it ends even when the audit row then fails."""
    try:
        end_current("logout")
        audit.record("logout", user, user=user)
    finally:
        session.clear()


def end_current(reason):
    token = session.get("sid")
    if token:
        revoke(UserSession.token_hash == _hash(token), reason)


def revoke(where, reason):
    return (UserSession.update(revoked_at=utcnow(), revoked_reason=reason)
            .where(where, UserSession.revoked_at.is_null()).execute())


def revoke_all(user, reason):
    """End every session of user (password change, disabling, reset)."""
    return revoke(UserSession.user == user, reason)
