"""Whole-process time of read-only commands on a filled database (issue 7 targets).

Targets: ``events show ID --json`` and ``countries resolve X`` median <= 0.4 s;
``brief ID --format md`` <= 0.8 s. Peers measured in the same run, for scale:
the bare interpreter (``python -c pass``), ``python -c "import pandas"`` (what
every command paid before the store stopped importing the loaders), and the
floors: importing the CLI framework and SQLAlchemy (any command that reads the
database), plus pandas and SciPy (a brief, which computes GA alignment).
Each command runs once to warm the disk cache, then ``REPEAT`` times; the
median and the best are printed with the load average.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 9
EVENT = "2022-10-31-ga77-3c-critical"


def timed(argv: list[str]) -> list[float]:
    subprocess.run(argv, check=True, capture_output=True)
    out = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    import blocwatch

    db = Path(tempfile.mkdtemp(prefix="blocwatch-bench-")) / "startup.sqlite3"
    start = time.perf_counter()
    blocwatch.open(str(db)).engine.dispose()
    print(f"first fill of a new database: {time.perf_counter() - start:.1f} s")
    cli = [sys.executable, "-m", "blocwatch", "--db", str(db)]
    cases = [
        ("python -c pass (peer)", [sys.executable, "-c", "pass"], None),
        ("python -c 'import pandas' (peer)", [sys.executable, "-c", "import pandas"], None),
        ("python -c 'import typer, rich, sqlalchemy.orm' (floor of a DB command)",
         [sys.executable, "-c", "import typer, rich.table, sqlalchemy.orm"], None),
        ("floor + 'import pandas, scipy' (floor of a brief)",
         [sys.executable, "-c", "import typer, rich.table, sqlalchemy.orm, pandas, scipy.stats"], None),
        (f"events show {EVENT} --json", [*cli, "events", "show", EVENT, "--json"], 0.4),
        ("countries resolve 'Côte d’Ivoire'", [*cli, "countries", "resolve", "Côte d’Ivoire"], 0.4),
        (f"brief {EVENT} --format md", [*cli, "brief", EVENT, "--format", "md"], 0.8),
    ]
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'command':<72} {'median':>8} {'best':>8}  target")
    for label, argv, target in cases:
        times = timed(argv)
        median = statistics.median(times)
        verdict = "" if target is None else f"<= {target} s: {'met' if median <= target else 'NOT met'}"
        print(f"{label:<72} {median:>7.3f}s {min(times):>7.3f}s  {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
