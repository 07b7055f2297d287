"""What the PDF and dashboard benchmarks share: a private copy of the 5,000-person dataset that
scripts/bench.py builds, the median of repeated timings, and the process's peak memory."""
import sqlite3
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "bench" / "bench.sqlite3"


def private_copy(name, dataset=DATASET):
    """bench/<name>.sqlite3, copied through SQLite's backup API (a plain file copy can miss the WAL)."""
    if not dataset.exists():
        raise SystemExit("bench/%s is missing: run scripts/bench.py once first" % dataset.name)
    target = ROOT / "bench" / (name + ".sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src, dst = sqlite3.connect(str(dataset)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()
    return target


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def hwm_mb():
    """Peak resident memory of this process so far (VmHWM), in MB."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024.0 for line in f if line.startswith("VmHWM:"))


def reset_hwm():
    """Restart the peak counter (Linux ≥ 4.0), so each measurement has its own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
