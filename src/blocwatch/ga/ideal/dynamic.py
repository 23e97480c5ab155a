"""Dynamic ideal points: one scale for all General Assembly sessions.

Model: the ordered probit of :mod:`blocwatch.ga.ideal` in every session
(roll-call parameters ``a_j``, ``b_j``, ``d_j`` free for each roll call, with
the same priors), with the sessions linked by a Gaussian random walk on each
state's position, as in emIRT's ``dynIRT`` (Imai, Lo and Olmsted 2016) and
Martin and Quinn (2002):

* a state's first session with votes: ``x ~ N(0, 1)``;
* each later session ``t`` of its span, after the previous one ``t'``:
  ``x_t ~ N(x_t', omega^2 * (t - t'))``. Sessions inside a state's span in
  which it cast no vote (South Africa 1974-1993, say) are latent steps of the
  walk: they carry no data and are not reported. Default ``omega = 0.1`` per
  session, on the prior's scale (cross-section standard deviation about 1):
  a state can drift about one standard deviation over a century but not jump
  in a year.

Former seat holders are followed through their successor (``SUN`` -> ``RUS``,
``ROC`` -> ``CHN``, ... via ``votes_frame(lineage=True)``), so the Soviet Union
and Russia form one chain.

Sessions reported and sessions fitted: the random walk links every session, so
a fit always covers every session of the votes given (from the store: every
stored session) and a selection of sessions only chooses which are reported;
fitting the selected sessions alone would be a different model (a single
session would be the static fit).

Estimation: the joint posterior mode. Start: every session's static mode
(:func:`blocwatch.ga.ideal.static.fit_panel`), signs aligned session to session.
Then EM (the same E-step and roll-call M-steps; the position M-step is one
tridiagonal solve per state, vectorised across states - a Kalman smoother in
closed form), SQUAREM-accelerated, followed by safeguarded Newton steps on
all ~14,000 positions and ~6,200 x 3 roll-call parameters together
(:func:`blocwatch.ga.ideal.newton.newton_finish`: roll calls eliminated, then a
block-tridiagonal solve over sessions), which never decrease the log
posterior and converge quadratically.

Standard errors: the square roots of the diagonal of the inverse of the
observed information of each state's chain (random-walk prior included),
conditional on the roll-call parameters. Reporting: positions and standard
errors divided by the standard deviation of all reported positions (after
centring: mean 0, sd 1 over all rows); sign: the United States is positive
(a single flip for the whole panel; ``walk.us_negative_sessions`` lists
any session where the US still falls below 0, which would mean the
one-dimensional ordering moved).

Comparison with the static fits (all 74 sessions, omega = 0.1): the
Pearson correlation of dynamic and static positions per session has median
0.979 and is below 0.9 in sessions 7, 8, 19, 20, 22, 24 and 27. Session 19
(1964-65) has one roll call. In the others the rank orders agree (Spearman
0.98-1.00): the Soviet bloc (USSR, Ukrainian and Byelorussian SSRs, Poland,
Czechoslovakia, Hungary, Bulgaria, Mongolia) votes as one block on the
losing side, so its distance from the rest is set mostly by the priors; the
random walk carries its place from the sessions around (about -3.5 on the
pooled scale, where the other states' sd is 0.4-0.5), while the static fit
of a session whose main split is colonialism or development (the bloc
voting with the Afro-Asian group) puts it at -1 to -2 session sds. Without
the bloc (and Cuba, Albania) Pearson's r is 0.96-0.99. This is a property
of the data and the models (positions of a separated block are not
identified by one session), not a fitting error: all starts reach the same
static mode in these sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from blocwatch.ga.ideal.core import DEFAULT_OMEGA, MODE_TOL, OUTPUT_COLUMNS, Priors, session_matrices
from blocwatch.ga.ideal.em import position_information, run_em
from blocwatch.ga.ideal.newton import newton_finish
from blocwatch.ga.ideal.panel import Panel, Params
from blocwatch.ga.ideal.results import (
    IdealPoints,
    ModelSpec,
    SessionDiagnostics,
    WalkDiagnostics,
    empty_positions,
    empty_rollcalls,
)
from blocwatch.ga.ideal.starts import START_METHODS
from blocwatch.ga.ideal.static import fit_panel, rollcall_rows


class RandomWalkPrior:
    """The random-walk prior on a panel's positions (rows = state chains, columns = sessions); one block.

    ``qd`` (rows x sessions) and ``qo`` (rows x sessions-1) are the diagonal
    and the (negated) off-diagonal of the prior precision along each row;
    positions outside a state's span are fixed at 0 (``qd = 1``, no links).
    """

    n_blocks = 1

    def __init__(self, panel: Panel, sessions: np.ndarray, omega: float, priors: Priors):
        self.panel = panel
        self.block_of_group = np.zeros(panel.n_groups, dtype=np.int64)
        pres = panel.present
        idx = np.arange(pres.shape[1])
        first = np.where(pres.any(axis=1), np.argmax(pres, axis=1), 0)
        last = pres.shape[1] - 1 - np.argmax(pres[:, ::-1], axis=1)
        self.span = (idx >= first[:, None]) & (idx <= last[:, None])
        gap = np.diff(np.asarray(sessions, dtype=float))
        link = self.span[:, 1:] & self.span[:, :-1]
        self.qo = np.where(link, 1.0 / (omega ** 2 * np.maximum(gap, 1.0)), 0.0)
        qd = np.zeros(pres.shape)
        qd[:, 1:] += self.qo
        qd[:, :-1] += self.qo
        qd[np.arange(len(first)), first] += 1.0 / priors.x_sd ** 2
        self.qd = np.where(self.span, qd, 1.0)

    def solve(self, H: np.ndarray, r: np.ndarray) -> np.ndarray:
        return tridiagonal_solve(self.qd + H, self.qo, r)

    def log_prior(self, x: np.ndarray) -> np.ndarray:
        return np.array([-0.5 * ((self.qd * x * x).sum() - 2.0 * (self.qo * x[:, :-1] * x[:, 1:]).sum())])

    def quad_terms(self, x: np.ndarray):
        one = self.span.astype(float)
        qx = self._q_times(x)
        return (np.array([(x * qx).sum()]), np.array([(one * qx).sum()]),
                np.array([(one * self._q_times(one)).sum()]))

    def shift_scale(self, x: np.ndarray, k: np.ndarray, u: np.ndarray) -> np.ndarray:
        return (x + k[0] * self.span) / u[0]

    def max_change(self, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
        pres = self.panel.present
        sd = x1[pres].std() or 1.0
        out = np.zeros(self.panel.n_groups)
        out[0] = float(np.abs(x1 - x0)[pres].max(initial=0.0)) / sd
        return out

    def _q_times(self, x: np.ndarray) -> np.ndarray:
        out = self.qd * x
        out[:, 1:] -= self.qo * x[:, :-1]
        out[:, :-1] -= self.qo * x[:, 1:]
        return out


def tridiagonal_solve(diag: np.ndarray, off: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``T x = rhs`` row by row, ``T`` symmetric tridiagonal with ``diag`` and ``-off`` (Thomas algorithm,
    vectorised over rows)."""
    n = diag.shape[1]
    c = np.empty_like(off)
    d = np.empty_like(rhs)
    piv = diag[:, 0].copy()
    d[:, 0] = rhs[:, 0] / piv
    for t in range(1, n):
        c[:, t - 1] = -off[:, t - 1] / piv
        piv = diag[:, t] + off[:, t - 1] * c[:, t - 1]
        d[:, t] = (rhs[:, t] + off[:, t - 1] * d[:, t - 1]) / piv
    x = np.empty_like(rhs)
    x[:, -1] = d[:, -1]
    for t in range(n - 2, -1, -1):
        x[:, t] = d[:, t] - c[:, t] * x[:, t + 1]
    return x


