"""Scores of probabilistic vote forecasts: accuracy, per-class F1, log loss, Brier score, calibration.

``p``: rows x 3 probabilities (yes, abstain, no: oriented, :mod:`.history`);
``y``: the classes cast. The predicted class is the most probable one.

- accuracy: share of rows whose predicted class was cast;
- F1 of a class: ``2 TP / (2 TP + FP + FN)`` (0 when the class was
  neither predicted nor cast);
- log loss: mean of ``-ln p[y]`` (probabilities clipped at 1e-15);
- Brier score: mean over rows of ``sum_k (p_k - [y = k])**2`` (0 perfect, 2 worst);
- calibration: every row's three probabilities pooled (one-vs-rest) and
  put in ten bands ``[0, 0.1) ... [0.9, 1]``; per band the mean
  probability and the share of those that came true.
"""

from __future__ import annotations

import numpy as np

from blocwatch.forecast.history import CLASSES

EPS = 1e-15


def scores(p: np.ndarray, y: np.ndarray) -> dict:
    """Accuracy, F1 per class and their mean, log loss, Brier score, and the number of rows."""
    n = len(y)
    if n == 0:
        return {"n": 0}
    predicted = p.argmax(axis=1)
    onehot = np.zeros_like(p)
    onehot[np.arange(n), y] = 1.0
    out: dict = {"n": int(n), "accuracy": float((predicted == y).mean())}
    f1 = {}
    for k, name in enumerate(CLASSES):
        tp = int(((predicted == k) & (y == k)).sum())
        denom = int((predicted == k).sum() + (y == k).sum())
        f1[name] = 2 * tp / denom if denom else 0.0
    out["f1"] = f1
    out["macro_f1"] = float(np.mean(list(f1.values())))
    out["log_loss"] = float(-np.log(np.clip(p[np.arange(n), y], EPS, 1.0)).mean())
    out["brier"] = float(((p - onehot) ** 2).sum(axis=1).mean())
    return out


def calibration(p: np.ndarray, y: np.ndarray, bands: int = 10) -> list[dict]:
    """Predicted against observed, by band of predicted probability (all three classes pooled)."""
    onehot = np.zeros_like(p)
    onehot[np.arange(len(y)), y] = 1.0
    prob, hit = p.ravel(), onehot.ravel()
    band = np.minimum((prob * bands).astype(int), bands - 1)
    out = []
    for b in range(bands):
        at = band == b
        n = int(at.sum())
        mean_p = float(prob[at].mean()) if n else None
        observed = float(hit[at].mean()) if n else None
        out.append({"band": [b / bands, (b + 1) / bands], "n": n, "predicted": mean_p, "observed": observed,
                    "gap": None if not n else observed - mean_p})  # type: ignore[operator]
    return out


def rounded(value, digits: int = 4):
    """``value`` with every float rounded (for JSON and reports)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    return value
