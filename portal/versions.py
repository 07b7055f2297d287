"""Version-checked corrections: never a silent overwrite, and the previous state is kept."""
import json

from flask_login import current_user

from . import audit, idcard
from .dates import utcnow
from .db import database
from .models import Revision


def shown_value(field, value):
    """A value as a conflict table shows it: choice labels, masked ID numbers."""
    if field.name.endswith("id_number"):
        return idcard.mask(value or "")
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = getattr(field, "choices", None)
    if choices:
        return dict((str(k), v) for k, v in choices).get(str(value if value is not None else 0), value)
    return value


def save_versioned(obj, form, values, action, person):
    """Save `values` if nobody saved `obj` since the form was opened; else return the conflict to show.

    The row as it was goes to Revision in the same transaction, with the audit row.
    """
    model = type(obj)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = 0
    if not 0 <= version < 2 ** 53:  # a crafted hidden field: a stale version, answered as a conflict
        version = 0
    with database.atomic():
        before = model.get_by_id(obj.id)
        if model.update_if_version(obj.id, version, **values):
            Revision.create(model=model.__name__, record_id=obj.id, version=before.version,
                            data=json.dumps(before.__data__, ensure_ascii=False, default=str),
                            changed_by=current_user.id)
            changed = sorted(k for k, v in values.items() if before.__data__.get(k) != v)
            audit.record(action, obj, person=person, detail={"fields": changed})
            return None
    current = model.get_by_id(obj.id)
    audit.record(action, obj, person=person, outcome="failed", detail={"conflict": True})
    form.version.data = current.version
    rows = [(form[k].label.text, shown_value(form[k], v), shown_value(form[k], current.__data__.get(k)))
            for k, v in values.items() if k in form and (v or None) != (current.__data__.get(k) or None)]
    return {"rows": rows, "editor": audit.last_change(current, action)}


def soft_delete(obj, action, person, reason):
    """Take a record out of every list and count, keeping the row; the audit row carries the reason."""
    model = type(obj)
    with database.atomic():
        model.update(deleted_at=utcnow(), version=model.version + 1).where(model.id == obj.id).execute()
        audit.record(action, obj, person=person, reason=reason)


def history(obj):
    """Earlier versions of a record, newest first."""
    return (Revision.select().where(Revision.model == type(obj).__name__, Revision.record_id == obj.id)
            .order_by(Revision.id.desc()))


def revise(obj, changes, user):
    """Update a versioned row, keeping the row as it was in Revision (like a correction on screen)."""
    model = type(obj)
    before = model.get_by_id(obj.id)
    Revision.create(model=model.__name__, record_id=obj.id, version=before.version,
                    data=json.dumps(before.__data__, ensure_ascii=False, default=str), changed_by=user.id)
    model.update(version=model.version + 1, updated_at=utcnow(), **changes).where(model.id == obj.id).execute()
