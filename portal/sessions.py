"""Server-side sessions: logout, timeouts, password change and disabling end them for real."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session

from .clock import utcnow
from .models import User, UserSession

TOUCH_EVERY = timedelta(seconds=60)


def _hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(user):
    """Open a new server session for user; the cookie gets a fresh random id (S2)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    UserSession.create(token_hash=_hash(token), user=user, ip=request.remote_addr)
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
            UserSession.update(last_seen=now).where(UserSession.id == row.id).execute()
        return row
    revoke(UserSession.id == row.id, reason)
    return None


def load_user():
    """Flask-Login request loader: the user of the live session, if any."""
    row = current()
    return row.user if row else None


def end():
    """Revoke this request's session and clear the cookie."""
    token = session.get("sid")
    if token:
        revoke(UserSession.token_hash == _hash(token), "logout")
    session.clear()


def revoke(where, reason):
    return (UserSession.update(revoked_at=utcnow(), revoked_reason=reason)
            .where(where, UserSession.revoked_at.is_null()).execute())


def revoke_all(user, reason):
    """End every session of user (password change, disabling, reset)."""
    return revoke(UserSession.user == user, reason)
