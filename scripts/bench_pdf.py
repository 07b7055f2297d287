"""Benchmark of case summary PDFs (issue 8's goals) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_pdf.py [--repeat 5]

In one process, warm: the floor (a one-page CJK WeasyPrint document), one full summary of the
person with the most screenings (ratio to the floor), then batches of 10, 50 and 100 summaries
as the batch printer renders them (ZIP and merged PDF), with seconds per summary and the peak
resident memory (VmHWM) after each. Needs bench/bench.sqlite3 (made by scripts/bench.py).
"""
import argparse
import io
import json
import os
import sqlite3
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, median_time, private_copy, reset_hwm  # noqa: E402

FLOOR_HTML = ("<html lang='zh-CN'><head><style>html{font-family:'Noto Sans CJK SC'}</style></head><body>"
              "<h1>个案摘要</h1><p>" + "社区戒毒人员操守保持情况良好，按时参加尿检和面对面谈话。" * 12 + "</p></body></html>")










def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
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
        out["floor_s"] = median_time(lambda: pdf.render(FLOOR_HTML), args.repeat)
        person = Person.get_by_id(long_person)
        one = summaries.render_summary(person, "full", sections, lead)
        out["summary_s"] = median_time(lambda: summaries.render_summary(person, "full", sections, lead), args.repeat)
        out["summary_pages_kb"] = len(one) // 1024
        out["ratio_summary_to_floor"] = out["summary_s"] / out["floor_s"]
        print("floor (1-page CJK document): %.3f s; one full summary (person %d): %.3f s = %.1fx the floor "
              "(goal <= 3x); %d KB" % (out["floor_s"], long_person, out["summary_s"], out["ratio_summary_to_floor"],
                                       out["summary_pages_kb"]))
        for output in ("zip", "pdf"):
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
    (ROOT / "bench" / "bench-pdf-results.json").write_text(json.dumps(out, indent=1))
    os.remove(copy)


if __name__ == "__main__":
    main()
