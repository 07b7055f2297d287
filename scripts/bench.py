"""Benchmark of the station portal on the 5,000-person dataset (issue 2, item 10 and "Goals"; issue 19).

    .venv/bin/python scripts/bench.py [--persons 5000|20000] [--duration 5] [--clients 8] [--rebuild]
                                      [--close-connections] [--only LABEL ...]

In one run:
  1. builds (or reuses) bench/bench.sqlite3 with demo.build(persons=5000) and times the build
     (another size has its own cached dataset, bench/bench-20000.sqlite3, and its own results,
     bench/bench-results-20000.json); each run then serves a fresh copy (bench/bench-run.sqlite3)
     so the audit trail, which every page view appends to, starts from the same size every time;
  2. times the cold start of create_app() in a fresh interpreter (median of 3);
  3. serves the app with waitress (8 threads) in a separate process pinned to core 0, and
     drives it from a separate load-generator process pinned to core 1 (http.client
     keep-alive connections, one per client thread), signed in as the demo account `lead`;
  4. for every URL, with 1 and then with 8 concurrent clients for --duration seconds each,
     records the server-side time of each request (a WSGI wrapper around the whole Flask
     app, from the call to close()) and the client-side latency;
  5. reads the server's resident memory (VmRSS, VmHWM) after the load;
  6. prints a table with p50/p95 and, for every page and fragment, its ratio to the audited
     floor (p50 under 1 client, p95 under 8 clients), then each goal of issue 19 with its ratio
     and ok/FAIL (scripts/benchgoals.py), and writes everything to bench/bench-results.json
     (the goals under `goals`).

The audited floor (/bench-floor/<id>, added by the server driver only) is what every audited
read must do at least: check the session and the role, load one person, write one durable audit
row (audit.record) and answer. The bare route (/bench-bare) is requested without a session
cookie; "bare+session" is the same route with the cookie (session lookup), for reference.
The 20,000-person goal compares 今日待办 with its time in the last 5,000-person run.
Server tracebacks go to bench/bench-server.log. The run warns when other processes (or the
hypervisor, as steal time) took CPU while it measured: on a 2-core machine the figures are
then not comparable.

Internal sub-commands (run by the script itself in separate processes): _build, _serve, _load.
"""
import argparse
import array
import hashlib
import http.client
import json
import math
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchgoals import Goals  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RUN_DB = BENCH_DIR / "bench-run.sqlite3"
SERVER_LOG = BENCH_DIR / "bench-server.log"
PERSONS = 5000
DEMO_USER, DEMO_PASSWORD = "lead", "Demo@2026station"
PERSON_IDS = [1, 2, 137, 999, 2500, 3333, 4321, 5000]
STATS_PATH = "/__bench_stats"
LONG_PERSON = [1]  # set by the load generator: the person with the most screenings
DAY_ROWS, DAY_REPEATS = 50, 5
GOALS = {"page_ratio": 10.0, "fragment_ratio": 5.0, "cold_start_s": 1.5, "rss_mb": 200.0, "build_s": 120.0}
# issue 19: label measured, limit as a ratio to the audited floor
FLOOR_GOALS = [("queue (station)", 10.0), ("person page", 5.0)]
QUEUE_GROWTH = 2.0  # 今日待办 at 20,000 persons / at 5,000


def dataset_path(persons):
    """The cached dataset of a size: bench/bench.sqlite3 for 5,000 persons, bench/bench-N.sqlite3 otherwise."""
    return BENCH_DIR / ("bench.sqlite3" if persons == PERSONS else "bench-%d.sqlite3" % persons)


def results_path(persons):
    return BENCH_DIR / ("bench-results.json" if persons == PERSONS else "bench-results-%d.json" % persons)


