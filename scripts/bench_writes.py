"""Saves under 8 writers (issue 19, item 4) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_writes.py [--saves 250] [--writers 8] [--json bench/bench-writes-results.json]

Reuses scripts/bench.py's dataset (built or reused by its _build step), its server (waitress, 8 threads,
pinned to core 0, with the server-side timing wrapper) and its sign-in. This process, pinned to core 1, then:
  1. one writer saves --saves talks, one after the other;
  2. --writers writers (one signed-in session each) save --saves talks each, all at once.
Each save is what the person page does: the inline talk form is opened (GET, HTMX) for its CSRF and
one-time form tokens, filled and posted with HX-Request; only the POST is timed (server side, from
the WSGI call to close()). Afterwards the database is counted: every talk saved must be there, each
with its `talk.create` audit row. Goal: the writers' p95 <= 10x the single writer's p50, and all
saves kept with their audit rows; printed with scripts/benchgoals.py and written to the JSON file.
"""
import argparse
import http.client
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
from benchgoals import Goals  # noqa: E402

RUN_DB = bench.BENCH_DIR / "bench-writes-run.sqlite3"
LOG = bench.BENCH_DIR / "bench-writes-server.log"
LIMIT = 10.0
INPUT = re.compile(r"<input\b[^>]*>", re.S)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(fragment):
    """The hidden and text inputs of the talk form as rendered (CSRF token, one-time token, the time)."""
    fields = {}
    for tag in INPUT.findall(fragment):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("type", "text") in ("hidden", "text") and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


