"""Attachments in a person's file (决定书, 协议, 报到登记表, 检测报告, 照片): uploaded, listed and
downloaded exactly like the person record itself (SECURITY.md W11, AC2, AU1); deleted only softly,
with a reason, and the file stays on disk."""
import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField

from .. import audit, uploads
from ..dates import utcnow
from ..db import database
from ..fields import Form
from ..models import ATTACHMENT_KINDS, Agreement, Attachment
from ..permissions import can, load_person, requires
from ..tracking.forms import text
from .forms import ReasonForm

bp = Blueprint("attachments", __name__)
LIMIT = 10 * uploads.MB  # per file; the whole request is capped by MAX_CONTENT_LENGTH (413)
FOLDER = "attachments"


class AttachmentForm(Form):
    kind = SelectField("类别", choices=list(ATTACHMENT_KINDS.items()))
    title = text("标题", max_length=80, description="不填则以类别为标题")


def blank_form():
    return AttachmentForm(formdata=None, prefix="attachment")


def section(person):
    """What the person page lists for the current user: live files, and for the lead the deleted too."""
    if not can(current_user, "persons.full"):
        return None
    rows = Attachment.of_person(person.id, with_deleted=can(current_user, "persons.restore"))
    return {"rows": list(rows), "form": blank_form(), "limit": LIMIT // uploads.MB}


def back(person):
    return redirect(url_for("persons.show", person_id=person.id, _anchor="attachments"), 303)


@bp.post("/persons/<int:person_id>/attachments/")
@requires("persons.write")
def upload(person_id):
    """Store a PDF, JPG or PNG (by content, ≤ 10 MB) under a random name; a 协议 joins the newest edition."""
    person = load_person(person_id)
    form = AttachmentForm(prefix="attachment")
    upload_file = request.files.get("file")
    data = uploads.read(upload_file, LIMIT)
    mime, problem = uploads.check(data, LIMIT)
    if not form.validate():
        problem = "；".join(error for errors in form.errors.values() for error in errors)
    if problem:
        flash(problem, "attachments-error")
        return back(person)
    case = person.current_case()
    agreement = None
    if case and form.kind.data == "agreement":
        agreement = (Agreement.select().where(Agreement.case == case.id, Agreement.is_live())
                     .order_by(Agreement.edition.desc()).first())
    digest = hashlib.sha256(data).hexdigest()
    with uploads.stored(data, mime, FOLDER) as stored, database.atomic():
        item = Attachment.create(person=person, case=case, agreement=agreement, kind=form.kind.data,
                                 title=form.title.data or ATTACHMENT_KINDS[form.kind.data],
                                 original_name=uploads.client_name(upload_file), stored_name=stored, mime=mime,
                                 size=len(data), sha256=digest, uploaded_by=current_user.id)
        audit.record("attachment.create", person, detail={
            "attachment": item.id, "kind": item.kind, "size": item.size, "sha256": digest})
    flash("附件已上传。", "attachments-success")
    return back(person)


@bp.get("/attachments/<int:attachment_id>")
@requires("persons.full")
def download(attachment_id):
    """The file as a download with its stored type; reading it is audited like opening the case."""
    item = Attachment.live().where(Attachment.id == attachment_id).get_or_none() or abort(404)
    person = load_person(item.person_id)
    if person.anonymised_at:
        return render_template("error.html", title="扫描件已删除",
                               text="该档案已超过保存期限并匿名化，上传的扫描件已随之删除。"), 410
    audit.record("attachment.view", person, detail={"attachment": item.id, "kind": item.kind})
    name = "附件%d-%s%s" % (item.id, item.kind_label.replace("/", "-"), item.suffix)
    return uploads.send(item.stored_name, item.mime, name, FOLDER)


@bp.post("/attachments/<int:attachment_id>/delete")
@requires("persons.delete")
def delete(attachment_id):
    """Soft-delete with a reason: hidden from the list and no longer served; the lead still sees it."""
    item = Attachment.live().where(Attachment.id == attachment_id).get_or_none() or abort(404)
    person = load_person(item.person_id)
    form = ReasonForm()
    if not form.validate():
        flash("删除附件需要填写事由：" + "；".join(form.reason.errors), "attachments-error")
        return back(person)
    with database.atomic():
        Attachment.update(deleted_at=utcnow(), deleted_by=current_user.id, delete_reason=form.reason.data).where(
            Attachment.id == item.id, Attachment.is_live()).execute()
        audit.record("attachment.delete", person, reason=form.reason.data,
                     detail={"attachment": item.id, "kind": item.kind})
    flash("附件已删除（文件仍保留，站长可在附件列表中查看删除记录）。", "attachments-success")
    return back(person)
