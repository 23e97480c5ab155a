"""Agreement between pairs of states in General Assembly roll calls.

For every unordered pair of states ``a < b`` (registry codes) and every period
(calendar year of the vote, or GA session), counting only the roll calls in
that period (optionally only one issue, or only "important" votes):

``n``
    joint votes: roll calls on which both cast yes, abstain or no (Voeten
    codes 1, 2, 3). Absence (no row) and present-not-voting (code 8) are not
    votes.
``agree`` -- agreement as in Voeten's data, three categories
    ``same / n``, where ``same`` counts joint votes on which both cast the
    *same* of yes / abstain / no. An abstention agrees only with an
    abstention; abstain against yes or no counts as disagreement.
``agree_half``
    the variant that gives half credit when one abstains and the other
    votes yes or no: ``(same + 0.5 * half) / n``, ``half`` = joint votes with
    exactly one abstention. (Scholars use both; we did not find Voeten's
    current codebook offline, so both are given and named for what they do.)
``coincidence`` -- US State Department voting coincidence, "votes only"
    ``identical / (identical + opposite)``, where ``identical`` counts roll
    calls on which both voted yes or both voted no and ``opposite`` those on
    which one voted yes and the other no; abstentions and absences are left
    out entirely (State Department, *Voting Practices in the United Nations*,
    annual report to Congress). Missing (NaN) when the pair never cast
    opposing-or-identical yes/no votes in the period.

A pair with ``n == 0`` in a period (never co-voted) has no row. Scores are
exact ratios of integer counts (float64).

Method: per period, one-hot matrices ``Y``, ``A``, ``N`` (states x roll
calls) and matrix products give every dyad at once: ``n = V V'`` with ``V = Y
+ A + N``; ``same = Y Y' + A A' + N N'``; ``identical = Y Y' + N N'``;
``opposite = Y N' + N Y'``; ``half = A (Y + N)' + (Y + N) A'``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from blocwatch.ga.votes import ABSTAIN, ISSUES, NO, YES, rollcalls_frame, votes_frame

COLUMNS = ["a", "b", "period", "n", "same", "half", "identical", "opposite",
           "agree", "agree_half", "coincidence"]


def _select_rollcalls(rollcalls: pd.DataFrame, issue: str | None, important: bool) -> pd.DataFrame:
    if issue is not None:
        if issue not in ISSUES:
            raise ValueError(f"unknown issue code {issue!r}; expected one of "
                             + ", ".join(f"{k} ({v})" for k, v in ISSUES.items()))
        rollcalls = rollcalls[[issue in codes for codes in rollcalls["issues"]]]
    if important:
        rollcalls = rollcalls[rollcalls["important"].fillna(False).to_numpy(dtype=bool)]
    return rollcalls


def agreement_from_votes(votes: pd.DataFrame, *, by: str = "year") -> pd.DataFrame:
    """All dyad-period agreement scores from a vote table (the engine of :func:`agreement`).

    ``votes`` needs columns ``rcid``, ``iso3``, ``vote`` (1 yes, 2 abstain,
    3 no, anything else ignored) and ``year`` or ``session`` (or ``date``,
    from which the calendar year is taken), one row per state and roll call.
    Returns the columns ``a, b, <by>, n, same, half, identical, opposite,
    agree, agree_half, coincidence`` (see the module docstring), one row
    per unordered pair ``a < b`` that co-voted at least once in the period,
    sorted by period, a, b.
    """
    if by not in ("year", "session"):
        raise ValueError(f"by must be 'year' or 'session', not {by!r}")
    if by == "year" and "year" not in votes.columns:
        period = pd.DatetimeIndex(votes["date"]).year.to_numpy()
    else:
        period = votes[by].to_numpy()
    vote = votes["vote"].to_numpy()
    keep = (vote == YES) | (vote == ABSTAIN) | (vote == NO)
    iso3 = votes["iso3"]
    if isinstance(iso3.dtype, pd.CategoricalDtype):
        codes = iso3.cat.codes.to_numpy()[keep]
        used = np.unique(codes)
        labels = np.asarray(iso3.cat.categories, dtype=object)[used]
        s_idx = np.searchsorted(used, codes).astype(np.int64)
    else:
        states = pd.Categorical(iso3.astype(str).to_numpy()[keep])
        labels = np.asarray(states.categories, dtype=object)
        s_idx = states.codes.astype(np.int64)
    vote = vote[keep]
    period = np.asarray(period)[keep].astype(np.int64)
    rc_codes, rc_idx = np.unique(votes["rcid"].to_numpy()[keep], return_inverse=True)
    # period of each roll call (a roll call belongs to one period)
    rc_period = np.zeros(len(rc_codes), dtype=np.int64)
    rc_period[rc_idx] = period
    order = np.argsort(rc_period, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    col = position[rc_idx]
    sorted_period = rc_period[order]
    n_states, n_rc = len(labels), len(rc_codes)

    # One-hot stack [Y; A; N] (3 x states, roll calls); float32 counts are exact below 2**24.
    kind = np.where(vote == YES, 0, np.where(vote == ABSTAIN, 1, 2))
    M = np.zeros((3 * n_states, n_rc), dtype=np.float32)
    M[kind * n_states + s_idx, col] = 1.0

    periods, starts = np.unique(sorted_period, return_index=True)
    ends = np.append(starts[1:], n_rc)
    parts = []
    for p, lo, hi in zip(periods, starts, ends):
        block = M[:, lo:hi]
        present = np.flatnonzero(block.reshape(3, n_states, -1).any(axis=(0, 2)))
        k = len(present)
        rows = np.concatenate([present, present + n_states, present + 2 * n_states])
        sub = block[rows]
        G = (sub @ sub.T).reshape(3, k, 3, k)  # G[x, i, y, j]: roll calls where i cast x and j cast y
        yy, aa, nn = G[0, :, 0], G[1, :, 1], G[2, :, 2]
        yn, ya, an = G[0, :, 2], G[0, :, 1], G[1, :, 2]
        identical = yy + nn
        same = identical + aa
        opposite = yn + yn.T
        half = ya + ya.T + an + an.T
        n = same + opposite + half
        ti, tj = np.triu_indices(k, k=1)
        stacked = np.stack([n, same, half, identical, opposite])[:, ti, tj]
        ok = stacked[0] > 0
        parts.append((present[ti[ok]], present[tj[ok]], np.full(int(ok.sum()), p),
                      *np.rint(stacked[:, ok]).astype(np.int64)))
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts)]
    else:
        cols = [np.empty(0, np.int64)] * 3 + [np.empty(0)] * 5
    ai, bi, per, n, same, half, identical, opposite = cols
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = same / n
        agree_half = (same + 0.5 * half) / n
        decisive = identical + opposite
        coincidence = np.where(decisive > 0, identical / np.where(decisive > 0, decisive, 1), np.nan)
    cat = pd.CategoricalDtype(list(labels))
    return pd.DataFrame({
        "a": pd.Categorical.from_codes(ai.astype(np.int64), dtype=cat) if len(labels) else pd.Categorical([]),
        "b": pd.Categorical.from_codes(bi.astype(np.int64), dtype=cat) if len(labels) else pd.Categorical([]),
        by: per.astype(np.int64),
        "n": n.astype(np.int64), "same": same.astype(np.int64), "half": half.astype(np.int64),
        "identical": identical.astype(np.int64), "opposite": opposite.astype(np.int64),
        "agree": agree, "agree_half": agree_half, "coincidence": coincidence,
    })


def agreement(engine: Engine, *, by: str = "year", issue: str | None = None, important: bool = False,
              years: Iterable[int] | None = None, sessions: Iterable[int] | None = None,
              lineage: bool = False) -> pd.DataFrame:
    """Agreement scores for every pair of states and every year (or session) in the store.

    ``issue``: one of :data:`blocwatch.ga.votes.ISSUES` (``hr`` human rights,
    ...); ``important``: only the US State Department's "important votes";
    ``years`` / ``sessions``: restrict the periods; ``lineage``: count a former
    seat holder's votes under its seat successor (USSR as Russia, ...).
    Returns the DataFrame of :func:`agreement_from_votes` (columns ``a, b,
    year|session, n, same, half, identical, opposite, agree, agree_half,
    coincidence``).
    """
    if sessions is None and years is not None and by == "year":
        # A year's votes lie in the sessions that opened one or two years before it (or in it).
        sessions = sorted({y - 1945 + d for y in years for d in (-2, -1, 0, 1)})
    votes = votes_frame(engine, sessions=sessions, lineage=lineage)
    if issue is not None or important:
        rollcalls = _select_rollcalls(rollcalls_frame(engine, sessions=sessions), issue, important)
        votes = votes[votes["rcid"].isin(rollcalls["rcid"].to_numpy())]
    if by == "year":
        votes = votes.assign(year=votes["date"].dt.year)
        if years is not None:
            votes = votes[votes["year"].isin(list(years))]
    return agreement_from_votes(votes, by=by)


def for_country(scores: pd.DataFrame, iso3: str, other: str | None = None) -> pd.DataFrame:
    """The rows of ``scores`` involving ``iso3`` (and ``other``), turned so that ``a == iso3``."""
    a = scores["a"].astype(str)
    b = scores["b"].astype(str)
    mask = (a == iso3) | (b == iso3)
    if other is not None:
        mask &= (a == other) | (b == other)
    rows = scores[mask].copy()
    flip = rows["a"].astype(str).to_numpy() != iso3
    a_vals = np.where(flip, rows["b"].astype(str), rows["a"].astype(str))
    b_vals = np.where(flip, rows["a"].astype(str), rows["b"].astype(str))
    rows["a"], rows["b"] = a_vals, b_vals
    return rows.reset_index(drop=True)
