"""Deleted records and attachments of a person, for the lead to review and restore (with a reason,
audited). Nothing is ever hard-deleted: a deletion only hides the row, so restoring brings it back
into every list, count and rule as it was."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from peewee import IntegrityError

from .. import audit
from ..audit.labels import OBJECT_LABELS
from ..db import database
from ..fields import ReasonForm
from ..models import Attachment, AuditLog, User
from ..permissions import load_person, requires
from . import timeline

bp = Blueprint("removed", __name__)
# the timeline's kinds that can be deleted (assistance cases are closed, never deleted): kind -> model, date column
KINDS = {kind: (model, at) for kind, (model, at, _) in timeline.KINDS.items() if kind != "assistance"}


def label(model):
    return OBJECT_LABELS[model.__name__.lower()]


def deletions(kind, rows):
    """The audit row of each record's latest deletion (who, when, why), by record id."""
    if not rows:
        return {}
    found = (AuditLog.select().where(AuditLog.action == kind + ".delete",
                                     AuditLog.object_id.in_([r.id for r in rows])).order_by(AuditLog.id))
    return {entry.object_id: entry for entry in found}


@bp.get("/persons/<int:person_id>/removed")
@requires("persons.restore")
def index(person_id):
    """Every deleted record and attachment of the person, with who deleted it, when and why."""
    person = load_person(person_id)
    groups = []
    for kind, (model, at) in KINDS.items():
        rows = list(model.select().where(model.person == person.id, model.deleted_at.is_null(False))
                    .order_by(at.desc()))
        if rows:
            groups.append((kind, label(model), [(row, getattr(row, at.name)) for row in rows], deletions(kind, rows)))
    files = list(Attachment.select().where(Attachment.person == person.id, Attachment.deleted_at.is_null(False))
                 .order_by(Attachment.deleted_at.desc()))
    audit.record("person.view", person, detail={"form": "removed"})
    return render_template("removed/index.html", person=person, groups=groups, files=files, form=ReasonForm(),
                           records=sum(len(rows) for _, _, rows, _ in groups), staff=User.names())


def answer(person, form, message):
    flash(message if form.errors == {} else "恢复需要填写事由：" + "；".join(form.reason.errors),
          "success" if form.errors == {} else "error")
    return redirect(url_for("removed.index", person_id=person.id))


@bp.post("/removed/<kind>/<int:entry_id>/restore")
@requires("persons.restore")
def restore(kind, entry_id):
    """Bring a deleted record back, with a reason (audited; the object type says which kind)."""
    model, _ = KINDS.get(kind) or abort(404)
    record = model.get_or_none(model.id == entry_id, model.deleted_at.is_null(False)) or abort(404)
    person = load_person(record.person_id)
    form = ReasonForm()
    if not form.validate():
        return answer(person, form, "")
    try:
        with database.atomic():
            model.update(deleted_at=None, version=model.version + 1).where(model.id == record.id).execute()
            audit.record("record.restore", record, person=person, reason=form.reason.data)
    except IntegrityError:
        flash("无法恢复该%s：已有相同的记录（如同一天同一样本的检测），请先核对。" % label(model), "error")
        return redirect(url_for("removed.index", person_id=person.id))
    return answer(person, form, "%s已恢复，重新出现在工作记录和各项统计中。" % label(model))


@bp.post("/removed/attachment/<int:attachment_id>/restore")
@requires("persons.restore")
def restore_attachment(attachment_id):
    """Bring a deleted attachment back into the list, with a reason (audited)."""
    item = Attachment.get_or_none(Attachment.id == attachment_id, Attachment.deleted_at.is_null(False)) or abort(404)
    person = load_person(item.person_id)
    form = ReasonForm()
    if not form.validate():
        return answer(person, form, "")
    with database.atomic():
        Attachment.update(deleted_at=None, deleted_by=None, delete_reason=None).where(
            Attachment.id == item.id).execute()
        audit.record("attachment.restore", person, reason=form.reason.data,
                     detail={"attachment": item.id, "kind": item.kind})
    return answer(person, form, "附件已恢复。")
