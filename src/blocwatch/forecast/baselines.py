"""The honest baselines a forecast must beat, each fitted only on the votes before the day it forecasts.

- ``most_common``: every state casts the most common vote; its probabilities
  are the shares of yes, abstain and no in the earlier votes;
- ``group_shares``: each regional group's shares in the earlier votes;
- ``own_last``: each state repeats its last vote on a text about the same
  target, else its last vote on any country text;
- ``statements``: the joint-statement rule: a signer of the latest
  statement critical of the target votes yes, a signer of the latest
  supportive one votes no, anyone else abstains (when no statement on the
  target was made yet: the latest statements on any target);
- ``ga_neighbour``: each state votes as the state closest to it in the
  General Assembly (agreement over the three years before) voted on the
  latest text about the target (else the latest country text).

A rule gives one class; its probabilities are what that class meant in
the earlier votes: P(cast | rule said k), counted over the training rows
with one added to each cell. A state the rule has nothing to say about
(no earlier vote, no neighbour) gets the most common class.
"""

from __future__ import annotations

import numpy as np

from blocwatch.forecast.features import RULES
from blocwatch.forecast.history import MISSING
from blocwatch.forecast.training import Training

NAMES = ("most_common", "group_shares", *RULES)


def _shares(y: np.ndarray) -> np.ndarray:
    return (np.bincount(y, minlength=3) + 1.0) / (len(y) + 3.0)


def predict(training: Training, past: np.ndarray, now: np.ndarray) -> dict[str, np.ndarray]:
    """Each baseline's probabilities (rows ``now`` x 3), fitted on the rows ``past`` (boolean masks)."""
    y = training.y[past].astype(np.int64)
    overall = _shares(y)
    most = int(np.argmax(overall))
    n_now = int(now.sum())
    out = {"most_common": np.tile(overall, (n_now, 1))}
    groups_past, groups_now = training.group[past], training.group[now]
    by_group = np.tile(overall, (n_now, 1))
    for g in set(groups_now.tolist()):
        mine = groups_past == g
        counts = np.bincount(y[mine], minlength=3).astype(float)
        by_group[groups_now == g] = (counts + 3 * overall) / (counts.sum() + 3)
    out["group_shares"] = by_group
    for j, name in enumerate(RULES):
        said_past = np.where(training.rules[past, j] == MISSING, most, training.rules[past, j]).astype(np.int64)
        said_now = np.where(training.rules[now, j] == MISSING, most, training.rules[now, j]).astype(np.int64)
        confusion = np.ones((3, 3))
        np.add.at(confusion, (said_past, y), 1.0)
        confusion /= confusion.sum(axis=1, keepdims=True)
        out[name] = confusion[said_now]
    return out
