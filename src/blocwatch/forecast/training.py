"""The training table: every past country-text vote of a forum, each state's features as known the day before.

A row is one state's vote on one text; its features come from
``history.before(day of the vote)`` (:mod:`.features`), so a row never
knows its own vote or anything later. The table depends only on the
stored data, not on the day a forecast is made for: a forecast as of a
day fits on the rows dated before it (:meth:`Training.before`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from blocwatch.forecast.features import FEATURES, RULES, block
from blocwatch.forecast.history import MISSING, History


@dataclass(frozen=True)
class Training:
    """Rows (state x text), sorted by day: ``X`` features, ``y`` oriented class, ``rules`` baseline predictions."""

    day: np.ndarray      # datetime64[D]
    text: np.ndarray     # int64: row of the text in the history (its rcid in ``rcid``)
    rcid: np.ndarray     # int64
    state: np.ndarray    # object: ISO3
    X: np.ndarray
    y: np.ndarray        # int8
    rules: np.ndarray    # int8
    group: np.ndarray    # object: regional group (None for none)

    def before(self, day: dt.date) -> np.ndarray:
        """A mask of the rows dated before ``day``."""
        return self.day < np.datetime64(day, "D")

    def on(self, day: dt.date) -> np.ndarray:
        return self.day == np.datetime64(day, "D")

    def __len__(self) -> int:
        return len(self.y)


def build(history: History, progress: Callable[[int, int], None] | None = None) -> Training:
    """Every country-text vote of the history, with its features as known the day before."""
    from blocwatch import registry

    parts: list[tuple] = []
    days = history.vote_days()
    for step, day in enumerate(days):
        cut = history.before(day)
        texts = history.texts_on(day)
        supportive = FEATURES.index("supportive_text")
        for target in dict.fromkeys(texts.target.tolist()):
            rows = np.flatnonzero(texts.target == target)
            voters = sorted({history.states[c] for r in rows.tolist()
                             for c in np.flatnonzero(texts.votes[r] != MISSING)})
            if not voters:
                continue
            b = block(cut, target, voters)
            where = {s: i for i, s in enumerate(voters)}
            for r in rows.tolist():
                cast = np.flatnonzero(texts.votes[r] != MISSING)
                states = [history.states[c] for c in cast]
                at = np.asarray([where[s] for s in states], dtype=np.int64)
                X = b.X[at]
                X[:, supportive] = not texts.critical[r]
                parts.append((np.full(len(at), texts.date[r]), np.full(len(at), texts.rcid[r]),
                              np.asarray(states, dtype=object), X, texts.votes[r, cast], b.rules[at]))
        if progress:
            progress(step + 1, len(days))
    if not parts:
        empty = np.empty(0)
        return Training(empty.astype("datetime64[D]"), empty.astype(np.int64), empty.astype(np.int64),
                        empty.astype(object), np.empty((0, len(FEATURES))), empty.astype(np.int8),
                        np.empty((0, len(RULES)), np.int8), empty.astype(object))
    when = np.concatenate([p[0] for p in parts]).astype("datetime64[D]")
    rcid = np.concatenate([p[1] for p in parts]).astype(np.int64)
    state = np.concatenate([p[2] for p in parts])
    groups = np.asarray([registry.group_of(s) if registry.exists(s) else None for s in state.tolist()], dtype=object)
    rc_row = {int(r): i for i, r in enumerate(history._texts.rcid.tolist())}
    text = np.asarray([rc_row[int(r)] for r in rcid.tolist()], dtype=np.int64)
    return Training(when, text, rcid, state, np.concatenate([p[3] for p in parts]),
                    np.concatenate([p[4] for p in parts]).astype(np.int8),
                    np.concatenate([p[5] for p in parts]).astype(np.int8), groups)