# label, path ("{id}" rotates over PERSON_IDS), extra headers, send the session cookie, kind
TARGETS = [
    ("bare", "/bench-bare", {}, False, "bare"),
    ("bare+session", "/bench-bare", {}, True, "info"),
    ("audited floor", "/bench-floor/{id}", {}, True, "floor"),
    ("home", "/", {}, True, "page"),
    ("persons list p1", "/persons/", {}, True, "page"),
    ("search q=zs", "/persons/?q=zs", {}, True, "page"),
    ("search q=zs [HX]", "/persons/?q=zs", {"HX-Request": "true"}, True, "fragment"),
    ("search q=1234 (ID)", "/persons/?q=1234", {}, True, "page"),
    ("measure=rehab p3", "/persons/?measure=community_rehab&page=3", {}, True, "page"),
    ("person page", "/persons/{id}", {}, True, "page"),
    # the two sections the page loads at once (the others load as they come into view)
    ("person tracking [HX]", "/persons/{id}/sections/tracking", {"HX-Request": "true"}, True, "fragment"),
    ("person timeline [HX]", "/persons/{id}/sections/timeline", {"HX-Request": "true"}, True, "fragment"),
    ("person edit", "/persons/{id}/edit", {}, True, "page"),
    ("talk form [HX]", "/persons/{id}/talks/new", {"HX-Request": "true"}, True, "page"),
    ("timeline p2 [HX]", "/persons/{id}/timeline?page=2", {"HX-Request": "true"}, True, "page"),
    ("talks list", "/talks/", {}, True, "page"),
    ("person 3y screenings", "/persons/{long}", {}, True, "page"),
    ("tracking file [HX]", "/persons/{long}/tracking", {"HX-Request": "true"}, True, "page"),
    ("screenings list", "/screenings/", {}, True, "page"),
    ("breach counters SQL", "/bench-counters", {}, False, "page"),
    ("queue (station)", "/queue/", {}, True, "page"),
    ("users", "/users/", {}, True, "page"),
    ("audit p1", "/audit/", {}, True, "page"),  # last: its cost grows with the audit trail
]


# --- helpers shared by the sub-processes ----------------------------------------------------

def bench_config():
    return json.loads(os.environ["BENCH_CONFIG"])


def make_app(config):
    sys.path.insert(0, str(ROOT))
    from portal import create_app

    return create_app(config)


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds):
    if not seconds:
        return {"n": 0}
    ms = [s * 1000.0 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": statistics.fmean(ms), "max": max(ms)}


def proc_status(pid):
    values = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    values[key] = int(rest.split()[0])
    except OSError:
        pass
    return {"rss_mb": values.get("VmRSS", 0) / 1024.0, "hwm_mb": values.get("VmHWM", 0) / 1024.0,
            "threads": values.get("Threads")}


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


# --- _build: the 5,000-person dataset ---------------------------------------------------------

def source_fingerprint():
    """Hash of the code that makes the dataset (the demo builder): the dataset is rebuilt when it changes; a
    reused one is only migrated, so a new index or column reaches it (--rebuild forces a build)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "portal" / "demo").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cmd_build(args):
    """Reuse the dataset of this size when it holds `persons` persons made by the current code, else build it."""
    config = bench_config()
    dataset = dataset_path(args.persons)
    meta_path = Path(str(dataset) + ".json")
    report = {"path": str(dataset), "persons": args.persons}
    if dataset.exists() and not args.rebuild:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % dataset, uri=True)
            count = con.execute("SELECT count(*) FROM person WHERE deleted_at IS NULL").fetchone()[0]
            con.close()
        except sqlite3.Error:
            count = None
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        if count == args.persons and meta.get("source") == source_fingerprint():
            app = make_app(dict(config, DATABASE=str(dataset)))
            from portal import db

            with app.app_context():
                applied = db.upgrade()  # a reused dataset follows the schema
            report.update(reused=True, migrations_applied=applied, build_s=meta.get("build_s"),
                          build_cpu_s=meta.get("build_cpu_s"),
                          built_at=meta.get("built_at"), counts=meta.get("counts"))
            print(json.dumps(report))
            return 0
    tmp = Path(str(dataset) + ".tmp")
    remove_db(tmp)
    app = make_app(dict(config, DATABASE=str(tmp)))
    from portal import db, demo

    with app.app_context():
        started = time.perf_counter()
        db.upgrade()
        upgraded, cpu = time.perf_counter(), time.process_time()
        with db.database.connection_context():
            counts = demo.build(persons=args.persons)
        finished, cpu = time.perf_counter(), time.process_time() - cpu
    remove_db(dataset)
    os.replace(tmp, dataset)
    remove_db(tmp)
    meta = {"build_s": finished - upgraded, "build_cpu_s": cpu, "init_db_s": upgraded - started, "persons": args.persons,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "counts": counts, "source": source_fingerprint()}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    report.update(reused=False, **meta)
    print(json.dumps(report, ensure_ascii=False))
    return 0


# --- _serve: waitress around the app, with server-side timing ---------------------------------

class Timing:
    """WSGI wrapper: per-tag durations from the call until the server closes the response."""

    def __init__(self, app):
        self.app = app
        self.samples = defaultdict(lambda: array.array("d"))
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == STATS_PATH:
            with self.lock:
                data = {tag: list(values) for tag, values in self.samples.items()}
                self.samples.clear()
            body = json.dumps(data).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        tag = environ.get("HTTP_X_BENCH_TAG")
        started = time.perf_counter()
        result = self.app(environ, start_response)
        if not tag:
            return result
        return _Timed(result, lambda: self._add(tag, time.perf_counter() - started))

    def _add(self, tag, seconds):
        with self.lock:
            self.samples[tag].append(seconds)


class _Timed:
    def __init__(self, result, done):
        self.result, self.done = result, done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.done()


def cmd_serve(args):
    import logging

    from waitress.server import create_server

    # "Task queue depth is N" on every moment all threads are busy: expected under 8 clients
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    app = make_app(bench_config())
    from portal.cli import SWITCH_INTERVAL

    sys.setswitchinterval(SWITCH_INTERVAL)  # as `flask serve` runs (cli.make_server)
    from portal.permissions import public

    app.add_url_rule("/bench-bare", "bench_bare", public(lambda: "ok"))
    from portal import audit
    from portal.permissions import load_person, requires

    @requires("persons.read")
    def floor(person_id):  # issue 19's audited read: session, role, one person, one durable audit row
        person = load_person(person_id)
        audit.record("person.view", person, detail={"bench": "floor"})
        return person.name

    app.add_url_rule("/bench-floor/<int:person_id>", "bench_floor", floor)
    from portal.tracking import breaches

    # the art. 20 counters of every case, in one SQL query (issue 4's goal), without a session
    app.add_url_rule("/bench-counters", "bench_counters", public(
        lambda: "%d serious" % sum(row["serious"] for row in breaches.counters().dicts())))
    server = create_server(Timing(app), host="127.0.0.1", port=0, threads=args.threads, ident="")
    print(json.dumps({"port": int(server.effective_port), "pid": os.getpid()}), flush=True)
    server.run()
    return 0


# --- _load: the load generator ------------------------------------------------------------------

def _cookie(response, name="portal_session"):
    for header in response.msg.get_all("Set-Cookie") or []:
        morsel = header.split(";", 1)[0]
        key, _, value = morsel.partition("=")
        if key.strip() == name:
            return value
    return None


def login(port):
    """Sign in as the demo lead; return the portal_session cookie value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    resp = conn.getresponse()
    page = resp.read().decode("utf-8", "replace")
    cookie = _cookie(resp)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if resp.status != 200 or not cookie or not token:
        raise SystemExit("login page: status %s, cookie %s, token %s" % (resp.status, bool(cookie), bool(token)))
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "username": DEMO_USER, "password": DEMO_PASSWORD})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "portal_session=" + cookie})
    resp = conn.getresponse()
    resp.read()
    session = _cookie(resp)
    if resp.status != 302 or not session:
        raise SystemExit("login as %s failed: status %s" % (DEMO_USER, resp.status))
    conn.request("GET", "/", headers={"Cookie": "portal_session=" + session})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise SystemExit("home after login: status %s (password gate or session problem?)" % resp.status)
    conn.close()
    return session


