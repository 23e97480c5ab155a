"""One-dimensional ideal points of states, one General Assembly session at a time.

Model (``model="ordered"``, the default): an ordered-probit item-response model
on all three choices of every recorded vote, no < abstain < yes. For state
``i`` and roll call ``j`` of a session the latent ``y*_ij = beta_j x_i + e_ij``
with ``e_ij ~ N(0, 1)``; the state votes no if ``y* < c_j``, abstains if
``c_j <= y* < c_j + exp(g_j)`` and votes yes otherwise. ``x_i`` is the ideal
point, ``beta_j`` the discrimination and ``c_j``, ``exp(g_j)`` the cutpoint and
the width of the abstention band of roll call ``j``. "Present but not voting"
(code 8) and absence are missing, not choices.

``model="binary"`` is the probit model of ``pscl::ideal`` (yes = 1, no = 0,
abstention missing): ``P(yes) = Phi(beta_j x_i - c_j)``.

Priors (:class:`Priors`): ``x_i ~ N(0, 1)``, ``beta_j ~ N(0, 5^2)``,
``c_j ~ N(0, 5^2)`` (the defaults of ``pscl::ideal``), ``g_j ~ N(0, 1.5^2)``.
No roll call is dropped, however lopsided: the priors keep the parameters of
unanimous and near-unanimous roll calls finite, and such votes still inform
the positions of the few states in the minority.

Estimation: the joint posterior mode, by alternating Fisher-scoring steps -
one for all ideal points given the roll-call parameters, one for all roll-call
parameters given the ideal points (each a vectorised 1x1 or 3x3 Newton step) -
started from the first principal component of the vote matrix, until no ideal
point moves by more than ``tol`` (default 0.001 sd, far below any standard
error). This is the same kind of estimate as the EM
algorithms of Imai, Lo and Olmsted (2016) (emIRT's ``binIRT``/``ordIRT``): a
posterior mode, not ``pscl``'s MCMC posterior mean.

Standard errors: ``1 / sqrt(I_i)`` where ``I_i`` is the Fisher information about
``x_i`` (prior included) at the mode, conditional on the roll-call parameters
(which are estimated from all ~190 states, so their uncertainty is small by
comparison); they do not include uncertainty in the roll-call parameters.

Reporting scale: within each session the ideal points are standardised to
mean 0 and standard deviation 1 over the states estimated (standard errors
divided by the same standard deviation), and the sign is fixed so that the
United States is positive (if it cast no vote in a session, the first of
:data:`SIGN_ANCHORS` that did). Static positions are therefore comparable
within a session only; :mod:`blocwatch.ga.ideal_dynamic` links sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

YES, ABSTAIN, NO, NOT_VOTING = 1, 2, 3, 8
# Internal categories: 0 no, 1 abstain, 2 yes, -1 missing.
MISSING = -1
MODELS = ("ordered", "binary")
SIGN_ANCHORS = ("USA", "GBR", "FRA", "CAN", "AUS", "ISR")
OUTPUT_COLUMNS = ["iso3", "session", "ideal", "se", "n_votes"]

_CLIP = 8.0          # latent differences are clipped to +-8 sd (Phi(-8) = 6e-16)
_PFLOOR = 1e-15      # probability floor against log(0) / division by 0
_SQRT2PI = np.sqrt(2.0 * np.pi)


@dataclass(frozen=True)
class Priors:
    """Normal prior standard deviations (and the mean of the log band width)."""

    x_sd: float = 1.0
    beta_sd: float = 5.0
    cut_sd: float = 5.0
    gap_mean: float = 0.0
    gap_sd: float = 1.5


@dataclass
class VoteMatrix:
    """One session's votes: ``y[i, j]`` is state ``states[i]``'s choice on ``rcids[j]``.

    ``y`` is int8 with 0 no, 1 abstain, 2 yes, -1 missing (absent, not voting,
    or an abstention under the binary coding).
    """

    session: int
    states: np.ndarray
    rcids: np.ndarray
    y: np.ndarray

    @property
    def n_votes(self) -> np.ndarray:
        return (self.y >= 0).sum(axis=1)


@dataclass
class SessionFit:
    """The posterior mode of one session's model (internal scale, before reporting)."""

    matrix: VoteMatrix
    x: np.ndarray
    info: np.ndarray
    cut: np.ndarray
    gap: np.ndarray
    beta: np.ndarray
    iterations: int
    converged: bool
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- data

