"""Benchmark: blocwatch ideal points vs ``pscl::ideal`` (run on demand, never in tests).

Usage: .venv/bin/python benchmarks/ideal_pscl.py [--db URL] [--maxiter 10000 --burnin 5000 --thin 100]  (pscl defaults)
       [--no-dynamic]

1. Times the static ordered model on all 74 sessions (full data, every roll call),
   best of 2, and the dynamic model (one run); prints the per-session
   correlation between dynamic and static positions.
2. For sessions 50, 60, 70, 74 builds the issue's comparison matrices (yes = 1,
   no = 0, abstain missing; roll calls with a minority under 2.5 % and states
   with fewer than 20 votes dropped), writes them to CSV, runs pscl::ideal on
   each (Rscript benchmarks/ideal_pscl.R, elapsed time of ideal() alone) and
   blocwatch's binary model on the very same matrices, both estimators: the
   posterior mode (method="mode") and the mean-field variational fit
   (method="vb"); prints each
   one's time (best of 3), speed ratio and Pearson correlation with pscl's
   posterior means, and the correlation of the ordered model on the full data
   with pscl (common states).
   pscl runs three times per session: at its defaults with seed 1 (timed: the
   speed ratios), at its defaults with seed 2 (how far two default runs agree:
   with 50 stored draws their posterior means carry Monte Carlo noise), and a
   reference run (--reference-maxiter, default 100000 iterations, burn-in
   10000, thin 100: 900 draws) whose posterior means are precise enough to
   correlate against. ``--no-reference`` skips the long runs.
3. Prints the peak resident memory of this process.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from blocwatch.ga import ideal
from blocwatch.ga.votes import votes_frame

HERE = Path(__file__).resolve().parent
SESSIONS = (50, 60, 70, 74)


def engine_for(url: str | None):
    import blocwatch

    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    return blocwatch.open(url).engine


def run_pscl(src: Path, dst: Path, maxiter: int, burnin: int, thin: int, seed: int) -> tuple[float, pd.DataFrame]:
    """(seconds of ideal() alone, posterior means with the US positive) of one pscl run."""
    run = subprocess.run(["Rscript", str(HERE / "ideal_pscl.R"), str(src), str(dst), str(maxiter),
                          str(burnin), str(thin), str(seed)], capture_output=True, text=True, check=True)
    means = pd.read_csv(dst, keep_default_na=False)
    if means.loc[means["iso3"] == "USA", "pscl"].iloc[0] < 0:   # pscl's sign is arbitrary: US positive
        means["pscl"] = -means["pscl"]
    return float(run.stdout.strip().split("seconds=")[-1]), means


def corr(pscl: pd.DataFrame, ours: pd.DataFrame) -> float:
    """Pearson correlation of pscl's means with our ``ideal`` column over the states both have."""
    a = pscl.merge(ours, on="iso3")
    return float(np.corrcoef(a["pscl"], a["ideal"])[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--maxiter", type=int, default=10000)
    ap.add_argument("--burnin", type=int, default=5000)
    ap.add_argument("--reference-maxiter", type=int, default=100000)
    ap.add_argument("--reference-burnin", type=int, default=10000)
    ap.add_argument("--no-reference", action="store_true", help="skip the long pscl reference runs")
    ap.add_argument("--thin", type=int, default=100)
    ap.add_argument("--no-dynamic", action="store_true", help="skip the dynamic model")
    args = ap.parse_args()
    if shutil.which("Rscript") is None:
        print("skipped: Rscript not installed (apt-get install r-base-core r-cran-pscl)")
        return
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"numpy {np.__version__}, load average {Path('/proc/loadavg').read_text().split()[:3]}")
    engine = engine_for(args.db)
    votes = votes_frame(engine)

    times = []
    for _ in range(2):
        t = time.perf_counter()
        full = ideal.fit(votes)
        times.append(time.perf_counter() - t)
    fits = full.attrs["fits"]
    its = [f["iterations"] for f in fits.values()]
    print(f"static ordered model, all {len(fits)} sessions: best {min(times):.2f} s, runs "
          f"{', '.join(f'{x:.2f}' for x in times)} s ({len(full)} state-sessions; EM iterations + Newton steps "
          f"mean {np.mean(its):.0f}, max {max(its)}; not converged: {sum(not f['converged'] for f in fits.values())})")
    if not args.no_dynamic:
        lin = votes_frame(engine, lineage=True)
        t = time.perf_counter()
        dyn = ideal.fit_dynamic(lin)
        print(f"dynamic model, all sessions: {time.perf_counter() - t:.2f} s; iterations {dyn.attrs['iterations']}, "
              f"converged {dyn.attrs['converged']}, last change {dyn.attrs['last_change']:.1e}, "
              f"US negative in {dyn.attrs['us_negative_sessions']}")
        static_lin = ideal.fit(lin)
        rs = []
        for s, g in dyn.groupby("session"):
            mm = g.merge(static_lin[static_lin["session"] == s], on="iso3")
            rs.append((int(s), float(np.corrcoef(mm["ideal_x"], mm["ideal_y"])[0, 1]),
                       float(mm["ideal_x"].corr(mm["ideal_y"], method="spearman")), len(mm),
                       fits.get(int(s), {}).get("n_rollcalls")))
        r = pd.DataFrame(rs, columns=["session", "r", "rho", "states", "rollcalls"])
        print(f"r(dynamic, static) per session: median {r['r'].median():.3f}, min {r['r'].min():.3f}; "
              f"below 0.9: " + ", ".join(f"{row.session} (r={row.r:.2f}, Spearman {row.rho:.2f}, "
                                         f"{row.rollcalls} roll calls)"
                                         for row in r[r['r'] < 0.9].itertuples()))

    binary = {m.session: ideal.pscl_filter(m) for m in ideal.session_matrices(votes, "binary", SESSIONS)}
    work = Path(tempfile.mkdtemp())
    print(f"pscl::ideal settings: d=1, maxiter={args.maxiter}, burnin={args.burnin}, thin={args.thin}, "
          "normalize=TRUE, default priors N(0,1) for x and N(0,25) for item parameters")
    print("session  states  rollcalls  pscl_s  mode_s  mode_speedup  r(mode,pscl)  vb_s  vb_speedup  r(vb,pscl)  "
          "r(ordered full,pscl)  target (vb: r >= 0.98 with the reference run's means, >= 100x the default run)")
    for s in SESSIONS:
        m = binary[s]
        mat = pd.DataFrame(np.where(m.y == 2, 1.0, np.where(m.y == 0, 0.0, np.nan)),
                           columns=[str(r) for r in m.rcids])
        mat.insert(0, "iso3", m.states)
        src, dst = work / f"s{s}.csv", work / f"s{s}_pscl.csv"
        mat.to_csv(src, index=False, na_rep="NA")
        pscl_s, pscl = run_pscl(src, dst, args.maxiter, args.burnin, args.thin, seed=1)
        _, pscl2 = run_pscl(src, work / f"s{s}_pscl_seed2.csv", args.maxiter, args.burnin, args.thin, seed=2)
        r_pscl = corr(pscl, pscl2.rename(columns={"pscl": "ideal"}))
        ref = None
        if not args.no_reference:
            _, ref = run_pscl(src, work / f"s{s}_pscl_ref.csv", args.reference_maxiter, args.reference_burnin,
                              args.thin, seed=1)
        res = {}
        for method in ("mode", "vb"):
            best = float("inf")
            for _ in range(3):                  # best of 3 for ours (pscl runs once: its time is seconds)
                t = time.perf_counter()
                fit = ideal.fit_matrix(m, "binary", method=method)
                ours = ideal.report(fit)
                best = min(best, time.perf_counter() - t)
            res[method] = (best, corr(pscl, ours), fit, corr(ref, ours) if ref is not None else float("nan"))
        b = pscl.merge(full[full["session"] == s], on="iso3")
        r_ord = np.corrcoef(b["pscl"], b["ideal"])[0, 1]
        (ms, mr, mf, mref), (vs, vr, vf, vref) = res["mode"], res["vb"]
        r_target = vref if ref is not None else vr
        verdict = "met" if r_target >= 0.98 and pscl_s / vs >= 100 else (
            "missed (" + " and ".join(w for w, bad in (("r", r_target < 0.98), ("speed", pscl_s / vs < 100)) if bad)
            + ")")
        print(f"{s:7d}  {len(m.states):6d}  {len(m.rcids):9d}  {pscl_s:6.2f}  {ms:6.3f}  {pscl_s / ms:11.0f}x  "
              f"{mr:12.4f}  {vs:5.3f}  {pscl_s / vs:9.0f}x  {vr:10.4f}  {r_ord:20.4f}  {verdict}"
              f"  (mode: {mf.iterations} EM iterations + Newton steps, converged={mf.converged}; "
              f"vb: {vf.iterations} sweeps, converged={vf.converged})")
        print(f"         pscl default run seed 1 vs seed 2: r {r_pscl:.4f}"
              + (f"; against the reference run ({args.reference_maxiter} iterations): "
                 f"r(mode) {mref:.4f}, r(vb) {vref:.4f}, "
                 f"r(default pscl run) {corr(ref, pscl.rename(columns={'pscl': 'ideal'})):.4f}"
                 if ref is not None else ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
