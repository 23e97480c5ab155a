"""The ECM algorithm for the posterior mode (E-step, M-steps, ridge step) and its SQUAREM-accelerated driver.

See :mod:`blocwatch.ga.ideal` for the model. :class:`StaticPrior` is the
independent prior of the static model; the dynamic model's random walk
(:class:`blocwatch.ga.ideal.dynamic.RandomWalkPrior`) has the same interface.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from blocwatch.ga.ideal.core import INV_SQRT2PI, STEP_MAX, TMAX, Priors
from blocwatch.ga.ideal.panel import Panel, Params


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
    np.minimum(t, TMAX, out=t)
    q = ndtr(-t)
    lam = np.exp(-0.5 * t * t)
    lam *= INV_SQRT2PI
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
        lo = np.minimum(np.where(flip, -hi, lo), TMAX)
        hi = lo + sa
        plo = np.exp(-0.5 * lo * lo) * INV_SQRT2PI
        phi = np.exp(-0.5 * hi * hi) * INV_SQRT2PI
        prob = ndtr(-lo) - ndtr(-hi)
        mu = (plo - phi) / prob
        ez[ai] = ma + np.where(flip, -mu, mu) / sa
        if vt is not None:                   # with variance
            vt[ai] = 1.0 + (lo * plo - hi * phi) / prob - mu * mu
        if ll is not None:                   # with loglik
            ll[ai] = np.log(prob)
    ez *= panel.w
    if vt is not None:
        np.clip(vt, 0.0, 1.0, out=vt)
    loglik_g = None
    if ll is not None:
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



@dataclass
class EMResult:
    """Output of :func:`run_em`: the parameters, EM iterations and convergence per block, log-posterior trace
    (and, set by :func:`blocwatch.ga.ideal.static.fit_panel`, the start each block continued from)."""

    params: Params
    iterations: np.ndarray
    converged: np.ndarray
    trace: list = field(default_factory=list)
    start: list = field(default_factory=list)


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
        alpha = np.clip(np.nan_to_num(alpha, nan=-1.0, neginf=-STEP_MAX), -STEP_MAX, -1.0)
        ax, ai = alpha[cur_prior.block_of_group], alpha[item_block]
        pp = Params(cur.x - 2 * ax * r.x + ax * ax * v.x, cur.a - 2 * ai * r.a + ai * ai * v.a,
                    cur.b - 2 * ai * r.b + ai * ai * v.b, cur.logd - 2 * ai * r.logd + ai * ai * v.logd)
        with np.errstate(all="ignore"):
            p3, lpp = em_step(cur_panel, pp, priors, cur_prior, loglik=True)
            assert lpp is not None and l1 is not None   # loglik=True
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
    assert e.vt is not None
    d = np.exp(p.logd)
    return np.add.reduceat(panel.w * (1.0 - e.vt) * (d * p.b * p.b), panel.starts, axis=1)

