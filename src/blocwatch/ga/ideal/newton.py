"""The Newton finish: safeguarded joint Newton steps on all parameters to the exact posterior mode.

Used after EM by the static fits (:func:`blocwatch.ga.ideal.static.fit_panel`, one session at a time)
and by the dynamic model (all sessions together, block-tridiagonal in the positions).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtr

from blocwatch.ga.ideal.core import INV_SQRT2PI, TMAX, Priors
from blocwatch.ga.ideal.em import estep, log_prior_items
from blocwatch.ga.ideal.panel import Panel, Params


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
    t = np.minimum((panel.upper - panel.sgn * m) * s, TMAX)
    q = ndtr(-t)
    lam = np.exp(-0.5 * t * t) * INV_SQRT2PI / q
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
        lo_r = np.minimum(np.where(flip, -hi, lo), TMAX)
        prob = ndtr(-lo_r) - ndtr(-(lo_r + sa))
        lo, hi = np.where(flip, -(lo_r + sa), lo_r), np.where(flip, -lo_r, lo_r + sa)
        rlo = np.exp(-0.5 * lo * lo) * INV_SQRT2PI / prob
        rhi = np.exp(-0.5 * hi * hi) * INV_SQRT2PI / prob
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
        assert e.loglik is not None
        quad = (qd * q.x * q.x).sum() - 2.0 * (qo * q.x[:, :-1] * q.x[:, 1:]).sum()
        return float(e.loglik.sum() + log_prior_items(panel, q, priors).sum() - 0.5 * quad)

    cur = objective(p)
    history = [cur]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - returned below as the number of steps
        c = cell_derivatives(panel, p)
        xc = p.x[:, panel.group]
        fm, nmm = c["fm"], -c["fmm"]
        gx = np.add.reduceat(fm * p.b, panel.starts, axis=1) - qd * p.x
        gx[:, :-1] += qo * p.x[:, 1:]
        gx[:, 1:] += qo * p.x[:, :-1]
        gi = [fm.sum(axis=0) - pi * p.a, (fm * xc).sum(axis=0) - pi * p.b]
        d = None
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
        system = functools.partial(_system, panel, priors, k, c, p.b, base, fm, nmb, xc, d)
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


def _system(panel: Panel, priors: Priors, k: int, c: dict[str, np.ndarray], b: np.ndarray, base: np.ndarray,
            fm: np.ndarray, nmb: np.ndarray, xc: np.ndarray, d: np.ndarray | None,
            exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Negative Hessian: roll-call blocks (J x k x k) and cross terms (k x R x J).

    ``exact``: the exact Hessian, else the Gauss-Newton matrix (see :func:`newton_finish`).
    """
    A, C = base.copy(), np.empty((k,) + fm.shape)
    C[0] = nmb
    C[1] = nmb * xc - fm if exact else nmb * xc
    if panel.ordered:
        assert d is not None
        nml = -c["fml"] if exact else 0.5 * fm - c["fml"]
        nll = -c["fll"] if exact else 0.5 * c["fl"] - c["fll"]
        A[:, 0, 2] = A[:, 2, 0] = nml.sum(axis=0)
        A[:, 1, 2] = A[:, 2, 1] = (nml * xc).sum(axis=0)
        A[:, 2, 2] = nll.sum(axis=0) + priors.prec_rate * d
        C[2] = nml * b
    return A, C


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
    inv_hat: list[np.ndarray] = []
    r_hat: list[np.ndarray] = []
    facs = []
    for g in range(G):
        s, e = panel.starts[g], panel.end(g)
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
        if g + 1 < G:                         # not needed after the last session
            inv_hat.append(cho_solve(fac, np.eye(R), check_finite=False))
    sx = np.empty_like(gx)
    for g in range(G - 1, -1, -1):
        r = r_hat[g] + (qo[:, g] * sx[:, g + 1] if g + 1 < G else 0.0)
        sx[:, g] = cho_solve(facs[g], r, check_finite=False)
    sxc = sx[:, panel.group]
    rest = g_item - np.stack([(C[kk] * sxc).sum(axis=0) for kk in range(k)], axis=1)
    si = np.matmul(Ainv, rest[:, :, None])[:, :, 0]
    return sx, si

