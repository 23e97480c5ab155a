"""Starting values of the posterior-mode and variational fits: classical scaling of agreement, first component."""

from __future__ import annotations

import numpy as np

from blocwatch.ga.ideal.core import Priors
from blocwatch.ga.ideal.em import item_step
from blocwatch.ga.ideal.panel import Panel, Params

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
        cols = slice(panel.starts[g], panel.end(g))
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

