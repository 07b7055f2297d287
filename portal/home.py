"""The start page after sign-in."""
from flask import Blueprint, render_template
from flask_login import current_user
from peewee import fn

from .models import MEASURES, Case, Person
from .permissions import can, persons_in_scope, requires
from .care import caseload
from .reports import queue, worklist

bp = Blueprint("home", __name__)


@bp.get("/")
@requires("home")
def index():
    """Greeting, today's due work by kind, and for case staff the persons in their scope by measure and status."""
    counts = {}
    if can(current_user, "persons.read"):
        query = persons_in_scope(current_user, Person.with_current_case().where(Person.listed()))
        rows = (query.select(Case.measure, Case.status, fn.COUNT(Person.id).alias("n"))
                .group_by(Case.measure, Case.status).dicts())
        for row in rows:
            counts.setdefault(row["measure"], {})[row["status"]] = row["n"]
    due = {}
    if can(current_user, "queue.read"):  # computed here only: the navigation shows the count on this page
        due_counts, _ = queue.read(worklist.EVERYTHING)
        due = worklist.by_kind(due_counts, queue.KINDS)
    queue_count = sum(due.values()) if can(current_user, "queue.read") else None
    if can(current_user, "counselling.caseload"):  # a counsellor's own queue
        queue_count = caseload.count_due(current_user)
    return render_template("home/index.html", counts=counts, measures=MEASURES, due=due, kinds=queue.KINDS,
                           queue_count=queue_count)