def vote_matrices(votes: pd.DataFrame, model: str = "ordered",
                  sessions: Iterable[int] | int | None = None) -> list[VoteMatrix]:
    """Split a votes frame (``session, rcid, iso3, vote`` in Voeten's coding) into per-session matrices.

    Returns one :class:`VoteMatrix` per session (ascending), with states that
    cast at least one vote counted by ``model`` (yes/abstain/no for
    ``"ordered"``, yes/no for ``"binary"``) and every roll call of the session.
    """
    _check_model(model)
    frame = votes
    if sessions is not None:
        wanted = [int(sessions)] if isinstance(sessions, (int, np.integer)) else [int(s) for s in sessions]
        frame = frame[frame["session"].isin(wanted)]
    vote = frame["vote"].to_numpy()
    cat = np.full(len(frame), MISSING, dtype=np.int8)
    cat[vote == YES] = 2
    cat[vote == NO] = 0
    if model == "ordered":
        cat[vote == ABSTAIN] = 1
    bad = ~np.isin(vote, (YES, ABSTAIN, NO, NOT_VOTING))
    if bad.any():
        raise ValueError(f"unknown vote code {int(vote[bad][0])}: expected 1 yes, 2 abstain, 3 no, 8 not voting")
    session = frame["session"].to_numpy()
    rcid = frame["rcid"].to_numpy()
    iso3 = np.asarray(frame["iso3"].astype(str).to_numpy(), dtype=object)

    out = []
    order = np.argsort(session, kind="stable")
    bounds = np.flatnonzero(np.diff(session[order])) + 1
    for idx in np.split(order, bounds) if len(order) else []:
        states, si = np.unique(iso3[idx], return_inverse=True)
        rcids, ri = np.unique(rcid[idx], return_inverse=True)
        y = np.full((len(states), len(rcids)), MISSING, dtype=np.int8)
        y[si, ri] = cat[idx]
        voted = (y >= 0).any(axis=1)
        if not voted.any():
            continue
        out.append(VoteMatrix(int(session[idx[0]]), states[voted], rcids, y[voted]))
    return out


def pscl_filter(matrix: VoteMatrix, minority: float = 0.025, min_votes: int = 20) -> VoteMatrix:
    """The benchmark's ``pscl::ideal`` matrix: drop lopsided roll calls, then thin states.

    Applies to a binary matrix: roll calls whose minority side (yes or no)
    is under ``minority`` of the yes+no votes cast are dropped, then states
    with fewer than ``min_votes`` remaining yes/no votes. Used only for the
    comparison with pscl; the model itself keeps every roll call.
    """
    y = matrix.y
    yes = (y == 2).sum(axis=0)
    no = (y == 0).sum(axis=0)
    total = yes + no
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.minimum(yes, no) / total
    cols = (total > 0) & (share >= minority)
    y = y[:, cols]
    rows = ((y == 0) | (y == 2)).sum(axis=1) >= min_votes
    return VoteMatrix(matrix.session, matrix.states[rows], matrix.rcids[cols], y[rows])


# --------------------------------------------------------------------------- numerics

