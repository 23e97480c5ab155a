"""Dynamic ideal points: one scale for all General Assembly sessions.

Model: the ordered probit of :mod:`blocwatch.ga.ideal` in every session
(roll-call parameters ``c_j``, ``g_j``, ``beta_j`` free for each roll call,
with the same priors), with the sessions linked by a Gaussian random walk on
each state's position, as in emIRT's ``dynIRT`` (Imai, Lo and Olmsted 2016)
and Martin and Quinn (2002):

* a state's first session with votes: ``x ~ N(0, 1)``;
* each later session ``t`` with votes, after the previous one ``t'``:
  ``x_t ~ N(x_t', omega^2 * (t - t'))`` (sessions without votes are bridged
  by a proportionally wider step). Default ``omega = 0.1`` per session, on a
  scale where the cross-section has standard deviation about 1: a state can
  drift about one standard deviation over a century but not jump in a year.

Former seat holders are followed through their successor (``SUN`` -> ``RUS``,
``ROC`` -> ``CHN``, ... via ``votes_frame(lineage=True)``), so the Soviet Union
and Russia form one chain.

Estimation: the joint posterior mode, by alternating Fisher-scoring steps
(all roll calls of all sessions given the positions; then all positions
together, one tridiagonal Newton system per state chain), re-centring and
re-scaling all positions together after each step (one location and scale for
the whole panel, so positions stay comparable across sessions). Standard
errors: the square roots of the diagonal of the inverse of the (Fisher)
information of each state's chain, prior included, conditional on the
roll-call parameters. Sign: the United States is positive (a single flip for
the whole panel; ``attrs["us_negative_sessions"]`` lists any session where the
US still falls below 0, which would mean the one-dimensional ordering moved).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from scipy.linalg import solveh_banded

from blocwatch.ga.ideal import (
    OUTPUT_COLUMNS, Priors, cell_terms, fit_matrix, indicators, item_step, vote_matrices, x_terms,
)


def fit_dynamic(votes: pd.DataFrame, sessions: Iterable[int] | None = None, *, omega: float = 0.1,
                priors: Priors = Priors(), tol: float = 5e-3, max_iter: int = 150,
                progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Dynamic ideal points of every state in every session of ``votes``.

    ``votes`` is a votes frame (``session, rcid, iso3, vote``; use
    ``votes_frame(engine, lineage=True)`` so seats form one chain). Returns
    the columns ``iso3, session, ideal, se, n_votes`` (one row per state and
    session where it cast a yes, abstain or no vote), sorted by session and
    descending ideal point, on one scale for all sessions (mean 0, sd 1 over
    all rows). ``attrs`` holds ``iterations``, ``converged``, ``last_change`` (largest
    move of any position in the last iteration), ``omega`` and
    ``us_negative_sessions``. ``progress`` is called with the iteration number.
    """
    matrices = [m for m in vote_matrices(votes, "ordered", sessions) if m.y.shape[0] > 1]
    if not matrices:
        return pd.DataFrame({c: [] for c in OUTPUT_COLUMNS})
    # Units: (state, session) pairs, ordered by state then session -> one tridiagonal system.
    states = np.concatenate([m.states for m in matrices])
    sess = np.concatenate([np.full(len(m.states), m.session) for m in matrices])
    local = np.concatenate([np.arange(len(m.states)) for m in matrices])
    block = np.concatenate([np.full(len(m.states), k) for k, m in enumerate(matrices)])
    order = np.lexsort((sess, states))
    unit_of = [np.empty(len(m.states), dtype=np.int64) for m in matrices]
    for u, idx in enumerate(order):
        unit_of[block[idx]][local[idx]] = u
    st_sorted, se_sorted = states[order], sess[order]
    same = st_sorted[1:] == st_sorted[:-1]
    gapw = np.where(same, 1.0 / (omega ** 2 * np.maximum(se_sorted[1:] - se_sorted[:-1], 1)), 0.0)
    n = len(order)
    q_diag = np.zeros(n)
    q_diag[1:] += gapw
    q_diag[:-1] += gapw
    first = np.r_[True, ~same]
    q_diag[first] += 1.0 / priors.x_sd ** 2

    def q_times(x: np.ndarray) -> np.ndarray:
        out = q_diag * x
        out[1:] -= gapw * x[:-1]
        out[:-1] -= gapw * x[1:]
        return out

    # Start from the static fits (each US-positive, standardised).
    x = np.empty(n)
    params, Ys = [], []
    for m, units in zip(matrices, unit_of):
        f = fit_matrix(m, "ordered", priors, tol=1e-2, max_iter=100)
        xs = (f.x - f.x.mean()) / (f.x.std() or 1.0)
        cut, beta = f.cut + f.beta * f.x.mean(), f.beta * (f.x.std() or 1.0)
        us = np.flatnonzero(m.states == "USA")
        if len(us) and xs[us[0]] < 0:
            xs, beta = -xs, -beta
        x[units] = xs
        params.append([cut, f.gap, beta])
        Ys.append(indicators(m.y))

    converged, it, change = False, 0, np.inf
    for it in range(1, max_iter + 1):
        score = np.zeros(n)
        info = np.zeros(n)
        for k, (units, Y) in enumerate(zip(unit_of, Ys)):
            xs = x[units]
            cut, gap, beta = params[k]
            cut, gap, beta = item_step(cell_terms(Y, xs, cut, gap, beta, True), xs, cut, gap, beta, True, priors)
            params[k] = [cut, gap, beta]
            s, i = x_terms(cell_terms(Y, xs, cut, gap, beta, True), beta)
            score[units], info[units] = s, i
        ab = np.zeros((2, n))
        ab[1] = q_diag + info
        ab[0, 1:] = -gapw
        step = np.clip(solveh_banded(ab, score - q_times(x)), -1.0, 1.0)
        new = x + step
        mu, sd = new.mean(), new.std()
        new = (new - mu) / sd
        for k, units in enumerate(unit_of):
            cut, gap, beta = params[k]
            params[k] = [cut - beta * mu, gap, beta * sd]
        change = np.max(np.abs(new - x))
        x = new
        if progress is not None:
            progress(it)
        if change < tol:
            converged = True
            break

    info = np.zeros(n)
    for k, (units, Y) in enumerate(zip(unit_of, Ys)):
        cut, gap, beta = params[k]
        info[units] = x_terms(cell_terms(Y, x[units], cut, gap, beta, True), beta)[1]
    var = _tridiagonal_inverse_diagonal(q_diag + info, -gapw)
    se = np.sqrt(var)
    us_units = np.flatnonzero(st_sorted == "USA")
    if len(us_units) and x[us_units].mean() < 0:
        x = -x
    n_votes = np.empty(n, dtype=np.int32)
    for m, units in zip(matrices, unit_of):
        n_votes[units] = m.n_votes
    out = pd.DataFrame({"iso3": st_sorted.astype(str), "session": se_sorted.astype(np.int16),
                        "ideal": x, "se": se, "n_votes": n_votes}, columns=OUTPUT_COLUMNS)
    out = out.sort_values(["session", "ideal"], ascending=[True, False], kind="stable").reset_index(drop=True)
    us_rows = out[out["iso3"] == "USA"]
    out.attrs.update(iterations=it, converged=converged, last_change=float(change), omega=omega,
                     us_negative_sessions=sorted(int(s) for s in us_rows.loc[us_rows["ideal"] < 0, "session"]))
    return out


def _tridiagonal_inverse_diagonal(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Diagonal of the inverse of the symmetric tridiagonal matrix (``diag``, ``off``).

    Uses the two-sided recursions for the leading and trailing principal
    minors (ratios, so nothing overflows): ``inv[i, i] = 1 / (d_i - l_i - r_i)``
    with ``l_i = off_{i-1}^2 / (d_{i-1} - l_{i-1})`` from the left and
    ``r_i`` likewise from the right.
    """
    n = len(diag)
    left = np.zeros(n)
    right = np.zeros(n)
    for i in range(1, n):
        left[i] = off[i - 1] ** 2 / (diag[i - 1] - left[i - 1])
    for i in range(n - 2, -1, -1):
        right[i] = off[i] ** 2 / (diag[i + 1] - right[i + 1])
    return 1.0 / (diag - left - right)


def dynamic_ideal_points(engine, sessions: Iterable[int] | None = None, **kwargs) -> pd.DataFrame:
    """Dynamic ideal points from the store (see :func:`fit_dynamic`)."""
    from blocwatch.ga.votes import votes_frame

    return fit_dynamic(votes_frame(engine, sessions, lineage=True), sessions, **kwargs)
