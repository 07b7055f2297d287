"""Benchmark of the dashboard and the annual report (issue 7's goals) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_indicators.py [--repeat 5]

In one process: the dashboard for the current year through the app (HTML, as the lead sees it);
the raw SQL of the same aggregates (every statement the dashboard ran, captured and replayed with
sqlite3 directly); their ratio; then the annual report PDF's time and the peak resident memory.
Needs bench/bench.sqlite3 (made by scripts/bench.py).
"""
import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATASET = ROOT / "bench" / "bench.sqlite3"
COPY = ROOT / "bench" / "bench-indicators.sqlite3"


def hwm_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024.0 for line in f if line.startswith("VmHWM:"))


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fresh_copy(source, target):
    """A consistent copy through SQLite's backup API (a plain file copy can miss the WAL)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not DATASET.exists():
        raise SystemExit("bench/bench.sqlite3 is missing: run scripts/bench.py once first")
    fresh_copy(DATASET, COPY)
    from portal import create_app, db
    from portal.db import database

    app = create_app({"SECRET_KEY": "i" * 40, "DATABASE": str(COPY), "STATION_NAME": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.upgrade()
    client = app.test_client()
    client.post("/login", data={"username": "lead", "password": "Demo@2026station"})
    url = "/indicators/?kind=year"
    assert client.get(url).status_code == 200  # warm

    statements = []
    original = database.execute_sql

    def capture(sql, params=None, *rest, **kwargs):
        if sql.lstrip().upper().startswith("SELECT") and "audit_log" not in sql and "user_session" not in sql:
            statements.append((sql, tuple(params or ())))
        return original(sql, params, *rest, **kwargs)

    database.execute_sql = capture
    client.get(url)
    database.execute_sql = original
    dashboard_s = median_time(lambda: client.get(url), args.repeat)

    raw = sqlite3.connect(str(COPY))

    def replay():
        for sql, params in statements:
            raw.execute(sql, params).fetchall()

    replay()
    raw_s = median_time(replay, args.repeat)
    raw.close()
    out = {"dashboard_s": dashboard_s, "raw_sql_s": raw_s, "statements": len(statements),
           "ratio": dashboard_s / raw_s}
    print("dashboard for the year: %.3f s; the raw SQL of its %d aggregate statements: %.3f s; ratio %.1fx "
          "(goal <= 10x)" % (dashboard_s, len(statements), raw_s, out["ratio"]))
    before = hwm_mb()
    started = time.perf_counter()
    response = client.get("/indicators/report.pdf?kind=year")
    out.update(report_s=time.perf_counter() - started, report_kb=len(response.data) // 1024,
               hwm_before_mb=before, hwm_after_mb=hwm_mb())
    print("annual report PDF: %.2f s, %d KB; peak RSS %.0f MB (before the report: %.0f MB)" % (
        out["report_s"], out["report_kb"], out["hwm_after_mb"], before))
    (ROOT / "bench" / "bench-indicators-results.json").write_text(json.dumps(out, indent=1))
    COPY.unlink()


if __name__ == "__main__":
    main()
