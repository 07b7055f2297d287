"""A person's timeline: each record type registers once, and one SQL query pages them all."""
import functools
import operator

from flask import Blueprint, request
from peewee import SQL, Value, fn

from .. import audit
from ..responses import render_fragment
from ..permissions import load_person, requires

bp = Blueprint("timeline", __name__)
KINDS = {}  # kind -> (model, the column giving its time, entry template)
PAGE_SIZE = 10


def register(kind, model, at, template):
    """Add a record type to every person's timeline (called once by the module that owns it)."""
    KINDS[kind] = (model, at, template)


def entries(person_id, page=1, size=PAGE_SIZE):
    """One page of (kind, record, template), newest first, and whether more follow."""
    if not KINDS:
        return [], False
    parts = [model.select(Value(kind).alias("kind"), model.id.alias("rid"), fn.datetime(at).alias("at"))
             .where(model.person == person_id, model.deleted_at.is_null())
             for kind, (model, at, _) in KINDS.items()]
    union = functools.reduce(operator.add, parts)  # UNION ALL
    rows = list(union.order_by(SQL("at").desc(), SQL("rid").desc())
                .limit(size + 1).offset((page - 1) * size).dicts())
    wanted = {}
    for row in rows[:size]:
        wanted.setdefault(row["kind"], []).append(row["rid"])
    loaded = {kind: {r.id: r for r in KINDS[kind][0].select().where(KINDS[kind][0].id.in_(ids))}
              for kind, ids in wanted.items()}
    return [(row["kind"], loaded[row["kind"]][row["rid"]], KINDS[row["kind"]][2]) for row in rows[:size]], \
        len(rows) > size


@bp.get("/persons/<int:person_id>/timeline")
@requires("records.read")
def page(person_id):
    """A further page of the timeline (HTMX "更多"), or the page itself without JavaScript."""
    person = load_person(person_id)
    number = max(request.args.get("page", 1, type=int), 1)
    items, more = entries(person.id, number)
    audit.record_or_abort("timeline.view", person, detail={"page": number})
    return render_fragment("timeline/_items.html", "%s 的工作记录" % person.name, person=person, items=items,
                           more=more, page=number)
