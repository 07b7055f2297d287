"""A person's timeline: every kind of record in one SQL query, newest first, and the answers a record
view gives after a save, a correction or a deletion (the timeline is what they change)."""
import functools
import operator

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from peewee import SQL, Value, fn

from .. import audit
from ..models import Absence, AssistanceCase, HomeVisit, RelapseFinding, RiskAssessment, Screening, Talk
from ..permissions import load_person, requires
from ..prepared import prepared, scalar
from ..web.responses import back, fragment, htmx

bp = Blueprint("timeline", __name__)
KINDS = {  # kind -> (model, the column giving its time, entry template)
    "talk": (Talk, Talk.held_at, "talks/_entry.html"),
    "visit": (HomeVisit, HomeVisit.visited_on, "visits/_entry.html"),
    "risk": (RiskAssessment, RiskAssessment.assessed_on, "risks/_entry.html"),
    "screening": (Screening, Screening.tested_on, "screenings/_entry.html"),
    "absence": (Absence, Absence.leave_on, "absences/_entry.html"),
    "assistance": (AssistanceCase, AssistanceCase.opened_on, "assistance/_entry.html"),
    "finding": (RelapseFinding, RelapseFinding.found_on, "findings/_entry.html"),
}
PAGE_SIZE = 10


def count(person_id):
    """How many live records the person's timeline holds (the figure in the person page's navigation)."""
    return scalar(_count(person_id))


@prepared
def _count(person_id):
    return functools.reduce(operator.add, [model.select(model.id).where(model.person == person_id, model.is_live())
                                           for model, _, _ in KINDS.values()]).select_from(fn.COUNT(SQL("*")))


def entries(person_id, page=1, size=PAGE_SIZE):
    """One page of (kind, record, template), newest first, and whether more follow."""
    parts = [model.select(Value(kind).alias("kind"), model.id.alias("rid"), fn.datetime(at).alias("at"))
             .where(model.person == person_id, model.is_live())
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
    audit.record("timeline.view", person, detail={"page": number})
    return fragment("timeline/_items.html", "%s 的工作记录" % person.name, person=person, items=items,
                    more=more, page=number)


def person_page(person):
    return url_for("persons.show", person_id=person.id)


def saved(person, title, item, warnings=(), tracking=False):
    """A new record: HTMX gets the message and warnings with the new entry (put first in the timeline)
    and the person page's counters out of band, not the timeline again; `tracking` says the tracking
    file changed, which then reloads itself. Without JavaScript, back to the person page.
    Saved from a row of 今日待办 (its `target`), the queue answers instead."""
    from ..reports import back_lists, queue  # they read the records

    kind, template = next((kind, template) for kind, (model, _, template) in KINDS.items() if isinstance(item, model))
    if htmx() and queue.queue_target():
        return queue.saved(person, title, warnings, edit=url_for(template.split("/")[0] + ".edit", entry_id=item.id),
                           entry_id="%s-%d" % (kind, item.id))
    if not htmx():
        flash("%s：%s已保存。" % (person.name, title), "success")
        return back(back_lists.queue_back() or person_page(person), *warnings)
    from ..persons import page  # the person page builds on the timeline

    response = make_response(page.saved_answer("timeline/_saved.html", person, item=item, template=template,
                                               message="%s已保存，已加入下方工作记录。" % title, warnings=warnings))
    if tracking:
        response.headers["HX-Trigger"] = "tracking-changed"
    return response


def corrected(person, item, template, warnings=()):
    """A corrected record: HTMX gets the entry again in place; without JavaScript, the person page."""
    if not htmx():
        return back(person_page(person), *warnings)
    return render_template(template, person=person, item=item, warnings=warnings)


def deleted(person, title):
    """A deleted record leaves the timeline, and the page's counters follow out of band; the audit keeps
    the trace."""
    if not htmx():
        return redirect(person_page(person))
    from ..persons import page  # the person page builds on the timeline

    return page.saved_answer("timeline/_deleted.html", person, title=title)
