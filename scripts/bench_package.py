"""Benchmark of the monthly package (issue 18's goal: a package builds in <= 2x its dashboard's time).

    .venv/bin/python scripts/bench_package.py [--repeat 5] [--month 2026-10]

On a private copy of the 5,000-person dataset (scripts/bench.py builds it), in one process, for the
same month (default: last month): the dashboard page for that month through the app, as the lead sees
it (HTML: this month, last year, the charts); the dashboard's computation alone (dashboard.context);
the package's payload alone (package.build); and the whole package as the lead's button makes it
(build, sign, write, audit: archive.make). Prints the medians and the ratios; writes
bench/bench-package-results.json.
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, median_time, private_copy  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", default=None, help="2026-10 (default: last month)")
    args = parser.parse_args()
    copy = private_copy("bench-package")
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
    page_s = median_time(lambda: client.get(url), args.repeat)

    with app.test_request_context():
        login_user(User.get(User.username == "lead"))
        dashboard.context(period)
        context_s = median_time(lambda: dashboard.context(period), args.repeat)
        payload_s = median_time(lambda: package.build(first, "520102-01"), args.repeat)
        payload = package.build(first, "520102-01")
        made = []
        whole_s = median_time(lambda: made.append(archive.make(first, via="bench")), args.repeat)
    out = {"month": payload["month"], "dashboard_page_s": page_s, "dashboard_compute_s": context_s,
           "package_payload_s": payload_s, "package_whole_s": whole_s, "tuples": len(payload["values"]),
           "package_bytes": len(made[-1][1]), "ratio_to_page": whole_s / page_s,
           "ratio_to_compute": whole_s / context_s, "hwm_mb": hwm_mb()}
    print("month %s on the 5,000-person dataset (median of %d):" % (out["month"], args.repeat))
    print("  dashboard page %.3f s (its computation alone %.3f s)" % (page_s, context_s))
    print("  package %.3f s (build, sign, write, audit; the payload alone %.3f s): %d tuples, %d bytes"
          % (whole_s, payload_s, out["tuples"], out["package_bytes"]))
    print("  ratio package / dashboard page %.2fx (goal <= 2x); package / dashboard computation %.2fx"
          % (out["ratio_to_page"], out["ratio_to_compute"]))
    (ROOT / "bench" / "bench-package-results.json").write_text(json.dumps(out, indent=1))
    copy.unlink()
    (copy.parent / "station-ed25519.pem").unlink(missing_ok=True)  # the copy's key and packages
    shutil.rmtree(copy.parent / "packages", ignore_errors=True)


if __name__ == "__main__":
    main()
