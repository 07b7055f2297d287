"""Benchmark of backup, verify and restore (issue 9, part 5) on the 5,000-person dataset.

    .venv/bin/python scripts/bench_backup.py [--repeat 3]

Backs up a private copy of bench/bench.sqlite3 (made by scripts/bench.py) in a child process, so
that the memory measured is the backup's own: make_backup() --repeat times (median), then
restoring.verify() of the last backup (median), then restore() of it into an empty scratch database
(what the restore drill does). Prints the backup's size, the seconds and the peak resident memory
(the child's VmHWM after start-up and after each phase, and its ru_maxrss from getrusage), and
writes bench/bench-backup.json.
"""
import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_dataset import hwm_mb, median_time, private_copy, reset_hwm  # noqa: E402


def child(database, folder, repeat):
    """Run in the child process: the measurements, as one JSON line on stdout."""
    from portal import create_app
    from portal.backup import make as backup
    from portal.backup import restore as restoring

    app = create_app({"SECRET_KEY": "b" * 40, "DATABASE": database, "BACKUP_DIR": folder, "BACKUP_KEEP": repeat})
    out = {"repeat": repeat, "startup_hwm_mb": hwm_mb()}
    with app.app_context():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            made = backup.make_backup()
            times.append(time.perf_counter() - started)
        manifest = made["manifest"]
        out.update(backup_s=statistics.median(times), backup_hwm_mb=hwm_mb(), size_mb=manifest["size"] / 1e6,
                   tables=len(manifest["tables"]), rows=sum(manifest["tables"].values()),
                   persons=manifest["tables"]["person"], uploads=len(manifest["uploads"]))
        reset_hwm()

        def verify():
            assert restoring.verify(made["path"]) == []
        out.update(verify_s=median_time(verify, repeat), verify_hwm_mb=hwm_mb())
    reset_hwm()
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as scratch:
        app = create_app({"SECRET_KEY": "b" * 40, "DATABASE": str(Path(scratch) / "portal.sqlite3")})
        with app.app_context():
            started = time.perf_counter()
            restoring.restore(made["path"])
            out.update(restore_s=time.perf_counter() - started, restore_hwm_mb=hwm_mb())
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args, rest = parser.parse_known_args()
    if rest[:1] == ["_child"]:
        return child(rest[1], rest[2], args.repeat)
    copy = private_copy("bench-backup")
    folder = ROOT / "bench" / "bench-backups"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        done = subprocess.run([sys.executable, __file__, "--repeat", str(args.repeat), "_child", str(copy),
                               str(folder)], capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(done.stderr)
        out = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)
    out["child_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print("dataset: %d persons, %d tables, %d rows; backup file %.1f MB, %d uploads" % (
        out["persons"], out["tables"], out["rows"], out["size_mb"], out["uploads"]))
    print("backup (online copy + integrity_check + sha256 + manifest): %.2f s (median of %d)" % (
        out["backup_s"], args.repeat))
    print("verify (sha256 + integrity_check + row counts): %.2f s; restore into an empty database: %.2f s" % (
        out["verify_s"], out["restore_s"]))
    print("peak RSS: %.0f MB after start-up, %.0f MB backing up, %.0f MB verifying, %.0f MB restoring "
          "(ru_maxrss %.0f MB)" % (out["startup_hwm_mb"], out["backup_hwm_mb"], out["verify_hwm_mb"],
                                   out["restore_hwm_mb"], out["child_maxrss_mb"]))
    (ROOT / "bench" / "bench-backup.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
