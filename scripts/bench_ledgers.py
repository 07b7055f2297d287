"""Benchmark of Excel ledgers (issue 9's goals) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_ledgers.py

Through the real app and its test client, as the lead: export the whole person ledger with
full numbers (the goal: 5,000 rows ≤ 5 s), dry-run that file against the same station (every
row a skip), then dry-run and commit it into an empty station that has the same staff (the
goal: 5,000 rows ≤ 10 s each). Peak resident memory (VmHWM) after each phase. Needs
bench/bench.sqlite3 (made by scripts/bench.py).
"""
import io
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, private_copy, reset_hwm  # noqa: E402

PASSWORD = "Bench@2026ledger"


def station(path):
    """The app on `path`, upgraded, with a lead who can sign in (test client, CSRF off)."""
    from portal import create_app, db
    from portal.accounts import passwords
    from portal.db import database
    from portal.models import User

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE": str(path), "STATION_NAME": "bench",
                      "WTF_CSRF_ENABLED": False})
    db.upgrade()
    with app.app_context(), database.connection_context():
        if not User.select().where(User.username == "bench-lead").exists():
            User.create(username="bench-lead", display_name="测速站长", role="lead", must_change_password=False,
                        password_hash=passwords.hash_password(PASSWORD))
    client = app.test_client()
    assert client.post("/login", data={"username": "bench-lead", "password": PASSWORD}).status_code == 302
    return app, client


def timed(label, results, fn):
    reset_hwm()
    started = time.perf_counter()
    value = fn()
    results[label] = {"s": round(time.perf_counter() - started, 2), "hwm_mb": round(hwm_mb(), 1)}
    print("%-28s %6.2f s   peak RSS %6.1f MB" % (label, results[label]["s"], results[label]["hwm_mb"]))
    return value


def dry_run(client, data):
    response = client.post("/imports/", data={"kind": "persons", "file": (io.BytesIO(data), "台账.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    return response.status_code, re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page), page


def main():
    results = {}
    source = private_copy("bench-ledgers")
    staff = sqlite3.connect(str(source)).execute(
        "SELECT username, display_name, role FROM user WHERE role != 'lead'").fetchall()
    _, client = station(source)
    response = timed("export 5,000 persons", results, lambda: client.post(
        "/exports/persons?status=all", data={"reason": "测速", "unmasked": "y"}))
    assert response.status_code == 200, response.status_code
    data = response.data
    results["export_bytes"] = len(data)
    status, token, page = timed("dry run, same station", results, lambda: dry_run(client, data))
    results["same_station_skips"] = int(re.search(r"跳过 <strong>(\d+)</strong>", page).group(1))

    empty = ROOT / "bench" / "bench-ledgers-empty.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(empty) + suffix).unlink(missing_ok=True)
    _, client = station(empty)
    from portal.db import database
    from portal.models import User
    with database.connection_context():
        for username, display_name, role in staff:
            User.create(username=username, display_name=display_name, role=role, password_hash="x")
    status, token, page = timed("dry run, empty station", results, lambda: dry_run(client, data))
    assert status == 200 and token, re.findall(r"<td>[^<]*</td>", page)[:12]
    results["planned_creates"] = int(re.search(r"新增 <strong>(\d+)</strong>", page).group(1))
    response = timed("commit, empty station", results, lambda: client.post(
        "/imports/commit", data={"kind": "persons", "token": token.group(1)}))
    assert response.status_code == 302, response.status_code
    with database.connection_context():
        from portal.models import Person
        results["persons_after_commit"] = Person.select().count()
    print(json.dumps(results, ensure_ascii=False, indent=1))
    (ROOT / "bench" / "bench-ledgers.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
