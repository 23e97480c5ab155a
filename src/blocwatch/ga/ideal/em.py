"""One-dimensional ideal points of states, one General Assembly session at a time.

Model (``model="ordered"``, the default): an ordered-probit item-response model
on all three choices of every recorded vote, no < abstain < yes, written as in
emIRT's ``ordIRT`` (Imai, Lo and Olmsted 2016, "Fast estimation of ideal
points with massive data", APSR 110(4)). For state ``i`` and roll call ``j``
of a session a latent ``z_ij = a_j + b_j x_i + e_ij / sqrt(d_j)`` with
``e_ij ~ N(0, 1)``; the state votes no if ``z < 0``, abstains if
``0 <= z < 1`` and votes yes if ``z >= 1``. ``x_i`` is the ideal point; on the
usual unit-variance latent scale roll call ``j`` has discrimination
``b_j sqrt(d_j)``, cutpoint ``-a_j sqrt(d_j)`` and an abstention band
``sqrt(d_j)`` wide. "Present but not voting" (code 8) and absence are
missing, not choices.

``model="binary"`` is the probit model of ``pscl::ideal`` (yes = 1, no = 0,
abstention missing): ``z_ij = a_j + b_j x_i + e_ij``, yes if ``z >= 0``, i.e.
``P(yes) = Phi(a_j + b_j x_i)`` (emIRT's ``binIRT``).

Priors (:class:`Priors`): ``x_i ~ N(0, 1)``; ``a_j, b_j ~ N(0, 5^2)``
(``pscl::ideal``'s defaults, so the binary model is like for like with it);
ordered model: the band precision ``d_j ~ Gamma(shape 2, rate 1)`` (mode 1: an
abstention band one standard deviation wide; it keeps roll calls with no
abstention finite). No roll call is dropped, however lopsided: the priors keep
the parameters of unanimous and near-unanimous roll calls finite, and such
votes still inform the positions of the few states in the minority.

Estimation: the joint posterior mode, by the EM algorithm of Imai, Lo and
Olmsted with probit data augmentation. E-step: the mean (and variance) of
every observed ``z_ij`` given the vote, a truncated normal (closed form with
``scipy.special.ndtr``). M-step, as conditional maximisations (ECM): all ideal
points given the roll calls (one weighted least-squares ratio per state),
then every roll call's ``(a_j, b_j)`` given the ideal points (a ridge
regression, a batch of 2x2 solves), then ``d_j`` (closed form). Each
iteration is a few vectorised passes over the states x roll calls matrix,
and never decreases the log posterior (tested). EM converges slowly along
the location/scale ridge of the model, so by default it is accelerated with
SQUAREM (Varadhan and Roland 2008, scheme S3: two EM steps, an extrapolated
step along them, one more EM step from there), with a safeguard: the
extrapolation is kept only if the log posterior there is at least that after
the two plain steps, so the sequence of log posteriors still never
decreases. Convergence: the largest change of any standardised ideal point
over one SQUAREM cycle (three EM steps) below ``tol`` (default ``1e-4``
standard deviations, well under any standard error). Sessions are fitted
together as one block-diagonal panel (independent problems sharing the
vectorised arithmetic); each stops on its own.

Starting values and local modes: the ordered model's posterior is not
always unimodal. In session 31 (1976, 89 roll calls) EM and Newton from
the first principal component of the vote matrix end on a local mode whose
positions correlate only 0.23 and 0.12 with sessions 30 and 32; starting
from classical scaling of the states' agreement (as W-NOMINATE does) reaches
a mode 204 log-posterior units higher that orders states as the
neighbouring sessions do (r 0.99 with the dynamic model). The agreement
start alone is not enough either: in session 10 it ends 9 units below the
principal-component start. So :func:`fit_panel` screens both starts (EM
until positions move < :data:`SCREEN_TOL` sd per cycle) and continues each
session from the one with the higher log posterior; over all 74 sessions
this reaches the better of the two full fits in every session (checked
against both single-start fits), for about 1 s more in all.

Standard errors: ``1 / sqrt(I_i)`` where ``I_i`` is the observed information
about ``x_i`` at the mode (Louis's identity for the augmented probit:
``1 + sum_j d_j b_j^2 (1 - Var(e_ij | vote))``), conditional on the roll-call
parameters (estimated from all ~190 states, so their uncertainty is small by
comparison); they do not include uncertainty in the roll-call parameters.

Variational alternative (``method="vb"``, binary model only): the
mean-field variational Bayes of Imai, Lo and Olmsted (emIRT's ``binIRT``),
``q(x) q(a, b) q(z)`` with Gaussian ``q(x_i)``, bivariate Gaussian
``q(a_j, b_j)`` and truncated-normal ``q(z_ij)``, fitted by coordinate
ascent on the evidence lower bound (ELBO) with SQUAREM and a ridge step
(:func:`blocwatch.ga.ideal_vb.run_vb`). Unlike the mode, each position update uses
``E b^2 = Var b + (E b)^2`` and each roll-call update ``E x^2 = Var x +
(E x)^2``, which pulls states that vote alone (separated, or nearly so)
towards the others, closer to an MCMC posterior mean (``pscl::ideal``).
Its standard errors are the variational posterior sds ``sqrt(Var_q x_i)``:
mean-field VB ignores the posterior correlation between positions and roll
calls and is known to understate uncertainty, so they are smaller than
MCMC posterior sds; use them as a lower bound. Convergence: standardised
positions move by less than ``1e-3`` over a SQUAREM cycle.

Reporting scale: within each session the ideal points are standardised to
mean 0 and standard deviation 1 over the states estimated (standard errors
divided by the same standard deviation), and the sign is fixed so that the
United States is positive (if it cast no vote in a session, the first of
:data:`SIGN_ANCHORS` that did). Static positions are therefore comparable
within a session only; :mod:`blocwatch.ga.ideal_dynamic` links sessions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr
from threadpoolctl import threadpool_limits

from blocwatch.ga.votes import ABSTAIN, NO, NOT_VOTING, YES

# Internal categories: 0 no, 1 abstain, 2 yes, -1 missing.
MISSING = -1
MODELS = ("ordered", "binary")
METHODS = ("mode", "vb")
MODE_TOL = 1e-6                   # posterior mode: Newton stops when no position moves 1e-6 sd
VB_TOL = 1e-3                     # VB: standardised positions move < 1e-3 over a SQUAREM cycle
SIGN_ANCHORS = ("USA", "GBR", "FRA", "CAN", "AUS", "ISR")
OUTPUT_COLUMNS = ["iso3", "session", "ideal", "se", "n_votes"]

_TMAX = 35.0                      # truncation points are clipped to 35 sd (Phi(-35) = 1e-268, no underflow)
_INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)
_STEP_MAX = 64.0                  # largest SQUAREM step length


@dataclass(frozen=True)
class Priors:
    """Prior parameters: ``x ~ N(0, x_sd^2)``, ``a, b ~ N(0, item_sd^2)``, ``d ~ Gamma(prec_shape, prec_rate)``."""

    x_sd: float = 1.0
    item_sd: float = 5.0
    prec_shape: float = 2.0
    prec_rate: float = 1.0


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
    """The posterior mode of one session's model (internal scale, before reporting).

    ``x`` ideal points, ``info`` their observed information (prior included),
    ``a``, ``b``, ``d`` the roll-call parameters (``d`` is 1 in the binary
    model); ``extra["logpost"]`` the log posterior after each EM iteration
    when a trace was asked for.
    """

    matrix: VoteMatrix
    x: np.ndarray
    info: np.ndarray
    a: np.ndarray
    b: np.ndarray
    d: np.ndarray
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
    codes, names = pd.factorize(frame["iso3"].astype(str), sort=True)   # integer codes: fast per-session unique
    names = np.asarray(names, dtype=object)

    out = []
    order = np.argsort(session, kind="stable")
    bounds = np.flatnonzero(np.diff(session[order])) + 1
    for idx in np.split(order, bounds) if len(order) else []:
        state_codes, si = np.unique(codes[idx], return_inverse=True)
        states = names[state_codes]
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


# --------------------------------------------------------------------------- panel

@dataclass
class Panel:
    """Several sessions' vote matrices side by side: rows = states, columns = roll calls grouped by session.

    ``y`` (rows x roll calls, int8 categories, -1 missing), ``group[j]`` the
    session index (0..G-1, non-decreasing) of column ``j``, ``starts`` the
    first column of each session, ``present[i, g]`` whether row ``i`` voted in
    session ``g``. The remaining arrays are derived once for the EM passes.
    """

    y: np.ndarray
    group: np.ndarray
    starts: np.ndarray
    present: np.ndarray
    ordered: bool
    w: np.ndarray = field(init=False)
    sgn: np.ndarray = field(init=False)
    upper: np.ndarray = field(init=False)
    n_col: np.ndarray = field(init=False)
    n_unit: np.ndarray = field(init=False)
    abst: tuple[np.ndarray, np.ndarray] = field(init=False)
    abst_col: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        y = self.y
        self.w = (y >= 0).astype(float)
        self.sgn = np.where(y == 2, 1.0, np.where(y == 0, -1.0, 0.0))
        self.upper = (y == 2).astype(float) if self.ordered else np.zeros_like(self.w)
        self.n_col = self.w.sum(axis=0)
        self.n_unit = np.add.reduceat(self.w, self.starts, axis=1) if y.shape[1] else np.zeros_like(self.present, float)
        # Abstentions (ordered model): (row, column) index arrays.
        self.abst = np.nonzero(y == 1) if self.ordered else (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.abst_col = self.abst[1]

    @property
    def n_groups(self) -> int:
        return len(self.starts)

    @classmethod
    def build(cls, matrices: list[VoteMatrix], ordered: bool,
              rows: np.ndarray | None = None) -> tuple[Panel, np.ndarray]:
        """The panel of ``matrices`` (in order) and its row labels (sorted union of states, or ``rows``)."""
        labels = np.unique(np.concatenate([m.states for m in matrices])) if rows is None else np.asarray(rows)
        widths = [m.y.shape[1] for m in matrices]
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        y = np.full((len(labels), int(sum(widths))), MISSING, dtype=np.int8)
        present = np.zeros((len(labels), len(matrices)), dtype=bool)
        for g, (m, s) in enumerate(zip(matrices, starts)):
            idx = np.searchsorted(labels, m.states)
            y[idx, s:s + m.y.shape[1]] = m.y
            present[idx, g] = (m.y >= 0).any(axis=1)
        group = np.repeat(np.arange(len(matrices)), widths)
        return cls(y, group, starts, present, ordered), labels

    def subset(self, groups: np.ndarray, rows: np.ndarray | None = None) -> Panel:
        """The panel of some sessions (``groups``, ascending, renumbered 0..len(groups)-1) and rows."""
        cols = np.concatenate([np.arange(self.starts[g], self._end(g)) for g in groups])
        widths = np.array([self._end(g) - self.starts[g] for g in groups])
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        y, present = self.y[:, cols], self.present[:, groups]
        if rows is not None:
            y, present = y[rows], present[rows]
        return Panel(y, np.repeat(np.arange(len(groups)), widths), starts, present, self.ordered)

    def _end(self, g: int) -> int:
        return int(self.starts[g + 1]) if g + 1 < len(self.starts) else self.y.shape[1]


@dataclass
class Params:
    """Model parameters on a panel: ``x`` (rows x sessions), ``a``, ``b``, ``logd`` (per roll call)."""

    x: np.ndarray
    a: np.ndarray
    b: np.ndarray
    logd: np.ndarray

    def combine(self, other: Params, f: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Params:
        return Params(f(self.x, other.x), f(self.a, other.a), f(self.b, other.b), f(self.logd, other.logd))


@dataclass
class EStep:
    """Conditional moments of the latent ``z`` (zero where missing) and the log-likelihood per session."""

    ez: np.ndarray
    vt: np.ndarray | None
    loglik: np.ndarray | None


def estep(panel: Panel, p: Params, *, variance: bool = False, loglik: bool = False) -> EStep:
    """E-step: ``E[z_ij | vote]`` for every observed vote at parameters ``p``.

    With ``variance``, also ``vt``: the variance of the standardised error
    ``e_ij`` given the vote (so ``Var z = vt / d``); with ``loglik``, the
    log-likelihood of each session's votes (sum of ``log P(vote)``).
    Truncated-normal moments: for ``e > t``, mean ``lambda = phi(t) / Phi(-t)``
    and variance ``1 + t lambda - lambda^2``; for ``lo <= e < hi`` (an
    abstention), mean ``(phi(lo) - phi(hi)) / P`` and variance
    ``1 + (lo phi(lo) - hi phi(hi)) / P - mean^2`` with ``P = Phi(hi) - Phi(lo)``,
    computed on the side of the interval away from the centre.
    """
    xc = p.x[:, panel.group]
    m = xc * p.b
    m += p.a
    sd = np.exp(0.5 * p.logd)
    # One-sided cells: s * e > t with s = +1 (yes) or -1 (no).
    t = panel.upper - panel.sgn * m
    t *= sd
    np.minimum(t, _TMAX, out=t)
    q = ndtr(-t)
    lam = np.exp(-0.5 * t * t)
    lam *= _INV_SQRT2PI
    lam /= q
    ez = panel.sgn * lam
    ez /= sd
    ez += m
    vt = None
    if variance:
        vt = 1.0 + t * lam - lam * lam
    ll = np.log(q) if loglik else None
    if len(panel.abst_col):
        ai, sa = panel.abst, sd[panel.abst_col]
        ma = m[ai]
        lo = -ma * sa
        hi = lo + sa
        flip = lo + hi < 0
        lo = np.minimum(np.where(flip, -hi, lo), _TMAX)
        hi = lo + sa
        plo = np.exp(-0.5 * lo * lo) * _INV_SQRT2PI
        phi = np.exp(-0.5 * hi * hi) * _INV_SQRT2PI
        prob = ndtr(-lo) - ndtr(-hi)
        mu = (plo - phi) / prob
        ez[ai] = ma + np.where(flip, -mu, mu) / sa
        if variance:
            vt[ai] = 1.0 + (lo * plo - hi * phi) / prob - mu * mu
        if loglik:
            ll[ai] = np.log(prob)
    ez *= panel.w
    if variance:
        np.clip(vt, 0.0, 1.0, out=vt)
    loglik_g = None
    if loglik:
        ll *= panel.w
        loglik_g = np.add.reduceat(ll.sum(axis=0), panel.starts)
    return EStep(ez, vt, loglik_g)


def unit_sums(panel: Panel, p: Params, ez: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(H, r)`` (rows x sessions): the x-step's normal equations ``x = r / (prior + H)``.

    ``H_ig = sum_j d_j b_j^2`` and ``r_ig = sum_j d_j b_j (E z_ij - a_j)``
    over the roll calls ``j`` of session ``g`` that state ``i`` voted on.
    """
    d = np.exp(p.logd)
    db = d * p.b
    H = np.add.reduceat(panel.w * (db * p.b), panel.starts, axis=1)
    r = np.add.reduceat((ez - panel.w * p.a) * db, panel.starts, axis=1)
    return H, r


