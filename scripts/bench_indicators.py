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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, median_time, private_copy  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    copy = private_copy("bench-indicators")
    from portal import create_app, db
    from portal.db import database

    app = create_app({"SECRET_KEY": "i" * 40, "DATABASE": str(copy), "STATION_NAME": "bench", "TESTING": True,
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

    raw = sqlite3.connect(str(copy))

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
    copy.unlink()


if __name__ == "__main__":
    main()
