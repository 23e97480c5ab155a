"""The static model: every session fitted on its own (posterior mode or variational), and its reporting.

:func:`estimate_static` returns an :class:`~blocwatch.ga.ideal.results.IdealPoints`;
:func:`fit` is the same as a DataFrame (the older interface). :func:`fit_panel`
(screened multi-start EM, then the Newton finish) is also the dynamic
model's start. Reporting scale: within each session the ideal points are
standardised to mean 0 and standard deviation 1 over the states estimated
(standard errors divided by the same standard deviation), the United States
positive (see :mod:`blocwatch.ga.ideal`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from blocwatch.ga.ideal.core import (
    MODE_TOL,
    OUTPUT_COLUMNS,
    VB_TOL,
    Method,
    Model,
    Priors,
    SessionMatrix,
    check_method,
    check_model,
    session_matrices,
    sign_anchor,
)
from blocwatch.ga.ideal.em import EMResult, StaticPrior, log_posterior, position_information, run_em
from blocwatch.ga.ideal.newton import newton_finish
from blocwatch.ga.ideal.panel import Panel, Params
from blocwatch.ga.ideal.results import (
    ROLLCALL_COLUMNS,
    IdealPoints,
    ModelSpec,
    SessionDiagnostics,
    empty_positions,
    empty_rollcalls,
)
from blocwatch.ga.ideal.starts import START_METHODS, start_params
from blocwatch.ga.ideal.vb import run_vb, vb_step


@dataclass
class SessionFit:
    """The posterior mode of one session's model (internal scale, before reporting).

    ``x`` ideal points, ``info`` their observed information (prior included),
    ``a``, ``b``, ``d`` the roll-call parameters (``d`` is 1 in the binary
    model); ``extra["logpost"]`` the log posterior after each EM iteration
    when a trace was asked for.
    """

    matrix: SessionMatrix
    x: np.ndarray
    info: np.ndarray
    a: np.ndarray
    b: np.ndarray
    d: np.ndarray
    iterations: int
    converged: bool
    extra: dict = field(default_factory=dict)



SCREEN_TOL = 0.5                  # multi-start: EM from each start until positions move < 0.5 sd per cycle


def fit_panel(panel: Panel, priors: Priors = Priors(), tol: float = 1e-6, max_iter: int = 3000, *,
              em_tol: float = 1e-2, newton: bool = True, accelerate: bool = True, trace: bool = False,
              progress: Callable[[int], None] | None = None, start: str = "best") -> tuple[EMResult, np.ndarray]:
    """The static model on every session of ``panel``: the fit and the information about each position.

    EM (SQUAREM-accelerated unless ``accelerate=False``) from
    :func:`start_params` until positions move by less than ``em_tol``
    (``tol`` if ``newton=False``) per cycle, then, per session,
    :func:`newton_finish` to ``tol``. ``iterations`` counts EM iterations
    (of every start tried) plus Newton steps; ``converged`` is the final
    stage's. The information (prior included) is the observed information
    at the mode, conditional on the roll-call parameters.

    ``start="best"`` (default) is a screened multi-start, because the
    ordered model's posterior can have local modes: EM runs from both
    starts of :data:`START_METHODS` until positions move by less than
    :data:`SCREEN_TOL` sd per cycle, and each session continues from the
    one with the higher log posterior there. ``"agreement"`` or ``"pca"``
    use that start alone (so does ``"best"`` with ``trace``). ``start``
    of the result names, per session, the start the fit continued from.
    """
    prior = StaticPrior(panel, priors)
    if start == "best" and trace:
        start = "agreement"
    if start == "best":
        screens = [run_em(panel, start_params(panel, s), priors, prior, tol=SCREEN_TOL, max_iter=max_iter,
                          accelerate=accelerate) for s in START_METHODS]
        lps = np.array([log_posterior(panel, r.params, priors, prior) for r in screens])
        pick = np.argmax(lps, axis=0)                 # per session: the start that climbed higher
        p0 = screens[0].params
        for k, r in enumerate(screens[1:], start=1):
            g = pick == k
            p0.x[:, g] = r.params.x[:, g]
            cols = g[panel.group]
            p0.a[cols], p0.b[cols], p0.logd[cols] = r.params.a[cols], r.params.b[cols], r.params.logd[cols]
        done = sum(r.iterations for r in screens)
        picked = [START_METHODS[k] for k in pick]
    else:
        p0, done = start_params(panel, start), 0
        picked = [start] * panel.n_groups
    res = run_em(panel, p0, priors, prior, tol=em_tol if newton else tol, max_iter=max_iter, accelerate=accelerate,
                 trace=trace, progress=None if newton else progress)
    res.iterations += done
    res.start = picked
    if newton:
        p = res.params
        for g in range(panel.n_groups):
            rows = np.flatnonzero(panel.present[:, g])
            sub = panel.subset(np.array([g]), rows)
            cols = slice(panel.starts[g], panel.end(g))
            q = Params(p.x[rows, g:g + 1], p.a[cols], p.b[cols], p.logd[cols])
            q, steps, ok, _ = newton_finish(sub, q, priors, np.full((len(rows), 1), prior.px),
                                            np.zeros((len(rows), 0)), tol=tol)
            p.x[rows, g], p.a[cols], p.b[cols], p.logd[cols] = q.x[:, 0], q.a, q.b, q.logd
            res.iterations[g] += steps
            res.converged[g] = ok
            if progress is not None:
                progress(g + 1)
    info = position_information(panel, res.params, priors) + prior.px
    return res, info



def fit_matrix(matrix: SessionMatrix, model: str = "ordered", priors: Priors = Priors(), tol: float | None = None,
               max_iter: int = 3000, *, newton: bool = True, accelerate: bool = True,
               trace: bool = False, method: str = "mode") -> SessionFit:
    """The static model on one session's matrix (see the module docstring): posterior mode or variational fit.

    ``method="mode"`` (default): the joint posterior mode; ``newton=False``
    stops after EM; ``accelerate=False`` runs plain ECM; ``trace=True``
    (with both off) records the log posterior before each ECM iteration and
    at the end in ``extra["logpost"]``; ``tol`` defaults to ``1e-6``.
    ``method="vb"`` (binary model only): the mean-field variational
    posterior (:func:`blocwatch.ga.ideal.vb.run_vb`); ``x`` holds the variational means, ``info``
    ``1 / Var_q(x)``, ``a``, ``b`` the roll calls' variational means and
    ``extra["vb"]`` the :class:`~blocwatch.ga.ideal.vb.VBState`; ``tol`` defaults to ``1e-3``;
    ``trace=True`` with ``accelerate=False`` records the ELBO before each
    sweep in ``extra["elbo"]``.
    """
    check_model(model)
    check_method(method, model)
    if matrix.y.shape[0] < 2 or matrix.y.shape[1] == 0:
        raise ValueError(f"session {matrix.session}: need at least 2 voting states and 1 roll call, "
                         f"got {matrix.y.shape[0]} and {matrix.y.shape[1]}")
    order = np.argsort(matrix.states)
    if (order != np.arange(len(order))).any():
        raise ValueError("vote matrix states must be sorted")
    panel, _ = Panel.build([matrix], model == "ordered", rows=matrix.states)
    if method == "vb":
        with threadpool_limits(limits=1, user_api="blas"):
            st, its, conv, log = run_vb(panel, priors, VB_TOL if tol is None else tol, max_iter,
                                        accelerate=accelerate, trace=trace)
        extra = {"vb": st, **({"elbo": [float(v[0]) for v in log]} if trace else {})}
        return SessionFit(matrix, st.x[:, 0], 1.0 / st.vx[:, 0], st.a, st.b, np.ones(len(st.a)), int(its[0]),
                          bool(conv[0]), extra)
    tol = MODE_TOL if tol is None else tol
    with threadpool_limits(limits=1, user_api="blas"):
        res, info = fit_panel(panel, priors, tol, max_iter, newton=newton, accelerate=accelerate, trace=trace)
    p = res.params
    extra = {"logpost": [float(v[0]) for v in res.trace]} if trace else {}
    return SessionFit(matrix, p.x[:, 0], info[:, 0], p.a, p.b, np.exp(p.logd), int(res.iterations[0]),
                      bool(res.converged[0]), extra)



def report(fit: SessionFit) -> pd.DataFrame:
    """The reported rows of one session: standardised, United States positive."""
    return _report_rows(fit.matrix.session, fit.matrix.states, fit.x, fit.info, fit.matrix.n_votes)[0]


def _report_rows(session: int, states: np.ndarray, x: np.ndarray, info: np.ndarray,
                 n_votes: np.ndarray) -> tuple[pd.DataFrame, float, float, float]:
    """The reported rows, and the reporting transformation ``ideal = sign * (x - mean) / sd``: (rows, mean, sd,
    sign)."""
    se = 1.0 / np.sqrt(info)
    sd = x.std()
    if not np.isfinite(sd) or sd <= 0:
        sd = 1.0
    mean = x.mean()
    ideal = (x - mean) / sd
    sign = 1.0
    anchor = sign_anchor(states)
    if anchor is not None and ideal[list(states).index(anchor)] < 0:
        ideal = -ideal
        sign = -1.0
    return pd.DataFrame({
        "iso3": np.asarray(states).astype(str),
        "session": np.full(len(x), session, dtype=np.int16),
        "ideal": ideal,
        "se": se / sd,
        "n_votes": np.asarray(n_votes).astype(np.int32),
    }, columns=OUTPUT_COLUMNS), float(mean), float(sd), sign


def rollcall_rows(session: int, rcids: np.ndarray, a: np.ndarray, b: np.ndarray, d: np.ndarray | None,
                  n_votes: np.ndarray, mean: float, sd: float, sign: float) -> pd.DataFrame:
    """Roll-call parameters on the reporting scale (see :mod:`blocwatch.ga.ideal.results`).

    With the internal ``z = a + b x + e / sqrt(d)`` and the reported ``ideal = sign (x - mean) / sd``:
    ``intercept = sqrt(d) (a + b mean)``, ``discrimination = sqrt(d) b sd sign``, ``band = sqrt(d)``
    (``d`` None: the binary model, ``d = 1`` and no band).
    """
    root = np.ones(len(a)) if d is None else np.sqrt(d)
    return pd.DataFrame({
        "session": np.full(len(a), session, dtype=np.int16),
        "rcid": np.asarray(rcids).astype(np.int64),
        "intercept": root * (a + b * mean),
        "discrimination": root * b * (sd * sign),
        "band": np.full(len(a), np.nan) if d is None else root,
        "n_votes": np.asarray(n_votes).astype(np.int32),
    }, columns=ROLLCALL_COLUMNS)


def estimate_static(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *, model: Model = "ordered",
                    method: Method = "mode", priors: Priors = Priors(), tol: float | None = None,
                    max_iter: int = 3000, progress: Callable[[int], None] | None = None,
                    workers: int | None = None, data_version: str | None = None) -> IdealPoints:
    """Static ideal points for every state and session of a votes frame, as :class:`IdealPoints`.

    ``votes`` has columns ``session``, ``rcid``, ``iso3``, ``vote`` (Voeten's
    coding, as :func:`blocwatch.ga.votes.votes_frame` returns); ``sessions``
    restricts the fit to those sessions (each is fitted on its own). The
    positions have one row per state with at least one vote counted by the
    model in that session (``n_votes`` = its yes, abstain and no votes; yes
    and no for the binary model), sorted by session then ideal point
    (descending); a state with no such vote gets no row, nor does a session
    with fewer than 2 such states. ``progress`` is called with the number of
    sessions done. ``method="vb"`` (binary model only) reports the
    variational posterior means and sds instead of the mode and its
    observed-information SEs (see :func:`blocwatch.ga.ideal.vb.run_vb`;
    iterations are VB sweeps); ``tol`` defaults to ``1e-6`` for the mode,
    ``1e-3`` for VB. Sessions are independent, so with ``workers`` > 1
    (default: 2 on a machine with 2 or more cores, for 8 sessions or more)
    they are fitted in that many processes, each taking about the same
    number of vote cells.
    """
    check_method(method, model)
    spec = ModelSpec(model, "static", method, priors, (VB_TOL if method == "vb" else MODE_TOL) if tol is None else tol,
                     max_iter)
    matrices = [m for m in session_matrices(votes, model, sessions) if m.y.shape[0] >= 2]
    if not matrices:
        return IdealPoints(empty_positions(), empty_rollcalls(), (), spec, data_version)
    args = (model, priors, tol, max_iter, method)
    groups = _split(matrices, _workers(workers, len(matrices)))
    if len(groups) == 1:
        parts, rolls, diags = _fit_group(matrices, *args, progress=progress)
    else:
        # Sessions are independent: fit halves of them in parallel processes (one BLAS thread each).
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        parts, rolls, diags, done = [], [], [], 0
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork"),
                                 initializer=_default_signals) as pool:
            futures = {pool.submit(_fit_group, g, *args): len(g) for g in groups}
            for future in as_completed(futures):
                p, r, d = future.result()
                parts += p
                rolls += r
                diags += d
                done += futures[future]
                if progress is not None:
                    progress(done)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["session", "ideal"], ascending=[True, False], kind="stable").reset_index(drop=True)
    rollcalls = pd.concat(rolls, ignore_index=True).sort_values(["session", "rcid"], kind="stable")
    return IdealPoints(out, rollcalls.reset_index(drop=True), tuple(sorted(diags, key=lambda d: d.session)), spec,
                       data_version)


def _default_signals() -> None:
    """In a forked worker: the default handling of SIGTERM and SIGINT. A worker forked from a server (the web
    app warming ideal points) would otherwise inherit the server's handlers, which only set a flag, and outlive
    the server it was forked from when that is stopped."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def fit(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *, model: Model = "ordered",
        priors: Priors = Priors(), tol: float | None = None, max_iter: int = 3000,
        progress: Callable[[int], None] | None = None, method: Method = "mode",
        workers: int | None = None) -> pd.DataFrame:
    """:func:`estimate_static` as a DataFrame (``positions``; ``attrs["fits"]`` holds ``{session:
    {"iterations", "converged", "n_rollcalls"}}``). Prefer :func:`estimate_static`."""
    return estimate_static(votes, sessions, model=model, priors=priors, tol=tol, max_iter=max_iter,
                           progress=progress, method=method, workers=workers).to_frame()


