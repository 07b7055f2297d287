"""Account management by the station lead: create, edit role, disable, reset password."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from peewee import IntegrityError

from .. import audit
from ..dates import utcnow
from ..db import database
from ..models import User
from ..permissions import requires, role_can
from . import passwords, sessions
from .forms import UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@requires("users.manage")
def index():
    """All accounts of the station."""
    return render_template("users/index.html", users=User.select().order_by(User.role, User.username))


def show_one_time_password(user, password):
    return render_template("users/one_time_password.html", user=user, password=password)


@bp.route("/new", methods=["GET", "POST"])
@requires("users.manage")
def new():
    """Create an account; its one-time password is shown once and must be changed at first login."""
    form = UserForm()
    if form.validate_on_submit():
        password = passwords.one_time_password()
        password_hash = passwords.hash_password(password)
        try:
            with database.atomic():
                user = User.create(username=form.username.data, display_name=form.display_name.data,
                                   role=form.role.data, is_active=form.is_active.data,
                                   password_hash=password_hash, must_change_password=True)
                audit.record("user.create", user, detail={"role": user.role})
        except IntegrityError:
            form.username.errors.append("该用户名已被使用。")
        else:
            return show_one_time_password(user, password)
    return render_template("users/form.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def edit(user_id):
    """Change name, role or enabled state; a role change or disabling ends the user's sessions."""
    user = User.get_or_none(User.id == user_id) or abort(404)
    form = UserForm(obj=user, editing=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (not role_can(form.role.data, "users.manage") or not form.is_active.data):
            form.role.errors = list(form.role.errors) + ["不能停用自己的账户或取消自己的站长角色。"]
        else:
            changes = {k: getattr(form, k).data for k in ("username", "display_name", "role", "is_active")
                       if getattr(user, k) != getattr(form, k).data}
            with database.atomic():
                User.update(**changes).where(User.id == user.id).execute()
                if "role" in changes or changes.get("is_active") is False:
                    sessions.revoke_all(user, "account_changed")
                audit.record("user.update", user, detail={k: str(v) for k, v in changes.items()})
            flash("账户 %s 已更新。" % form.username.data, "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user), 422 if form.errors else 200


@bp.post("/<int:user_id>/reset")
@requires("users.manage")
def reset(user_id):
    """Give the account a new one-time password, unlock it and end its sessions."""
    user = User.get_or_none(User.id == user_id) or abort(404)
    password = passwords.one_time_password()
    password_hash = passwords.hash_password(password)
    with database.atomic():
        User.update(password_hash=password_hash, must_change_password=True,
                    password_changed_at=utcnow(), failed_logins=0, locked_until=None
                    ).where(User.id == user.id).execute()
        sessions.revoke_all(user, "password_reset")
        audit.record("user.reset_password", user)
    return show_one_time_password(user, password)