class Client:
    def __init__(self, port, index, cookie):
        self.port, self.index, self.cookie = port, index, cookie
        self.conn = None
        self.count = 0

    def request(self, path, headers):
        path = path.replace("{long}", str(LONG_PERSON[0]))
        if "{id}" in path:
            path = path.replace("{id}", str(PERSON_IDS[(self.index + self.count) % len(PERSON_IDS)]))
        self.count += 1
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request("GET", path, headers=headers)
            resp = self.conn.getresponse()
            body = resp.read()
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return resp.status, len(body)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            return type(exc).__name__, 0


def run_phase(port, cookies, target, clients, duration, warmup):
    label, path, extra, with_cookie, _ = target
    tag = "%s|%d" % (label, clients)
    headers = dict(extra)
    workers = [Client(port, i, cookies[i] if with_cookie else None) for i in range(clients)]
    results = [None] * clients
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work(i):
        client = workers[i]
        h = dict(headers)
        if client.cookie:
            h["Cookie"] = "portal_session=" + client.cookie
        warm_end = time.perf_counter() + warmup
        while time.perf_counter() < warm_end:  # untagged: not counted server-side
            client.request(path, h)
        h["X-Bench-Tag"] = tag
        barrier.wait()
        lat, statuses, sizes = [], Counter(), []
        while True:
            t0 = time.perf_counter()
            if t0 >= deadline[0]:
                break
            status, size = client.request(path, h)
            lat.append(time.perf_counter() - t0)
            statuses[str(status)] += 1
            sizes.append(size)
        results[i] = (lat, statuses, sizes)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + warmup + duration + 3600  # provisional, until the barrier
    barrier.wait()
    started = time.perf_counter()
    deadline[0] = started + duration
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    lat = [x for r in results for x in r[0]]
    statuses = sum((r[1] for r in results), Counter())
    sizes = [x for r in results for x in r[2]]
    for w in workers:
        if w.conn:
            w.conn.close()
    return {"label": label, "path": path, "clients": clients, "tag": tag, "elapsed_s": elapsed,
            "requests": len(lat), "rps": len(lat) / elapsed if elapsed else 0.0,
            "statuses": dict(statuses), "errors": sum(n for s, n in statuses.items() if s != "200"),
            "bytes_median": statistics.median(sizes) if sizes else 0, "client_ms": summary_ms(lat)}


