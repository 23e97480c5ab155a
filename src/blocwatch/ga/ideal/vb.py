"""Mean-field variational Bayes for the binary ideal-point model (``method="vb"``).

The variational posterior of Imai, Lo and Olmsted (emIRT's ``binIRT``):
``q(x) q(a, b) q(z)`` with Gaussian ``q(x_i)``, bivariate Gaussian
``q(a_j, b_j)`` and truncated-normal ``q(z_ij)``, fitted by coordinate ascent
on the evidence lower bound with SQUAREM and a ridge step (:func:`run_vb`).
The model, priors and the panel layout are those of :mod:`blocwatch.ga.ideal`
(see its docstring); :func:`blocwatch.ga.ideal.static.estimate_static` and
:func:`blocwatch.ga.ideal.static.fit_matrix` call this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from blocwatch.ga.ideal.core import INV_SQRT2PI, STEP_MAX, TMAX, Priors
from blocwatch.ga.ideal.panel import Panel
from blocwatch.ga.ideal.starts import start_params


@dataclass
class VBState:
    """Mean-field variational posterior of the binary model on a panel.

    ``q(x_ig) = N(x, vx)`` (rows x sessions) and, per roll call,
    ``q(a_j, b_j) = N((a, b), [[saa, sab], [sab, sbb]])``; ``q(z_ij)`` is the
    truncated normal implied by the others and is never stored.
    """

    x: np.ndarray
    vx: np.ndarray
    a: np.ndarray
    b: np.ndarray
    saa: np.ndarray
    sab: np.ndarray
    sbb: np.ndarray


def vb_step(panel: Panel, s: VBState, priors: Priors) -> tuple[VBState, np.ndarray]:
    """One sweep of coordinate ascent from ``s``; returns the new state and the ELBO per session at ``s``.

    ``q(z)`` at ``s`` (truncated normals at the linear predictor
    ``m = E a + E b E x``), then every ``q(a_j, b_j)`` (a 2x2 Gaussian:
    precision ``[[n_j + 1/s^2, sum E x], [sum E x, sum E x^2 + 1/s^2]]`` with
    ``E x^2 = Var x + (E x)^2``, so the variance of the positions enters
    here; mean = covariance times ``(sum E z, sum E z E x)``), then every
    ``q(x_i)`` (precision ``1/x_sd^2 + sum_j E b_j^2`` with
    ``E b^2 = Var b + (E b)^2``, mean ``sum_j (E z_ij E b_j - E[a_j b_j]) /
    precision`` with ``E[ab] = Cov(a, b) + E a E b``), then
    :func:`vb_ridge`. Every update is the exact optimum of its factor given
    the others, so the ELBO never decreases from sweep to sweep.

    The ELBO (per session, up to a constant, with ``q(z)`` at its optimum):
    ``sum_ij [log Phi(+-m_ij) - Var_q(a_j + b_j x_i) / 2]`` over the votes
    (``m = E a + E b E x``; ``+`` for yes, ``-`` for no), plus ``E_q log p(x) + H(q(x))`` and
    ``E_q log p(a, b) + H(q(a, b))``, where ``Var_q(a + b x) = saa + 2 sab E x
    + sbb E x^2 + (E b)^2 Var x``; ``-inf`` where the roll-call covariances
    are not positive definite.
    """
    xc = s.x[:, panel.group]
    ez, loglik = _vb_estep(panel, xc, s.a, s.b)
    one = panel.n_groups == 1                     # one session: sums as matrix-vector products
    if one:
        x, vx = s.x[:, 0], s.vx[:, 0]
        sx, sxx, sv = x @ panel.w, (x * x + vx) @ panel.w, vx @ panel.w
    else:
        wx = panel.w * xc
        wv = panel.w * s.vx[:, panel.group]
        sx, sxx, sv = wx.sum(axis=0), (wx * xc + wv).sum(axis=0), wv.sum(axis=0)
    # ELBO at s: sum log Phi(+-m) - sum_ij Var_q(a_j + b_j x_i) / 2, the latter from column sums.
    var = s.saa * panel.n_col + 2 * s.sab * sx + s.sbb * sxx + s.b * s.b * sv
    elbo = loglik - 0.5 * np.add.reduceat(var, panel.starts) + _vb_prior_terms(panel, s, priors)
    pi = 1.0 / priors.item_sd ** 2
    h11, h12, h22 = panel.n_col + pi, sx, sxx + pi
    g1, g2 = ez.sum(axis=0), (x @ ez if one else (ez * xc).sum(axis=0))
    det = h11 * h22 - h12 * h12
    saa, sab, sbb = h22 / det, -h12 / det, h11 / det
    a, b = saa * g1 + sab * g2, sab * g1 + sbb * g2
    if one:
        prec = (panel.w @ (sbb + b * b))[:, None] + 1.0 / priors.x_sd ** 2
        num = (ez @ b - panel.w @ (sab + a * b))[:, None]
    else:
        prec = np.add.reduceat(panel.w * (sbb + b * b), panel.starts, axis=1) + 1.0 / priors.x_sd ** 2
        num = np.add.reduceat(ez * b - panel.w * (sab + a * b), panel.starts, axis=1)
    return vb_ridge(panel, VBState(num / prec, 1.0 / prec, a, b, saa, sab, sbb), priors), elbo


def vb_ridge(panel: Panel, s: VBState, priors: Priors, rounds: int = 3) -> VBState:
    """Move ``q`` along the location/scale ridge to the best point for the priors and entropies.

    Under ``x -> (x + k) / u``, ``(a, b) -> (a - b k, b u)`` (applied to the
    distributions ``q(x)`` and ``q(a, b)`` of a whole session) every
    ``a_j + b_j x_i`` is the same random variable, so the likelihood terms of
    the ELBO are unchanged; only ``E log p(x) + E log p(a, b)`` and the
    entropies (``-n log u`` for the ``n`` positions, ``+J log u`` for the
    ``J`` roll calls) move. A few rounds of exact coordinate ascent: ``k``
    given ``u`` is a ratio; ``u^2`` given ``k`` is the positive root of
    ``(b2/s^2) w^2 - (J - n) w - Q/x_sd^2 = 0`` with
    ``Q = sum E (x + k)^2`` and ``b2 = sum E b^2``. The ELBO never decreases.
    """
    px, pi = 1.0 / priors.x_sd ** 2, 1.0 / priors.item_sd ** 2
    pres = panel.present
    G, grp = panel.n_groups, panel.group
    n = pres.sum(axis=0).astype(float)
    nj = np.bincount(grp, minlength=G).astype(float)
    x1 = (s.x * pres).sum(axis=0)
    x2 = ((s.x * s.x + s.vx) * pres).sum(axis=0)
    ab = np.bincount(grp, s.sab + s.a * s.b, minlength=G)
    b2 = np.bincount(grp, s.sbb + s.b * s.b, minlength=G)
    ok = (b2 > 0) & (n > 0)
    b2s = np.where(ok, b2, 1.0)
    u, k = np.ones(G), np.zeros(G)
    for _ in range(rounds):
        u2 = u * u
        k = np.where(ok, (pi * ab - px * x1 / u2) / (px * n / u2 + pi * b2s), 0.0)
        q = x2 + 2 * k * x1 + k * k * n
        c = nj - n
        w = (c + np.sqrt(c * c + 4 * pi * b2s * px * q)) / (2 * pi * b2s)
        u = np.where(ok, np.sqrt(w), 1.0)
    ki, ui = k[grp], u[grp]
    return VBState((s.x + k * pres) / u, s.vx / (u * u), s.a - s.b * ki, s.b * ui,
                   s.saa - 2 * ki * s.sab + ki * ki * s.sbb, ui * (s.sab - ki * s.sbb), ui * ui * s.sbb)


def _vb_estep(panel: Panel, xc: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``E z`` under the optimal ``q(z)`` (zero where missing) and ``sum log Phi(+-m)`` per session.

    ``m = a + b x``; for a yes ``E z = m + phi(m) / Phi(m)``, for a no
    ``E z = m - phi(m) / Phi(-m)`` (the truncation point clipped at 35 sd).
    """
    m = xc * b
    m += a
    t = panel.sgn * m
    np.negative(t, out=t)
    np.minimum(t, TMAX, out=t)
    q = ndtr(-t)
    lam = np.exp(-0.5 * t * t)
    lam *= INV_SQRT2PI
    lam /= q
    lam *= panel.sgn
    m += lam
    m *= panel.w
    ll = np.log(q)
    ll *= panel.w
    return m, np.add.reduceat(ll.sum(axis=0), panel.starts)


