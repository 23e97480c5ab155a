"""Agreement between pairs of states in General Assembly roll calls.

For every unordered pair of states ``a < b`` (registry codes) and every period
(calendar year of the vote, or GA session), counting only the roll calls in
that period (optionally only one issue, or only "important" votes):

``n``
    joint votes: roll calls on which both cast yes, abstain or no (Voeten
    codes 1, 2, 3). Absence (no row) and present-not-voting (code 8) are not
    votes.
``agree`` -- agreement on the three choices (issue 4, measure (a))
    ``same / n``, where ``same`` counts joint votes on which both cast the
    *same* of yes / abstain / no. An abstention agrees only with an
    abstention; abstain against yes or no counts as disagreement.
``agree_half`` -- Voeten's dyadic agreement index
    ``(same + 0.5 * half) / n``, ``half`` = joint votes on which exactly one
    of the two abstained: abstain against yes or no is half agreement. This
    is how the dyadic agreement scores distributed with Voeten's data are
    defined: "Voting similarity index between ccode1 and ccode2 in a given
    session -- computed using 3 category vote data (1 = "yes" ...; 2 =
    abstain, 3 = "no" ...) - Abstention is counted as half-disagreement with
    a yes or no vote" (codebook of Erik Voeten, Anton Strezhnev and Michael
    Bailey, "United Nations General Assembly Voting Data", Harvard
    Dataverse, hdl:1902.1/12379, as mirrored at
    https://un-project.github.io/un-votes/). Voeten computes it per session
    (``by="session"``); we could not compare with his published file offline.
``coincidence`` -- US State Department voting coincidence, "votes only"
    ``identical / (identical + opposite)``, where ``identical`` counts roll
    calls on which both voted yes or both voted no and ``opposite`` those on
    which one voted yes and the other no; abstentions and absences are left
    out entirely ("calculated using only votes on which both the United
    States and the other country in question voted Yes or No; not included
    are those instances when either state abstained or was absent" -- US
    Department of State, *Voting Practices in the United Nations*, report to
    Congress, Format and Methodology, e.g. 2008). The State Department
    reports it for the United States against each country; here it is given
    for every pair. Missing (NaN) when the pair cast no yes/no pair of votes.

A pair with ``n == 0`` in a period (never co-voted) has no row. Scores are
exact ratios of integer counts (float64).

Method: the votes are read as one roll calls x states matrix (the packed
vectors of :mod:`blocwatch.ga.vectors`); per period, indicator matrices and
four symmetric matrix products give every dyad at once (see :func:`_dyads`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from threadpoolctl import threadpool_limits

from blocwatch import errors
from blocwatch.ga.votes import ABSTAIN, ISSUES, NO, YES, rollcalls_frame, vote_matrix

COLUMNS = ["a", "b", "period", "n", "same", "half", "identical", "opposite",
           "agree", "agree_half", "coincidence"]


def _check_issue(issue: str | None) -> None:
    if issue is not None and issue not in ISSUES:
        close = difflib.get_close_matches(issue, list(ISSUES), n=3, cutoff=0.5)
        raise errors.NotFound(errors.with_matches(
            f"unknown issue code {issue!r}; expected one of "
            + ", ".join(f"{k} ({v})" for k, v in ISSUES.items()), close), close_matches=close)


def _select_rollcalls(rollcalls: pd.DataFrame, issue: str | None, important: bool) -> pd.DataFrame:
    if issue is not None:
        _check_issue(issue)
        rollcalls = rollcalls[np.array([issue in codes for codes in rollcalls["issues"]], dtype=bool)]
    if important:
        rollcalls = rollcalls[rollcalls["important"].fillna(False).to_numpy(dtype=bool)]
    return rollcalls


@lru_cache(maxsize=16)
def _triangle(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and flat index of the cells above the diagonal of a ``size`` x ``size`` matrix (row-major).

    Pure arithmetic on ``size`` (no data), kept by a thread-safe bounded cache; the arrays are read-only.
    """
    ti, tj = np.triu_indices(size, 1)
    out = (ti.astype(np.int16), tj.astype(np.int16), ti * size + tj)
    for a in out:
        a.setflags(write=False)
    return out


