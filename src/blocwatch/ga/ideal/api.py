"""The entry points: :func:`estimate` (votes frame or database -> :class:`IdealPoints`) and the DataFrame
functions :func:`ideal_points` and :func:`dynamic_ideal_points` that read the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from blocwatch.errors import InvalidInput
from blocwatch.ga.ideal.core import DEFAULT_OMEGA, Dynamics, Method, Model, Priors, check_dynamics, check_method
from blocwatch.ga.ideal.dynamic import estimate_dynamic
from blocwatch.ga.ideal.results import IdealPoints
from blocwatch.ga.ideal.static import estimate_static


def estimate(data, sessions: Iterable[int] | int | None = None, *, model: Model = "ordered",
             dynamics: Dynamics = "static", method: Method = "mode", priors: Priors = Priors(),
             tol: float | None = None, omega: float | None = None, max_iter: int = 3000,
             progress: Callable[[int], None] | None = None, workers: int | None = None,
             data_version: str | None = None, forum: str = "ga") -> IdealPoints:
    """Ideal points of ``sessions`` (default: all) from a votes frame or the store, as :class:`IdealPoints`.

    ``data``: a votes frame (``session, rcid, iso3, vote``, as
    :func:`blocwatch.ga.votes.votes_frame` returns) or an SQLAlchemy engine
    (the votes are read from the store). ``model``: the response model,
    ``"ordered"`` (no < abstain < yes) or ``"binary"`` (yes/no).
    ``dynamics``: ``"static"`` fits each selected session on its own;
    ``"dynamic"`` fits the random-walk model over every session (the walk
    links them; from the store: every stored session, seats followed
    through their successors) and reports the selected ones - their rows
    are those of the full dynamic fit. ``method``: ``"mode"`` (posterior
    mode) or ``"vb"`` (variational, binary static model only). ``tol``:
    default ``1e-6`` for the mode, ``1e-3`` for VB. ``omega``: the
    random-walk sd per session (dynamic only; default 0.1). ``workers``:
    processes for the static fit (see :func:`~blocwatch.ga.ideal.static.estimate_static`).
    ``data_version``: a string naming the data, kept in the results.
    ``forum``: whose votes are read from the store: ``"ga"`` (sessions are GA
    sessions) or ``"hrc"`` (the Human Rights Council; sessions are years).

    The dynamic model is implemented for the ordered response model and the
    posterior mode; other combinations, and ``omega`` with the static model
    or ``workers`` with the dynamic one, raise :class:`~blocwatch.errors.InvalidInput`.
    """
    check_dynamics(dynamics)
    check_method(method, model)
    if dynamics == "static":
        if omega is not None:
            raise InvalidInput("omega is the dynamic model's random-walk sd: it does not apply to dynamics='static'")
        votes = data if isinstance(data, pd.DataFrame) else _votes(data, sessions, lineage=False, forum=forum)
        return estimate_static(votes, sessions, model=model, method=method, priors=priors, tol=tol,
                               max_iter=max_iter, progress=progress, workers=workers, data_version=data_version)
    if model != "ordered" or method != "mode":
        raise InvalidInput(f"the dynamic model is implemented for model='ordered', method='mode' only, "
                         f"not model={model!r}, method={method!r}")
    if workers is not None:
        raise InvalidInput("workers applies to the static model (the dynamic model is one linked problem)")
    votes = data if isinstance(data, pd.DataFrame) else _votes(data, None, lineage=True, forum=forum)
    return estimate_dynamic(votes, sessions, omega=DEFAULT_OMEGA if omega is None else omega, priors=priors,
                            tol=1e-6 if tol is None else tol, max_iter=max_iter, progress=progress,
                            data_version=data_version)


def _votes(engine, sessions, *, lineage: bool, forum: str = "ga") -> pd.DataFrame:
    from blocwatch.ga.votes import votes_frame

    return votes_frame(engine, sessions, lineage=lineage, forum=forum)


def ideal_points(engine, sessions: Iterable[int] | int | None = None, *, model: Model = "ordered",
                 progress: Callable[[int], None] | None = None, **kwargs) -> pd.DataFrame:
    """Static ideal points from the store as a DataFrame (``estimate(engine, sessions, ...).to_frame()``; see
    :func:`~blocwatch.ga.ideal.static.fit` for the columns and ``attrs``)."""
    return estimate(engine, sessions, model=model, dynamics="static", progress=progress, **kwargs).to_frame()


def dynamic_ideal_points(engine, sessions: Iterable[int] | int | None = None, **kwargs) -> pd.DataFrame:
    """Dynamic ideal points from the store as a DataFrame: the model fitted over every stored session, the
    rows of ``sessions`` (default: all) reported (``estimate(engine, sessions, dynamics="dynamic",
    ...).to_frame()``; see :func:`~blocwatch.ga.ideal.dynamic.fit_dynamic` for the ``attrs``)."""
    return estimate(engine, sessions, dynamics="dynamic", **kwargs).to_frame()
