"""Writing a checked import plan in short transactions, so that the station's other users save
between them (issue 17, item 3).

The plan is made completely, with no write transaction open, before anything is written: every
row it lets through has passed the screens' rules, so the writes cannot fail on validation. Each
transaction then writes rows for at most IMPORT_BATCH_SECONDS (config) and is committed with its
audit rows; the writer pauses between transactions so that waiting saves get the lock. Each transaction first
checks that nothing the plan was made against changed since (another user's save): if it did,
commit() plans the rows not yet written again and goes on. A failure part-way
(a row clashing with a save made meanwhile, a full disk) keeps what earlier transactions wrote:
`Stopped` says how far it got, and committing the same file again skips the rows already in.
"""
import time

from flask import current_app
from peewee import IntegrityError

from .. import audit
from ..db import database

PAUSE_SECONDS = 0.1  # between transactions: longer than the 100 ms a waiting save's busy handler sleeps


REPLANS = 5  # times a commit plans the remaining rows again after other users' saves


class Changed(Exception):
    """Something the plan was checked against changed between two transactions: plan again."""


class Stopped(Exception):
    """A row could not be written (the message says which); earlier transactions stay written."""


def commit(ledger, plan, state, data, user, detail):
    """Write a checked plan, planning the rows not yet written again after other users' saves.

    Returns (done: {row number: "create" | "update"}, the longest transaction in seconds, why it
    stopped part-way or None)."""
    done, longest = {}, [0.0]
    for _ in range(REPLANS):
        try:
            write(ledger, plan, state, user, detail, done, longest)
            return done, longest[0], None
        except Changed:
            state = ledger.state()
            plan = ledger.read(data, written=done)
            if not plan.ok:
                return done, longest[0], "其他用户刚刚修改了相关数据，剩余的行需要修正"
        except Stopped as stop:
            return done, longest[0], str(stop)
    return done, longest[0], "导入期间其他用户一直在修改相关数据"


def write(ledger, plan, state, user, detail, done, longest):
    """Apply the plan's creates and updates not yet in `done` ({row number: action}), a short transaction
    at a time, each first checking `state` (the fingerprint the plan was made against). Records every row
    written in `done` and the longest transaction's seconds in longest[0]; raises Changed or Stopped."""
    seconds = current_app.config["IMPORT_BATCH_SECONDS"]  # plus one row and the commit
    rows = [row for row in plan.rows if row.action in ("create", "update") and row.row not in done]
    while rows:
        written = []
        with database.atomic():
            started = time.perf_counter()
            if ledger.state() != state:
                raise Changed()
            with audit.batch():
                while rows and (not written or time.perf_counter() - started < seconds):
                    row = rows[0]
                    try:
                        ledger.apply(row, user, detail)
                    except IntegrityError:  # e.g. the same ID number registered meanwhile
                        raise Stopped("第 %d 行（%s）与刚刚保存的数据冲突" % (row.row, row.who)) from None
                    written.append(rows.pop(0))
            state = ledger.state()
        longest[0] = max(longest[0], time.perf_counter() - started)
        done.update((row.row, row.action) for row in written)
        if rows:
            time.sleep(PAUSE_SECONDS)
    return state
