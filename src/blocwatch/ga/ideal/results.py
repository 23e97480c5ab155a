"""What a fit returns: :class:`IdealPoints`, a frozen results object (positions, diagnostics, roll calls, spec).

A fit (:func:`blocwatch.ga.ideal.estimate`) returns one :class:`IdealPoints`:

``positions``
    DataFrame ``iso3, session, ideal, se, n_votes``, one row per state and
    reported session, sorted by session then descending ideal point
    (United States positive; see :mod:`blocwatch.ga.ideal` for the scale).
``rollcalls``
    DataFrame ``session, rcid, intercept, discrimination, band, n_votes``:
    every reported roll call's parameters on the reporting scale of
    ``positions``. A state at ``ideal = x`` has the latent
    ``y* = intercept + discrimination * x + e``, ``e ~ N(0, 1)``. Ordered
    model: no if ``y* < 0``, abstain if ``0 <= y* < band``, yes if
    ``y* >= band``. Binary model: yes if ``y* >= 0`` (``band`` is NaN). So
    ``P(no) = Phi(-(intercept + discrimination x))`` and ``P(yes) =
    Phi(intercept + discrimination x - band)`` (binary: ``Phi(intercept +
    discrimination x)``). With ``method="vb"`` these are built from the
    variational means. ``n_votes``: the votes the model counted.
``diagnostics``
    one :class:`SessionDiagnostics` per reported session.
``spec``
    the :class:`ModelSpec`: response model, dynamics, method, priors,
    tolerance, ``omega``.
``data_version``
    a string given by the caller naming the data the fit used (None if not given).
``walk``
    the dynamic model's fit as a whole (:class:`WalkDiagnostics`), None for static fits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from blocwatch.ga.ideal.core import OUTPUT_COLUMNS, Dynamics, Method, Model, Priors

ROLLCALL_COLUMNS = ["session", "rcid", "intercept", "discrimination", "band", "n_votes"]


@dataclass(frozen=True)
class ModelSpec:
    """What was fitted: ``model`` (ordered | binary), ``dynamics`` (static | dynamic), ``method`` (mode | vb),
    the priors, the convergence tolerance and iteration cap, and the random walk's ``omega`` (dynamic only)."""

    model: Model
    dynamics: Dynamics
    method: Method
    priors: Priors
    tol: float
    max_iter: int
    omega: float | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["priors"] = asdict(self.priors)
        return out


@dataclass(frozen=True)
class SessionDiagnostics:
    """How one session's fit went.

    ``iterations``: EM iterations (of every start screened) plus Newton
    steps (mode), or VB sweeps; in the dynamic model the linked fit's
    iterations, the same for every session. ``log_posterior``: the static
    posterior mode's log posterior density (up to a constant; None for VB
    and the dynamic model, whose sessions are not separate problems - see
    :attr:`IdealPoints.walk`). ``elbo``: the evidence lower bound at the VB
    fit (None otherwise). ``starts_screened``: the starting values tried;
    ``start``: the one the fit continued from (``"static"`` in the dynamic
    model: every session's static mode).
    """

    session: int
    n_states: int
    n_rollcalls: int
    converged: bool
    iterations: int
    method: Method
    starts_screened: tuple[str, ...]
    start: str
    log_posterior: float | None = None
    elbo: float | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["starts_screened"] = list(self.starts_screened)
        return out


@dataclass(frozen=True)
class WalkDiagnostics:
    """The dynamic model's fit as one linked problem.

    ``sessions_fitted``: every session in the fit (the random walk links
    them all, whichever sessions are reported); ``iterations``: EM
    iterations plus Newton steps of the linked model; ``last_change``: the
    largest move of any standardised position in the last Newton step;
    ``log_posterior`` at the end; ``us_negative_sessions``: fitted sessions
    where the United States is below 0 (the sign is fixed once for the
    whole panel, so this would mean the one-dimensional ordering moved).
    """

    sessions_fitted: tuple[int, ...]
    iterations: int
    converged: bool
    last_change: float
    log_posterior: float | None
    us_negative_sessions: tuple[int, ...]

    def to_dict(self) -> dict:
        out = asdict(self)
        out["sessions_fitted"] = list(self.sessions_fitted)
        out["us_negative_sessions"] = list(self.us_negative_sessions)
        return out