# Below this many sessions a second process costs more than it saves.
PARALLEL_MIN_SESSIONS = 8


def _workers(workers: int | None, n_sessions: int) -> int:
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n_sessions >= PARALLEL_MIN_SESSIONS else 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers


def _split(matrices: list[SessionMatrix], workers: int) -> list[list[SessionMatrix]]:
    """``matrices`` in ``workers`` groups of about equal size (vote cells), each in session order."""
    if workers == 1:
        return [matrices]
    loads = [0] * workers
    groups: list[list[SessionMatrix]] = [[] for _ in range(workers)]
    for m in sorted(matrices, key=lambda m: -m.y.size):
        k = loads.index(min(loads))
        groups[k].append(m)
        loads[k] += m.y.size
    return [sorted(g, key=lambda m: m.session) for g in groups if g]


def _fit_group(matrices: list[SessionMatrix], model: str, priors: Priors, tol: float | None, max_iter: int,
               method: Method, progress: Callable[[int], None] | None = None,
               ) -> tuple[list[pd.DataFrame], list[pd.DataFrame], list[SessionDiagnostics]]:
    """Fit one group of sessions together: (positions per session, roll calls per session, diagnostics)."""
    panel, labels = Panel.build(matrices, model == "ordered")
    screened: tuple[str, ...]
    start: Sequence[str]
    with threadpool_limits(limits=1, user_api="blas"):      # small matrices: threads only add overhead
        if method == "vb":
            st, its, conv, _ = run_vb(panel, priors, VB_TOL if tol is None else tol, max_iter)
            res, info = EMResult(Params(st.x, st.a, st.b, np.zeros(len(st.a))), its, conv), 1.0 / st.vx
            elbo, lp = vb_step(panel, st, priors)[1], None        # the ELBO at the fit (the sweep is discarded)
            screened = start = ("pca",)
            if progress is not None:
                progress(len(matrices))
        else:
            res, info = fit_panel(panel, priors, MODE_TOL if tol is None else tol, max_iter, progress=progress)
            elbo, lp = None, log_posterior(panel, res.params, priors, StaticPrior(panel, priors))
            screened, start = START_METHODS, res.start
    parts, rolls, diags = [], [], []
    p = res.params
    for g, m in enumerate(matrices):
        rows = np.searchsorted(labels, m.states)
        frame, mean, sd, sign = _report_rows(m.session, m.states, p.x[rows, g], info[rows, g], m.n_votes)
        parts.append(frame)
        cols = slice(panel.starts[g], panel.end(g))
        d = np.exp(p.logd[cols]) if model == "ordered" else None
        rolls.append(rollcall_rows(m.session, m.rcids, p.a[cols], p.b[cols], d, (m.y >= 0).sum(axis=0),
                                   mean, sd, sign))
        diags.append(SessionDiagnostics(
            int(m.session), int(m.y.shape[0]), int(m.y.shape[1]), bool(res.converged[g]), int(res.iterations[g]),
            method, tuple(screened), start[0] if method == "vb" else str(start[g]),
            None if lp is None else float(lp[g]), None if elbo is None else float(elbo[g])))
    return parts, rolls, diags
