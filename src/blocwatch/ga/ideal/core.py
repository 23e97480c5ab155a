"""The lowest layer of :mod:`blocwatch.ga.ideal`: names, constants, priors and one session's vote matrix.

Every other module of the package imports from here; this module imports
none of them. Words: ``model`` is the response model (``"ordered"``: no <
abstain < yes; ``"binary"``: yes/no), ``dynamics`` whether sessions are
fitted apart (``"static"``) or linked by a random walk (``"dynamic"``),
``method`` the estimator (``"mode"``: posterior mode; ``"vb"``: variational
Bayes). A *session* is a General Assembly session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from blocwatch.errors import InvalidInput
from blocwatch.ga.votes import ABSTAIN, NO, NOT_VOTING, YES

Model = Literal["ordered", "binary"]
Dynamics = Literal["static", "dynamic"]
Method = Literal["mode", "vb"]

# Internal categories: 0 no, 1 abstain, 2 yes, -1 missing.
MISSING = -1
MODELS: tuple[Model, ...] = ("ordered", "binary")
DYNAMICS: tuple[Dynamics, ...] = ("static", "dynamic")
METHODS: tuple[Method, ...] = ("mode", "vb")
MODE_TOL = 1e-6                   # posterior mode: Newton stops when no position moves 1e-6 sd
VB_TOL = 1e-3                     # VB: standardised positions move < 1e-3 over a SQUAREM cycle
DEFAULT_OMEGA = 0.1               # dynamic model: random-walk sd per session
SIGN_ANCHORS = ("USA", "GBR", "FRA", "CAN", "AUS", "ISR")
OUTPUT_COLUMNS = ["iso3", "session", "ideal", "se", "n_votes"]

TMAX = 35.0                       # truncation points are clipped to 35 sd (Phi(-35) = 1e-268, no underflow)
INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)
STEP_MAX = 64.0                   # largest SQUAREM step length


@dataclass(frozen=True)
class Priors:
    """Prior parameters: ``x ~ N(0, x_sd^2)``, ``a, b ~ N(0, item_sd^2)``, ``d ~ Gamma(prec_shape, prec_rate)``."""

    x_sd: float = 1.0
    item_sd: float = 5.0
    prec_shape: float = 2.0
    prec_rate: float = 1.0


@dataclass
class SessionMatrix:
    """One session's votes: ``y[i, j]`` is state ``states[i]``'s choice on ``rcids[j]``.

    ``y`` is int8 with 0 no, 1 abstain, 2 yes, -1 missing (absent, not voting,
    or an abstention under the binary coding).
    """

    session: int
    states: np.ndarray
    rcids: np.ndarray
    y: np.ndarray

    @property
    def n_votes(self) -> np.ndarray:
        return (self.y >= 0).sum(axis=1)



def session_matrices(votes: pd.DataFrame, model: str = "ordered",
                  sessions: Iterable[int] | int | None = None) -> list[SessionMatrix]:
    """Split a votes frame (``session, rcid, iso3, vote`` in Voeten's coding) into per-session matrices.

    Returns one :class:`SessionMatrix` per session (ascending), with states that
    cast at least one vote counted by ``model`` (yes/abstain/no for
    ``"ordered"``, yes/no for ``"binary"``) and every roll call of the session.
    """
    check_model(model)
    frame = votes
    if sessions is not None:
        wanted = [int(sessions)] if isinstance(sessions, (int, np.integer)) else [int(s) for s in sessions]
        frame = frame[frame["session"].isin(wanted)]
    vote = frame["vote"].to_numpy()
    cat = np.full(len(frame), MISSING, dtype=np.int8)
    cat[vote == YES] = 2
    cat[vote == NO] = 0
    if model == "ordered":
        cat[vote == ABSTAIN] = 1
    bad = ~np.isin(vote, (YES, ABSTAIN, NO, NOT_VOTING))
    if bad.any():
        raise ValueError(f"unknown vote code {int(vote[bad][0])}: expected 1 yes, 2 abstain, 3 no, 8 not voting")
    session = frame["session"].to_numpy()
    rcid = frame["rcid"].to_numpy()
    codes, uniques = pd.factorize(frame["iso3"].astype(str), sort=True)   # integer codes: fast per-session unique
    names = np.asarray(uniques, dtype=object)

    out = []
    order = np.argsort(session, kind="stable")
    bounds = np.flatnonzero(np.diff(session[order])) + 1
    for idx in np.split(order, bounds) if len(order) else []:
        state_codes, si = np.unique(codes[idx], return_inverse=True)
        states = names[state_codes]
        rcids, ri = np.unique(rcid[idx], return_inverse=True)
        y = np.full((len(states), len(rcids)), MISSING, dtype=np.int8)
        y[si, ri] = cat[idx]
        voted = (y >= 0).any(axis=1)
        if not voted.any():
            continue
        out.append(SessionMatrix(int(session[idx[0]]), states[voted], rcids, y[voted]))
    return out


def pscl_filter(matrix: SessionMatrix, minority: float = 0.025, min_votes: int = 20) -> SessionMatrix:
    """The benchmark's ``pscl::ideal`` matrix: drop lopsided roll calls, then thin states.

    Applies to a binary matrix: roll calls whose minority side (yes or no)
    is under ``minority`` of the yes+no votes cast are dropped, then states
    with fewer than ``min_votes`` remaining yes/no votes. Used only for the
    comparison with pscl; the model itself keeps every roll call.
    """
    y = matrix.y
    yes = (y == 2).sum(axis=0)
    no = (y == 0).sum(axis=0)
    total = yes + no
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.minimum(yes, no) / total
    cols = (total > 0) & (share >= minority)
    y = y[:, cols]
    rows = ((y == 0) | (y == 2)).sum(axis=1) >= min_votes
    return SessionMatrix(matrix.session, matrix.states[rows], matrix.rcids[cols], y[rows])



def check_method(method: str, model: str) -> None:
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
    if method == "vb" and model != "binary":
        raise InvalidInput(f"method 'vb' is implemented for the binary model only, not {model!r}")


def check_model(model: str) -> None:
    if model not in MODELS:
        raise InvalidInput(f"unknown model {model!r}: expected one of {', '.join(MODELS)}")



def check_dynamics(dynamics: str) -> None:
    if dynamics not in DYNAMICS:
        raise InvalidInput(f"unknown dynamics {dynamics!r}: expected one of {', '.join(DYNAMICS)}")


def sign_anchor(states: Iterable[str]) -> str | None:
    """The first of :data:`SIGN_ANCHORS` among ``states`` (None if none is)."""
    present = set(states)
    return next((s for s in SIGN_ANCHORS if s in present), None)

