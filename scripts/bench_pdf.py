"""Benchmark of case summary PDFs (issue 8's goals, issue 19 item 5) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_pdf.py [--repeat 5] [--batches] [--mixed-minutes 3]

In one process, warm: the floor (a one-page CJK WeasyPrint document) and one full summary of the
person with the most screenings, timed in turn --repeat times (the ratio: the median of the pairs'; in
wall time, and in CPU time of the process, which the machine's other processes move less), then batches
of 10, 50 and 100 summaries as the batch printer renders them (ZIP and merged PDF), with seconds per
summary and the peak resident memory (VmHWM) after each (--batches; the merged batch keeps every document until the end).

Then (issue 19, item 5) the server under a mixed load with PDFs for --mixed-minutes: scripts/bench.py's
server (waitress, 8 threads, pinned to core 0) with 6 clients reading pages (person page, lists, 今日待办,
timeline) and 2 clients printing full case summaries through the print form (GET the form, POST it), all
signed in as the demo lead, with the per-user print limit off; the server's resident memory (VmRSS) is printed every 30 s. Goals (printed
with scripts/benchgoals.py, written with the figures to bench/bench-pdf-results.json): one summary <= 3x
the floor; the highest RSS <= 250 MB; flat: the last sample <= 1.1x the first one (taken after 30 s).
Needs bench/bench.sqlite3 (made by scripts/bench.py).
"""
import argparse
import http.client
import io
import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402
from bench_dataset import hwm_mb, private_copy, reset_hwm  # noqa: E402
from bench_writes import form_fields  # noqa: E402
from benchgoals import Goals  # noqa: E402

FLOOR_HTML = ("<html lang='zh-CN'><head><style>html{font-family:'Noto Sans CJK SC'}</style></head><body>"
              "<h1>个案摘要</h1><p>" + "社区戒毒人员操守保持情况良好，按时参加尿检和面对面谈话。" * 12 + "</p></body></html>")
RSS_MB, FLAT, SUMMARY_RATIO = 250.0, 1.1, 3.0
READS = ["/persons/{id}", "/persons/", "/queue/", "/persons/{id}/timeline?page=2", "/talks/", "/screenings/"]