def _cdf(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phi(z), Phi(-z) (each accurate in its small tail) and phi(z) of the standard normal."""
    t = ndtr(-np.abs(z))
    neg = z < 0
    return np.where(neg, t, 1.0 - t), np.where(neg, 1.0 - t, t), np.exp(-0.5 * z * z) / _SQRT2PI


def indicators(y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Float indicators ``(no, abstain, yes, observed)`` of an int8 choice matrix."""
    return tuple((y == k).astype(float) for k in (0, 1, 2)) + ((y >= 0).astype(float),)


def cell_terms(Y: tuple, x: np.ndarray, cut: np.ndarray, gap: np.ndarray, beta: np.ndarray, ordered: bool):
    """Per-vote scores and Fisher information of the ordered (or binary) probit.

    ``Y`` is :func:`indicators` of the choice matrix. Returns ``(A, B, C,
    s_cut, s_gap)`` (states x roll calls, zero where nothing was observed):
    ``s_cut``/``s_gap`` are d log p / d c and d log p / d g of the observed
    choice; ``A``, ``B``, ``C`` the expected information for (c, c), (c, g),
    (g, g). Derivatives with respect to the linear predictor ``beta x`` are
    the negatives of those for ``c``. ``B``, ``C``, ``s_gap`` are ``None``
    for the binary model.
    """
    y0, y1, y2, w = Y
    a0 = cut[None, :] - np.multiply.outer(x, beta)
    a = np.clip(a0, -_CLIP, _CLIP)
    Fa, Fma, fa = _cdf(a)
    if not ordered:
        p0 = np.maximum(Fa, _PFLOOR)
        p2 = np.maximum(Fma, _PFLOOR)
        return fa * fa / (p0 * p2) * w, None, None, fa * (y0 / p0 - y2 / p2), None
    e = np.exp(gap)[None, :]
    b = np.clip(a0 + e, -_CLIP, _CLIP)
    Fb, Fmb, fb = _cdf(b)
    i0 = 1.0 / np.maximum(Fa, _PFLOOR)
    i2 = 1.0 / np.maximum(Fmb, _PFLOOR)
    i1 = 1.0 / np.maximum(np.where(b < 0, Fb - Fa, Fma - Fmb), _PFLOOR)
    d = fb - fa
    fb2 = fb * fb
    A = (fa * fa * i0 + d * d * i1 + fb2 * i2) * w
    B = e * (d * fb * i1 + fb2 * i2) * w
    C = e * e * fb2 * (i1 + i2) * w
    s_cut = fa * i0 * y0 + d * i1 * y1 - fb * i2 * y2
    s_gap = e * fb * (i1 * y1 - i2 * y2)
    return A, B, C, s_cut, s_gap


def item_step(terms, x, cut, gap, beta, ordered: bool, priors: Priors, cap: float = 2.0):
    """One Fisher-scoring step for every roll call's (cut, gap, beta), given ``x`` and :func:`cell_terms` there.

    Each roll call's parameters are independent given the ideal points, so
    this is a batch of 2x2 (binary) or 3x3 (ordered) Newton systems; steps are
    capped at ``cap`` per parameter. Returns the new ``(cut, gap, beta)``.
    """
    A, B, C, s_cut, s_gap = terms
    pc, pb = 1.0 / priors.cut_sd ** 2, 1.0 / priors.beta_sd ** 2
    SA, SAx, SAxx = A.sum(axis=0), x @ A, (x * x) @ A
    g_cut = s_cut.sum(axis=0) - cut * pc
    g_beta = -(x @ s_cut) - beta * pb
    if not ordered:
        h11, h12, h22 = SA + pc, -SAx, SAxx + pb
        det = h11 * h22 - h12 * h12
        d_cut = (h22 * g_cut - h12 * g_beta) / det
        d_beta = (h11 * g_beta - h12 * g_cut) / det
        return cut + np.clip(d_cut, -cap, cap), gap, beta + np.clip(d_beta, -cap, cap)
    pg = 1.0 / priors.gap_sd ** 2
    SB, SBx, SC = B.sum(axis=0), x @ B, C.sum(axis=0)
    g_gap = s_gap.sum(axis=0) - (gap - priors.gap_mean) * pg
    H = np.empty((len(cut), 3, 3))
    H[:, 0, 0] = SA + pc
    H[:, 0, 1] = H[:, 1, 0] = SB
    H[:, 0, 2] = H[:, 2, 0] = -SAx
    H[:, 1, 1] = SC + pg
    H[:, 1, 2] = H[:, 2, 1] = -SBx
    H[:, 2, 2] = SAxx + pb
    step = np.linalg.solve(H, np.stack([g_cut, g_gap, g_beta], axis=1)[:, :, None])[:, :, 0]
    step = np.clip(step, -cap, cap)
    return cut + step[:, 0], gap + step[:, 1], beta + step[:, 2]


def x_terms(terms, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Data score and Fisher information about every ideal point (no prior), from :func:`cell_terms`."""
    A, _, _, s_cut, _ = terms
    return -(s_cut @ beta), A @ (beta * beta)


def start_values(matrix: VoteMatrix, ordered: bool) -> tuple[np.ndarray, ...]:
    """Starting values: x from the first principal component, cutpoints from the margins, beta 0."""
    y = matrix.y
    w = y >= 0
    num = np.where(w, y / 2.0, 0.0)
    colmean = num.sum(axis=0) / np.maximum(w.sum(axis=0), 1)
    filled = np.where(w, num, colmean[None, :])
    filled -= filled.mean(axis=0)
    if filled.shape[0] > 1 and np.abs(filled).sum() > 0:
        u, s, _ = np.linalg.svd(filled, full_matrices=False)
        x = u[:, 0] * s[0]
        x = (x - x.mean()) / (x.std() or 1.0)
    else:
        x = np.zeros(y.shape[0])
    n = w.sum(axis=0)
    cut = ndtri(((y == 0).sum(axis=0) + 0.5) / (n + 1.5))
    upper = ndtri((((y <= 1) & w).sum(axis=0) + 1.0) / (n + 1.5))
    gap = np.log(np.maximum(upper - cut, 0.1)) if ordered else np.zeros_like(cut)
    return x, cut, gap, np.zeros_like(cut)


def fit_matrix(matrix: VoteMatrix, model: str = "ordered", priors: Priors = Priors(),
               tol: float = 1e-3, max_iter: int = 500) -> SessionFit:
    """The posterior mode of the static model on one session's matrix (see the module docstring).

    Each iteration: a Fisher-scoring step for all roll calls given ``x``,
    then one for all ideal points given the roll calls, then the ideal points
    are re-standardised (mean 0, sd 1; roll-call parameters transformed so
    the fit is unchanged) - which removes the slow location/scale ridge of
    the joint mode. Stops when no ideal point moves by more than ``tol``.
    """
    _check_model(model)
    if matrix.y.shape[0] < 2 or matrix.y.shape[1] == 0:
        raise ValueError(f"session {matrix.session}: need at least 2 voting states and 1 roll call, "
                         f"got {matrix.y.shape[0]} and {matrix.y.shape[1]}")
    ordered = model == "ordered"
    Y = indicators(matrix.y)
    x, cut, gap, beta = start_values(matrix, ordered)
    px = 1.0 / priors.x_sd ** 2
    converged = False
    it = 0
    terms = cell_terms(Y, x, cut, gap, beta, ordered)
    for it in range(1, max_iter + 1):
        cut, gap, beta = item_step(terms, x, cut, gap, beta, ordered, priors)
        score, info = x_terms(cell_terms(Y, x, cut, gap, beta, ordered), beta)
        new = x + np.clip((score - x * px) / (info + px), -1.0, 1.0)
        mu, sd = new.mean(), new.std()
        if sd > 0:
            new = (new - mu) / sd
            cut, beta = cut - beta * mu, beta * sd
        change = np.max(np.abs(new - x), initial=0.0)
        x = new
        terms = cell_terms(Y, x, cut, gap, beta, ordered)
        if change < tol:
            converged = True
            break
    _, info = x_terms(terms, beta)
    return SessionFit(matrix, x, info + px, cut, gap, beta, it, converged)


def sign_anchor(states: Iterable[str]) -> str | None:
    """The first of :data:`SIGN_ANCHORS` among ``states`` (None if none is)."""
    present = set(states)
    return next((s for s in SIGN_ANCHORS if s in present), None)


def report(fit: SessionFit) -> pd.DataFrame:
    """The reported rows of one session: standardised, United States positive."""
    x, se = fit.x, 1.0 / np.sqrt(fit.info)
    sd = x.std()
    if not np.isfinite(sd) or sd <= 0:
        sd = 1.0
    ideal = (x - x.mean()) / sd
    anchor = sign_anchor(fit.matrix.states)
    if anchor is not None and ideal[list(fit.matrix.states).index(anchor)] < 0:
        ideal = -ideal
    return pd.DataFrame({
        "iso3": fit.matrix.states.astype(str),
        "session": np.full(len(x), fit.matrix.session, dtype=np.int16),
        "ideal": ideal,
        "se": se / sd,
        "n_votes": fit.matrix.n_votes.astype(np.int32),
    }, columns=OUTPUT_COLUMNS)


def fit(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *, model: str = "ordered",
        priors: Priors = Priors(), tol: float = 1e-3, max_iter: int = 500,
        progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Static ideal points for every state and session of a votes frame.

    ``votes`` has columns ``session``, ``rcid``, ``iso3``, ``vote`` (Voeten's
    coding, as :func:`blocwatch.ga.votes.votes_frame` returns). Returns a
    DataFrame with columns ``iso3, session, ideal, se, n_votes`` sorted by
    session then ideal point (descending): one row per state with at least one
    vote counted by the model in that session (``n_votes`` = its yes, abstain
    and no votes; yes and no for the binary model); a state with no such vote
    gets no row. ``frame.attrs["fits"]`` holds ``{session: {"iterations",
    "converged", "n_rollcalls"}}``. ``progress`` is called with the number of
    sessions done after each one.
    """
    parts, fits = [], {}
    for k, matrix in enumerate(vote_matrices(votes, model, sessions), 1):
        if matrix.y.shape[0] < 2:
            continue
        f = fit_matrix(matrix, model, priors, tol, max_iter)
        parts.append(report(f))
        fits[matrix.session] = {"iterations": f.iterations, "converged": f.converged,
                                "n_rollcalls": int(matrix.y.shape[1])}
        if progress is not None:
            progress(k)
    out = (pd.concat(parts, ignore_index=True) if parts
           else pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                              zip(OUTPUT_COLUMNS, ["object", "int16", "float64", "float64", "int32"])}))
    out = out.sort_values(["session", "ideal"], ascending=[True, False], kind="stable").reset_index(drop=True)
    out.attrs["fits"] = fits
    return out


def ideal_points(engine, sessions: Iterable[int] | int | None = None, *, model: str = "ordered",
                 progress: Callable[[int], None] | None = None, **kwargs) -> pd.DataFrame:
    """Static ideal points from the store (see :func:`fit` for the columns and model)."""
    from blocwatch.ga.votes import votes_frame

    return fit(votes_frame(engine, sessions), sessions, model=model, progress=progress, **kwargs)


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: expected one of {', '.join(MODELS)}")
