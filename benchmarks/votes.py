"""The votes issue's targets, measured on this machine (results in benchmarks/README.md).

* Import of everything bundled on a fresh database (the first start of ``make run``): <= 20 s.
* ``votes show`` / ``votes search`` whole process: <= 0.5 s (median of ``REPEAT`` runs after a warm-up),
  next to the floor every database command pays (``python -c "import typer, rich.table, sqlalchemy.orm"``).
* Agreement for all dyad-years 1946-2026, both forums, from the store: <= 0.15 s (best of 5, in process),
  next to the 1946-2019 General Assembly part alone (the earlier 0.07 s).
* Ideal points for every GA session 1-80 (static model, both cores): <= 6 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from startup import timed  # whole-process timing: a warm-up run, then REPEAT runs (benchmarks/startup.py)


def best(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import blocwatch
    from blocwatch.ga.agreement import agreement
    from blocwatch.ga.ideal import estimate

    print(f"load average {os.getloadavg()[0]:.2f}")
    db = Path(tempfile.mkdtemp(prefix="blocwatch-bench-")) / "votes.sqlite3"
    start = time.perf_counter()
    bw = blocwatch.open(str(db))
    engine = bw.engine
    print(f"fresh database, every bundled loader (GA 1946-2026, Council 2006-2024): "
          f"{time.perf_counter() - start:.1f} s (target <= 20 s)")

    cli = [sys.executable, "-m", "blocwatch", "--db", str(db)]
    cases = [
        ("floor: python -c 'import typer, rich.table, sqlalchemy.orm'",
         [sys.executable, "-c", "import typer, rich.table, sqlalchemy.orm"]),
        ("votes show A/RES/ES-11/1 --json", [*cli, "votes", "show", "A/RES/ES-11/1", "--json"]),
        ("votes show A/HRC/RES/49/1", [*cli, "votes", "show", "A/HRC/RES/49/1"]),
        ("votes search --target RUS --state IND --json", [*cli, "votes", "search", "--target", "RUS", "--state",
                                                         "IND", "--json"]),
        ("votes search --text human rights --limit 0 --json", [*cli, "votes", "search", "--text", "human rights",
                                                              "--limit", "0", "--json"]),
    ]
    for label, argv in cases:
        times = timed(argv)
        print(f"{label}: median {statistics.median(times):.3f} s, best {min(times):.3f} s (target <= 0.5 s)")

    ga_only = best(lambda: agreement(engine, by="year", sessions=range(1, 75)))
    both = best(lambda: (agreement(engine, by="year"), agreement(engine, by="year", forum="hrc")))
    rows = len(agreement(engine, by="year")) + len(agreement(engine, by="year", forum="hrc"))
    print(f"agreement, all dyad-years 1946-2026 in both forums ({rows:,} rows): {both:.3f} s "
          f"(target <= 0.15 s; GA sessions 1-74 alone {ga_only:.3f} s)")

    start = time.perf_counter()
    fit = estimate(engine, None, workers=2)
    print(f"ideal points, every GA session ({fit.positions['session'].nunique()} sessions, static, 2 workers): "
          f"{time.perf_counter() - start:.1f} s (target <= 6 s)")


if __name__ == "__main__":
    main()