def item_step(panel: Panel, x: np.ndarray, ez: np.ndarray, logd: np.ndarray,
              priors: Priors) -> tuple[np.ndarray, np.ndarray]:
    """M-step for every roll call's ``(a_j, b_j)`` given the ideal points: a batch of 2x2 ridge regressions."""
    xc = x[:, panel.group]
    wx = panel.w * xc
    sx, sxx = wx.sum(axis=0), (wx * xc).sum(axis=0)
    sz, sxz = ez.sum(axis=0), (ez * xc).sum(axis=0)
    d = np.exp(logd)
    pi = 1.0 / priors.item_sd ** 2
    h11, h12, h22 = pi + d * panel.n_col, d * sx, pi + d * sxx
    g1, g2 = d * sz, d * sxz
    det = h11 * h22 - h12 * h12
    return (h22 * g1 - h12 * g2) / det, (h11 * g2 - h12 * g1) / det


def precision_step(panel: Panel, p: Params, e: EStep, priors: Priors) -> np.ndarray:
    """M-step for the ordered model's ``log d_j``: the mode of ``d_j`` given the expected squared residuals.

    ``p`` holds the new ``x``, ``a``, ``b`` and the ``logd`` the E-step ``e`` was computed at.
    """
    d_old = np.exp(p.logd)
    resid = e.ez - panel.w * (p.a + p.b * p.x[:, panel.group])
    ssr = (resid * resid).sum(axis=0) + (panel.w * e.vt).sum(axis=0) / d_old
    return np.log((priors.prec_shape - 1.0 + 0.5 * panel.n_col) / (priors.prec_rate + 0.5 * ssr))


