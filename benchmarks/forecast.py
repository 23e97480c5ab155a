"""The forecast issue's speed targets, measured on this machine (results in benchmarks/README.md).

* The whole Council backtest (``blocwatch backtest``, every country-text vote since 2010): <= 60 s, whole process.
* One forecast: <= 1 s. Measured three ways: the whole process of ``blocwatch forecast`` (which also reads the
  history and builds the training table, about 2 s, every time a process starts), the first forecast in a
  process (the same work, in process), and a forecast in a process that has answered one before (the
  dashboard's case: the history, the training table and the fit for that day are cached per data version).

The accuracy targets are not timed: ``blocwatch backtest --report docs/backtest-hrc.md`` writes them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import timed  # whole-process timing: a warm-up run, then REPEAT runs (benchmarks/startup.py)


def once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    import blocwatch

    print(f"load average {os.getloadavg()[0]:.2f}")
    db = Path(tempfile.mkdtemp(prefix="blocwatch-bench-")) / "forecast.sqlite3"
    blocwatch.open(str(db)).engine  # noqa: B018  (fill it once, outside the timings)
    cli = [sys.executable, "-m", "blocwatch", "--db", str(db)]
    print(f"backtest --forum hrc --from 2010 (whole process): {once([*cli, 'backtest', '--json']):.1f} s "
          "(target <= 60 s)")
    times = timed([*cli, "forecast", "--target", "SYR", "--as-of", "2024-06-01", "--json"])
    print(f"forecast --target SYR --as-of 2024-06-01 (whole process): median {statistics.median(times):.2f} s, "
          f"best {min(times):.2f} s (target <= 1 s)")
    bw = blocwatch.open(str(db))
    start = time.perf_counter()
    bw.forecast("SYR", as_of="2024-06-01")
    print(f"first forecast in a process: {time.perf_counter() - start:.2f} s")
    warm = []
    for target, day in [("IRN", "2024-06-01"), ("MMR", "2024-06-01"), ("CHN", "2023-06-01"), ("BLR", "2022-06-01")]:
        start = time.perf_counter()
        bw.forecast(target, as_of=day)
        warm.append(time.perf_counter() - start)
    print(f"later forecasts in the same process (IRN, MMR same day; CHN, BLR other days: a new fit): "
          f"{', '.join(f'{t:.2f}' for t in warm)} s (target <= 1 s)")


if __name__ == "__main__":
    main()
