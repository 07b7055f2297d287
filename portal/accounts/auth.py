"""Sign-in, sign-out, password change, and the login machinery of the app."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user

from .. import audit
from ..dates import utcnow
from ..db import database
from ..models import User
from ..permissions import can, public, requires
from ..web.responses import htmx_redirect
from . import passwords, sessions
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
LOGIN_FAILED = "用户名或密码错误，或账户已被锁定。连续 %d 次错误将锁定 %d 分钟。"
PASSWORD_GATE_EXEMPT = {"auth.change_password", "auth.logout", "static"}
USERNAME = re.compile(r"[a-z][a-z0-9_.-]{2,31}")  # a failed login records only names of this shape


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session table does this job; Flask-Login's
    # "basic" mode would rewrite the cookie on every request
    login_manager.request_loader(lambda request: sessions.load_user())
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_password_gate)


def _unauthorized():
    target = url_for("auth.login", next=return_path())
    flash("登录已超时，请重新登录。" if session.get("sid") else "请先登录。", "info")
    return htmx_redirect(target, status=401)


def _password_gate():
    """A must-change or expired password sends the user to the change page from every route."""
    if not current_user.is_authenticated or request.endpoint in PASSWORD_GATE_EXEMPT:
        return None
    if current_user.must_change_password or passwords.is_expired(current_user, utcnow()):
        return htmx_redirect(url_for("auth.change_password"))
    return None


def return_path():
    """Where to return after signing in: every GET URL serves a full page; after a POST,
    the page the HTMX request came from (a POST-only URL would answer 405)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return current.path + ("?" + current.query if current.query else "") or None


def landing(user):
    """Where a user lands after signing in: her queue when her role has one (今日待办, or the counsellor's
    sessions due), else the start page."""
    if can(user, "queue.read"):
        return url_for("queue.index")
    if can(user, "counselling.caseload"):
        return url_for("caseload.index")
    return url_for("home.index")


def safe_next(target, user):
    """The page asked for before signing in, when it is a local path other than the start page (W6);
    otherwise the landing page of `user`."""
    if not target or target == url_for("home.index"):
        return landing(user)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return landing(user)
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in; the same message for unknown users, wrong passwords and locked accounts."""
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data.strip(), form.password.data)
        if user is not None:
            sessions.start(user)
            return redirect(safe_next(request.args.get("next"), user))
        cfg = current_app.config
        flash(LOGIN_FAILED % (cfg["LOCKOUT_THRESHOLD"], cfg["LOCKOUT_MINUTES"]), "error")
    return render_template("auth/login.html", form=form)


def authenticate(username, password):
    """Return the user when the password is right and the account usable; record failures.

    Every path costs one argon2 verification, done outside the write transaction so that
    failed logins never hold the database lock.
    """
    cfg = current_app.config
    user = User.get_or_none(User.username == username)
    correct = passwords.verify(user.password_hash, password) if user else passwords.dummy_verify(password)
    now = utcnow()
    with database.atomic():
        if user is None:
            shown = username if USERNAME.fullmatch(username) else "（无效用户名）"
            audit.record("login_failed", outcome="failed", detail={"username": shown})
            return None
        user = User.get_by_id(user.id)  # re-read inside the transaction: counters are shared
        if user.locked_until and user.locked_until > now:
            audit.record("login_locked", user, user=user, outcome="denied")
            return None
        if not correct or not user.is_active:
            locked = count_failure(user, now)
            audit.record("login_failed", user, user=user, outcome="failed", detail={"locked": True} if locked else None)
            return None
        rehash = passwords.needs_rehash(user.password_hash)
        User.update(failed_logins=0, locked_until=None,
                    password_hash=passwords.hash_password(password) if rehash else user.password_hash
                    ).where(User.id == user.id).execute()
        return user


def count_failure(user, now):
    """One more wrong password for user (sign-in or the current password on the change form): the
    shared counter locks the account at LOCKOUT_THRESHOLD (A4). Inside the caller's transaction,
    which writes the audit row; returns whether this failure locked it."""
    cfg = current_app.config
    failures = user.failed_logins + 1
    locked = failures >= cfg["LOCKOUT_THRESHOLD"]
    User.update(failed_logins=0 if locked else failures,
                locked_until=now + timedelta(minutes=cfg["LOCKOUT_MINUTES"]) if locked else None
                ).where(User.id == user.id).execute()
    return locked


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """End the server session; a replayed cookie opens nothing afterwards."""
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account")
def change_password():
    """Change one's own password; every other session of the user ends."""
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        with database.atomic():
            user = User.get_by_id(current_user.id)
            user.password_hash = passwords.hash_password(form.new.data)
            user.password_changed_at = utcnow()
            user.must_change_password = False
            user.failed_logins = 0
            user.save()
            sessions.revoke_all(user, "password_changed")
            audit.record("password_changed", user)
            sessions.start(user)
        flash("密码已修改。", "success")
        return redirect(landing(current_user))
    if form.wrong_current:
        with database.atomic():
            user = User.get_by_id(current_user.id)  # re-read inside the transaction: counters are shared
            locked = count_failure(user, utcnow())
            audit.record("password_change_failed", user, user=user, outcome="failed",
                         detail={"locked": True} if locked else None)
            if locked:
                sessions.revoke_all(user, "locked")
        if locked:
            session.clear()
            cfg = current_app.config
            flash("当前密码连续输错 %d 次，账户已锁定 %d 分钟。" % (cfg["LOCKOUT_THRESHOLD"], cfg["LOCKOUT_MINUTES"]),
                  "error")
            return redirect(url_for("auth.login"))
    return render_template("auth/change_password.html", form=form)

