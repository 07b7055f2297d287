"""Benchmark of imports beside the station's other writers (issue 17, item 3).

    .venv/bin/python scripts/bench_import.py [--rows 20000]

On a fresh station in a temporary folder, through the real app: a worker saves talks in a loop (a
second thread) for a few seconds with no import, then while the lead commits a person ledger of
`--rows` rows; a probe on its own SQLite connection takes the write lock every 20 ms, so its longest
wait is the longest the import held the lock. With --wide-only, instead: the dry run of a 40 KB workbook
of 5,000 rows with one value in column XFD, its time and the peak resident memory it added. Run it from
a checkout of main for "before" and from the branch for "after" (it uses only routes both have).
"""
import argparse
import io
import json
import re
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from bench_dataset import hwm_mb, reset_hwm  # noqa: E402
from openpyxl import Workbook  # noqa: E402

HX = {"HX-Request": "true"}
TALK = {"held_at": "2026-11-20T09:30", "place": "sunshine", "kind": "routine", "participants": "测速",
        "topics": ["thoughts"], "risk_factors": "", "assessment": "stable", "actions": "", "next_date": "",
        "signature": "signed"}


def station(folder):
    import factories

    from portal import create_app, db
    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE": str(folder / "portal.sqlite3"), "WTF_CSRF_ENABLED": False,
                      "AUDIT_KEY_FILE": str(folder / "audit.key"), "RATELIMIT_ENABLED": False,
                      "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    db.upgrade()
    factories.apps.append(app)
    factories.make_user("lead", username="lead")
    worker = factories.make_user("worker", username="worker")
    person = factories.make_person("谈话对象", worker=worker.id)
    clients = {}
    for name in ("lead", "worker"):
        clients[name] = app.test_client()
        assert clients[name].post("/login", data={"username": name, "password": factories.PASSWORD}).status_code == 302
    return app, clients, person


def person_book(rows):
    from stdnum.cn import ric
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["姓名", "身份证号", "措施类型", "决定书文号", "决定日期", "送达日期", "执行地街道", "期限（月）"])
    for n in range(rows):
        body = "520102%s%03d" % ((date(1970, 1, 1) + timedelta(days=n // 400)).strftime("%Y%m%d"), n % 400 * 2 + 1)
        ws.append(["测速%05d" % n, body + ric.calc_check_digit(body + "0"), "社区康复",
                   "筑南公（禁）社康决字〔2024〕%d号" % n, "2024-03-01", "2024-03-05", "新华路街道", 36])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def wide_book():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "人员类型"])
    for n in range(5000):  # each row one value, in XFD: a reader that pads rows holds 5,000 × 16,384 cells
        ws.cell(row=n + 2, column=16384, value="x")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, kind):
    return client.post("/imports/", data={"kind": kind, "file": (io.BytesIO(data), "台账.xlsx")},
                       content_type="multipart/form-data")


def writers(client, person, until):
    """Talk saves in a loop until until() is true: (latencies in ms, statuses)."""
    latencies, statuses = [], []
    while not until() or not latencies:
        started = time.perf_counter()
        statuses.append(client.post("/persons/%d/talks/" % person.id, headers=HX, data=TALK).status_code)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, statuses


def probe(path, stop, waits):
    """Take the write lock every 20 ms on a connection of its own; each wait is recorded (ms)."""
    con = sqlite3.connect(str(path), timeout=120, isolation_level=None)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # waited its whole timeout: the lock was held at least that long
            waits.append((time.perf_counter() - started) * 1000)
            continue
        waits.append((time.perf_counter() - started) * 1000)
        con.execute("COMMIT")
        time.sleep(0.02)
    con.close()


def audited(app):
    """The import's own audit detail (the branch records its longest lock hold there)."""
    from portal.db import database
    from portal.models import AuditLog
    with app.app_context(), database.connection_context():
        entry = AuditLog.select().where(AuditLog.action == "ledger.import").first()
        return entry and entry.detail


def summary(latencies, statuses):
    ordered = sorted(latencies)
    return {"saves": len(ordered), "p50_ms": round(ordered[len(ordered) // 2], 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95)], 1), "max_ms": round(ordered[-1], 1),
            "failed": sum(1 for s in statuses if s != 200)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--quiet-seconds", type=float, default=8)
    parser.add_argument("--wide-only", action="store_true", help="only the wide workbook, in this fresh process")
    args = parser.parse_args()
    results = {"code": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        app, clients, person = station(folder)
        if args.wide_only:
            return print(json.dumps(wide(clients), ensure_ascii=False))
        stop_at = time.perf_counter() + args.quiet_seconds
        results["writers_without_import"] = summary(*writers(clients["worker"], person,
                                                             lambda: time.perf_counter() > stop_at))
        print("without import", results["writers_without_import"], flush=True)

        data = person_book(args.rows)
        started = time.perf_counter()
        plan = upload(clients["lead"], data, "persons")
        results["dry_run_s"] = round(time.perf_counter() - started, 1)
        token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', plan.get_data(as_text=True))
        assert plan.status_code == 200 and token, re.findall(r"<td>[^<]*</td>", plan.get_data(as_text=True))[:12]
        done, stop, waits, outcome = threading.Event(), threading.Event(), [], {}

        def commit():
            started = time.perf_counter()
            outcome["status"] = clients["lead"].post("/imports/commit", data={"kind": "persons",
                                                                            "token": token.group(1)}).status_code
            outcome["s"] = round(time.perf_counter() - started, 1)
            done.set()

        prober = threading.Thread(target=probe, args=(folder / "portal.sqlite3", stop, waits))
        prober.start()
        importer = threading.Thread(target=commit)
        importer.start()
        during = writers(clients["worker"], person, done.is_set)
        importer.join()
        stop.set()
        prober.join()
        results["import"] = {"rows": args.rows, **outcome, "longest_lock_wait_ms": round(max(waits), 1),
                             "probes": len(waits), "audited": audited(app)}
        results["writers_during_import"] = summary(*during)
        results["p95_ratio"] = round(results["writers_during_import"]["p95_ms"]
                                     / results["writers_without_import"]["p95_ms"], 1)
        print("import", results["import"], flush=True)
        print("during import", results["writers_during_import"], flush=True)

    print(json.dumps(results, ensure_ascii=False, indent=1))


def wide(clients):
    """The 40 KB workbook of 5,000 rows with a value in XFD, dry-run first thing in a fresh process (a process that has
    already imported keeps its freed memory, so its peak would not move)."""
    data = wide_book()
    reset_hwm()
    before = hwm_mb()
    started = time.perf_counter()
    response = upload(clients["lead"], data, "trainees")
    return {"bytes": len(data), "status": response.status_code, "s": round(time.perf_counter() - started, 2),
            "added_peak_rss_mb": round(hwm_mb() - before, 1)}


if __name__ == "__main__":
    main()
