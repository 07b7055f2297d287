"""The start page after sign-in."""
from flask import Blueprint, render_template
from flask_login import current_user
from peewee import fn

from .models import MEASURES, Case, Person
from .permissions import can, case_scope, requires
from .care import caseload
from .reports import queue, worklist

bp = Blueprint("home", __name__)


@bp.get("/")
@requires("home")
def index():
    """Greeting, today's due work by kind, and for case staff the persons in their scope by measure and status."""
    counts = by_measure_and_status(current_user) if can(current_user, "persons.read") else {}
    due = {}
    if can(current_user, "queue.read"):  # computed here only: the navigation shows the count on this page
        due_counts, _ = queue.read(worklist.EVERYTHING)
        due = worklist.by_kind(due_counts, queue.KINDS)
    queue_count = sum(due.values()) if can(current_user, "queue.read") else None
    if can(current_user, "counselling.caseload"):  # a counsellor's own queue
        queue_count = caseload.count_due(current_user)
    return render_template("home/index.html", counts=counts, measures=MEASURES, due=due, kinds=queue.KINDS,
                           queue_count=queue_count)


def by_measure_and_status(user):
    """{measure: {status: persons}}: the listed persons in the user's scope (persons_in_scope: their current
    case is in case_scope) by their current case, counted from the current cases' partial index, without
    reading a person's row."""
    unlisted = Person.select(Person.id).where(~Person.listed())  # few: read from their own index
    query = (Case.select(Case.measure, Case.status, fn.COUNT(Case.id).alias("n"))
             .where(Case.is_current(), case_scope(user), Case.person.not_in(unlisted))
             .group_by(Case.measure, Case.status))
    counts = {}
    for row in query.dicts():
        counts.setdefault(row["measure"], {})[row["status"]] = row["n"]
    return counts
