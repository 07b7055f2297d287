"""National-scale benchmark of the province (issue 18's goals: import >= 50 packages/s; every province table at
every level <= 3x the raw SQL of its own aggregate; the annual report PDF <= 3x the station report's, measured in
the same run).

    .venv/bin/python scripts/bench_province.py [--stations 200] [--months 12] [--repeat 5] [--workers 1]
    .venv/bin/python scripts/bench_province.py --full          # 3,000 stations x 60 months (180,000 packages)
    .venv/bin/python scripts/bench_province.py --workers 2 --import-only   # the import's figures only

Starts its own PostgreSQL cluster (portal/province/cluster.py, the tests' one) in a temp folder, loads the
org tree, registers the stations across the 88 counties, and for each month generates every station's
signed package with the real format and signing code (portal/province/synthetic.py, no station database; made by
as many forked processes as cores, each station's counts drawn from its code and the month) and imports each
month's through the real import code (importing.receive_all with --workers processes, as
`import-packages --workers N` does; receiving.receive: verify, check, store, audit). Import throughput counts
receiving only, not the generating; the CPU time per package of the import processes (this one and its workers) and
of the whole PostgreSQL cluster (its backends, the ones that ended included, and its background processes) is printed
too, and the rate the machine's cores would give when idle: what the goal is on a machine shared with others. Then, for the last month, each level (province,
a prefecture, a county, a station) and each period (month, quarter, year): the table's computation
(rollup.table) and the page (GET /province/, tables and charts) against the raw SQL of its own aggregate
(one statement: the unit's and each child's sums over the current packages). Last, the province's annual report
PDF of the year against a station's 年报 PDF (the dashboard's report) of this year, on a private copy of
bench/bench.sqlite3 when present, else on a 150-person demo station made here. Prints each as ok/FAIL and
writes bench/bench-province-results.json ({"goals": [{"name", "ratio", "limit", "ok"}], ...}).
"""
import argparse
import multiprocessing
import os
import random
import resource
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import median_time as median  # noqa: E402
from benchgoals import Goals  # noqa: E402

LAST = date(2026, 10, 1)  # the last month generated; the clock is set to 2026-11-15
RAW = """
WITH RECURSIVE under(id, child) AS (
    SELECT id, id FROM org_unit WHERE parent_id = %(unit)s
    UNION ALL SELECT o.id, under.child FROM org_unit o JOIN under ON o.parent_id = under.id)
SELECT under.child, v.element, v.period, SUM(v.numerator), SUM(v.denominator)
FROM package_value v JOIN package p ON p.id = v.package_id JOIN under ON under.id = p.station_id
WHERE p.superseded_by_id IS NULL AND p.month IN %(months)s AND v.dimension IS NULL AND v.period IN %(periods)s
GROUP BY ROLLUP (under.child), v.element, v.period
"""
RAW_STATION = """
SELECT v.element, v.period, SUM(v.numerator), SUM(v.denominator)
FROM package_value v JOIN package p ON p.id = v.package_id
WHERE p.station_id = %(unit)s AND p.superseded_by_id IS NULL AND p.month IN %(months)s AND v.dimension IS NULL
  AND v.period IN %(periods)s
GROUP BY v.element, v.period
"""


def months_back(count):
    from portal.dates import add_months
    return [add_months(LAST, i - count + 1) for i in range(count)]


