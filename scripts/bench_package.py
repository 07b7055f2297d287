"""Benchmark of the monthly package (issue 18's goal: a package builds in <= 2x its dashboard's time).

    .venv/bin/python scripts/bench_package.py [--repeat 5] [--month 2026-10] [--persons 5000|20000]

On a private copy of the benchmark dataset (bench/bench.sqlite3, or bench/bench-20000.sqlite3 with
--persons 20000; scripts/bench.py builds them), in one process, for the same month (default: last
month): the dashboard page for that month through the app, as the lead sees it (HTML: this month, last
year, the charts); the dashboard's computation alone (dashboard.context); the package's payload alone
(package.build); and the whole package as the lead's button makes it (build, sign, write, audit:
archive.make). The four are timed in turn in each round, so that a busy machine slows them alike; the
medians of wall time and of this process's CPU time (SQLite runs in it) give the ratios. The goal is
checked on wall time (scripts/benchgoals.py); results in bench/bench-package-results[-20000].json.
"""
import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, private_copy  # noqa: E402
from benchgoals import Goals  # noqa: E402

GOAL = 2.0  # the whole package / the dashboard page for the same month


def timed(fn):
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds, each timing all four in turn (5)")
    parser.add_argument("--month", default=None, help="2026-10 (default: last month)")
    parser.add_argument("--persons", type=int, default=5000, choices=(5000, 20000), help="dataset size (5000)")
    args = parser.parse_args()
    suffix = "" if args.persons == 5000 else "-%d" % args.persons
    copy = private_copy("bench-package", ROOT / "bench" / ("bench%s.sqlite3" % suffix))
    from flask_login import login_user

    from portal import create_app, db
    from portal.dates import today
    from portal.exchange import archive, package
    from portal.models import Setting, User
    from portal.reports import dashboard, indicators

    app = create_app({"SECRET_KEY": "p" * 40, "DATABASE": str(copy), "STATION_NAME": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.upgrade()
        first = package.parse_month(args.month, today()) if args.month else package.last_month(today())
        with db.database.connection_context():
            Setting.replace(key="station.code", value="520102-01").execute()
    period = indicators.period_of("month", first.year, first.month)
    client = app.test_client()
    client.post("/login", data={"username": "lead", "password": "Demo@2026station"})
    url = "/indicators/?kind=month&year=%d&number=%d" % (first.year, first.month)
    assert client.get(url).status_code == 200  # warm

    made, runs = [], {"page": [], "compute": [], "payload": [], "whole": []}
    with app.test_request_context():
        login_user(User.get(User.username == "lead"))
        dashboard.context(period)
        payload = package.build(first, "520102-01")
        for _ in range(args.repeat):
            runs["page"].append(timed(lambda: client.get(url)))
            runs["compute"].append(timed(lambda: dashboard.context(period)))
            runs["payload"].append(timed(lambda: package.build(first, "520102-01")))
            runs["whole"].append(timed(lambda: made.append(archive.make(first, via="bench"))))
    wall = {name: statistics.median(w for w, _ in times) for name, times in runs.items()}
    cpu = {name: statistics.median(c for _, c in times) for name, times in runs.items()}
    out = {"month": payload["month"], "persons": args.persons, "repeat": args.repeat,
           "dashboard_page_s": wall["page"], "dashboard_compute_s": wall["compute"],
           "package_payload_s": wall["payload"], "package_whole_s": wall["whole"],
           "cpu_s": cpu, "tuples": len(payload["values"]), "package_bytes": len(made[-1][1]),
           "ratio_to_page": wall["whole"] / wall["page"], "ratio_to_compute": wall["whole"] / wall["compute"],
           "cpu_ratio_to_page": cpu["whole"] / cpu["page"], "cpu_ratio_to_compute": cpu["payload"] / cpu["compute"],
           "hwm_mb": hwm_mb()}
    print("month %s on the %d-person dataset (median of %d rounds; wall s / CPU s):" % (
        out["month"], args.persons, args.repeat))
    print("  dashboard page %.3f / %.3f (its computation alone %.3f / %.3f)"
          % (wall["page"], cpu["page"], wall["compute"], cpu["compute"]))
    print("  package %.3f / %.3f (build, sign, write, audit; the payload alone %.3f / %.3f): %d tuples, %d bytes"
          % (wall["whole"], cpu["whole"], wall["payload"], cpu["payload"], out["tuples"], out["package_bytes"]))
    print("  package / dashboard page %.2fx wall, %.2fx CPU; payload / dashboard computation %.2fx CPU"
          % (out["ratio_to_page"], out["cpu_ratio_to_page"], out["cpu_ratio_to_compute"]))
    goals = Goals()
    goals.check("package / dashboard page, same month, %d persons" % args.persons, out["ratio_to_page"], GOAL)
    goals.write(ROOT / "bench" / ("bench-package-results%s.json" % suffix), out)
    copy.unlink()
    (copy.parent / "station-ed25519.pem").unlink(missing_ok=True)  # the copy's key and packages
    shutil.rmtree(copy.parent / "packages", ignore_errors=True)
    sys.exit(0 if goals.all_ok else 1)


if __name__ == "__main__":
    main()
