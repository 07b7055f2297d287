"""Importing Excel ledgers: templates, upload → dry run (every row's plan and problems), then the
commit of the same file in short transactions (batches.py). Nothing is written while any row needs
correcting; the upload and its plan are deleted after the commit, on 放弃, or by the sweep after an
hour. The rules live in plan.py."""
import glob
import hashlib
import json
import os
import secrets
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import FileField, HiddenField, SelectField

from .. import audit
from ..fields import Form
from ..permissions import requires
from . import batches, sheets
from .persons import PersonLedger
from .plan import Plan
from .screenings import ScreeningLedger
from .trainees import TraineeLedger

bp = Blueprint("imports", __name__, url_prefix="/imports")
LEDGERS = {ledger.key: ledger for ledger in (PersonLedger(), ScreeningLedger(), TraineeLedger())}
KEEP_SECONDS = 3600  # an upload (and its plan) neither committed nor abandoned is removed after an hour
SHOWN_ROWS = 300  # rows listed on the dry-run page besides every error


class UploadForm(Form):
    kind = SelectField("台账类型", choices=[(k, v.title) for k, v in LEDGERS.items()])
    file = FileField("Excel 文件（.xlsx）")


class CommitForm(Form):
    kind = HiddenField()
    token = HiddenField()


def upload_dir():
    path = os.path.join(os.path.dirname(current_app.config["DATABASE"]), "imports")
    os.makedirs(path, exist_ok=True)
    return path


def upload_path(token):
    """The stored upload of the current user (the user id is in the name; the token is random hex)."""
    if not token or len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        abort(404)
    return os.path.join(upload_dir(), "%d-%s.xlsx" % (current_user.id, token))


def expire_uploads():
    """Delete uploads (and plans) older than KEEP_SECONDS; returns how many files. Run at each upload
    and by the daily sweep."""
    removed = 0
    for path in glob.glob(os.path.join(upload_dir(), "*.xlsx*")):
        if os.path.getmtime(path) < time.time() - KEEP_SECONDS:
            os.remove(path)
            removed += 1
    return removed


@bp.get("/")
@requires("ledgers.import")
def index():
    return render_template("imports/index.html", form=UploadForm(formdata=None), ledgers=LEDGERS)


@bp.get("/template/<kind>.xlsx")
@requires("ledgers.import")
def template(kind):
    ledger = LEDGERS.get(kind) or abort(404)
    return sheets.send(ledger.template(), "%s导入模板.xlsx" % ledger.title)


@bp.post("/")
@requires("ledgers.import")
def dry_run():
    """Plan every row of the uploaded ledger without changing anything."""
    form = UploadForm()
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not form.validate() or not data:
        if not data:
            form.file.errors = ["请选择要导入的 Excel 文件。"]
        return render_template("imports/index.html", form=form, ledgers=LEDGERS), 422
    expire_uploads()
    token = secrets.token_hex(16)
    with open(upload_path(token), "wb") as f:
        f.write(data)
    return planned(form.kind.data, token, data, upload.filename)


def planned(kind, token, data, filename=None, status=None, plan=None):
    """The dry-run page of a stored upload (audited with the file's hash and the counts).

    The plan is kept beside the upload with the fingerprint of the data it was checked
    against, so that the commit can apply it without reading the file again."""
    ledger = LEDGERS.get(kind) or abort(404)
    digest = hashlib.sha256(data).hexdigest()
    if plan is None:
        try:
            state = ledger.state()  # before reading: a change made meanwhile makes the commit re-plan
            plan = ledger.read(data)
        except sheets.SheetError as exc:
            remove_upload(token)
            audit.record("ledger.dry_run", object_type=kind, outcome="failed",
                         detail={"file": filename, "sha256": digest, "problem": str(exc)})
            form = UploadForm(formdata=None, kind=kind)
            form.file.errors = [str(exc)]
            return render_template("imports/index.html", form=form, ledgers=LEDGERS), 422
        with open(upload_path(token) + ".plan.json", "w", encoding="utf-8") as f:
            json.dump({"state": state, "sha256": digest, "plan": plan.dumps()}, f)
    audit.record("ledger.dry_run", object_type=kind, detail={"file": filename, "sha256": digest, **plan.counts})
    if not plan.ok:  # nothing can be committed from it: the upload and its full ID numbers go at once
        remove_upload(token)
    errors = [row for row in plan.rows if row.action == "error"]
    others = [row for row in plan.rows if row.action != "error"]
    return render_template("imports/plan.html", plan=plan, ledger=ledger, errors=errors, others=others[:SHOWN_ROWS],
                           hidden=max(len(others) - SHOWN_ROWS, 0), filename=filename,
                           form=CommitForm(formdata=None, kind=kind, token=token)), status or (200 if plan.ok else 422)