class Writer:
    """One signed-in user's keep-alive connection saving talks."""

    def __init__(self, port, cookie, persons):
        self.port, self.cookie, self.persons = port, cookie, persons
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path):
        self.conn.request("GET", path, headers={"Cookie": "portal_session=" + self.cookie, "HX-Request": "true"})
        resp = self.conn.getresponse()
        self.cookie = bench._cookie(resp) or self.cookie
        return resp.status, resp.read().decode("utf-8", "replace")

    def save(self, person_id, tag):
        status, page = self.get("/persons/%d/talks/new" % person_id)
        if status != 200:
            return "form %s" % status, 0.0
        fields = form_fields(page)
        fields.update(place="sunshine", kind="routine", participants="陈丽", topics=["thoughts", "health"],
                      assessment="stable", risk_factors="无", actions="按时参加尿检", signature="signed")
        body = urllib.parse.urlencode(fields, doseq=True)
        headers = {"Cookie": "portal_session=" + self.cookie, "HX-Request": "true", "X-Bench-Tag": tag,
                   "X-CSRFToken": fields.get("csrf_token", ""), "Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        self.conn.request("POST", "/persons/%d/talks/" % person_id, body=body, headers=headers)
        resp = self.conn.getresponse()
        answer = resp.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        return (resp.status if resp.status != 200 or "已保存" in answer else "200 without 已保存"), elapsed

    def run(self, saves, tag, barrier=None):
        if barrier:
            barrier.wait()
        statuses, seconds = Counter(), []
        for n in range(saves):
            status, elapsed = self.save(self.persons[n % len(self.persons)], tag)
            statuses[str(status)] += 1
            seconds.append(elapsed)
        self.conn.close()
        return statuses, seconds


def phase(port, cookies, persons, saves):
    """len(cookies) writers saving `saves` talks each, started together; (statuses, client seconds)."""
    tag = "talk save|%d" % len(cookies)
    share = max(1, len(persons) // len(cookies))
    writers = [Writer(port, cookie, persons[i * share:(i + 1) * share]) for i, cookie in enumerate(cookies)]
    results, barrier = [None] * len(writers), threading.Barrier(len(writers))

    def work(i):
        results[i] = writers[i].run(saves, tag, barrier)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(writers))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tag, sum((r[0] for r in results), Counter()), [s for r in results for s in r[1]], \
        time.perf_counter() - started


def kept(path, first_talk):
    """Talks saved since `first_talk` and how many of them have their talk.create audit row."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        talks = con.execute("SELECT count(*) FROM talk WHERE id >= ?", (first_talk,)).fetchone()[0]
        audited = con.execute("SELECT count(DISTINCT object_id) FROM audit_log WHERE action = 'talk.create' "
                              "AND object_type = 'talk' AND object_id >= ?", (first_talk,)).fetchone()[0]
        return talks, audited
    finally:
        con.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=250, help="talks saved by each writer (250)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers (8)")
    parser.add_argument("--json", default=str(bench.BENCH_DIR / "bench-writes-results.json"))
    args = parser.parse_args(argv)
    os.chdir(bench.ROOT)
    bench.BENCH_DIR.mkdir(exist_ok=True)
    config = {"SECRET_KEY": secrets.token_urlsafe(36), "DATABASE": str(RUN_DB), "STATION_NAME": "bench"}
    argv_, env = bench.child(["_build", "--persons", str(bench.PERSONS)], config)
    subprocess.run(argv_, env=env, cwd=bench.ROOT, check=True, stdout=subprocess.DEVNULL)
    bench.remove_db(RUN_DB)
    src, dst = sqlite3.connect(str(bench.dataset_path(bench.PERSONS))), sqlite3.connect(str(RUN_DB))
    src.backup(dst)
    src.close()
    dst.close()
    con = sqlite3.connect(str(RUN_DB))
    persons = [r[0] for r in con.execute('SELECT DISTINCT c.person_id FROM "case" c JOIN person p ON p.id = c.person_id '
                                         "WHERE c.status = 'active' AND c.deleted_at IS NULL AND p.deleted_at IS NULL "
                                         "ORDER BY c.person_id")]
    first_talk = con.execute("SELECT coalesce(max(id), 0) + 1 FROM talk").fetchone()[0]
    con.close()

    pin = (os.cpu_count() or 1) >= 2
    argv_, env = bench.child(["_serve", "--threads", "8"], config, pin=0 if pin else None)
    if pin:
        os.sched_setaffinity(0, {1})
    out = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "saves": args.saves, "writers": args.writers,
           "loadavg_at_start": os.getloadavg()}
    cpu_before = bench.cpu_accounting()
    with open(LOG, "w") as log:
        server = subprocess.Popen(argv_, env=env, cwd=bench.ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            port = json.loads(server.stdout.readline())["port"]
            cookies = [bench.login(port) for _ in range(args.writers)]
            print("server on port %d; %d writers signed in; %d persons with an active case" % (
                port, args.writers, len(persons)), flush=True)
            results = {}
            for cookies_now in (cookies[:1], cookies):
                tag, statuses, client_s, wall = phase(port, cookies_now, persons, args.saves)
                results[len(cookies_now)] = {"tag": tag, "statuses": dict(statuses), "client_ms": bench.summary_ms(client_s),
                                             "wall_s": wall, "saves_per_s": len(client_s) / wall}
                print("  %d writer(s) x %d saves: %.1f s, statuses %s" % (
                    len(cookies_now), args.saves, wall, dict(statuses)), flush=True)
            stats = bench.fetch_stats(port)
            out["server_memory"] = bench.proc_status(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    out["foreign_cpu"] = bench.foreign_cpu(cpu_before, bench.cpu_accounting())
    for n, row in results.items():
        row["server_ms"] = bench.summary_ms(stats.get(row["tag"], []))
    out["phases"] = results
    talks, audited = kept(RUN_DB, first_talk)
    expected = args.saves * (1 + args.writers)
    out["kept"] = {"expected": expected, "talks": talks, "with_audit_row": audited}
    one, many = results[1]["server_ms"], results[args.writers]["server_ms"]
    print("server-side ms: 1 writer p50 %.1f p95 %.1f | %d writers p50 %.1f p95 %.1f p99 %.1f" % (
        one["p50"], one["p95"], args.writers, many["p50"], many["p95"], many["p99"]))
    print("kept: %d of %d talks, %d with their talk.create audit row" % (talks, expected, audited))
    goals = Goals()
    goals.check("talk save p95 (%d writers) / p50 (1 writer)" % args.writers, many["p95"] / one["p50"], LIMIT)
    goals.check("talks saved and kept with their audit row (missing / %d)" % expected,
                (expected - min(talks, audited)) / expected, 0,
                note="%d talks, %d audited of %d" % (talks, audited, expected))
    if out["foreign_cpu"]["share_of_one_core"] > 0.1:
        print("warning: other processes used %.0f%% of a core during the run: the figures are skewed" % (
            100 * out["foreign_cpu"]["share_of_one_core"]))
    goals.write(args.json, out)
    bench.remove_db(RUN_DB)
    print("results in %s" % os.path.relpath(args.json, bench.ROOT))
    return 0 if goals.all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
