"""Shared set-up for the agreement benchmarks (not a benchmark itself).

``filled_engine()`` builds a fresh SQLite database in a temporary folder and
fills it from the bundled data exactly as a new user's first run does, so the
benchmarks never touch the user's own database. ``peak_rss_mb()`` is the
process's peak resident memory so far (Linux ``ru_maxrss``).
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"nproc {len(os.sched_getaffinity(0))}, {cpu}, "
            f"{platform.python_implementation()} {platform.python_version()}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def filled_engine():
    """(engine, seconds to fill) for a new database with all bundled data."""
    from blocwatch.api.bundled import fill
    from blocwatch.store.db import make_engine, upgrade

    folder = Path(tempfile.mkdtemp(prefix="blocwatch-bench-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    upgrade(engine)
    start = time.perf_counter()
    fill(engine)
    return engine, time.perf_counter() - start


def timings(fn, repeat: int):
    """(sorted wall times in seconds, last result) over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return sorted(times), result


def best_of(fn, repeat: int = 3):
    """(best wall time in seconds, last result) over ``repeat`` runs."""
    times, result = timings(fn, repeat)
    return times[0], result


def load_average() -> str:
    """The 1-minute load average now (the machine's cores are shared)."""
    return f"load average {os.getloadavg()[0]:.2f}"


def git_revision() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def compare(ours, peer, *, tol: float = 1e-9) -> str:
    """Check that ``peer`` (a, b, year, n, agree) holds exactly our dyad-years and numbers."""
    import numpy as np

    left = ours[["a", "b", "year", "n", "agree"]].astype({"a": str, "b": str})
    right = peer[["a", "b", "year", "n", "agree"]].astype({"a": str, "b": str, "year": "int64", "n": "int64"})
    merged = left.merge(right, on=["a", "b", "year"], how="outer", suffixes=("", "_peer"), indicator=True)
    only = merged["_merge"].value_counts().to_dict()
    if only.get("left_only", 0) or only.get("right_only", 0):
        raise SystemExit(f"MISMATCH: dyad-years only in ours {only.get('left_only', 0)}, "
                         f"only in the peer {only.get('right_only', 0)}")
    if not (merged["n"] == merged["n_peer"]).all():
        raise SystemExit("MISMATCH: joint vote counts differ")
    worst = float(np.max(np.abs(merged["agree"] - merged["agree_peer"])))
    if worst > tol:
        raise SystemExit(f"MISMATCH: agreement differs by up to {worst:g} (> {tol:g})")
    return f"identical dyad-years ({len(merged):,}); joint-vote counts equal; max |agree difference| = {worst:.1e}"


def isolated_peak_mb(engine) -> float:
    """Peak RSS (MB) of a fresh Python process that only runs ``agreement`` on this store."""
    # VmHWM (not ru_maxrss, which a child inherits from its parent across fork and exec).
    code = ("import sys; sys.path.insert(0, sys.argv[2]); "
            "from blocwatch.store.db import make_engine; from blocwatch.ga.agreement import agreement; "
            "agreement(make_engine(sys.argv[1])); "
            "print([int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0] / 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(engine.url), str(ROOT / "src")],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())
