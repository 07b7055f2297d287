"""Print views of the station lists: the whole filtered and sorted list (up to listing.PRINT_LIMIT rows)
in the same table as on screen, so masking and the columns a role sees are the same; the filters in
words, the printer and the time on the page. Like an export, a printed list leaves minors out and says how
many (persons/minors.py), and is audited once as a whole and once per person printed."""
from collections import namedtuple

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from .. import audit

from ..web import listing
from ..care import assistance
from ..dates import utcnow
from ..db import database
from ..models import Person, User
from ..permissions import requires
from ..persons import minors, views as persons
from ..records import talks, visits
from ..tracking import screenings
from .exports import described, filter_text

bp = Blueprint("lists", __name__, url_prefix="/lists")
Printout = namedtuple("Printout", "title table list_query sorting person endpoint wide unit")


def persons_list_query(args):
    """The person list as on screen, without sealed files (they are never printed in a list, like exports)."""
    filters, query = persons.list_query(args)
    return filters, query.where(Person.sealed_at.is_null())


PRINTS = {
    "persons": Printout("两社人员", "persons/_table.html", persons_list_query, persons.SORTS, lambda p: p,
                        "persons.index", True, "人"),
    "talks": Printout("面对面谈话记录", "talks/_table.html", talks.list_query, talks.SORTS, lambda t: t.person,
                      "talks.index", False, "条"),
    "visits": Printout("入户走访记录", "visits/_table.html", visits.list_query, visits.SORTS, lambda v: v.person,
                       "visits.index", False, "条"),
    "screenings": Printout("检测记录", "screenings/_table.html", screenings.list_query, screenings.SORTS,
                           lambda s: s.person, "screenings.index", True, "条"),
    "assistance": Printout("帮扶救助", "assistance/_table.html", assistance.list_query, assistance.SORTS,
                           lambda a: a.person, "assistance.index", False, "条"),
}


@bp.get("/<kind>/print")
@requires("records.read")  # the same roles as every list printed here (persons.read is the same set)
def printout(kind):
    """The print view of a station list with its filters and sort; printing it is audited."""
    spec = PRINTS.get(kind) or abort(404)
    filters, query = spec.list_query(request.args)
    view = listing.View(spec.endpoint, described(filters), spec.sorting, request.args, printing=True)
    return render(kind, spec.title, spec.table, query, filters_words=filter_text(filters),
                  sort_words=spec.sorting.words(request.args), audit_filters=described(filters),
                  person_of=spec.person, back=url_for(spec.endpoint, **view.args), wide=spec.wide, view=view,
                  unit=spec.unit)


def render(kind, title, table, query, filters_words, sort_words, audit_filters, person_of, back, wide=False,
           unit="条", **context):
    """The print page of `query` (at most PRINT_LIMIT rows, saying so when cut) without the rows of minors, as
    exports; audited as a whole and per person it names. The dashboard's drill-downs print through here too;
    `unit` counts the rows (人 for persons, 条 for records) as the screen does."""
    rows = list(query.limit(listing.PRINT_LIMIT + 1))
    cut = len(rows) > listing.PRINT_LIMIT
    listed = rows[:listing.PRINT_LIMIT]
    rows, left_out = minors.leave_out(listed, person_of)
    named = sorted({person_of(row).id for row in rows})
    with database.atomic():  # no audit row, no page: security.py answers 503
        entry = audit.record("list.print", object_type=kind, detail={**audit_filters, "shown": len(rows),
                                                                      "minors_left_out": left_out})
        with audit.batch():
            for person_id in named:
                audit.record("person.list_print", object_type="person", object_id=person_id,
                             detail={"export": entry.id, "kind": kind})
    names = User.names()
    return render_template("lists/print.html", title=title, table=table, rows=rows, cut=cut, listed=len(listed),
                           left_out=left_out, minor_age=minors.MINOR_AGE, unit=unit,
                           limit=listing.PRINT_LIMIT, filters_words=filters_words, sort_words=sort_words, back=back,
                           wide=wide, printer=current_user, printed_at=utcnow(), staff_names=names, worker_names=names, **context)
