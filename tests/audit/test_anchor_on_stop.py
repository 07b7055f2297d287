"""The trail's head is anchored when the server stops (issue 17 item 6): `flask serve` stopped the way
systemctl stops it (SIGTERM) appends a `shutdown` anchor after its `start` one, naming the last row."""
import json
import os
import signal
import sqlite3
import subprocess
import sys


def test_serve_anchors_the_head_at_start_and_on_sigterm(tmp_path):
    env = {**os.environ, "PORTAL_SECRET_KEY": "s" * 48, "PORTAL_DATABASE": str(tmp_path / "portal.sqlite3")}
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run(flask + ["init-db"], env=env, check=True, capture_output=True, timeout=60)
    anchors = tmp_path / "audit-anchors.log"
    before = anchors.read_text(encoding="utf-8").splitlines()
    server = subprocess.Popen(flask + ["serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert "http://" in server.stdout.readline()  # listening: the start anchor is written
        started = anchors.read_text(encoding="utf-8").splitlines()
        raw = sqlite3.connect(env["PORTAL_DATABASE"])  # a row written while it runs (as a request would)
        raw.execute("INSERT INTO audit_log (ts, action, outcome, prev_hash, hash) VALUES "
                    "('2026-12-01 00:00:00', 'probe', 'ok', 'x', 'y')")
        raw.commit()
        last = raw.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        raw.close()
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0 and "审计日志末条已锚定" in out
    after = anchors.read_text(encoding="utf-8").splitlines()
    assert len(started) == len(before) + 1 and json.loads(started[-1])["source"] == "start"
    assert len(after) == len(started) + 1
    entry = json.loads(after[-1])
    assert entry["source"] == "shutdown" and entry["id"] == last