@dataclass(frozen=True)
class IdealPoints:
    """Ideal points and everything needed to use and audit them (see the module docstring for the fields)."""

    positions: pd.DataFrame
    rollcalls: pd.DataFrame
    diagnostics: tuple[SessionDiagnostics, ...]
    spec: ModelSpec
    data_version: str | None = None
    walk: WalkDiagnostics | None = None

    @property
    def sessions(self) -> tuple[int, ...]:
        """The reported sessions, ascending."""
        return tuple(d.session for d in self.diagnostics)

    @property
    def converged(self) -> bool:
        """Whether every reported session (and the linked dynamic fit) converged."""
        return all(d.converged for d in self.diagnostics) and (self.walk is None or self.walk.converged)

    def diagnostic(self, session: int) -> SessionDiagnostics:
        """The diagnostics of one reported session (:class:`~blocwatch.errors.NotFound` if it is not reported)."""
        for d in self.diagnostics:
            if d.session == int(session):
                return d
        from blocwatch.errors import NotFound

        raise NotFound(f"session {session} is not in these results (sessions: {list(self.sessions)})")

    def to_frame(self) -> pd.DataFrame:
        """A copy of ``positions``, with the summary the fitting functions used to put in ``attrs``.

        Static: ``attrs["fits"] = {session: {"iterations", "converged",
        "n_rollcalls"}}``. Dynamic: ``attrs`` holds ``iterations``,
        ``converged``, ``last_change``, ``omega``, ``log_posterior``,
        ``us_negative_sessions`` (a list) and ``sessions_fitted``.
        """
        out = self.positions.copy()
        if self.walk is None:
            out.attrs["fits"] = {d.session: {"iterations": d.iterations, "converged": d.converged,
                                             "n_rollcalls": d.n_rollcalls} for d in self.diagnostics}
        else:
            w = self.walk
            out.attrs.update(iterations=w.iterations, converged=w.converged, last_change=w.last_change,
                             omega=self.spec.omega, log_posterior=w.log_posterior,
                             us_negative_sessions=list(w.us_negative_sessions),
                             sessions_fitted=list(w.sessions_fitted))
        return out

    def to_json(self) -> list[dict]:
        """What ``blocwatch ideal --json`` prints: the ``positions`` rows of :meth:`to_dict`."""
        return self.to_dict()["positions"]

    def to_dict(self) -> dict:
        """JSON-able data: ``positions`` as a list of ``{iso3, session, ideal, se, n_votes}`` rows (as the CLI
        prints them), ``rollcalls`` rows, ``diagnostics`` per session, ``spec``, ``data_version``, ``walk``.
        Non-finite numbers become None."""
        # Any: pandas-stubs types itertuples fields as a union of every scalar type.
        positions: Iterable[Any] = self.positions.itertuples(index=False)
        rollcalls: Iterable[Any] = self.rollcalls.itertuples(index=False)
        return {
            "spec": self.spec.to_dict(),
            "data_version": self.data_version,
            "positions": [{"iso3": str(r.iso3), "session": int(r.session), "ideal": _num(r.ideal), "se": _num(r.se),
                           "n_votes": int(r.n_votes)} for r in positions],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "rollcalls": [{"session": int(r.session), "rcid": int(r.rcid), "intercept": _num(r.intercept),
                           "discrimination": _num(r.discrimination), "band": _num(r.band),
                           "n_votes": int(r.n_votes)} for r in rollcalls],
            "walk": None if self.walk is None else self.walk.to_dict(),
        }


def _num(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def empty_positions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                         zip(OUTPUT_COLUMNS, ["object", "int16", "float64", "float64", "int32"], strict=True)})


def empty_rollcalls() -> pd.DataFrame:
    types = ["int16", "int64", "float64", "float64", "float64", "int32"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(ROLLCALL_COLUMNS, types, strict=True)})
