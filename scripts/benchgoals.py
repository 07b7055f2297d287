"""The goals a benchmark checks: each printed as one line with its ratio and ok/FAIL, and collected
for the results JSON under the key `goals` (a list of {name, ratio, limit, ok}).

    goals = Goals()
    goals.check("今日待办 p95 (8 clients) / audited floor p95, 5,000 persons", 7.2, 10)
    out["goals"] = goals.rows          # or goals.write(path, out)
    sys.exit(0 if goals.all_ok else 1)

A goal whose ratio could not be measured (None) is printed and kept as FAIL.
"""
import json
from pathlib import Path


class Goals:
    """An ordered list of checked goals."""

    def __init__(self):
        self.rows = []

    def check(self, name, ratio, limit, note=""):
        """Record `ratio <= limit` under `name`, print it, and return whether it holds."""
        ok = ratio is not None and ratio <= limit
        self.rows.append({"name": name, "ratio": None if ratio is None else round(ratio, 3), "limit": limit,
                          "ok": ok, **({"note": note} if note else {})})
        print("goal %-62s %8s  (limit %gx)  %s%s" % (
            name, "-" if ratio is None else "%.2fx" % ratio, limit, "ok" if ok else "FAIL",
            "  " + note if note else ""), flush=True)
        return ok

    @property
    def all_ok(self):
        return all(row["ok"] for row in self.rows)

    def write(self, path, out=None):
        """Write `out` (a dict, or {}) with the goals under `goals` to the JSON file at `path`."""
        data = dict(out or {}, goals=self.rows)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1))
        return data