def _vb_prior_terms(panel: Panel, s: VBState, priors: Priors) -> np.ndarray:
    """``E_q log p(x) + H(q(x)) + E_q log p(a, b) + H(q(a, b))`` per session (up to a constant)."""
    pres = panel.present
    px, pi = 1.0 / priors.x_sd ** 2, 1.0 / priors.item_sd ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        xterm = (pres * (-0.5 * px * (s.x * s.x + s.vx) + 0.5 * np.log(s.vx))).sum(axis=0)
        det = s.saa * s.sbb - s.sab * s.sab
        item = -0.5 * pi * (s.a * s.a + s.b * s.b + s.saa + s.sbb) + 0.5 * np.log(det)
        item = np.where((det > 0) & (s.saa > 0), item, -np.inf)
    return xterm + np.add.reduceat(item, panel.starts)


def vb_start(panel: Panel, priors: Priors) -> VBState:
    """Starting point: one sweep from the principal-component start of
    :func:`~blocwatch.ga.ideal.starts.start_params` with ``Var x = 0.1``."""
    p = start_params(panel, "pca")
    J = len(p.a)
    s0 = VBState(p.x, np.full_like(p.x, 0.1), p.a, p.b, np.full(J, 1.0), np.zeros(J), np.full(J, 1.0))
    return vb_step(panel, s0, priors)[0]


