"""Benchmark: all dyad-year agreement scores vs R + dplyr (benchmarks/agreement_dplyr.R).

Run:  .venv/bin/python benchmarks/agreement_r.py
Needs Rscript with dplyr (Debian: apt-get install r-base-core r-cran-dplyr);
prints a note and exits 0 when R is not installed. R is never needed by tests.

Ours: ``agreement(engine)`` from a freshly filled store (best of 7), both
measures. Peer: the R script self-joins each year's votes with dplyr and
summarises agreement (a); its time excludes R start-up and reading the CSV.
The script's output is checked against ours (same dyad-years, same counts,
agreement within 1e-9).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from agreement_common import best_of, compare, filled_engine, git_revision, machine


def main() -> None:
    import pandas as pd

    from blocwatch.ga.agreement import agreement
    from blocwatch.ga.votes import votes_frame

    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(dplyr)"], capture_output=True).returncode:
        print("skipped: Rscript with dplyr not found (apt-get install r-base-core r-cran-dplyr)")
        return
    version = subprocess.run([rscript, "-e", 'cat(R.version.string, "dplyr", as.character(packageVersion("dplyr")))'],
                             capture_output=True, text=True).stdout.strip()
    print(f"machine: {machine()}; blocwatch {git_revision()}; {version}; {time.strftime('%Y-%m-%d')}")
    engine, _ = filled_engine()
    t_ours, ours = best_of(lambda: agreement(engine), 7)
    print(f"ours   agreement(engine): all dyad-years, both measures, from the store: best {t_ours:.3f} s of 7")

    folder = Path(tempfile.mkdtemp(prefix="blocwatch-bench-r-"))
    votes = votes_frame(engine)
    votes = votes[votes["vote"].isin([1, 2, 3])]
    votes.assign(year=votes["date"].dt.year)[["rcid", "year", "iso3", "vote"]].to_csv(folder / "votes.csv",
                                                                                     index=False)
    script = Path(__file__).with_name("agreement_dplyr.R")
    run = subprocess.run([rscript, str(script), str(folder / "votes.csv"), str(folder / "out.csv")],
                         capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"R failed:\n{run.stderr}")
    t_peer = float(re.search(r"elapsed_seconds=([0-9.]+)", run.stdout).group(1))
    peer = pd.read_csv(folder / "out.csv", keep_default_na=False)
    print(f"peer   R dplyr per-year self-join, agreement (a) only, computation: {t_peer:.2f} s ({len(peer):,} rows)")
    print(f"check  {compare(ours, peer)}")
    print(f"RATIO  ours {t_peer / t_ours:.0f}x faster than R dplyr (ours end to end from the store; "
          "R computation only)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
