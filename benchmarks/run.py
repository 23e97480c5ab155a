"""Run the benchmarks that are available: ``make bench`` or ``python benchmarks/run.py [NAME_PREFIX ...]``.

Every ``benchmarks/*.py`` except this file and ``*_common.py`` helpers is a
benchmark; each runs in its own process, one after the other (the machine's
cores are shared: never run two at once), and prints its own ratios against
the peer it measures in the same run. A benchmark whose peer is not
installed (R) says so and is skipped. Exit status 1 if any benchmark failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks(prefixes: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if p.name != "run.py" and not p.stem.endswith("_common"))
    if prefixes:
        found = [p for p in found if any(p.stem.startswith(prefix) for prefix in prefixes)]
    return found


def main(argv: list[str]) -> int:
    failed = []
    chosen = benchmarks(argv)
    if not chosen:
        print(f"no benchmark matches {' '.join(argv)}; available: "
              + ", ".join(p.stem for p in benchmarks([])))
        return 1
    for path in chosen:
        print(f"== {path.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(path)], cwd=HERE).returncode
        print(f"== {path.name}: {'ok' if code == 0 else f'FAILED (exit {code})'} "
              f"in {time.perf_counter() - start:.0f} s\n", flush=True)
        if code:
            failed.append(path.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