def tridiagonal_inverse_diagonal(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Diagonal of the inverse of every row's symmetric tridiagonal matrix (``diag``, ``-off``).

    Two-sided recursions on ratios of principal minors (nothing overflows):
    ``inv[t, t] = 1 / (d_t - l_t - r_t)`` with ``l_t = off_{t-1}^2 / (d_{t-1} - l_{t-1})``
    from the left and ``r_t`` likewise from the right; vectorised over rows.
    """
    n = diag.shape[1]
    left = np.zeros_like(diag)
    right = np.zeros_like(diag)
    for t in range(1, n):
        left[:, t] = off[:, t - 1] ** 2 / (diag[:, t - 1] - left[:, t - 1])
    for t in range(n - 2, -1, -1):
        right[:, t] = off[:, t] ** 2 / (diag[:, t + 1] - right[:, t + 1])
    return 1.0 / (diag - left - right)


def _aligned_start(panel: Panel, p: Params) -> Params:
    """Flip sessions of the static fits so that each correlates positively with the one before."""
    x, b = p.x.copy(), p.b.copy()
    for g in range(1, panel.n_groups):
        both = panel.present[:, g] & panel.present[:, g - 1]
        if both.sum() > 2 and np.corrcoef(x[both, g], x[both, g - 1])[0, 1] < 0:
            x[:, g] = -x[:, g]
            b[panel.group == g] *= -1
    return Params(x, p.a.copy(), b, p.logd.copy())


def estimate_dynamic(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *,
                     omega: float = DEFAULT_OMEGA, priors: Priors = Priors(), tol: float = MODE_TOL,
                     max_iter: int = 3000, progress: Callable[[int], None] | None = None,
                     data_version: str | None = None) -> IdealPoints:
    """Dynamic ideal points: the model fitted over every session of ``votes``, ``sessions`` reported.

    ``votes`` is a votes frame (``session, rcid, iso3, vote``; use
    ``votes_frame(engine, lineage=True)`` so seats form one chain). The
    random walk links all its sessions, so they are all fitted whatever
    ``sessions`` says; ``sessions`` (default: all) chooses the sessions
    reported, whose rows are exactly those of the fit of every session
    (a session not in ``votes`` gets no rows). Positions: one row per state
    and reported session where it cast a yes, abstain or no vote, sorted by
    session and descending ideal point, on one scale for all sessions (mean
    0, sd 1 over all state-sessions of the fit). ``walk`` holds the linked
    fit's iterations (EM iterations plus Newton steps), convergence, last
    change, log posterior, the sessions fitted and any session with the
    United States below 0. ``progress`` is called with the number of
    stages done (static fits, EM, Newton: 3 in all).
    """
    spec = ModelSpec("ordered", "dynamic", "mode", priors, tol, max_iter, omega)
    matrices = [m for m in session_matrices(votes, "ordered") if m.y.shape[0] > 1]
    if not matrices:
        walk = WalkDiagnostics((), 0, True, 0.0, None, ())
        return IdealPoints(empty_positions(), empty_rollcalls(), (), spec, data_version, walk)
    panel, labels = Panel.build(matrices, True)
    sess = np.array([m.session for m in matrices])
    prior = RandomWalkPrior(panel, sess, omega, priors)
    with threadpool_limits(limits=1, user_api="blas"):
        static, _ = fit_panel(panel, priors)
        if progress is not None:
            progress(1)
        start = _aligned_start(panel, static.params)
        em = run_em(panel, start, priors, prior, tol=5e-2, max_iter=max_iter)
        if progress is not None:
            progress(2)
        stats: dict = {}
        p, steps, converged, history = newton_finish(panel, em.params, priors, prior.qd, prior.qo, tol=tol,
                                                     stats=stats)
        if progress is not None:
            progress(3)
        info = position_information(panel, p, priors)
    var = tridiagonal_inverse_diagonal(prior.qd + info, prior.qo)
    pres = panel.present
    x = p.x[pres]
    mu, sd = x.mean(), x.std() or 1.0
    rows, cols = np.nonzero(pres)
    ideal = (p.x[rows, cols] - mu) / sd
    sign = 1.0
    is_us = labels[rows] == "USA"
    if is_us.any() and ideal[is_us].mean() < 0:
        ideal = -ideal
        sign = -1.0
    n_votes = panel.n_unit[rows, cols].astype(np.int32)
    out = pd.DataFrame({"iso3": labels[rows].astype(str), "session": sess[cols].astype(np.int16),
                        "ideal": ideal, "se": np.sqrt(var[rows, cols]) / sd, "n_votes": n_votes},
                       columns=OUTPUT_COLUMNS)
    out = out.sort_values(["session", "ideal"], ascending=[True, False], kind="stable").reset_index(drop=True)
    us_rows = out[out["iso3"] == "USA"]
    iterations = int(em.iterations[0]) + steps
    walk = WalkDiagnostics(tuple(int(s) for s in sess), iterations, bool(converged), float(stats["last_change"]),
                           float(history[-1]),
                           tuple(sorted(int(s) for s in us_rows.loc[us_rows["ideal"] < 0, "session"])))
    if sessions is None:
        keep = np.ones(len(matrices), dtype=bool)
    else:
        wanted = [int(sessions)] if isinstance(sessions, (int, np.integer)) else [int(s) for s in sessions]
        keep = np.isin(sess, wanted)
        out = out[out["session"].isin(sess[keep])].reset_index(drop=True)
    rolls, diags = [], []
    for g in np.flatnonzero(keep):
        m = matrices[g]
        c = slice(panel.starts[g], panel.end(int(g)))
        rolls.append(rollcall_rows(m.session, m.rcids, p.a[c], p.b[c], np.exp(p.logd[c]), (m.y >= 0).sum(axis=0),
                                   float(mu), float(sd), sign))
        diags.append(SessionDiagnostics(int(m.session), int(m.y.shape[0]), int(m.y.shape[1]), bool(converged),
                                        iterations, "mode", START_METHODS, "static"))
    rollcalls = pd.concat(rolls, ignore_index=True) if rolls else empty_rollcalls()
    return IdealPoints(out, rollcalls, tuple(diags), spec, data_version, walk)


def fit_dynamic(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *, omega: float = DEFAULT_OMEGA,
                priors: Priors = Priors(), tol: float = MODE_TOL, max_iter: int = 3000,
                progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """:func:`estimate_dynamic` as a DataFrame (``positions``; ``attrs`` holds ``iterations``, ``converged``,
    ``last_change``, ``omega``, ``log_posterior``, ``us_negative_sessions``, ``sessions_fitted``): fitted over every
    session of ``votes``, ``sessions`` reported. Prefer :func:`estimate_dynamic`."""
    return estimate_dynamic(votes, sessions, omega=omega, priors=priors, tol=tol, max_iter=max_iter,
                            progress=progress).to_frame()