def csrf_token(page):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    return found.group(1)


def post(conn, path, fields, cookie, tag=None):
    body = urllib.parse.urlencode(fields, doseq=True)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "portal_session=" + cookie}
    if tag:
        headers["X-Bench-Tag"] = tag
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    resp = conn.getresponse()
    page = resp.read().decode("utf-8", "replace")
    return resp.status, page, time.perf_counter() - started


def testing_days(port, cookie, database):
    """Save DAY_REPEATS testing days of DAY_ROWS persons each, one POST per day (issue 4's goal);
    each day takes persons not tested before in this run, so every row is a new screening."""
    con = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    ids = [r[0] for r in con.execute(
        'SELECT person_id FROM "case" WHERE status = \'active\' AND deleted_at IS NULL ORDER BY id')]
    con.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/screenings/day", headers={"Cookie": "portal_session=" + cookie})
    resp = conn.getresponse()
    cookie = _cookie(resp) or cookie  # the CSRF secret may come with a new session cookie
    token = csrf_token(resp.read().decode())
    seconds, saved = [], []
    for day in range(DAY_REPEATS):
        chosen = ids[day * DAY_ROWS:(day + 1) * DAY_ROWS]
        status, page, _ = post(conn, "/screenings/day", {"csrf_token": token, "step": "choose", "person": chosen},
                               cookie)
        rows = re.findall(r'name="(rows-\d+)-person_id"[^>]*value="(\d+)"', page) or \
            [(m[1], m[0]) for m in re.findall(r'value="(\d+)"[^>]*name="(rows-\d+)-person_id"', page)]
        fields = {"csrf_token": token, "tested_on": time.strftime("%Y-%m-%d"), "kind": "onsite", "sample": "urine",
                  "panels": ["opiates", "meth"], "collectors": "李明、陈丽", "female_collector": "y",
                  "police_station": "新华路派出所"}
        for prefix, person_id in rows:
            fields.update({prefix + "-person_id": person_id, prefix + "-result": "negative", prefix + "-signed": "y"})
        status, page, elapsed = post(conn, "/screenings/day", fields, cookie, tag="testing day %d rows|1" % DAY_ROWS)
        found = re.search(r"已保存 (\d+) 人", page)
        saved.append(int(found.group(1)) if found and status == 200 else 0)
        seconds.append(elapsed)
    conn.close()
    return {"rows": DAY_ROWS, "days": DAY_REPEATS, "saved": saved, "client_ms": summary_ms(seconds),
            "tag": "testing day %d rows|1" % DAY_ROWS}


TOGGLE_TAG = "attendance toggle [HX]|%d"


