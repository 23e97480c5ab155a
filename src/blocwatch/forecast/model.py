"""A multinomial logistic model of a vote (yes / abstain / no): :class:`VoteModel` → ``fit()`` → :class:`Fitted`.

``P(class k) = softmax_k(b_k + x · w_k)`` over the standardised features
``x`` (:data:`blocwatch.forecast.features.FEATURES`), with an L2 penalty
``penalty / 2 * sum(w**2)`` on the weights, added to the mean log loss (not the intercepts), fitted by
L-BFGS on the exact gradient. Each weight reads as: one standard deviation
more of this feature multiplies the odds of class ``k`` against the others'
geometric mean by ``exp(w_k - mean(w))``. :meth:`Fitted.contributions`
gives that split for one state, which is what its reasons are ranked by.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax

K = 3


@dataclass(frozen=True)
class Fitted:
    """A fitted model: ``mean``/``scale`` standardise, ``coef`` (features x 3), ``intercept`` (3)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    n: int

    def _z(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(yes), P(abstain), P(no) per row."""
        return softmax(self._z(X) @ self.coef + self.intercept, axis=1)

    def contributions(self, x: np.ndarray, k: int) -> np.ndarray:
        """How much each feature of one row pushes the log-odds of class ``k`` against the mean of the three."""
        z = self._z(x[None, :])[0]
        centred = self.coef - self.coef.mean(axis=1, keepdims=True)
        return z * centred[:, k]


@dataclass(frozen=True)
class VoteModel:
    """Model specification: the L2 ``penalty`` on the standardised weights, against the mean log loss per vote."""

    penalty: float = 1e-3

    def fit(self, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None,
            start: Fitted | None = None) -> Fitted:
        """Fit to rows ``X`` with classes ``y`` (0 yes, 1 abstain, 2 no); ``start``: a fit to warm-start from."""
        n, d = X.shape
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        Z = (X - mean) / scale
        Y = np.zeros((n, K))
        Y[np.arange(n), y] = 1.0
        w = np.ones(n) if weight is None else weight
        total = w.sum()

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W = theta[:d * K].reshape(d, K)
            b = theta[d * K:]
            logp = log_softmax(Z @ W + b, axis=1)
            value = -(w * (Y * logp).sum(axis=1)).sum() / total + 0.5 * self.penalty * (W ** 2).sum()
            R = (np.exp(logp) - Y) * w[:, None] / total
            grad_W = Z.T @ R + self.penalty * W
            return float(value), np.concatenate([grad_W.ravel(), R.sum(axis=0)])

        theta0 = np.zeros(d * K + K)
        if start is not None and start.coef.shape == (d, K):
            theta0 = np.concatenate([start.coef.ravel(), start.intercept])
        result = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        theta = result.x
        return Fitted(mean, scale, theta[:d * K].reshape(d, K), theta[d * K:], n)