def log_prior_items(panel: Panel, p: Params, priors: Priors) -> np.ndarray:
    """Log prior density of the roll-call parameters, per session (up to a constant)."""
    v = -0.5 * (p.a * p.a + p.b * p.b) / priors.item_sd ** 2
    if panel.ordered:
        d = np.exp(p.logd)
        v = v + (priors.prec_shape - 1.0) * p.logd - priors.prec_rate * d
    return np.add.reduceat(v, panel.starts)


class StaticPrior:
    """Independent ``N(0, x_sd^2)`` priors on every state-session position: sessions are separate blocks."""

    def __init__(self, panel: Panel, priors: Priors):
        self.panel, self.priors, self.px = panel, priors, 1.0 / priors.x_sd ** 2
        self.n_blocks = panel.n_groups
        self.block_of_group = np.arange(panel.n_groups)

    def solve(self, H: np.ndarray, r: np.ndarray) -> np.ndarray:
        return r / (self.px + H)

    def log_prior(self, x: np.ndarray) -> np.ndarray:
        return -0.5 * self.px * (x * x * self.panel.present).sum(axis=0)

    def subset(self, panel: Panel) -> StaticPrior:
        return StaticPrior(panel, self.priors)

    def quad_terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per block ``x'Qx``, ``1'Qx``, ``1'Q1`` of the prior precision ``Q`` (1 = the block's positions)."""
        pres = self.panel.present
        return self.px * (x * x).sum(axis=0), self.px * (x * pres).sum(axis=0), self.px * pres.sum(axis=0)

    def shift_scale(self, x: np.ndarray, k: np.ndarray, u: np.ndarray) -> np.ndarray:
        """``(x + k) / u`` per block, on the block's positions only."""
        return (x + k * self.panel.present) / u

    def scale(self, x: np.ndarray) -> np.ndarray:
        """The standard deviation of the positions of each block (for the convergence rule)."""
        pres = self.panel.present
        n = np.maximum(pres.sum(axis=0), 1)
        mean = (x * pres).sum(axis=0) / n
        return np.sqrt((((x - mean) ** 2) * pres).sum(axis=0) / n)

    def max_change(self, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
        sd = self.scale(x1)
        diff = np.abs(x1 - x0) * self.panel.present
        return diff.max(axis=0, initial=0.0) / np.where(sd > 0, sd, 1.0)


def em_step(panel: Panel, p: Params, priors: Priors, prior, *, loglik: bool) -> tuple[Params, np.ndarray | None]:
    """One ECM iteration from ``p``: E-step, then x, then (a, b), then d. Returns the new parameters and the
    log posterior per block at ``p`` (if ``loglik``)."""
    e = estep(panel, p, variance=panel.ordered, loglik=loglik)
    H, r = unit_sums(panel, p, e.ez)
    x = prior.solve(H, r)
    a, b = item_step(panel, x, e.ez, p.logd, priors)
    new = Params(x, a, b, p.logd)
    if panel.ordered:
        new.logd = precision_step(panel, new, e, priors)
    new = ridge_step(panel, new, priors, prior)
    lp = None
    if loglik:
        lp = _blocks(prior, e.loglik + log_prior_items(panel, p, priors)) + prior.log_prior(p.x)
    return new, lp


def ridge_step(panel: Panel, p: Params, priors: Priors, prior, rounds: int = 3) -> Params:
    """Move along the model's location/scale ridge to the best point for the priors.

    The likelihood is unchanged by ``x -> (x + k) / u``, ``b -> b u``,
    ``a -> a - b k`` (the same linear predictor for every vote), applied to
    every position and roll call of a block; only the priors change. EM
    crawls along this ridge, so after each ECM iteration the block's
    ``(u, k)`` are set to maximise the log prior, by a few rounds of exact
    coordinate ascent (``k`` given ``u``: a ratio; ``u`` given ``k``:
    ``u^4 = (x + k)'Q(x + k) / (sum b^2 / item_sd^2)``). Each round increases
    the log posterior, so the iteration stays monotone.
    """
    pi = 1.0 / priors.item_sd ** 2
    item_block = prior.block_of_group[panel.group]
    nb = prior.n_blocks

    def isum(v):
        return np.bincount(item_block, v, minlength=nb)

    s0, s1, s2 = prior.quad_terms(p.x)
    sab, sbb = isum(p.a * p.b), isum(p.b * p.b)
    u, k = np.ones(nb), np.zeros(nb)
    ok = (sbb > 0) & (s2 > 0)
    for _ in range(rounds):
        u2 = u * u
        k = np.where(ok, (pi * sab - s1 / u2) / (s2 / u2 + pi * sbb), 0.0)
        quad = s0 + 2 * k * s1 + k * k * s2
        u = np.where(ok, np.sqrt(np.sqrt(np.maximum(quad, 1e-300) / np.where(ok, pi * sbb, 1.0))), 1.0)
    return Params(prior.shift_scale(p.x, k, u), p.a - p.b * k[item_block], p.b * u[item_block], p.logd)


def log_posterior(panel: Panel, p: Params, priors: Priors, prior) -> np.ndarray:
    """The log posterior density (up to a constant) per block at ``p``."""
    e = estep(panel, p, loglik=True)
    return _blocks(prior, e.loglik + log_prior_items(panel, p, priors)) + prior.log_prior(p.x)


def _blocks(prior, per_group: np.ndarray) -> np.ndarray:
    return np.bincount(prior.block_of_group, per_group, minlength=prior.n_blocks)


# --------------------------------------------------------------------------- driver

START_METHODS = ("agreement", "pca")


def start_params(panel: Panel, start: str = "agreement") -> Params:
    """Starting values: standardised positions per session, ``d = 1``, and ``(a, b)`` from one item step on a
    pseudo-latent (no -0.5, abstain 0.5, yes 1.5; binary -1 / +1).

    ``start="agreement"`` (the posterior mode's default): classical scaling of the states' disagreement, as
    W-NOMINATE starts - ``A_ik`` is the share of the roll calls both ``i`` and ``k`` voted on where they cast
    the same choice, the distances ``(1 - A_ik)^2`` are double-centred and ``x`` is the leading eigenvector.
    ``start="pca"``: the first principal component of the session's vote matrix (choices coded 0, 0.5, 1,
    missing votes filled with the roll call's mean). The ordered model's posterior can have more than one
    mode; in session 31 (1976) the principal-component start ends on a local mode 204 log-posterior units
    below the one the agreement start reaches (see the module docstring).
    """
    if start not in START_METHODS:
        raise ValueError(f"unknown start {start!r}: expected one of {', '.join(START_METHODS)}")
    R, G = panel.present.shape
    x = np.zeros((R, G))
    for g in range(G):
        rows = np.flatnonzero(panel.present[:, g])
        cols = slice(panel.starts[g], panel._end(g))
        y, w = panel.y[rows, cols], panel.w[rows, cols] > 0
        if len(rows) < 2:
            continue
        v = _agreement_scaling(y, w) if start == "agreement" else _first_component(y, w)
        if v is not None:
            x[rows, g] = (v - v.mean()) / (v.std() or 1.0)
    z0 = np.choose(np.maximum(panel.y, 0), [-0.5, 0.5, 1.5] if panel.ordered else [-1.0, 0.0, 1.0]) * panel.w
    logd = np.zeros(panel.y.shape[1])
    a, b = item_step(panel, x, z0, logd, Priors())
    return Params(x, a, b, logd)


def _first_component(y: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """First principal component (scores) of a vote matrix with missing votes at the roll call's mean."""
    num = np.where(w, y / 2.0, 0.0)
    colmean = num.sum(axis=0) / np.maximum(w.sum(axis=0), 1)
    filled = np.where(w, num, colmean) - colmean
    if np.abs(filled).sum() == 0:
        return None
    u, s, _ = np.linalg.svd(filled, full_matrices=False)
    return u[:, 0] * s[0]


def _agreement_scaling(y: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """Leading eigenvector of the double-centred squared disagreement ``(1 - A)^2`` (classical scaling).

    Pairs with no roll call in common get the mean agreement of the session.
    """
    wf = w.astype(float)
    common = wf @ wf.T
    same = sum((y == c).astype(float) @ (y == c).astype(float).T for c in (0, 1, 2))
    known = common > 0
    if not known.any():
        return None
    agree = np.where(known, same / np.maximum(common, 1.0), (same[known] / common[known]).mean())
    d2 = (1.0 - agree) ** 2
    b = -0.5 * (d2 - d2.mean(axis=0) - d2.mean(axis=1)[:, None] + d2.mean())
    vals, vecs = np.linalg.eigh(b)
    if vals[-1] <= 0:
        return None
    return vecs[:, -1]


@dataclass
class EMResult:
    """Output of :func:`run_em`: the parameters, EM iterations and convergence per block, log-posterior trace."""

    params: Params
    iterations: np.ndarray
    converged: np.ndarray
    trace: list = field(default_factory=list)


def run_em(panel: Panel, p: Params, priors: Priors, prior, *, tol: float = 1e-4, max_iter: int = 3000,
           accelerate: bool = True, trace: bool = False,
           progress: Callable[[int], None] | None = None) -> EMResult:
    """Iterate ECM from ``p`` until every block converges (or ``max_iter`` EM iterations).

    ``prior`` is the prior on the positions (:class:`StaticPrior`, or the
    dynamic model's random walk) and defines the blocks: independent
    sub-problems, each with its own SQUAREM step length, safeguard and
    stopping rule (static: one block per session; converged sessions are
    dropped from the panel). Convergence: the largest change of any
    position, divided by the block's standard deviation of positions, over
    one SQUAREM cycle (or one plain EM step with ``accelerate=False``) is
    below ``tol``. ``trace`` (plain EM only) records the log posterior per
    block before every iteration, plus once at the end. ``progress`` is
    called with the number of blocks converged (static) or the iteration
    number (one block).
    """
    B = prior.n_blocks
    iters = np.zeros(B, dtype=np.int64)
    conv = np.zeros(B, dtype=bool)
    if not accelerate:
        log = []
        for _ in range(max_iter):
            new, lp = em_step(panel, p, priors, prior, loglik=trace)
            if trace:
                log.append(lp)
            change = _block_max(prior, prior.max_change(p.x, new.x))
            iters[~conv] += 1
            conv |= change < tol
            p = new
            if progress is not None:
                progress(int(conv.sum()) if B > 1 else int(iters[0]))
            if conv.all():
                break
        if trace:
            log.append(log_posterior(panel, p, priors, prior))
        return EMResult(p, iters, conv, log)

    result = Params(p.x.copy(), p.a.copy(), p.b.copy(), p.logd.copy())
    active = np.arange(B)                      # original block (= group when B > 1) numbers still iterating
    cols = np.arange(panel.y.shape[1])         # their columns in the full panel
    cur_panel, cur_prior, cur = panel, prior, p
    while len(active) and iters[active].max() < max_iter:
        p1, _ = em_step(cur_panel, cur, priors, cur_prior, loglik=False)
        p2, l1 = em_step(cur_panel, p1, priors, cur_prior, loglik=True)
        r = p1.combine(cur, np.subtract)
        v = p2.combine(p1, np.subtract).combine(r, np.subtract)
        item_block = cur_prior.block_of_group[cur_panel.group]
        norm_r, norm_v = _block_norm(cur_prior, item_block, r), _block_norm(cur_prior, item_block, v)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = -np.sqrt(norm_r / norm_v)
        alpha = np.clip(np.nan_to_num(alpha, nan=-1.0, neginf=-_STEP_MAX), -_STEP_MAX, -1.0)
        ax, ai = alpha[cur_prior.block_of_group], alpha[item_block]
        pp = Params(cur.x - 2 * ax * r.x + ax * ax * v.x, cur.a - 2 * ai * r.a + ai * ai * v.a,
                    cur.b - 2 * ai * r.b + ai * ai * v.b, cur.logd - 2 * ai * r.logd + ai * ai * v.logd)
        with np.errstate(all="ignore"):
            p3, lpp = em_step(cur_panel, pp, priors, cur_prior, loglik=True)
            ok = np.isfinite(lpp) & (lpp >= l1)
            okx, oki = ok[cur_prior.block_of_group], ok[item_block]
            new = Params(np.where(okx, p3.x, p2.x), np.where(oki, p3.a, p2.a), np.where(oki, p3.b, p2.b),
                         np.where(oki, p3.logd, p2.logd))
            change = _block_max(cur_prior, cur_prior.max_change(cur.x, new.x))
        iters[active] += 3
        done = (change < tol) | (iters[active] >= max_iter)
        conv[active[change < tol]] = True
        cur = new
        if done.any():
            # Store the finished blocks; with several blocks (= sessions), drop them from the panel.
            if B == 1:
                result = cur
                active = active[:0]
            else:
                fin_g = np.flatnonzero(done)
                fin_cols = np.isin(cur_panel.group, fin_g)
                result.x[:, active[fin_g]] = cur.x[:, fin_g]
                for name in ("a", "b", "logd"):
                    getattr(result, name)[cols[fin_cols]] = getattr(cur, name)[fin_cols]
                keep = np.flatnonzero(~done)
                active, cols = active[keep], cols[~fin_cols]
                if len(keep):
                    keep_cols = ~fin_cols
                    cur_panel = cur_panel.subset(keep)
                    cur_prior = cur_prior.subset(cur_panel)
                    cur = Params(cur.x[:, keep], cur.a[keep_cols], cur.b[keep_cols], cur.logd[keep_cols])
        if progress is not None:
            progress(int(conv.sum()) if B > 1 else int(iters[0]))
    if len(active) and B == 1:
        result = cur
    return EMResult(result, iters, conv)


def _block_max(prior, per_group: np.ndarray) -> np.ndarray:
    out = np.zeros(prior.n_blocks)
    np.maximum.at(out, prior.block_of_group, per_group)
    return out


def _block_norm(prior, item_block: np.ndarray, r: Params) -> np.ndarray:
    """Squared norm of a parameter difference per block."""
    out = np.bincount(prior.block_of_group, (r.x * r.x).sum(axis=0), minlength=prior.n_blocks)
    return out + np.bincount(item_block, r.a * r.a + r.b * r.b + r.logd * r.logd, minlength=prior.n_blocks)


def position_information(panel: Panel, p: Params, priors: Priors) -> np.ndarray:
    """Observed information about every position from the votes alone (rows x sessions), at ``p``.

    ``sum_j d_j b_j^2 (1 - Var(e_ij | vote))`` over the roll calls voted on
    (Louis's identity: complete-data information minus the missing
    information of the latent ``z``); conditional on the roll-call parameters.
    """
    e = estep(panel, p, variance=True)
    d = np.exp(p.logd)
    return np.add.reduceat(panel.w * (1.0 - e.vt) * (d * p.b * p.b), panel.starts, axis=1)


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
    use that start alone (so does ``"best"`` with ``trace``).
    """
    prior = StaticPrior(panel, priors)
    em_kw = dict(max_iter=max_iter, accelerate=accelerate, trace=trace, progress=None if newton else progress)
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
    else:
        p0, done = start_params(panel, start), 0
    res = run_em(panel, p0, priors, prior, tol=em_tol if newton else tol, **em_kw)
    res.iterations += done
    if newton:
        p = res.params
        for g in range(panel.n_groups):
            rows = np.flatnonzero(panel.present[:, g])
            sub = panel.subset(np.array([g]), rows)
            cols = slice(panel.starts[g], panel._end(g))
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


def fit_matrix(matrix: VoteMatrix, model: str = "ordered", priors: Priors = Priors(), tol: float | None = None,
               max_iter: int = 3000, *, newton: bool = True, accelerate: bool = True,
               trace: bool = False, method: str = "mode") -> SessionFit:
    """The static model on one session's matrix (see the module docstring): posterior mode or variational fit.

    ``method="mode"`` (default): the joint posterior mode; ``newton=False``
    stops after EM; ``accelerate=False`` runs plain ECM; ``trace=True``
    (with both off) records the log posterior before each ECM iteration and
    at the end in ``extra["logpost"]``; ``tol`` defaults to ``1e-6``.
    ``method="vb"`` (binary model only): the mean-field variational
    posterior (:func:`blocwatch.ga.ideal_vb.run_vb`); ``x`` holds the variational means, ``info``
    ``1 / Var_q(x)``, ``a``, ``b`` the roll calls' variational means and
    ``extra["vb"]`` the :class:`~blocwatch.ga.ideal_vb.VBState`; ``tol`` defaults to ``1e-3``;
    ``trace=True`` with ``accelerate=False`` records the ELBO before each
    sweep in ``extra["elbo"]``.
    """
    _check_model(model)
    _check_method(method, model)
    if matrix.y.shape[0] < 2 or matrix.y.shape[1] == 0:
        raise ValueError(f"session {matrix.session}: need at least 2 voting states and 1 roll call, "
                         f"got {matrix.y.shape[0]} and {matrix.y.shape[1]}")
    order = np.argsort(matrix.states)
    if (order != np.arange(len(order))).any():
        raise ValueError("vote matrix states must be sorted")
    panel, _ = Panel.build([matrix], model == "ordered", rows=matrix.states)
    if method == "vb":
        from blocwatch.ga.ideal_vb import run_vb

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


def sign_anchor(states: Iterable[str]) -> str | None:
    """The first of :data:`SIGN_ANCHORS` among ``states`` (None if none is)."""
    present = set(states)
    return next((s for s in SIGN_ANCHORS if s in present), None)


def report(fit: SessionFit) -> pd.DataFrame:
    """The reported rows of one session: standardised, United States positive."""
    return _report_rows(fit.matrix.session, fit.matrix.states, fit.x, fit.info, fit.matrix.n_votes)


def _report_rows(session: int, states: np.ndarray, x: np.ndarray, info: np.ndarray,
                 n_votes: np.ndarray) -> pd.DataFrame:
    se = 1.0 / np.sqrt(info)
    sd = x.std()
    if not np.isfinite(sd) or sd <= 0:
        sd = 1.0
    ideal = (x - x.mean()) / sd
    anchor = sign_anchor(states)
    if anchor is not None and ideal[list(states).index(anchor)] < 0:
        ideal = -ideal
    return pd.DataFrame({
        "iso3": np.asarray(states).astype(str),
        "session": np.full(len(x), session, dtype=np.int16),
        "ideal": ideal,
        "se": se / sd,
        "n_votes": np.asarray(n_votes).astype(np.int32),
    }, columns=OUTPUT_COLUMNS)


def fit(votes: pd.DataFrame, sessions: Iterable[int] | int | None = None, *, model: str = "ordered",
        priors: Priors = Priors(), tol: float | None = None, max_iter: int = 3000,
        progress: Callable[[int], None] | None = None, method: str = "mode",
        workers: int | None = None) -> pd.DataFrame:
    """Static ideal points for every state and session of a votes frame.

    ``votes`` has columns ``session``, ``rcid``, ``iso3``, ``vote`` (Voeten's
    coding, as :func:`blocwatch.ga.votes.votes_frame` returns). Returns a
    DataFrame with columns ``iso3, session, ideal, se, n_votes`` sorted by
    session then ideal point (descending): one row per state with at least one
    vote counted by the model in that session (``n_votes`` = its yes, abstain
    and no votes; yes and no for the binary model); a state with no such vote
    gets no row. ``frame.attrs["fits"]`` holds ``{session: {"iterations",
    "converged", "n_rollcalls"}}`` (EM iterations). ``progress`` is called
    with the number of sessions done. ``method="vb"`` (binary model only)
    reports the variational posterior means and sds instead of the mode and
    its observed-information SEs (see :func:`blocwatch.ga.ideal_vb.run_vb`; iterations are VB
    sweeps); ``tol`` defaults to ``1e-6`` for the mode, ``1e-3`` for VB.
    Sessions are independent, so with ``workers`` > 1 (default: 2 on a
    machine with 2 or more cores, for 8 sessions or more) they are fitted in
    that many processes, each taking about the same number of vote cells.
    """
    _check_method(method, model)
    matrices = [m for m in vote_matrices(votes, model, sessions) if m.y.shape[0] >= 2]
    if not matrices:
        out = pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                            zip(OUTPUT_COLUMNS, ["object", "int16", "float64", "float64", "int32"])})
        out.attrs["fits"] = {}
        return out
    args = (model, priors, tol, max_iter, method)
    groups = _split(matrices, _workers(workers, len(matrices)))
    if len(groups) == 1:
        parts, fits = _fit_group(matrices, *args, progress=progress)
    else:
        # Sessions are independent: fit halves of them in parallel processes (one BLAS thread each).
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        parts, fits, done = [], {}, 0
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_fit_group, g, *args): len(g) for g in groups}
            for future in as_completed(futures):
                p, f = future.result()
                parts += p
                fits.update(f)
                done += futures[future]
                if progress is not None:
                    progress(done)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["session", "ideal"], ascending=[True, False], kind="stable").reset_index(drop=True)
    out.attrs["fits"] = dict(sorted(fits.items()))
    return out


# Below this many sessions a second process costs more than it saves.
PARALLEL_MIN_SESSIONS = 8


def _workers(workers: int | None, n_sessions: int) -> int:
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if n_sessions >= PARALLEL_MIN_SESSIONS else 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers


def _split(matrices: list[VoteMatrix], workers: int) -> list[list[VoteMatrix]]:
    """``matrices`` in ``workers`` groups of about equal size (vote cells), each in session order."""
    if workers == 1:
        return [matrices]
    loads, groups = [0] * workers, [[] for _ in range(workers)]
    for m in sorted(matrices, key=lambda m: -m.y.size):
        k = loads.index(min(loads))
        groups[k].append(m)
        loads[k] += m.y.size
    return [sorted(g, key=lambda m: m.session) for g in groups if g]


def _fit_group(matrices: list[VoteMatrix], model: str, priors: Priors, tol: float | None, max_iter: int,
               method: str, progress: Callable[[int], None] | None = None) -> tuple[list[pd.DataFrame], dict]:
    """Fit one group of sessions together; (report rows per session, ``fits`` entries)."""
    panel, labels = Panel.build(matrices, model == "ordered")
    with threadpool_limits(limits=1, user_api="blas"):      # small matrices: threads only add overhead
        if method == "vb":
            from blocwatch.ga.ideal_vb import run_vb

            st, its, conv, _ = run_vb(panel, priors, VB_TOL if tol is None else tol, max_iter)
            res, info = EMResult(Params(st.x, st.a, st.b, np.zeros(len(st.a))), its, conv), 1.0 / st.vx
            if progress is not None:
                progress(len(matrices))
        else:
            res, info = fit_panel(panel, priors, MODE_TOL if tol is None else tol, max_iter, progress=progress)
    parts, fits = [], {}
    for g, m in enumerate(matrices):
        rows = np.searchsorted(labels, m.states)
        parts.append(_report_rows(m.session, m.states, res.params.x[rows, g], info[rows, g], m.n_votes))
        fits[m.session] = {"iterations": int(res.iterations[g]), "converged": bool(res.converged[g]),
                           "n_rollcalls": int(m.y.shape[1])}
    return parts, fits


def ideal_points(engine, sessions: Iterable[int] | int | None = None, *, model: str = "ordered",
                 progress: Callable[[int], None] | None = None, **kwargs) -> pd.DataFrame:
    """Static ideal points from the store (see :func:`fit` for the columns and model)."""
    from blocwatch.ga.votes import votes_frame

    return fit(votes_frame(engine, sessions), sessions, model=model, progress=progress, **kwargs)


def _check_method(method: str, model: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
    if method == "vb" and model != "binary":
        raise ValueError(f"method 'vb' is implemented for the binary model only, not {model!r}")


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: expected one of {', '.join(MODELS)}")


# --------------------------------------------------------------------------- Newton finish

def cell_derivatives(panel: Panel, p: Params) -> dict[str, np.ndarray]:
    """Log-likelihood of every vote and its derivatives in the linear predictor ``m`` and ``l = log d``.

    Returns arrays (states x roll calls, zero where missing): ``f`` = log
    P(vote), ``fm``, ``fmm``, and for the ordered model ``fl``, ``fll``,
    ``fml``. With standardised bounds ``lo = (L - m) sqrt(d)``,
    ``hi = (U - m) sqrt(d)`` of the vote's interval and ``r_lo = phi(lo)/P``,
    ``r_hi = phi(hi)/P``: ``f_lo = -r_lo``, ``f_hi = r_hi``,
    ``f_lo,lo = lo r_lo - r_lo^2``, ``f_hi,hi = -hi r_hi - r_hi^2``,
    ``f_lo,hi = r_lo r_hi``, and the chain rule through ``lo`` and ``hi``.
    """
    xc = p.x[:, panel.group]
    m = xc * p.b + p.a
    s = np.exp(0.5 * p.logd)
    t = np.minimum((panel.upper - panel.sgn * m) * s, _TMAX)
    q = ndtr(-t)
    lam = np.exp(-0.5 * t * t) * _INV_SQRT2PI / q
    kap = t * lam - lam * lam
    out = {"f": np.log(q), "fm": panel.sgn * s * lam, "fmm": kap * (s * s)}
    if panel.ordered:
        out["fl"] = -0.5 * t * lam
        out["fll"] = 0.25 * (t * t * kap - t * lam)
        out["fml"] = panel.sgn * (0.5 * s) * (lam - t * kap)
    if len(panel.abst_col):
        ai, sa = panel.abst, s[panel.abst_col]
        lo = -m[ai] * sa
        hi = lo + sa
        flip = lo + hi < 0
        lo_r = np.minimum(np.where(flip, -hi, lo), _TMAX)
        prob = ndtr(-lo_r) - ndtr(-(lo_r + sa))
        lo, hi = np.where(flip, -(lo_r + sa), lo_r), np.where(flip, -lo_r, lo_r + sa)
        rlo = np.exp(-0.5 * lo * lo) * _INV_SQRT2PI / prob
        rhi = np.exp(-0.5 * hi * hi) * _INV_SQRT2PI / prob
        f_lo, f_hi = -rlo, rhi
        f_ll, f_hh, f_lh = lo * rlo - rlo * rlo, -hi * rhi - rhi * rhi, rlo * rhi
        fl = 0.5 * (lo * f_lo + hi * f_hi)
        vals = {"f": np.log(prob), "fm": sa * (rlo - rhi), "fmm": sa * sa * (f_ll + 2 * f_lh + f_hh), "fl": fl,
                "fll": 0.25 * (lo * lo * f_ll + 2 * lo * hi * f_lh + hi * hi * f_hh) + 0.5 * fl,
                "fml": -0.5 * sa * (f_lo + f_hi) - 0.5 * sa * (lo * f_ll + hi * f_hh + (lo + hi) * f_lh)}
        for k, v in vals.items():
            out[k][ai] = v
    for v in out.values():
        v *= panel.w
    return out


def newton_finish(panel: Panel, p: Params, priors: Priors, qd: np.ndarray, qo: np.ndarray, *,
                  tol: float = 1e-6, max_iter: int = 100,
                  stats: dict | None = None) -> tuple[Params, int, bool, list[float]]:
    """Finish at the posterior mode with safeguarded Newton steps on all parameters jointly.

    The prior precision of the positions ``x`` (rows x sessions) is
    tridiagonal along each row: diagonal ``qd`` and couplings ``-qo``
    between consecutive sessions (none for the static model). Each step
    solves the full Newton system (positions and roll-call parameters
    together) by eliminating every roll call's 2x2 (3x3) block, then the
    positions session by session (block-tridiagonal elimination). Safeguards:
    where the exact Hessian is not negative definite (away from the mode)
    the Gauss-Newton matrix (the exact one without the terms in the
    second derivatives of the linear predictor, always positive definite)
    is used instead, then Levenberg-Marquardt damping; along each direction
    the step is halved until the log posterior increases. So the log
    posterior never decreases, and near the mode the steps are pure Newton
    steps (quadratic convergence). Stops when no position moves by more
    than ``tol`` standard deviations. Returns the parameters, the number of
    steps, whether it converged and the log posterior after each step
    (``stats["last_change"]``: the last step's largest standardised move).
    """
    k = 3 if panel.ordered else 2
    stats = {} if stats is None else stats
    stats["last_change"] = float("nan")
    pi = 1.0 / priors.item_sd ** 2

    def objective(q: Params) -> float:
        e = estep(panel, q, loglik=True)
        quad = (qd * q.x * q.x).sum() - 2.0 * (qo * q.x[:, :-1] * q.x[:, 1:]).sum()
        return float(e.loglik.sum() + log_prior_items(panel, q, priors).sum() - 0.5 * quad)

    cur = objective(p)
    history = [cur]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        c = cell_derivatives(panel, p)
        xc = p.x[:, panel.group]
        fm, nmm = c["fm"], -c["fmm"]
        gx = np.add.reduceat(fm * p.b, panel.starts, axis=1) - qd * p.x
        gx[:, :-1] += qo * p.x[:, 1:]
        gx[:, 1:] += qo * p.x[:, :-1]
        gi = [fm.sum(axis=0) - pi * p.a, (fm * xc).sum(axis=0) - pi * p.b]
        if panel.ordered:
            d = np.exp(p.logd)
            gi.append(c["fl"].sum(axis=0) + (priors.prec_shape - 1.0) - priors.prec_rate * d)
        g_item = np.stack(gi, axis=1)
        dx = np.add.reduceat(nmm * (p.b * p.b), panel.starts, axis=1) + qd
        base = np.empty((len(p.a), k, k))
        base[:, 0, 0] = nmm.sum(axis=0) + pi
        base[:, 0, 1] = base[:, 1, 0] = (nmm * xc).sum(axis=0)
        base[:, 1, 1] = (nmm * xc * xc).sum(axis=0) + pi
        nmb = nmm * p.b

        def system(exact: bool) -> tuple[np.ndarray, np.ndarray]:
            """Negative Hessian: roll-call blocks (J x k x k) and cross terms (k x R x J)."""
            A, C = base.copy(), np.empty((k,) + fm.shape)
            C[0] = nmb
            C[1] = nmb * xc - fm if exact else nmb * xc
            if panel.ordered:
                nml = -c["fml"] if exact else 0.5 * fm - c["fml"]
                nll = -c["fll"] if exact else 0.5 * c["fl"] - c["fll"]
                A[:, 0, 2] = A[:, 2, 0] = nml.sum(axis=0)
                A[:, 1, 2] = A[:, 2, 1] = (nml * xc).sum(axis=0)
                A[:, 2, 2] = nll.sum(axis=0) + priors.prec_rate * d
                C[2] = nml * p.b
            return A, C

        systems = {True: system(True)}
        accepted = False
        for exact, lam in [(True, 0.0), (False, 0.0)] + [(False, 10.0 ** e) for e in range(-3, 9)]:
            if exact not in systems:
                systems[exact] = system(exact)
            A, C = systems[exact]
            step = _newton_step(panel, dx + lam, A + lam * np.eye(k) if lam else A, C, gx, g_item, qo)
            if step is None:
                continue
            sx, si = step
            for frac in (1.0, 0.5, 0.25, 0.125):
                new = Params(p.x + frac * sx, p.a + frac * si[:, 0], p.b + frac * si[:, 1],
                             p.logd + frac * si[:, 2] if panel.ordered else p.logd)
                with np.errstate(all="ignore"):
                    val = objective(new)
                if np.isfinite(val) and val >= cur:
                    accepted = True
                    sx = frac * sx
                    break
            if accepted:
                break
        if not accepted:                     # no direction increases the log posterior: at the mode
            converged = True
            break
        sd = p.x[panel.present].std() or 1.0
        change = float(np.abs(sx * panel.present).max()) / sd
        stats["last_change"] = change
        p, cur = new, val
        history.append(cur)
        if change < tol:
            converged = True
            break
    return p, it, converged, history


def _newton_step(panel: Panel, dx: np.ndarray, A: np.ndarray, C: np.ndarray, gx: np.ndarray,
                 g_item: np.ndarray, qo: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Solve the Newton system (see :func:`newton_finish`); None if it is not positive definite.

    ``dx`` (rows x sessions) is the diagonal of the positions' block, ``A``
    (J x k x k) the roll calls' blocks, ``C`` (k x rows x J) the cross terms
    between each position and the roll calls of its session; ``gx``,
    ``g_item`` the gradient. Returns the steps for the positions and the
    roll-call parameters (J x k).
    """
    from scipy.linalg import LinAlgError, cho_factor, cho_solve

    try:
        np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    Ainv = np.linalg.inv(A)
    k = A.shape[1]
    M = np.empty_like(C)                                   # M_j = C_j A_j^-1
    for col in range(k):
        M[col] = C[0] * Ainv[:, 0, col]
        for kk in range(1, k):
            M[col] += C[kk] * Ainv[:, kk, col]
    mg = M[0] * g_item[:, 0]
    for kk in range(1, k):
        mg += M[kk] * g_item[:, kk]
    rhs = gx - np.add.reduceat(mg, panel.starts, axis=1)
    R, G = gx.shape
    inv_hat, r_hat, facs = [], [], []
    for g in range(G):
        s, e = panel.starts[g], panel._end(g)
        S = -(M[0, :, s:e] @ C[0, :, s:e].T)
        for kk in range(1, k):
            S -= M[kk, :, s:e] @ C[kk, :, s:e].T
        S[np.diag_indices(R)] += dx[:, g]
        r = rhs[:, g].copy()
        if g:
            q = qo[:, g - 1]
            S -= inv_hat[-1] * np.outer(q, q)
            r += q * (inv_hat[-1] @ r_hat[-1])
        try:
            fac = cho_factor(S, lower=True, check_finite=False)
        except LinAlgError:
            return None
        if not np.all(np.isfinite(np.diag(fac[0]))):
            return None
        facs.append(fac)
        r_hat.append(r)
        inv_hat.append(cho_solve(fac, np.eye(R), check_finite=False) if g + 1 < G else None)
    sx = np.empty_like(gx)
    for g in range(G - 1, -1, -1):
        r = r_hat[g] + (qo[:, g] * sx[:, g + 1] if g + 1 < G else 0.0)
        sx[:, g] = cho_solve(facs[g], r, check_finite=False)
    sxc = sx[:, panel.group]
    rest = g_item - np.stack([(C[kk] * sxc).sum(axis=0) for kk in range(k)], axis=1)
    si = np.matmul(Ainv, rest[:, :, None])[:, :, 0]
    return sx, si