def attendance_toggles(port, cookies, database, duration):
    """Issue 5's goal: every client toggles attendance on the newest training session (an HTMX POST
    answered with the row and the counts) for `duration` seconds; timed server-side by tag."""
    con = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    session_id = con.execute("SELECT id FROM training_session ORDER BY held_on DESC, id DESC LIMIT 1").fetchone()[0]
    trainees = [r[0] for r in con.execute("SELECT trainee_id FROM attendance WHERE session_id = ?", (session_id,))]
    con.close()
    tag = TOGGLE_TAG % len(cookies)
    results, barrier = [None] * len(cookies), threading.Barrier(len(cookies))

    def work(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/training/%d" % session_id, headers={"Cookie": "portal_session=" + cookies[i]})
        resp = conn.getresponse()
        cookie = _cookie(resp) or cookies[i]
        token = csrf_token(resp.read().decode())
        headers = {"Cookie": "portal_session=" + cookie, "X-CSRFToken": token, "HX-Request": "true",
                   "Content-Type": "application/x-www-form-urlencoded", "X-Bench-Tag": tag}
        statuses, n = Counter(), 0
        barrier.wait()
        deadline = time.perf_counter() + duration
        while time.perf_counter() < deadline:
            trainee = trainees[(i * 7 + n) % len(trainees)]
            body = "status=" + ("present", "absent", "excused")[n % 3]
            conn.request("POST", "/training/%d/attendance/%d" % (session_id, trainee), body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            statuses[str(resp.status)] += 1
            n += 1
        conn.close()
        results[i] = statuses

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(cookies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sum(results, Counter())
    return {"tag": tag, "clients": len(cookies), "statuses": dict(statuses), "session": session_id}


def cmd_load(args):
    levels = sorted({1, args.clients})
    cookies = [login(args.port) for _ in range(max(levels))]  # one server session per client, in turn
    con = sqlite3.connect("file:%s?mode=ro" % bench_config()["DATABASE"], uri=True)
    LONG_PERSON[0] = con.execute("SELECT person_id FROM screening GROUP BY person_id "
                                 "ORDER BY max(tested_on) > date('now', '-30 days') DESC, count(*) DESC "
                                 "LIMIT 1").fetchone()[0]
    con.close()
    phases = []
    for target in TARGETS:
        if args.only and not any(o in target[0] for o in args.only):
            continue
        for clients in levels:
            phase = run_phase(args.port, cookies, target, clients, args.duration, args.warmup)
            phase["kind"] = target[4]
            phases.append(phase)
            print("  %-20s %d client(s): %6d requests, %7.1f req/s, errors %d" % (
                phase["label"], clients, phase["requests"], phase["rps"], phase["errors"]),
                file=sys.stderr, flush=True)
    day = testing_days(args.port, cookies[0], bench_config()["DATABASE"])
    print("  testing day: %d x %d rows, saved %s" % (day["days"], day["rows"], day["saved"]), file=sys.stderr)
    toggles = attendance_toggles(args.port, cookies, bench_config()["DATABASE"], args.duration)
    print("  attendance toggles: %s" % toggles["statuses"], file=sys.stderr)
    print(json.dumps({"phases": phases, "testing_day": day, "long_person": LONG_PERSON[0], "toggles": toggles}))
    return 0


# --- the orchestrating run --------------------------------------------------------------------

def child(cmd, config, pin=None):
    argv = [sys.executable, str(Path(__file__).resolve())] + cmd
    if pin is not None:
        argv = ["taskset", "-c", str(pin)] + argv
    env = dict(os.environ, BENCH_CONFIG=json.dumps(config), PYTHONDONTWRITEBYTECODE="1")
    return argv, env


def cold_start(config, runs=3):
    code = ("import json, os; from portal import create_app; "
            "create_app(json.loads(os.environ['BENCH_CONFIG']))")
    env = dict(os.environ, BENCH_CONFIG=json.dumps(config))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
        times.append(time.perf_counter() - t0)
    return {"runs_s": times, "median_s": statistics.median(times)}


def cpu_accounting():
    """(wall, busy CPU seconds of the whole machine, CPU seconds of this process and its waited children)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    busy = sum(fields[:3]) / tick  # user, nice, system (irq time is nobody's)
    steal = fields[7] / tick if len(fields) > 7 else 0.0  # taken by the hypervisor for other machines
    t = os.times()
    return time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system, steal


def foreign_cpu(before, after):
    """CPU time used by other processes on the machine while the server and load generator ran."""
    wall = after[0] - before[0]
    other = max(0.0, (after[1] - before[1]) - (after[2] - before[2]))
    steal = after[3] - before[3]
    return {"wall_s": wall, "cpu_s": other, "share_of_one_core": other / wall if wall else 0.0,
            "steal_s": steal, "steal_share_of_one_core": steal / wall if wall else 0.0}


def fetch_stats(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", STATS_PATH)
    data = json.loads(conn.getresponse().read())
    conn.close()
    return data


def audit_rows(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        con.close()


def fmt(v, spec="%.1f"):
    return "-" if v is None else spec % v


def print_table(phases, floor, clients):
    rows = defaultdict(dict)
    order = []
    for p in phases:
        if p["label"] not in rows:
            order.append(p["label"])
        rows[p["label"]][p["clients"]] = p
    head = ("%-20s %8s %8s %7s | %8s %8s %9s %7s %-5s | %7s %5s %7s" % (
        "URL (server-side ms)", "p50", "p95", "/floor", "p50", "p95", "cli p95", "/floor", "goal", "req/s", "err",
        "KB"))
    print("%-20s %25s | %41s |" % ("", "1 client", "%d clients" % clients))
    print(head)
    print("-" * len(head))
    for label in order:
        one, many = rows[label].get(1, {}), rows[label].get(clients, {})
        s1, s8 = one.get("server_ms", {}), many.get("server_ms", {})
        goal = many.get("goal_ok")
        mark = "" if goal is None else ("ok" if goal else "FAIL")
        print("%-20s %8s %8s %7s | %8s %8s %9s %7s %-5s | %7s %5s %7s" % (
            label, fmt(s1.get("p50"), "%.2f"), fmt(s1.get("p95"), "%.2f"), fmt(one.get("ratio_to_floor"), "%.1fx"),
            fmt(s8.get("p50"), "%.2f"), fmt(s8.get("p95"), "%.2f"), fmt(many.get("client_ms", {}).get("p95"), "%.2f"),
            fmt(many.get("ratio_to_floor"), "%.1fx"), mark, fmt(many.get("rps"), "%.0f"),
            (one.get("errors", 0) or 0) + (many.get("errors", 0) or 0),
            fmt((many.get("bytes_median") or 0) / 1024.0, "%.1f")))
    print("audited floor: p50 (1 client) %s ms, p95 (%d clients) %s ms; goal: pages <= %gx, fragments "
          "[HX] <= %gx the floor" % (fmt(floor["p50_1"], "%.3f"), clients, fmt(floor.get("p95_%d" % clients), "%.3f"),
                                     GOALS["page_ratio"], GOALS["fragment_ratio"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per URL and client count (5)")
    parser.add_argument("--warmup", type=float, default=0.5, help="untimed seconds before each phase (0.5)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the second phase (8)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument("--persons", type=int, default=PERSONS, help="dataset size (5000)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the dataset even if it exists")
    parser.add_argument("--close-connections", action="store_true",
                        help="serve with KEEP_CONNECTIONS=False (connect and close SQLite on every request)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and load generator with taskset")
    parser.add_argument("--only", nargs="*", help="measure only the URLs whose label contains one of these")
    parser.add_argument("--json", help="results file (bench/bench-results.json; bench/bench-results-N.json for N persons)")
    b = sub.add_parser("_build")
    b.add_argument("--persons", type=int, default=PERSONS)
    b.add_argument("--rebuild", action="store_true")
    s = sub.add_parser("_serve")
    s.add_argument("--threads", type=int, default=8)
    ld = sub.add_parser("_load")
    ld.add_argument("--port", type=int, required=True)
    ld.add_argument("--clients", type=int, default=8)
    ld.add_argument("--duration", type=float, default=5.0)
    ld.add_argument("--warmup", type=float, default=0.5)
    ld.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    if args.cmd == "_build":
        return cmd_build(args)
    if args.cmd == "_serve":
        return cmd_serve(args)
    if args.cmd == "_load":
        return cmd_load(args)
    return run(args)


def run(args):
    os.chdir(ROOT)
    BENCH_DIR.mkdir(exist_ok=True)
    t_start = time.perf_counter()
    config = {"SECRET_KEY": secrets.token_urlsafe(36), "DATABASE": str(RUN_DB), "STATION_NAME": "bench"}
    pin = not args.no_pin and shutil.which("taskset") and (os.cpu_count() or 1) >= 2
    out = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "limits": GOALS,
           "options": {k: v for k, v in vars(args).items() if k != "cmd"}, "pinned": bool(pin),
           "python": sys.version.split()[0], "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()}

    args.json = args.json or str(results_path(args.persons))
    source = dataset_path(args.persons)
    print("dataset: %s (%d persons) ..." % (source.relative_to(ROOT), args.persons), flush=True)
    argv, env = child(["_build", "--persons", str(args.persons)] + (["--rebuild"] if args.rebuild else []), config)
    built = subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if built.returncode:
        print("building the dataset failed (exit %d)" % built.returncode, file=sys.stderr)
        return 2
    dataset = json.loads(built.stdout.strip().splitlines()[-1])
    out["dataset"] = dataset
    print("  %s; %d-person build: %s s, %s CPU-s (goal < %d s at 5,000)" % (
        "reused" if dataset["reused"] else "built", args.persons, fmt(dataset.get("build_s"), "%.2f"),
        fmt(dataset.get("build_cpu_s"), "%.1f"), GOALS["build_s"]))

    # a fresh copy per run: the audit trail grows with every page view
    remove_db(RUN_DB)
    src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(RUN_DB))
    src.backup(dst)
    src.close()
    dst.close()

    cold = cold_start(config)
    out["cold_start"] = cold
    print("cold start (create_app in a fresh interpreter, median of 3): %.3f s (goal <= %.1f s)" % (
        cold["median_s"], GOALS["cold_start_s"]), flush=True)

    server_cfg = dict(config, KEEP_CONNECTIONS=not args.close_connections)
    argv, env = child(["_serve", "--threads", str(args.threads)], server_cfg, pin=0 if pin else None)
    cpu_before = cpu_accounting()
    server_log = open(SERVER_LOG, "w")  # tracebacks of failing requests go here, not to the terminal
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=server_log, text=True)
    try:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server did not start; see %s" % SERVER_LOG.relative_to(ROOT))
        info = json.loads(line)
        port, pid = info["port"], server.pid
        out["server"] = {"port": port, "pid": pid, "threads": args.threads, "pinned_core": 0 if pin else None,
                         "keep_connections": not args.close_connections, "idle": proc_status(pid)}
        out["audit_rows_at_start"] = audit_rows(RUN_DB)
        print("server: waitress pid %d on 127.0.0.1:%d, %d threads%s; idle RSS %.1f MB" % (
            pid, port, args.threads, ", core 0 (load generator: core 1)" if pin else " (unpinned)",
            out["server"]["idle"]["rss_mb"]), flush=True)
        print("load: %d URLs x (1, %d clients) x %.1f s ..." % (
            len(TARGETS) if not args.only else sum(any(o in t[0] for o in args.only) for t in TARGETS),
            args.clients, args.duration), flush=True)
        cmd = ["_load", "--port", str(port), "--clients", str(args.clients), "--duration", str(args.duration),
               "--warmup", str(args.warmup)] + (["--only"] + args.only if args.only else [])
        argv, env = child(cmd, config, pin=1 if pin else None)
        load = subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
        loaded = json.loads(load.stdout.strip().splitlines()[-1])
        phases, day, toggles = loaded["phases"], loaded["testing_day"], loaded["toggles"]
        out["long_person"] = loaded["long_person"]
        out["server"]["after_load"] = proc_status(pid)  # before the stats fetch allocates anything
        out["audit_rows_at_end"] = audit_rows(RUN_DB)
        stats = fetch_stats(port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()
    out["foreign_cpu"] = foreign_cpu(cpu_before, cpu_accounting())

    for p in phases:
        p["server_ms"] = summary_ms(stats.get(p["tag"], []))
    bare = next((p for p in phases if p["kind"] == "bare" and p["clients"] == args.clients), None)
    bare_p95 = bare["server_ms"].get("p95") if bare else None
    floor = floor_figures(phases, args.clients)
    for p in phases:
        p95 = p["server_ms"].get("p95")
        p["ratio_p95_to_bare"] = p95 / bare_p95 if (p95 and bare_p95) else None
        p["ratio_to_floor"] = floor_ratio(p, floor, args.clients)
        limit = {"page": GOALS["page_ratio"], "fragment": GOALS["fragment_ratio"]}.get(p["kind"])
        if p["clients"] == args.clients and limit and p["ratio_to_floor"] is not None:
            p["goal_ok"] = p["ratio_to_floor"] <= limit and p["errors"] == 0
    out["phases"] = phases
    out["bare_p95_ms"] = bare_p95
    out["floor_ms"] = floor
    day["server_ms"] = summary_ms(stats.get(day["tag"], []))
    bare_1 = next((p["server_ms"].get("p50") for p in phases if p["kind"] == "bare" and p["clients"] == 1), None)
    day["ratio_p50_to_bare_1"] = day["server_ms"]["p50"] / bare_1 if bare_1 and day["server_ms"].get("p50") else None
    out["testing_day"] = day
    toggles["server_ms"] = summary_ms(stats.get(toggles["tag"], []))
    toggles["ratio_p95_to_bare"] = toggles["server_ms"]["p95"] / bare_p95 if bare_p95 and toggles["server_ms"].get(
        "p95") else None
    out["attendance_toggles"] = toggles

    print()
    print_table(phases, floor, args.clients)
    print("testing day of %d rows in one POST (%d days, person %s's page for '3y screenings'): server p50 %s ms, "
          "max %s ms (%s x the bare route's p50 with 1 client); rows saved %s" % (
              day["rows"], day["days"], out.get("long_person"), fmt(day["server_ms"].get("p50")),
              fmt(day["server_ms"].get("max")), fmt(day.get("ratio_p50_to_bare_1"), "%.0f"), day["saved"]))
    print("attendance toggle [HX] under %d clients (issue 5): server p50 %s ms, p95 %s ms = %s x the bare route's p95 "
          "(goal <= 5x); statuses %s" % (toggles["clients"], fmt(toggles["server_ms"].get("p50")),
                                        fmt(toggles["server_ms"].get("p95")), fmt(toggles["ratio_p95_to_bare"], "%.1f"),
                                        toggles["statuses"]))
    mem = out["server"]["after_load"]
    rss_ok = mem["hwm_mb"] <= GOALS["rss_mb"]
    cold_ok = cold["median_s"] <= GOALS["cold_start_s"]
    build_ok = args.persons != PERSONS or (dataset.get("build_s") is not None and dataset["build_s"] < GOALS["build_s"])
    ratio_ok = all(p.get("goal_ok", True) for p in phases)
    out["goals_met"] = {"ratios": ratio_ok, "cold_start": cold_ok, "rss": rss_ok, "build": build_ok}
    print("server memory after load: VmRSS %.1f MB, peak VmHWM %.1f MB (goal <= %d MB): %s" % (
        mem["rss_mb"], mem["hwm_mb"], GOALS["rss_mb"], "ok" if rss_ok else "FAIL"))
    print("cold start %.3f s: %s; %d-person build %s s: %s; audit rows %d -> %d" % (
        cold["median_s"], "ok" if cold_ok else "FAIL", args.persons, fmt(dataset.get("build_s"), "%.2f"),
        "ok" if build_ok else "FAIL", out["audit_rows_at_start"], out["audit_rows_at_end"]))
    sizes = {p["label"]: p["bytes_median"] for p in phases if p["clients"] == args.clients}
    if sizes.get("search q=zs [HX]") and sizes.get("search q=zs [HX]") == sizes.get("search q=zs"):
        print("note: the search with HX-Request returns as many bytes as the full page (no fragment?)")
    errors = {p["tag"]: p["statuses"] for p in phases if p["errors"]}
    if errors:
        print("errors (non-200 responses):", json.dumps(errors), "- server log: %s" % SERVER_LOG.relative_to(ROOT))
    goals = issue19_goals(phases, args)
    out["goals"] = goals.rows
    out["goals_met"]["issue19"] = goals.all_ok
    out["total_s"] = time.perf_counter() - t_start
    Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    foreign = out["foreign_cpu"]
    if foreign["share_of_one_core"] > 0.1:
        print("warning: other processes used %.0f%% of a core during the load (%.1f CPU-s in %.0f s): "
              "the figures are skewed; rerun on a quiet machine" % (
                  100 * foreign["share_of_one_core"], foreign["cpu_s"], foreign["wall_s"]))
    if foreign["steal_share_of_one_core"] > 0.1:
        print("warning: the hypervisor took %.0f%% of a core (steal time) during the load: the figures are "
              "skewed; rerun when the host is quieter" % (100 * foreign["steal_share_of_one_core"]))
    print("total %.0f s; results in %s" % (out["total_s"], os.path.relpath(args.json, ROOT)))
    return 0 if all(out["goals_met"].values()) else 1


def floor_figures(phases, clients):
    """The audited floor's server-side p50 under 1 client and p95 under `clients` clients (ms)."""
    found = {p["clients"]: p["server_ms"] for p in phases if p["kind"] == "floor"}
    return {"p50_1": found.get(1, {}).get("p50"), "p95_%d" % clients: found.get(clients, {}).get("p95")}


def floor_ratio(phase, floor, clients):
    """A phase's ratio to the floor: p50 / floor p50 under 1 client, p95 / floor p95 under `clients`."""
    mine, base = ((phase["server_ms"].get("p50"), floor["p50_1"]) if phase["clients"] == 1
                  else (phase["server_ms"].get("p95"), floor.get("p95_%d" % clients)))
    return mine / base if mine and base else None


def phase_ms(phases, label, clients, stat):
    return next((p["server_ms"].get(stat) for p in phases if p["label"] == label and p["clients"] == clients), None)


def issue19_goals(phases, args):
    """Issue 19's goals measured by this run, printed and collected with scripts/benchgoals.py."""
    goals = Goals()
    print()
    size = "{:,} persons".format(args.persons)
    for label, limit in FLOOR_GOALS:
        for clients, stat in ((1, "p50"), (args.clients, "p95")):
            ratio = next((p["ratio_to_floor"] for p in phases if p["label"] == label and p["clients"] == clients),
                         None)
            goals.check("%s %s (%d client%s) / audited floor, %s" % (
                label, stat, clients, "s" if clients > 1 else "", size), ratio, limit)
    if args.persons != PERSONS:
        base_path = results_path(PERSONS)
        base = json.loads(base_path.read_text()).get("phases", []) if base_path.exists() else []
        for clients, stat in ((1, "p50"), (args.clients, "p95")):
            mine, then = phase_ms(phases, "queue (station)", clients, stat), phase_ms(base, "queue (station)",
                                                                                       clients, stat)
            goals.check("queue (station) %s (%d clients) at %s / at 5,000" % (stat, clients, size),
                        mine / then if mine and then else None, QUEUE_GROWTH,
                        note="" if then else "no 5,000-person run in %s" % base_path.relative_to(ROOT))
    return goals


if __name__ == "__main__":
    sys.exit(main())
