"""今日待办 as a worklist: what the queue shows of the due items, filtered by kind and worker, sorted by
due date either way and cut into pages, all in SQL: one statement answers the counts by kind and worker
over every due item, and the rows of the page asked for (due_store.due_items makes the items)."""
from peewee import SQL, Select, Value, fn

from ..db import database
from ..models import RiskAssessment
from ..tracking import breaches

ORDERS = {"recent": "今日到期在前，再按逾期由近到远", "oldest": "逾期最久的在前"}
EVERYTHING = {"kind": "", "worker": "", "order": "recent", "mine": ""}  # all the user's items, unfiltered


def chosen(args, kinds):
    """The worklist's state in the query string; anything unknown falls back to the default."""
    return {"kind": args.get("kind") if args.get("kind") in kinds else "",
            "worker": args.get("worker", type=int) or "",
            "order": args.get("order") if args.get("order") in ORDERS else "recent",
            "mine": "1" if args.get("mine") == "1" else ""}


def order_by(column, order, day):
    """`recent`: due today first, then the most recent overdue, upcoming warnings last (soonest first);
    `oldest`: by due date, the longest overdue first."""
    due, today = column("due"), day.isoformat()
    ties = (column("name"), column("person_id"), column("kind"))
    if order == "oldest":
        return (due, *ties)
    return (due > today, fn.ABS(fn.julianday(due) - fn.julianday(today)), *ties)


def risk_level(person_column):
    """SQL: the person's current risk level and its date, as `level|date` (risks/_level.html reads it)."""
    return (RiskAssessment.select(RiskAssessment.level.concat("|").concat(RiskAssessment.assessed_on))
            .where(RiskAssessment.person == person_column, RiskAssessment.is_live())
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()).limit(1))


def read(ctes, items, state, day, page, size):
    """Counts per (kind, worker) over all items and the page's rows, from one statement (with no rows
    asked for, `size` 0: the counts alone, read straight from the stored dates' index).

    Returns ({(kind, worker_id): n}, [row dicts with kind, person_id, name, worker_id, due, last,
    risk_level, serious])."""
    if not size:
        items = items.alias("queue_items")
        counts = Select([items], [items.c.kind, items.c.worker_id, fn.COUNT(SQL("*"))]).group_by(
            items.c.kind, items.c.worker_id)
        return {(kind, worker): n for kind, worker, n in counts.with_cte(*ctes).bind(database).tuples()}, []
    items = items.cte("queue_items", materialized=True)
    column = lambda name: getattr(items.c, name)  # noqa: E731
    counts = Select([items], [Value("n").alias("part"), column("kind"), column("worker_id"),
                              fn.COUNT(SQL("*")).alias("n"), Value(None).alias("case_id"),
                              Value(None).alias("person_id"), Value(None).alias("name"), Value(None).alias("due"),
                              Value(None).alias("last"), Value(None).alias("risk_level"),
                              Value(None).alias("serious")]).group_by(column("kind"), column("worker_id"))
    picked = Select([items], [column(n) for n in ("kind", "worker_id", "case_id", "person_id", "name", "due",
                                                   "last")])
    if state["kind"]:
        picked = picked.where(column("kind") == state["kind"])
    if state["worker"]:
        picked = picked.where(column("worker_id") == state["worker"])
    shown = picked.order_by(*order_by(column, state["order"], day)).limit(size).offset((page - 1) * size).alias("p")
    rows = Select([shown], [Value("r"), shown.c.kind, shown.c.worker_id, Value(None), shown.c.case_id,
                            shown.c.person_id, shown.c.name, shown.c.due, shown.c.last, risk_level(shown.c.person_id),
                            breaches.sql_serious_case(shown.c.case_id)])
    found, page_rows = {}, []
    for row in counts.union_all(rows).with_cte(*ctes, items).bind(database).dicts():
        if row["part"] == "n":
            found[row["kind"], row["worker_id"]] = row["n"]
        else:
            page_rows.append(row)
    return found, page_rows


def by_kind(counts, kinds, worker=""):
    """Items per kind (of one worker, or all), in the order of `kinds`."""
    per = {}
    for (kind, worker_id), n in counts.items():
        if not worker or worker_id == worker:
            per[kind] = per.get(kind, 0) + n
    return {kind: per[kind] for kind in kinds if per.get(kind)}


def query_args(state, **changes):
    """The non-empty query arguments of a state, with some changed (for links and pages)."""
    return {k: v for k, v in dict(state, **changes).items() if v and not (k == "order" and v == "recent")}
