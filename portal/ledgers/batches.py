"""Writing a checked import plan in short transactions, so that the station's other users save
between them (issue 17, item 3).

The plan is made completely, with no write transaction open, before anything is written: every
row it lets through has passed the screens' rules, so the writes cannot fail on validation. Each
transaction then writes rows for at most IMPORT_BATCH_SECONDS (config) and is committed with its
audit rows; the writer pauses between transactions so that waiting saves get the lock. Each transaction first
checks that nothing the plan was made against changed since (another user's save): if it did,
the caller plans again (rows already written plan as "skip") and goes on. A failure part-way
(a row clashing with a save made meanwhile, a full disk) keeps what earlier transactions wrote:
`Stopped` says how far it got, and committing the same file again skips the rows already in.
"""
import time

from flask import current_app
from peewee import IntegrityError

from .. import audit
from ..db import database

PAUSE_SECONDS = 0.1  # between transactions: longer than the 100 ms a waiting save's busy handler sleeps


class Changed(Exception):
    """Something the plan was checked against changed between two transactions: plan again."""


class Stopped(Exception):
    """A row could not be written; `done` rows of earlier transactions stay written."""

    def __init__(self, row, reason, done):
        super().__init__(reason)
        self.row, self.reason, self.done = row, reason, done


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
                        raise Stopped(row.row, "第 %d 行（%s）与刚刚保存的数据冲突" % (row.row, row.who),
                                      len(done)) from None
                    written.append(rows.pop(0))
            state = ledger.state()
        longest[0] = max(longest[0], time.perf_counter() - started)
        done.update((row.row, row.action) for row in written)
        if rows:
            time.sleep(PAUSE_SECONDS)
    return state