def register(stations):
    """The synthetic stations, spread over the 88 counties, with their keys."""
    from portal.models import OrgUnit
    from portal.province import synthetic
    counties = list(OrgUnit.by_level("county"))
    made = []
    for i in range(stations):
        county = counties[i % len(counties)]
        station = synthetic.Station("%s-%02d" % (county.code, i // len(counties) + 1), 10 + (i * 37) % 150)
        OrgUnit.create(code=station.code, name="%s第%d站" % (county.name, i // len(counties) + 1), level="station",
                       parent=county, public_key=station.public_key)
        made.append(station)
    return made


def cpu_seconds(stat_file):
    """(own, reaped children's) user + system CPU seconds of a process, from its /proc/PID/stat."""
    with open(stat_file) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def server_cpu_seconds(cluster):
    """CPU seconds the PostgreSQL cluster has used: its postmaster, the children it has reaped (the backends of
    workers that ended) and the children alive."""
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        postmaster = f.readline().strip()
    total = sum(cpu_seconds("/proc/%s/stat" % postmaster))
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == postmaster:
                    total += cpu_seconds("/proc/%s/stat" % pid)[0]
        except (OSError, IndexError):
            pass  # ended meanwhile: its time is with the postmaster's reaped children
    return total


def client_cpu_seconds():
    """CPU seconds of this process and of its children that ended (the import workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


_made = []  # the stations, for the forked generating processes


def _generate(job):
    """One station's signed package of a month, in a forked process; its counts drawn from (station, month)."""
    i, first = job
    station = _made[i]
    station.rng = random.Random("%s-%s" % (station.code, first))
    return station.code, station.package(first, generated_at="2026-11-01T00:00:00Z")


def generate(made, first):
    """Every station's package of the month, made by as many processes as cores (not part of the import's time)."""
    from portal.db import database
    database.close()  # a forked process must not share this one's socket; the next query reconnects
    _made[:] = made
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        return pool.map(_generate, [(i, first) for i in range(len(made))], chunksize=32)


def import_all(made, months, cluster, workers=1):
    """Generate and receive every package, a month at a time (with `workers` processes); (seconds in receive, CPU
    seconds in receive of the import processes and of the PostgreSQL cluster, seconds generating, packages,
    bytes)."""
    from portal.db import database
    from portal.province import importing
    receiving_s = generating_s = cpu_s = server_s = 0.0
    count = size = 0
    for first in months:
        started = time.perf_counter()
        items = generate(made, first)
        generating_s += time.perf_counter() - started
        started, cpu, server = time.perf_counter(), client_cpu_seconds(), server_cpu_seconds(cluster)
        results = importing.receive_all(items, workers)
        receiving_s += time.perf_counter() - started
        cpu_s += client_cpu_seconds() - cpu
        server_s += server_cpu_seconds(cluster) - server
        refused = [reason for *_, reason in results if reason]
        assert not refused, refused[:3]
        count, size = count + len(items), size + sum(len(data) for _, data in items)
        print("  %s: %d packages, %.1f/s received, CPU %.1f + %.1f ms a package, load %.1f" % (
            first.strftime("%Y-%m"), count, count / receiving_s, 1000 * cpu_s / count, 1000 * server_s / count,
            os.getloadavg()[0]), flush=True)
    database.connect(reuse_if_open=True)
    return receiving_s, cpu_s, server_s, generating_s, count, size


def annual_report_s(app, repeat):
    """Seconds to lay out the province's annual report PDF of the last year (annual.report_context + the paper)."""
    from portal import pdf
    from portal.models import OrgUnit, User
    from portal.province import annual
    with app.test_request_context():
        viewer, unit = User.get(User.username == "viewer"), OrgUnit.get(OrgUnit.parent.is_null())
        render = lambda: pdf.render_pdf("province/annual_report.html", viewer, **annual.report_context(  # noqa: E731
            unit, LAST.year, date(2026, 11, 15)))
        render()
        return median(render, repeat)


def station_report_s(repeat):
    """(seconds, dataset) to lay out a station's 年报 PDF (the dashboard's report) for this year, on a private copy
    of bench/bench.sqlite3 when present, else on a demo station of 150 persons made here. Binds the database to
    that station: run it last."""
    import tempfile
    from bench_dataset import DATASET, private_copy
    from portal import create_app, db, pdf
    from portal.demo import build
    from portal.models import User
    from portal.reports import dashboard, indicators
    if DATASET.exists():
        path, dataset = private_copy("bench-province-station"), "bench/bench.sqlite3"
    else:
        path, dataset = Path(tempfile.mkdtemp(prefix="bench-province-")) / "station.sqlite3", "demo, 150 persons"
    app = create_app({"SECRET_KEY": "b" * 48, "DATABASE": str(path), "STATION_NAME": "bench", "INSTANCE": "station",
                      "DATABASE_URL": None})
    with app.test_request_context():
        db.database.connect(reuse_if_open=True)
        if not DATASET.exists():
            db.upgrade()
            build(persons=150, seed=2026)
        lead = User.get(User.username == "lead")
        period = indicators.period_of("year", date.today().year, 1)
        render = lambda: pdf.render_pdf("dashboard/report.html", lead, title=dashboard.KINDS["year"],  # noqa: E731
                                        **dashboard.context(period))
        render()
        return median(render, repeat), dataset


def raw_aggregate(unit, plan):
    from portal.db import database
    periods = tuple({plan.now, plan.before, *plan.whole})
    sql = RAW_STATION if unit.level == "station" else RAW
    return database.execute_sql(sql, {"unit": unit.id, "months": tuple(plan.months), "periods": periods}).fetchall()


def tables(app, repeat):
    """[(level, kind, unit, table s, page s, raw s)] for the last month's month, quarter and year."""
    from portal.models import OrgUnit, Package
    from portal.province import rollup
    client = app.test_client()
    login = client.post("/login", data={"username": "viewer", "password": "Bench@2026province"})
    assert login.status_code == 302, login.get_data(as_text=True)[-1500:]
    today_ = date(2026, 11, 15)
    with app.app_context():  # its own: a request inside an app context already pushed would share its `g`
        busiest = lambda level: max(OrgUnit.by_level(level), key=lambda u: len(rollup.stations_under(  # noqa: E731
            u, OrgUnit.tree()[1])))
        units = {"province": OrgUnit.get(OrgUnit.parent.is_null()), "prefecture": busiest("prefecture"),
                 "county": busiest("county"), "station": Package.select().first().station}
    out = []
    for level, unit in units.items():
        for kind, number in (("month", LAST.month), ("quarter", (LAST.month - 1) // 3 + 1), ("year", 1)):
            plan = rollup.plan(kind, LAST.year, number, today_)
            url = "/province/?unit=%s&kind=%s&year=%d&number=%d" % (unit.code, kind, LAST.year, number)
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
            page_s = median(lambda: client.get(url), repeat)
            with app.app_context():
                raw_aggregate(unit, plan)
                raw_s = median(lambda: raw_aggregate(unit, plan), repeat)
                table_s = median(lambda: rollup.table(unit, plan), repeat)
            out.append((level, kind, unit, table_s, page_s, raw_s))
            print("  %-10s %-7s %-16s table %.4f s  page %.4f s  raw SQL %.4f s  ratio %.2fx (page %.2fx)" % (
                level, kind, unit.name[:16], table_s, page_s, raw_s, table_s / raw_s, page_s / raw_s), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="3,000 stations x 60 months")
    parser.add_argument("--workers", type=int, default=1, help="import processes (import-packages --workers)")
    parser.add_argument("--import-only", action="store_true", help="the import's figures only: no tables, no PDFs")
    args = parser.parse_args()
    if args.full:
        args.stations, args.months = 3000, 60
    if args.stations > 88 * 99:
        raise SystemExit("at most 99 stations per county (8,712)")
    from portal import create_app, db
    from portal.accounts import passwords
    from portal.models import User
    from portal.province import gb2260
    from portal.province.cluster import Cluster

    cluster = Cluster().start()
    try:
        app = create_app({"SECRET_KEY": "b" * 48, "INSTANCE": "province", "DATABASE_URL": cluster.createdb(),
                          "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
                          "AUDIT_KEY_FILE": cluster.dir + "/audit.key",
                          "CLOCK": lambda: datetime(2026, 11, 15, 2, 0)})
        with app.app_context():
            db.upgrade()
            db.database.connect(reuse_if_open=True)  # no connection_context: import workers close it to fork
            gb2260.load(gb2260.DEFAULT_FILE)
            User.create(username="viewer", display_name="查看", role="province_viewer",
                        password_hash=passwords.hash_password("Bench@2026province"), must_change_password=False,
                        password_changed_at=datetime(2026, 11, 1))
            made = register(args.stations)
            print("%d stations x %d months (%d packages) into PostgreSQL:" % (
                args.stations, args.months, args.stations * args.months), flush=True)
            receiving_s, cpu_s, backend_s, generating_s, count, size = import_all(made, months_back(args.months),
                                                                                cluster, args.workers)
            db.database.execute_sql("ANALYZE")
            rate = count / receiving_s
            cpu_rate = os.cpu_count() * count / (cpu_s + backend_s)
            load = os.getloadavg()[0]
            print("import with %d worker(s): %d packages (%.0f MB) in %.1f s: %.1f packages/s (goal >= 50); "
                  "generating them took %.1f s" % (args.workers, count, size / 1e6, receiving_s, rate,
                                                  generating_s), flush=True)
            print("  CPU per package: %.1f ms in the import processes + %.1f ms in PostgreSQL: %.1f packages/s on "
                  "the %d cores idle (load average now %.1f)" % (1000 * cpu_s / count, 1000 * backend_s / count,
                                                                 cpu_rate, os.cpu_count(), load), flush=True)
            db.database.close()
        if args.import_only:
            return
        print("tables against the raw SQL of their own aggregate (median of %d):" % args.repeat)
        measured = tables(app, args.repeat)
        annual_s = annual_report_s(app, args.repeat)
        station_s, dataset = station_report_s(args.repeat)
        print("annual report PDF (province, %d) %.2f s; station 年报 PDF (%s) %.2f s" % (
            LAST.year, annual_s, dataset, station_s), flush=True)
        goals = Goals()
        goals.check("import: time per package / 1/50 s (%.1f packages/s, %d worker(s))" % (rate, args.workers),
                    50 / rate, 1)
        for level, kind, unit, table_s, page_s, raw_s in measured:
            goals.check("table %s %s / raw SQL" % (level, kind), table_s / raw_s, 3)
        goals.check("annual report PDF / station report PDF", annual_s / station_s, 3)
        scale = 180000 / count
        out = {"stations": args.stations, "months": args.months, "packages": count, "bytes": size,
               "receiving_s": receiving_s, "generating_s": generating_s, "packages_per_s": rate,
               "cpu_ms_per_package": 1000 * cpu_s / count, "postgres_cpu_ms_per_package": 1000 * backend_s / count,
               "packages_per_s_by_cpu": cpu_rate, "load_average": load, "workers": args.workers,
               "annual_report_s": annual_s, "station_report_s": station_s, "station_dataset": dataset,
               "full_scale_import_estimate_h": round(180000 / rate / 3600, 2),
               "full_scale_factor": round(scale, 1),
               "tables": [{"level": level, "kind": kind, "unit": unit.code, "table_s": t, "page_s": p, "raw_s": r,
                           "page_ratio": p / r} for level, kind, unit, t, p, r in measured],
               }
        (ROOT / "bench").mkdir(exist_ok=True)
        goals.write(ROOT / "bench" / "bench-province-results.json", out)
        print("full scale (180,000 packages) at this rate: %.1f h of import" % out["full_scale_import_estimate_h"])
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