def remove_upload(token):
    for path in (upload_path(token), upload_path(token) + ".plan.json"):
        if os.path.exists(path):
            os.remove(path)


def stored_plan(token, ledger, data):
    """(plan, fingerprint it was made against): the dry run's plan when nothing it was checked against
    has changed since, else a fresh one. Made with no write transaction open; the first write
    transaction checks the fingerprint again (batches.py)."""
    try:
        with open(upload_path(token) + ".plan.json", encoding="utf-8") as f:
            saved = json.load(f)
    except (OSError, ValueError):
        saved = {}
    state = ledger.state()
    if saved.get("sha256") == hashlib.sha256(data).hexdigest() and saved.get("state") == state:
        return Plan.loads(saved["plan"]), state
    return ledger.read(data), state


@bp.post("/commit")
@requires("ledgers.import")
def commit():
    """Apply the plan of the stored upload in short transactions, planned again if the data changed."""
    form = CommitForm()
    if not form.validate():
        abort(400)
    path = upload_path(form.token.data)
    if not os.path.exists(path):
        flash("该文件已导入或已过期，请重新上传。", "error")
        return redirect(url_for("imports.index"))
    with open(path, "rb") as f:
        data = f.read()
    ledger = LEDGERS.get(form.kind.data) or abort(404)
    detail = {"import": form.token.data[:8], "sha256": hashlib.sha256(data).hexdigest()}
    plan, state = stored_plan(form.token.data, ledger, data)
    if not plan.ok:
        flash("核对后数据有变化，发现需要修正的行，未导入任何数据。", "error")
        return planned(form.kind.data, form.token.data, data, status=409, plan=plan)
    done, longest, stopped = batches.commit(ledger, plan, state, data, current_user, detail)
    total = len(plan.rows)  # the same rows whichever plan ran last (a row written since plans as "skip")
    counts = {action: sum(1 for a in done.values() if a == action) for action in ("create", "update")}
    counts["skip"] = total - counts["create"] - counts["update"]
    audit.record("ledger.import", object_type=ledger.key, outcome="failed" if stopped else "ok",
                 detail={**detail, **counts, "file_rows": total, "longest_lock_ms": round(longest * 1000),
                         **({"problem": stopped} if stopped else {})})
    if stopped:
        flash("导入未完成：%s。已写入 %d 行（新增 %d，更新 %d）；修正后重新上传同一文件即可继续，已写入的行会自动跳过。"
              % (stopped, len(done), counts["create"], counts["update"]), "error")
        return planned(form.kind.data, form.token.data, data, status=409)
    remove_upload(form.token.data)
    flash("导入完成：新增 %(create)d 条，更新 %(update)d 条，跳过 %(skip)d 条。" % counts, "success")
    return redirect(url_for(ledger.landing))


@bp.post("/abandon")
@requires("ledgers.import")
def abandon():
    """Give up a dry run: its upload (full ID numbers) and plan are deleted at once."""
    form = CommitForm()
    if form.validate():
        remove_upload(form.token.data)
        audit.record("ledger.abandon", object_type=form.kind.data if form.kind.data in LEDGERS else None,
                     detail={"import": form.token.data[:8]})
    return redirect(url_for("imports.index"))
