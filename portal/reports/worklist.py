"""今日待办 as a worklist: what the queue shows of the due items, filtered by kind and worker, sorted by
due date either way and cut into pages. The items themselves come from queue.due_items, unchanged."""
ORDERS = {"recent": "今日到期在前，再按逾期由近到远", "oldest": "逾期最久的在前"}


def chosen(args, kinds):
    """The worklist's state in the query string; anything unknown falls back to the default."""
    return {"kind": args.get("kind") if args.get("kind") in kinds else "",
            "worker": args.get("worker", type=int) or "",
            "order": args.get("order") if args.get("order") in ORDERS else "recent",
            "mine": "1" if args.get("mine") == "1" else ""}


def sort_key(order):
    """`recent`: due today first, then the most recent overdue, upcoming warnings last (soonest first);
    `oldest`: by due date, the longest overdue first."""
    if order == "oldest":
        return lambda item: (item["due"], item["name"])
    return lambda item: (item["days"] < 0, abs(item["days"]), item["name"])


def by_worker(items, worker):
    return [i for i in items if i["worker_id"] == worker] if worker else items


def counts(items, kinds):
    """Items per kind, in the order of `kinds`."""
    return {kind: n for kind in kinds if (n := sum(1 for i in items if i["kind"] == kind))}


def shown(items, state, page, size):
    """The page of items the state selects, in its order; and how many it selects in all."""
    picked = [i for i in items if i["kind"] == state["kind"]] if state["kind"] else list(items)
    picked.sort(key=sort_key(state["order"]))
    return picked[(page - 1) * size:page * size], len(picked)


def query_args(state, **changes):
    """The non-empty query arguments of a state, with some changed (for links and pages)."""
    return {k: v for k, v in dict(state, **changes).items() if v and not (k == "order" and v == "recent")}
