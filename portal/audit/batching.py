"""Group commit of the audit rows of reads: rows of concurrent requests appended in one transaction.

A read (a page, a fragment, a download) writes its audit row outside any transaction of its own.
Instead of one IMMEDIATE transaction and one disk sync per row, the requests that arrive while a
group is being written wait; the first of them then writes all their rows, chained in the order they
are appended, in one transaction (one head read, one commit). Each request returns only once its
own row is committed, or raises the group's error (record() turns it into AuditUnavailable: the read
is refused with 503, AU1). A write's row stays in the write's own transaction (record() inside it).
"""
import threading

_lock = threading.Lock()
_queue = []  # requests waiting for their row to be written, in arrival order
_state = {"leading": False}
stats = {"groups": 0, "rows": 0}  # transactions written and rows in them since start (the tests read it)


class _Request:
    __slots__ = ("values", "done", "lead", "row", "error")

    def __init__(self, values):
        self.values, self.done, self.lead, self.row, self.error = values, threading.Event(), False, None, None


def append(values, write):
    """Append one row through the group commit; `write(list of values)` appends a group in one
    transaction, chained, and returns the rows made. Returns this request's row."""
    me = _Request(values)
    with _lock:
        _queue.append(me)
        me.lead = not _state["leading"]
        _state["leading"] = True
    if not me.lead:
        me.done.wait()  # set when the row is written, or when this request is to write the next group
    if me.lead:
        _write_group(write)
    if me.error is not None:
        raise me.error
    return me.row


def _write_group(write):
    """Write everything queued now (this request's row included); then hand the turn to the next waiter."""
    with _lock:
        group = list(_queue)
        _queue.clear()
    try:
        rows = write([request.values for request in group])
        for request, row in zip(group, rows):
            request.row = row
        stats["groups"] += 1
        stats["rows"] += len(group)
    except Exception as exc:  # noqa: BLE001 - every request of the group fails with the group
        for request in group:
            request.error = exc
    with _lock:
        if _queue:
            _queue[0].lead = True  # the next group is written by its first request, in its own thread
            _queue[0].done.set()
        else:
            _state["leading"] = False
    for request in group:
        request.lead = False
        request.done.set()
