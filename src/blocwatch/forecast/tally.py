"""From each member's P(yes), P(abstain), P(no) to the tally: its distribution, intervals, P(adopted), swing votes.

Members do not vote independently: a text that is drafted softly, or a
campaign that works, moves many votes the same way. So the tally takes a
shared shift ``d`` of every member's log-odds of yes against no
(``p_i(d)`` proportional to ``p_i * exp(d, 0, -d)``), ``d`` normal with
mean 0 and standard deviation ``spread`` (estimated from the earlier votes
by :func:`spread`), integrated by Gauss-Hermite quadrature. Given ``d``
the members vote independently and the joint distribution of the yes and
no counts is exact (a dynamic programme over the members, ``(m+1) x
(m+1)`` cells). A text is adopted when more members vote yes than no
(abstentions do not count), as at the Council. The backtest reports how
often the 80 % intervals held the real tally. A body of more than
:data:`EXACT_UP_TO` members (the General Assembly) takes normal
approximations instead of the exact programme (given the shift, each count
and the margin are sums of many independent votes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from blocwatch.forecast.history import ABSTAIN, NO, YES


def joint(p: np.ndarray) -> np.ndarray:
    """``D[..., y, n]``: the chance of exactly ``y`` yes and ``n`` no votes among the members (``p``: [...,]
    members x 3; leading dimensions are separate scenarios, computed together)."""
    m = p.shape[-2]
    lead = p.shape[:-2]
    D = np.zeros((*lead, m + 1, m + 1))
    D[..., 0, 0] = 1.0
    for i in range(m):
        py, pa, pn = (p[..., i, k][..., None, None] for k in (YES, ABSTAIN, NO))
        top = i + 2
        new = D[..., :top, :top] * pa
        new[..., 1:, :] += D[..., :top - 1, :top] * py
        new[..., :, 1:] += D[..., :top, :top - 1] * pn
        D[..., :top, :top] = new
    return D


def adopted(D: np.ndarray) -> float:
    """P(more yes than no)."""
    y, n = np.indices(D.shape)
    return float(D[y > n].sum())


def interval(marginal: np.ndarray, level: float = 0.8) -> tuple[int, int]:
    """The central ``level`` interval of a count's distribution (its 10th and 90th percentiles for 80 %)."""
    cdf = np.cumsum(marginal)
    lo = int(np.searchsorted(cdf, (1 - level) / 2 - 1e-12))
    hi = int(np.searchsorted(cdf, 1 - (1 - level) / 2 - 1e-12))
    return lo, min(hi, len(marginal) - 1)


@dataclass(frozen=True)
class Tally:
    """Expected counts, their 80 % intervals, and P(adopted)."""

    yes: float
    abstain: float
    no: float
    yes_interval: tuple[int, int]
    abstain_interval: tuple[int, int]
    no_interval: tuple[int, int]
    p_adopted: float

    def to_dict(self) -> dict:
        return {"yes": round(self.yes, 2), "no": round(self.no, 2), "abstain": round(self.abstain, 2),
                "yes_interval": list(self.yes_interval), "no_interval": list(self.no_interval),
                "abstain_interval": list(self.abstain_interval), "p_adopted": round(self.p_adopted, 4)}


NODES = 9
EXACT_UP_TO = 60  # members; a larger body (the General Assembly) takes normal approximations
SHIFT = np.array([1.0, 0.0, -1.0])  # in the order YES, ABSTAIN, NO


def shifted(p: np.ndarray, d: float) -> np.ndarray:
    q = p * np.exp(d * SHIFT)
    return q / q.sum(axis=-1, keepdims=True)


def centred(p: np.ndarray, spread: float, rounds: int = 60) -> np.ndarray:
    """The members' probabilities at no shift such that, averaged over the shift, each member votes yes, abstain
    and no with exactly the chances ``p`` says (the model's probabilities are already averaged over votes that
    moved together: the shift must add correlation, not change them)."""
    if spread <= 0:
        return p
    x, w = (np.asarray(v) for v in _nodes(spread))
    target = np.clip(p, 1e-12, 1.0)
    q = target
    factor = np.exp(np.multiply.outer(x, SHIFT))  # nodes x 3
    for _ in range(rounds):
        scaled = q[None, ...] * factor.reshape((len(x),) + (1,) * (q.ndim - 1) + (3,))
        average = np.tensordot(w, scaled / scaled.sum(axis=-1, keepdims=True), axes=1)
        if np.abs(average - target).max() < 1e-7:
            break
        q = q * target / average
        q = q / q.sum(axis=-1, keepdims=True)
    return q


def mixture(p: np.ndarray, spread: float) -> np.ndarray:
    """The joint distribution of the yes and no counts, averaged over the shared shift (each member's own chances
    kept: :func:`centred`)."""
    if spread <= 0:
        return joint(p)
    x, w = _nodes(spread)
    q = centred(p, spread)
    scenarios = np.stack([shifted(q, d) for d in x])
    return np.tensordot(np.asarray(w), joint(scenarios), axes=1)


