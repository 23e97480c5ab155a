"""Several sessions' vote matrices side by side (:class:`Panel`) and the model parameters on it (:class:`Params`).

The estimators (:mod:`.em`, :mod:`.newton`, :mod:`.vb`) all work on a panel:
rows are states, columns roll calls grouped by session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from blocwatch.ga.ideal.core import MISSING, SessionMatrix


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
        if self.ordered:
            abst_row, abst_col = np.nonzero(y == 1)
            self.abst = (abst_row, abst_col)
        else:
            self.abst = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.abst_col = self.abst[1]

    @property
    def n_groups(self) -> int:
        return len(self.starts)

    @classmethod
    def build(cls, matrices: list[SessionMatrix], ordered: bool,
              rows: np.ndarray | None = None) -> tuple[Panel, np.ndarray]:
        """The panel of ``matrices`` (in order) and its row labels (sorted union of states, or ``rows``)."""
        labels = np.unique(np.concatenate([m.states for m in matrices])) if rows is None else np.asarray(rows)
        widths = [m.y.shape[1] for m in matrices]
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        y = np.full((len(labels), int(sum(widths))), MISSING, dtype=np.int8)
        present = np.zeros((len(labels), len(matrices)), dtype=bool)
        for g, (m, s) in enumerate(zip(matrices, starts, strict=True)):
            idx = np.searchsorted(labels, m.states)
            y[idx, s:s + m.y.shape[1]] = m.y
            present[idx, g] = (m.y >= 0).any(axis=1)
        group = np.repeat(np.arange(len(matrices)), widths)
        return cls(y, group, starts, present, ordered), labels

    def subset(self, groups: np.ndarray, rows: np.ndarray | None = None) -> Panel:
        """The panel of some sessions (``groups``, ascending, renumbered 0..len(groups)-1) and rows."""
        cols = np.concatenate([np.arange(self.starts[g], self.end(g)) for g in groups])
        widths = np.array([self.end(g) - self.starts[g] for g in groups])
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        y, present = self.y[:, cols], self.present[:, groups]
        if rows is not None:
            y, present = y[rows], present[rows]
        return Panel(y, np.repeat(np.arange(len(groups)), widths), starts, present, self.ordered)

    def end(self, g: int) -> int:
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