def _dyads(X: np.ndarray, starts, ends) -> list[tuple]:
    """Per period: the dyads that co-voted and their counts (a, b, n, B B', D D', A A') as small arrays.

    ``X`` holds the vote code of each state (columns) on each roll call
    (rows, ordered by period; 0 = no vote). Per period, with indicator
    matrices (roll calls x states that voted in the period) ``B`` (voted yes
    or no), ``D`` (+1 yes, -1 no), ``A`` (abstained) and ``V = B + A``:
    ``n = V'V``; ``identical = (B'B + D'D) / 2``; ``opposite = (B'B - D'D) / 2``;
    both abstained ``= A'A``; ``half = n - B'B - A'A``. Each is a symmetric
    product ``M'M`` (BLAS syrk, float32: exact for counts below 2**24).
    """
    f32 = np.float32
    parts = []
    for lo, hi in zip(starts, ends, strict=True):
        x = X[lo:hi]
        present = np.flatnonzero(((x >= YES) & (x <= NO)).any(axis=0))
        x = x[:, present]
        present = present.astype(np.int16)
        yes, no = x == YES, x == NO
        b = (yes | no).astype(f32)
        d = yes.astype(f32) - no.astype(f32)
        a = (x == ABSTAIN).astype(f32)
        v = b + a
        ti, tj, flat = _triangle(len(present))
        n = (v.T @ v).ravel().take(flat)
        keep = np.flatnonzero(n > 0.5)
        if len(keep) < len(flat):
            ti, tj, flat, n = ti[keep], tj[keep], flat[keep], n[keep]
        parts.append((present[ti], present[tj], n, (b.T @ b).ravel().take(flat),
                      (d.T @ d).ravel().take(flat), (a.T @ a).ravel().take(flat)))
    return parts


def agreement_from_votes(votes: pd.DataFrame, *, by: str = "year") -> pd.DataFrame:
    """All dyad-period agreement scores from a vote table (same numbers as :func:`agreement`).

    ``votes`` needs columns ``rcid``, ``iso3``, ``vote`` (1 yes, 2 abstain,
    3 no, anything else ignored) and ``year`` or ``session`` (or ``date``,
    from which the calendar year is taken), one row per state and roll call.
    Returns the columns ``a, b, <by>, n, same, half, identical, opposite,
    agree, agree_half, coincidence`` (see the module docstring), one row
    per unordered pair ``a < b`` that co-voted at least once in the period,
    sorted by period, a, b.
    """
    _check_by(by)
    if by == "year" and "year" not in votes.columns:
        period = pd.DatetimeIndex(votes["date"]).year.to_numpy()
    else:
        period = votes[by].to_numpy()
    iso3 = votes["iso3"]
    if isinstance(iso3.dtype, pd.CategoricalDtype):
        state, labels = iso3.cat.codes.to_numpy(), list(iso3.cat.categories)
    else:
        state, uniques = pd.factorize(iso3, sort=True)
        labels = [str(u) for u in uniques]
    if (np.asarray(state) < 0).any():
        raise ValueError("votes has rows without an iso3 code")
    call, rc_codes = pd.factorize(votes["rcid"].to_numpy(), sort=True)
    call_period = np.zeros(len(rc_codes), dtype=np.int64)
    call_period[call] = np.asarray(period, dtype=np.int64)
    # Vote codes, roll calls x states (int8; 0 = no vote; 8 = present, not voting).
    n_rc, n_states = len(rc_codes), len(labels)
    cell = call.astype(np.int64) * n_states + np.asarray(state, dtype=np.int64)
    if len(cell) and np.bincount(cell, minlength=n_rc * n_states).max() > 1:
        raise ValueError("votes has more than one row for a state on a roll call")
    X = np.zeros((n_rc, n_states), dtype=np.int8)
    X.flat[cell] = votes["vote"].to_numpy()
    return _scores(X, call_period, labels, by)


def _check_by(by: str) -> None:
    if by not in ("year", "session"):
        raise errors.InvalidInput(f"by must be 'year' or 'session', not {by!r}")


def _check_selection(by: str, years: list[int] | None, sessions: list[int] | None) -> None:
    """Refuse selections that contradict each other (raises :class:`blocwatch.errors.InvalidInput`).

    A session spans two calendar years, so ``years`` and ``sessions`` together
    are ambiguous; ``years`` with ``by="session"`` would be ignored. (``sessions``
    with ``by="year"`` is a plain filter: the years of those sessions' votes.)
    """
    _check_by(by)
    if years is not None and sessions is not None:
        raise errors.InvalidInput(f"give years or sessions, not both years {years} and sessions {sessions} "
                                  "(a session spans two calendar years)")
    if years is not None and by == "session":
        raise errors.InvalidInput(f"years {years} with by='session': select sessions with sessions=..., "
                                  "or use by='year'")