def spread(p: np.ndarray, y: np.ndarray, vote: np.ndarray) -> float:
    """The standard deviation of the shared shift: per earlier vote (rows ``vote``), the shift that best explains
    what was cast (``y``) given the fitted probabilities ``p`` (maximum likelihood on a grid), then their spread."""
    if not len(y):
        return 0.0
    grid = np.linspace(-4, 4, 65)
    _, which = np.unique(vote, return_inverse=True)
    p = np.clip(p, 1e-15, 1)
    # log p_i(d)[y_i] = log p_i[y_i] + d * SHIFT[y_i] - log(sum_k p_ik exp(d * SHIFT[k])), for every d at once
    norm = np.log(np.outer(np.exp(grid), p[:, YES]) + p[:, ABSTAIN] + np.outer(np.exp(-grid), p[:, NO]))
    ll = np.log(p[np.arange(len(y)), y]) + np.outer(grid, SHIFT[y]) - norm
    per_vote = np.stack([np.bincount(which, weights=row) for row in ll])
    best = np.clip(np.argmax(per_vote, axis=0), 1, len(grid) - 2)
    votes = np.arange(per_vote.shape[1])
    # Each vote's shift is itself an estimate: take out its sampling variance (1 / the curvature of its
    # log-likelihood at the best shift) so that the spread is that of the shifts, not of their noise.
    step = grid[1] - grid[0]
    curvature = -(per_vote[best + 1, votes] - 2 * per_vote[best, votes] + per_vote[best - 1, votes]) / step ** 2
    noise = np.mean(1.0 / np.maximum(curvature, 1e-3))
    return float(np.sqrt(max(np.var(grid[best]) - noise, 0.0)))


def tally(p: np.ndarray, spread: float = 0.0) -> Tally:
    """The tally's expected counts, 80 % intervals and P(adopted): exact up to :data:`EXACT_UP_TO` members,
    above (the General Assembly) each count and the margin taken as normal given the shared shift."""
    m = len(p)
    expected = p.sum(axis=0)
    if m > EXACT_UP_TO:
        return _normal_tally(p, spread, expected)
    D = mixture(p, spread)
    y, n = np.indices(D.shape)
    possible = y + n <= m
    left = np.asarray(m - y - n)
    abstain = np.bincount(left[possible], weights=D[possible], minlength=m + 1)
    return Tally(float(expected[YES]), float(expected[ABSTAIN]), float(expected[NO]),
                 interval(D.sum(axis=1)), interval(abstain), interval(D.sum(axis=0)), adopted(D))


def _nodes(spread: float) -> tuple[list[float], list[float]]:
    if spread <= 0:
        return [0.0], [1.0]
    x, w = np.polynomial.hermite_e.hermegauss(NODES)
    return (spread * x).tolist(), (w / w.sum()).tolist()


def _normal_tally(p: np.ndarray, spread: float, expected: np.ndarray) -> Tally:
    from scipy.stats import norm

    m = len(p)
    counts = np.arange(m + 1)
    marginals = np.zeros((3, m + 1))
    p_adopted = 0.0
    base = centred(p, spread)
    for d, w in zip(*_nodes(spread), strict=True):
        q = shifted(base, d)
        for k in (YES, ABSTAIN, NO):
            mean, sd = q[:, k].sum(), np.sqrt(max((q[:, k] * (1 - q[:, k])).sum(), 1e-9))
            marginals[k] += w * np.diff(norm.cdf((np.append(counts, m + 1) - 0.5 - mean) / sd))
        margin = q[:, YES] - q[:, NO]
        var = (q[:, YES] + q[:, NO] - margin ** 2).sum()
        p_adopted += w * float(norm.sf((0.5 - margin.sum()) / np.sqrt(max(var, 1e-9))))
    marginals /= marginals.sum(axis=1, keepdims=True)
    return Tally(float(expected[YES]), float(expected[ABSTAIN]), float(expected[NO]), interval(marginals[YES]),
                 interval(marginals[ABSTAIN]), interval(marginals[NO]), p_adopted)


def moves(p: np.ndarray, spread: float = 0.0) -> np.ndarray:
    """For each member: P(adopted if it votes yes) - P(adopted if it votes no), the others as forecast.

    Exact up to :data:`EXACT_UP_TO` members. Above, the margin (yes minus no) of the others is taken as
    normal given the shared shift (mean and variance summed over them, with a continuity correction)."""
    if len(p) <= EXACT_UP_TO:
        others = np.stack([np.delete(p, i, axis=0) for i in range(len(p))]) if len(p) else np.zeros((0, 0, 3))
        D = mixture(others, spread) if len(p) else np.zeros((0, 1, 1))
        y, n = np.indices(D.shape[-2:])
        return (D * (y + 1 > n)).sum(axis=(-2, -1)) - (D * (y > n + 1)).sum(axis=(-2, -1))
    from scipy.stats import norm

    out = np.zeros(len(p))
    base = centred(p, spread)
    for d, wi in zip(*_nodes(spread), strict=True):
        q = shifted(base, d)
        mean = q[:, YES] - q[:, NO]
        var = q[:, YES] + q[:, NO] - mean ** 2
        m_others, sd_others = mean.sum() - mean, np.sqrt(np.maximum(var.sum() - var, 1e-9))
        # adopted if margin of others + 1 > 0 (i.e. >= 0), resp. margin - 1 > 0 (i.e. >= 2)
        out += wi * (norm.sf((-0.5 - m_others) / sd_others) - norm.sf((1.5 - m_others) / sd_others))
    return out