def timed(fn):
    """The wall and the CPU seconds (of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def mixed_load(copy, ids, minutes):
    """The server's RSS every 30 s while 6 clients read pages and 2 print summaries; returns the figures."""
    # the per-user limit on prints is off: the 2 printers print without pause, the worst case for memory
    config = {"SECRET_KEY": secrets.token_urlsafe(36), "DATABASE": str(copy), "STATION_NAME": "bench",
              "RATELIMIT_ENABLED": False}
    pin = (os.cpu_count() or 1) >= 2
    argv, env = bench.child(["_serve", "--threads", "8"], config, pin=0 if pin else None)
    if pin:
        os.sched_setaffinity(0, {1})
    log = open(ROOT / "bench" / "bench-pdf-server.log", "w")
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    stop, counts, samples = threading.Event(), Counter(), []
    try:
        port = json.loads(server.stdout.readline())["port"]
        cookies = [bench.login(port) for _ in range(8)]

        def reader(i):
            conn, n = http.client.HTTPConnection("127.0.0.1", port, timeout=120), i
            while not stop.is_set():
                path = READS[n % len(READS)].replace("{id}", str(ids[n % len(ids)]))
                conn.request("GET", path, headers={"Cookie": "portal_session=" + cookies[i]})
                resp = conn.getresponse()
                resp.read()
                counts["read %s" % resp.status] += 1
                n += 1
            conn.close()

        def printer(i):
            conn, n, cookie = http.client.HTTPConnection("127.0.0.1", port, timeout=300), i, cookies[i]
            while not stop.is_set():
                path = "/persons/%d/print" % ids[(n * 7) % len(ids)]
                conn.request("GET", path, headers={"Cookie": "portal_session=" + cookie})
                resp = conn.getresponse()
                cookie = bench._cookie(resp) or cookie
                page = resp.read().decode("utf-8", "replace")
                sections = re.findall(r'name="sections"[^>]*value="(\w+)"', page) or \
                    re.findall(r'value="(\w+)"[^>]*name="sections"', page)
                body = urllib.parse.urlencode(dict(form_fields(page), profile="full", sections=sections), doseq=True)
                conn.request("POST", path, body=body, headers={
                    "Cookie": "portal_session=" + cookie, "Content-Type": "application/x-www-form-urlencoded"})
                resp = conn.getresponse()
                data = resp.read()
                counts["pdf %s" % (resp.status if data[:4] == b"%PDF" else "%s not a PDF" % resp.status)] += 1
                n += 1
            conn.close()

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)] + \
            [threading.Thread(target=printer, args=(i,)) for i in (6, 7)]
        for t in threads:
            t.start()
        started = time.perf_counter()
        for k in range(1, int(minutes * 2) + 1):
            time.sleep(max(0.0, started + 30 * k - time.perf_counter()))
            mem = bench.proc_status(server.pid)
            samples.append({"s": 30 * k, "rss_mb": mem["rss_mb"], "hwm_mb": mem["hwm_mb"]})
            print("  %4d s: server RSS %.0f MB (peak %.0f MB); %s" % (30 * k, mem["rss_mb"], mem["hwm_mb"],
                                                                      dict(counts)), flush=True)
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=10)
        log.close()
    return {"minutes": minutes, "samples": samples, "requests": dict(counts)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batches", action="store_true", help="also time batches of 10, 50, 100 (issue 8)")
    parser.add_argument("--mixed-minutes", type=float, default=3.0, help="minutes of mixed load (0: skip)")
    args = parser.parse_args()
    copy = private_copy("bench-pdf")
    con = sqlite3.connect(str(copy))
    long_person = con.execute("SELECT person_id FROM screening GROUP BY person_id ORDER BY count(*) DESC").fetchone()[0]
    ids = [r[0] for r in con.execute("SELECT person_id FROM \"case\" WHERE status = 'active' ORDER BY id LIMIT 100")]
    con.close()

    from portal import create_app, pdf
    from portal.db import database
    from portal.models import Person, User
    from portal.reports import summaries

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE": str(copy), "STATION_NAME": "bench"})
    out = {"persons": len(ids), "long_person": long_person}
    with app.test_request_context():
        database.connect(reuse_if_open=True)
        lead = User.get(User.username == "lead")
        sections = list(summaries.SECTIONS)
        pdf.render(FLOOR_HTML)  # warm: import, fonts, first layout
        person = Person.get_by_id(long_person)
        one = summaries.render_summary(person, "full", sections, lead)
        floors, summaries_s = [], []
        for _ in range(args.repeat):  # in pairs: the floor and the summary under the same load of the machine
            floors.append(timed(lambda: pdf.render(FLOOR_HTML)))
            summaries_s.append(timed(lambda: summaries.render_summary(person, "full", sections, lead)))
        for key, i in (("", 0), ("cpu_", 1)):
            out[key + "floor_s"] = statistics.median(f[i] for f in floors)
            out[key + "summary_s"] = statistics.median(s[i] for s in summaries_s)
            out["ratio_summary_to_floor" + ("_cpu" if key else "")] = statistics.median(
                s[i] / f[i] for s, f in zip(summaries_s, floors))
        out["summary_pages_kb"] = len(one) // 1024
        print("floor (1-page CJK document): %.3f s; one full summary (person %d): %.3f s = %.1fx the floor "
              "(median of %d pairs; goal <= 3x); %d KB" % (out["floor_s"], long_person, out["summary_s"],
                                                          out["ratio_summary_to_floor"], args.repeat,
                                                          out["summary_pages_kb"]))
        print("  in CPU time of the process (moved less by the machine's other processes): floor %.3f s, "
              "summary %.3f s = %.1fx" % (out["cpu_floor_s"], out["cpu_summary_s"], out["ratio_summary_to_floor_cpu"]))
        for output in ("zip", "pdf") if args.batches else ():
            for n in (10, 50, 100):
                reset_hwm()
                started = time.perf_counter()
                if output == "zip":
                    buffer = io.BytesIO()
                    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                        for pid in ids[:n]:
                            html = summaries.summary_html(Person.get_by_id(pid), "redacted", sections, lead)
                            archive.writestr("%d.pdf" % pid, pdf.render(html))
                    size = buffer.tell()
                else:
                    docs = [pdf.document(summaries.summary_html(Person.get_by_id(pid), "redacted", sections, lead))
                            for pid in ids[:n]]
                    buffer = io.BytesIO()
                    pdf.merge(docs, buffer)
                    size = buffer.tell()
                    del docs
                seconds = time.perf_counter() - started
                row = {"output": output, "n": n, "s": seconds, "s_per_summary": seconds / n, "hwm_mb": hwm_mb(),
                       "mb": size / 1e6}
                out.setdefault("batches", []).append(row)
                print("batch %-3s x %3d: %6.1f s, %.3f s/summary, peak RSS %.0f MB (goal <= 300 MB), %.1f MB" % (
                    output, n, seconds, seconds / n, row["hwm_mb"], row["mb"]), flush=True)
    goals = Goals()
    goals.check("case summary / one-page CJK floor", out["ratio_summary_to_floor"], SUMMARY_RATIO)
    if args.mixed_minutes:
        out["mixed"] = mixed = mixed_load(copy, ids, args.mixed_minutes)
        rss = [s["rss_mb"] for s in mixed["samples"]]
        goals.check("server RSS under mixed load with PDFs, highest / %d MB" % RSS_MB,
                    max(rss) / RSS_MB if rss else None, 1.0, note="%.0f MB" % max(rss) if rss else "")
        goals.check("server RSS flat: last sample / first (30 s)", rss[-1] / rss[0] if len(rss) > 1 else None,
                    FLAT, note="%.0f -> %.0f MB" % (rss[0], rss[-1]) if rss else "")
        if len(rss) >= 3:  # a sample taken while two summaries are laid out reads tens of MB above the rest
            third = len(rss) // 3
            print("  lowest sample of the first third %.0f MB, of the last third %.0f MB (%.2fx)" % (
                min(rss[:third]), min(rss[-third:]), min(rss[-third:]) / min(rss[:third])))
    goals.write(ROOT / "bench" / "bench-pdf-results.json", out)
    bench.remove_db(copy)


if __name__ == "__main__":
    main()