def _scores(X: np.ndarray, call_period: np.ndarray, labels: list[str], by: str) -> pd.DataFrame:
    """The dyad table from a roll calls x states matrix of vote codes (columns named by ``labels``)."""
    order = np.argsort(call_period, kind="stable")
    sorted_period = call_period[order]
    if len(order) and (order[1:] < order[:-1]).any():
        X = X[order]
    periods, starts, sizes = np.unique(sorted_period, return_index=True, return_counts=True)
    # The matrices are small (a few hundred rows): one BLAS thread is several
    # times faster than two fighting over them on a busy 2-core machine.
    with threadpool_limits(limits=1, user_api="blas"):
        parts = _dyads(X, starts, starts + sizes)
    lengths = np.fromiter((len(p[0]) for p in parts), dtype=np.int64, count=len(parts))
    if parts:
        ai, bi, n32, bb, dd, aa = (np.concatenate(c) for c in zip(*parts, strict=True))
    else:
        ai = bi = np.empty(0, np.int16)
        n32 = bb = dd = aa = np.empty(0, np.float32)
    rows = len(ai)
    # Counts are exact small integers in float32 (and float64); they fill one
    # int64 block and the scores one float64 block, which pandas keeps as
    # they are (no copy). Each score is an IEEE division of exact counts.
    f64 = np.float64
    identical = (bb + dd) * 0.5
    opposite = (bb - dd) * 0.5
    same = identical + aa
    half = n32 - bb
    half -= aa
    ints = np.empty((6, rows), dtype=np.int64)
    ints[0] = np.repeat(periods.astype(np.int64), lengths)
    ints[1], ints[2], ints[3], ints[4], ints[5] = n32, same, half, identical, opposite
    floats = np.empty((3, rows), dtype=f64)
    agree, agree_half, coincidence = floats
    np.divide(same, n32, out=agree, dtype=f64)
    np.multiply(half, 0.5, out=agree_half, dtype=f64)
    np.add(agree_half, same, out=agree_half, dtype=f64)
    np.divide(agree_half, n32, out=agree_half, dtype=f64)
    np.add(identical, opposite, out=coincidence, dtype=f64)  # decisive votes; none gives 0 / 0 = NaN
    with np.errstate(invalid="ignore"):
        np.divide(identical, coincidence, out=coincidence, dtype=f64)
    cat = pd.CategoricalDtype(labels)
    int_columns = [by, "n", "same", "half", "identical", "opposite"]
    return pd.concat([
        pd.DataFrame({"a": pd.Categorical.from_codes(ai, dtype=cat, validate=False),
                      "b": pd.Categorical.from_codes(bi, dtype=cat, validate=False)}),
        pd.DataFrame(ints.T, columns=int_columns, copy=False),
        pd.DataFrame(floats.T, columns=["agree", "agree_half", "coincidence"], copy=False),
    ], axis=1)


def agreement(engine: Engine, *, by: str = "year", issue: str | None = None, important: bool = False,
              years: Iterable[int] | None = None, sessions: Iterable[int] | None = None,
              lineage: bool = False, forum: str = "ga") -> pd.DataFrame:
    """Agreement scores for every pair of states and every year (or session) in the store.

    ``forum``: ``"ga"`` (General Assembly; sessions are GA sessions) or
    ``"hrc"`` (Human Rights Council; its sessions are years).

    ``issue``: one of :data:`blocwatch.ga.votes.ISSUES` (``hr`` human rights,
    ...); ``important``: only the US State Department's "important votes";
    ``years`` / ``sessions``: restrict the periods; ``lineage``: count a former
    seat holder's votes under its seat successor (USSR as Russia, ...).
    Returns the DataFrame of :func:`agreement_from_votes` (columns ``a, b,
    year|session, n, same, half, identical, opposite, agree, agree_half,
    coincidence``). Conflicting selections (``years`` and ``sessions``
    together, or ``years`` with ``by="session"``) raise
    :class:`blocwatch.errors.InvalidInput`; an unknown ``issue``
    :class:`blocwatch.errors.NotFound`.
    """
    years = None if years is None else [int(y) for y in years]
    sessions = None if sessions is None else [int(s) for s in sessions]
    _check_selection(by, years, sessions)
    _check_issue(issue)
    if sessions is None and years is not None:
        # A GA year's votes lie in the sessions that opened one or two years before it (or in it);
        # the Council's sessions are its years.
        sessions = list(years) if forum == "hrc" else sorted({y - 1945 + d for y in years for d in (-2, -1, 0, 1)})
    m = vote_matrix(engine, sessions=sessions, lineage=lineage, forum=forum)
    if by == "year":
        call_period = m.call_date.astype("datetime64[Y]").astype(np.int64) + 1970
    else:
        call_period = m.call_session.astype(np.int64)
    wanted = np.ones(len(m.call_rcid), dtype=bool)
    if issue is not None or important:
        chosen = _select_rollcalls(rollcalls_frame(engine, sessions=sessions, forum=forum), issue, important)
        wanted &= np.isin(m.call_rcid, chosen["rcid"].to_numpy())
    if by == "year" and years is not None:
        wanted &= np.isin(call_period, list(years))
    X = m.matrix
    if not wanted.all():
        X, call_period = X[wanted], call_period[wanted]
    return _scores(X, call_period, m.labels, by)


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
