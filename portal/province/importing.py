"""Importing many package files at once: in this process, or spread over N worker processes, each with its own
connection (the audit chain takes its advisory lock, `receive` locks the station's row). A station's files all go
to one worker in the order given, so that its resubmissions are received in the same order as by one process.
The files are received BATCH to a transaction (`receiving.batch`: no savepoint per file, every refusal comes before a
file's first write), the tuples of the packages received written with one COPY at its end and the batch's audit rows
(received or refused) chained and inserted together: one commit, one COPY and one turn at the chain's head per batch."""
import multiprocessing
import re

from flask import current_app

from .. import audit
from ..db import database
from ..exchange.signing import PackageError
from . import receiving

STATION_HINT = re.compile(rb'"station":"([^"\\]{1,40})"')  # only to group files; receive() checks everything
BATCH = 16  # files received in one transaction
HEAD = 16384  # the payload's station comes after its breakdowns and data elements, about 1 KB in
_app = None  # the app the forked workers run in


def _bytes(source, head=None):
    """A file's bytes (or its first `head` bytes) from a path, or the bytes themselves."""
    if isinstance(source, bytes):
        return source[:head] if head else source
    with open(source, "rb") as f:
        return f.read(head or -1)


def _receive(item):
    """(name, station name, month, replaced?, refusal reason) of one file, `item` = (name, path or bytes)."""
    name, data = item[0], _bytes(item[1])
    try:
        package, replaced = receiving.receive(data, "cli", filename=name)
    except PackageError as exc:
        return name, None, None, False, str(exc)
    return name, package.station.name, package.month, replaced is not None, None


def _receive_batches(items):
    """Each item's result (see `_receive`), BATCH items to a transaction with their audit rows written at its end."""
    results = []
    for start in range(0, len(items), BATCH):
        with database.atomic(), receiving.batch(), audit.batch():
            results += [_receive(item) for item in items[start:start + BATCH]]
    return results


def _work(items):
    with _app.app_context(), database.connection_context():
        return list(zip([n for n, _ in items], _receive_batches([item for _, item in items])))


def _groups(items, workers):
    """The items numbered and dealt to the workers, a station's together, stations in turn."""
    groups, of_station = [[] for _ in range(workers)], {}
    for n, item in enumerate(items):
        hint = STATION_HINT.search(_bytes(item[1], HEAD))
        station = hint.group(1) if hint else None
        of_station.setdefault(station, len(of_station) % workers)
        groups[of_station[station]].append((n, item))
    return [group for group in groups if group]


def receive_all(items, workers=1):
    """Receive [(name, path or bytes)] and return each one's result (see `_receive`) in the order given. One worker runs
    here on the open connection; more are forked processes, so this process's connection is closed first (it must be in no transaction)."""
    if workers <= 1:
        return _receive_batches(items)
    if database.in_transaction():
        raise RuntimeError("import workers cannot join a transaction")
    database.close()  # a forked child must not share this process's socket; the next query here reconnects
    global _app
    _app = current_app._get_current_object()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = [pair for group in pool.map(_work, _groups(items, workers), chunksize=1) for pair in group]
    return [result for _, result in sorted(done, key=lambda pair: pair[0])]
