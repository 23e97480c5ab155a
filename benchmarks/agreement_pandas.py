"""Benchmark: all dyad-year agreement scores vs a straightforward pandas self-merge.

Run:  .venv/bin/python benchmarks/agreement_pandas.py

Ours: ``blocwatch.ga.agreement.agreement(engine)`` -- reads all 982,334
General Assembly votes of 1946-2026 (unvotes to 2019, the UN's resolutions
after) from a freshly filled SQLite store and computes, for every
pair of states and every year, both measures (Voeten agreement and US voting
coincidence, plus the half-credit variant). Timed end to end, 7 runs: the
ratio uses the best, and the median is printed beside it.

Peer: what a typical analyst writes in pandas for measure (a). It reads the
GA votes from the same store with one ``pd.read_sql`` (plain string codes,
yes/abstain/no only); then, for each year, merges the votes with themselves
on ``rcid``, keeps ``a < b`` and groups by the pair for the number of joint
votes and the share of identical votes. (A single self-merge of all years at
once would make ~140 million rows and does not fit in memory on a laptop;
the per-year loop is what analysts do.)

Two ratios: end to end (both read from the store), and compute only (ours,
``agreement_from_votes``, and the peer both start from the peer's in-memory
frame). Prints both, peak memory, and whether the numbers agree to 1e-9.
"""

from __future__ import annotations

import time

from agreement_common import (
    best_of,
    compare,
    filled_engine,
    git_revision,
    isolated_peak_mb,
    load_average,
    machine,
    peak_rss_mb,
    timings,
)


def pandas_peer(votes):
    import pandas as pd

    parts = []
    for year, v in votes.groupby("year"):
        m = v.merge(v, on="rcid", suffixes=("_a", "_b"))
        m = m[m["iso3_a"] < m["iso3_b"]]
        m["same"] = m["vote_a"] == m["vote_b"]
        g = m.groupby(["iso3_a", "iso3_b"])["same"].agg(n="size", agree="mean").reset_index()
        g["year"] = year
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    return out.rename(columns={"iso3_a": "a", "iso3_b": "b"})


PEER_SQL = """
SELECT v.rcid, CAST(strftime('%Y', r.date) AS INTEGER) AS year, v.iso3, v.vote
FROM votes v JOIN roll_calls r ON r.rcid = v.rcid
WHERE v.vote IN (1, 2, 3) AND r.forum = 'ga'
"""


def peer_read(engine):
    """How an analyst reads the votes from the store: one SQL query into pandas."""
    import pandas as pd

    return pd.read_sql(PEER_SQL, engine)


def main() -> None:
    from blocwatch.ga.agreement import agreement, agreement_from_votes

    print(f"machine: {machine()}; blocwatch {git_revision()}; {time.strftime('%Y-%m-%d')}; {load_average()}")
    engine, fill = filled_engine()
    print(f"fill a new database with all bundled data: {fill:.2f} s")

    runs, ours = timings(lambda: agreement(engine), 7)
    t_ours, t_ours_median = runs[0], runs[len(runs) // 2]
    rss_ours = peak_rss_mb()
    print(f"ours   agreement(engine): all dyad-years, both measures, read from the store: best {t_ours:.3f} s, "
          f"median {t_ours_median:.3f} s of {len(runs)} ({len(ours):,} rows); "
          f"peak RSS of the process so far {rss_ours:.0f} MB")

    start = time.perf_counter()
    votes = peer_read(engine)
    t_read = time.perf_counter() - start
    t_ours_mem, ours_mem = best_of(lambda: agreement_from_votes(votes), 7)
    print(f"ours   agreement_from_votes(frame): same, from the peer's in-memory frame: best {t_ours_mem:.3f} s of 7")
    start = time.perf_counter()
    peer = pandas_peer(votes)
    t_peer = time.perf_counter() - start
    print(f"peer   pandas: read with pd.read_sql {t_read:.2f} s + per-year self-merge, agreement (a) only "
          f"{t_peer:.2f} s ({len(peer):,} rows); peak RSS of the process so far {peak_rss_mb():.0f} MB")
    print(f"check  {compare(ours, peer)}")
    compare(ours_mem, peer)
    end_to_end = (t_read + t_peer) / t_ours
    compute = t_peer / t_ours_mem
    print(f"RATIO  end to end from the store: ours {end_to_end:.0f}x faster than the pandas peer "
          f"({(t_read + t_peer) / t_ours_median:.0f}x against our median); "
          f"compute only (both from the same in-memory frame): {compute:.0f}x  (target >= 50x)")
    alone = isolated_peak_mb(engine)
    print(f"memory peak RSS of a fresh process that only runs agreement(engine): {alone:.0f} MB")
    print(f"load   {load_average()} at the end of the run")
    print(f"TARGET all dyad-years from the store <= 1 s: {'met' if t_ours <= 1.0 else 'MISSED'} ({t_ours:.3f} s); "
          f"peak memory <= 1 GB: {'met' if max(alone, rss_ours) <= 1024 else 'MISSED'}")


if __name__ == "__main__":
    main()