_VB_FIELDS = ("x", "vx", "a", "b", "saa", "sab", "sbb")


def run_vb(panel: Panel, priors: Priors = Priors(), tol: float = 1e-4, max_iter: int = 3000, *,
           accelerate: bool = True, trace: bool = False) -> tuple[VBState, np.ndarray, np.ndarray, list]:
    """Iterate :func:`vb_step` (SQUAREM-accelerated unless ``accelerate=False``) until every session converges.

    SQUAREM (scheme S3 of Varadhan and Roland 2008, one step length per
    session, as in :func:`blocwatch.ga.ideal.em.run_em`) on the state ``(E x, log Var x, E a, E b,
    Cov(a, b))``, with a safeguard: the extrapolated point is kept (after one
    more sweep from it) only if its ELBO is at least that after the first
    plain sweep of the cycle, so the ELBO never decreases from cycle to cycle.
    Convergence: the largest change of any standardised position
    ``(E x - mean) / sd`` of a session over one cycle (three sweeps; one
    sweep with ``accelerate=False``) below ``tol``; a converged session stops
    moving. Returns the state, sweeps and convergence per session, and with
    ``trace`` (plain sweeps only) the ELBO per session before each sweep.
    """
    G = panel.n_groups
    grp, pres = panel.group, panel.present
    iters = np.zeros(G, dtype=np.int64)
    conv = np.zeros(G, dtype=bool)
    s = vb_start(panel, priors)
    log: list = []

    def change(x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
        return np.abs(_standardise(x1, pres) - _standardise(x0, pres)).max(axis=0, initial=0.0)

    if not accelerate:
        for _ in range(max_iter):
            new, elbo = vb_step(panel, s, priors)
            if trace:
                log.append(elbo)
            ch = change(s.x, new.x)
            iters[~conv] += 1
            conv |= ch < tol
            s = new
            if conv.all():
                break
        return s, iters, conv, log

    def vec(t: VBState) -> list[np.ndarray]:
        return [t.x, np.log(t.vx), t.a, t.b, t.saa, t.sab, t.sbb]

    while not conv.all() and iters[~conv].max() < max_iter:
        s1, _ = vb_step(panel, s, priors)
        s2, l1 = vb_step(panel, s1, priors)
        v0, v1, v2 = vec(s), vec(s1), vec(s2)
        r = [q1 - q0 for q0, q1 in zip(v0, v1, strict=True)]
        v = [q2 - 2 * q1 + q0 for q0, q1, q2 in zip(v0, v1, v2, strict=True)]
        nr = sum(((q * q) * pres).sum(axis=0) for q in r[:2]) + np.bincount(grp, sum(q * q for q in r[2:]), minlength=G)
        nv = sum(((q * q) * pres).sum(axis=0) for q in v[:2]) + np.bincount(grp, sum(q * q for q in v[2:]), minlength=G)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = -np.sqrt(nr / nv)
        alpha = np.clip(np.nan_to_num(alpha, nan=-1.0, neginf=-STEP_MAX), -STEP_MAX, -1.0)
        ext = []
        for k, (q0, rr, vv) in enumerate(zip(v0, r, v, strict=True)):
            al = alpha if k < 2 else alpha[grp]
            ext.append(q0 - 2 * al * rr + al * al * vv)
        ext[1] = np.exp(np.clip(ext[1], -60.0, 5.0))
        with np.errstate(all="ignore"):
            s3, lpp = vb_step(panel, VBState(*ext), priors)
        ok = np.isfinite(lpp) & (lpp >= l1) & np.isfinite(s3.x).all(axis=0)
        new = _vb_select(ok, s3, s2, grp)
        new = _vb_select(conv, s, new, grp)          # converged sessions stay put
        ch = change(s.x, new.x)
        iters[~conv] += 3
        conv |= ch < tol
        s = new
    return s, iters, conv, log


def _standardise(x: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Each column's present entries minus their mean, over their standard deviation (others 0)."""
    n = np.maximum(present.sum(axis=0), 1)
    mean = (x * present).sum(axis=0) / n
    sd = np.sqrt((((x - mean) ** 2) * present).sum(axis=0) / n)
    return (x - mean) / np.where(sd > 0, sd, 1.0) * present


def _vb_select(pick: np.ndarray, first: VBState, second: VBState, grp: np.ndarray) -> VBState:
    """Per session: ``first`` where ``pick``, else ``second``."""
    pi = pick[grp]
    return VBState(np.where(pick, first.x, second.x), np.where(pick, first.vx, second.vx),
                   *(np.where(pi, getattr(first, n), getattr(second, n)) for n in _VB_FIELDS[2:]))
