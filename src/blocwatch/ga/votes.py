"""Read General Assembly roll calls and votes from the store as DataFrames.

These are the fast paths every GA analysis starts from: SQLAlchemy Core
queries into numpy/pandas (no ORM objects). Votes are read from the packed per-roll-call
vectors kept next to ``votes`` (:mod:`blocwatch.ga.vectors`), so reading
all 870,000 votes of 1946-2019 takes about 10 ms (:func:`vote_matrix`).

Vote coding (Voeten's, kept as stored): ``1`` yes, ``2`` abstain, ``3`` no,
``8`` present but not voting (UN Digital Library ``X``). A state absent from a
roll call (or not a member then) has no row.

Seats and lineage: each vote row belongs to the registry entity that held the
seat on the day of the vote (the USSR, code ``SUN``, until 24 December 1991,
the Russian Federation ``RUS`` after; the Republic of China ``ROC`` until
25 October 1971; see :mod:`blocwatch.ga.seats`). ``lineage=True`` relabels
the votes of a former seat holder with the code of the state that continued
its seat (``SUN`` -> ``RUS``, ``ROC`` -> ``CHN``, ``FRG`` -> ``DEU``,
``YAR`` -> ``YEM``, ``ZZB`` -> ``TZA``), for series that follow one seat
through time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Text, cast, select

from blocwatch.errors import InvalidInput
from blocwatch.ga.vectors import VoteMatrix, read_matrix, table

YES, ABSTAIN, NO, NOT_VOTING = 1, 2, 3, 8
VOTE_CODES: dict[int, str] = {YES: "yes", ABSTAIN: "abstain", NO: "no", NOT_VOTING: "not_voting"}
VOTE_FROM_TEXT: dict[str, int] = {v: k for k, v in VOTE_CODES.items()}

ISSUES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "co": "Colonialism",
    "hr": "Human rights",
    "ec": "Economic development",
}

ROLLCALL_COLUMNS = ["rcid", "session", "date", "symbol", "important", "amend", "para", "title", "issues"]
VOTE_COLUMNS = ["rcid", "session", "date", "iso3", "vote"]


def _sessions(sessions: Iterable[int] | int | None) -> list[int] | None:
    if sessions is None:
        return None
    if isinstance(sessions, (int, np.integer)):
        sessions = [int(sessions)]
    return sorted({int(s) for s in sessions})


def stored_sessions(engine: Engine, forum: str = "ga") -> list[int]:
    """The sessions (GA session numbers; Council years) with stored roll calls of ``forum``, in order."""
    r = table("roll_calls").c
    with engine.connect() as conn:
        return [int(s) for s in conn.execute(select(r.session).where(r.forum == forum).distinct()
                                             .order_by(r.session)).scalars()]


def _bool_column(values) -> pd.Series:
    return pd.Series(pd.array([None if v is None else bool(v) for v in values], dtype="boolean"))


def rollcalls_frame(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                    forum: str = "ga") -> pd.DataFrame:
    """The stored roll calls, one row each, sorted by ``rcid``.

    Columns: ``rcid`` (int64), ``session`` (int16), ``date`` (datetime64; the
    day of the vote as the source gives it), ``symbol`` (resolution symbol, e.g.
    ``R/74/1`` in unvotes, ``A/RES/74/1`` from the UN Digital Library),
    ``important`` (the US State Department's "important votes"; nullable
    boolean, missing where not recorded), ``amend`` and ``para`` (a vote on
    an amendment / a separate paragraph; nullable boolean), ``title`` (short
    title) and ``issues`` (tuple of issue codes, see :data:`ISSUES`).
    """
    import json

    r = table("roll_calls").c
    # Raw stored values (date and issues as text): the JSON and Date types would parse them row by row.
    stmt = select(r.rcid, r.session, cast(r.date, Text), r.symbol, r.important, r.amend, r.para, r.title,
                  cast(r.issues, Text)).where(r.forum == forum).order_by(r.rcid)
    wanted = _sessions(sessions)
    if wanted is not None:
        stmt = stmt.where(r.session.in_(wanted))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(ROLLCALL_COLUMNS)
    return pd.DataFrame({
        "rcid": np.asarray(cols[0], dtype=np.int64),
        "session": np.asarray(cols[1], dtype=np.int16),
        "date": pd.to_datetime(pd.Series(cols[2], dtype=object), format="%Y-%m-%d"),
        "symbol": pd.Series(cols[3], dtype=object),
        "important": _bool_column(cols[4]),
        "amend": _bool_column(cols[5]),
        "para": _bool_column(cols[6]),
        "title": pd.Series(cols[7], dtype=object),
        "issues": pd.Series([tuple(json.loads(v)) if isinstance(v, str) else tuple(v or ())
                             for v in cols[8]], dtype=object),
    }, columns=ROLLCALL_COLUMNS)


def lineage_map() -> dict[str, str]:
    """Former seat holder -> the state that continued its seat (see :func:`blocwatch.ga.seats.lineage_map`)."""
    from blocwatch.ga.seats import lineage_map as _lineage_map

    return _lineage_map()


@dataclass(frozen=True)
class VoteArrays:
    """Stored votes as flat numpy arrays (the fast path under :func:`votes_frame`).

    Roll calls (length C, sorted by rcid): ``call_rcid``, ``call_session``,
    ``call_date`` (datetime64[D]). Votes (length V, grouped by roll call in
    rcid order): ``call`` (index into the roll-call arrays), ``state`` (index
    into ``labels``, the sorted registry codes), ``vote`` (int8, Voeten code).
    """

    call_rcid: np.ndarray
    call_session: np.ndarray
    call_date: np.ndarray
    call: np.ndarray
    state: np.ndarray
    labels: list[str]
    vote: np.ndarray


def vote_matrix(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                lineage: bool = False, forum: str = "ga") -> VoteMatrix:
    """The stored votes (optionally of some sessions) as one roll calls x states int8 matrix.

    Returns a :class:`blocwatch.ga.vectors.VoteMatrix`: rows are the roll
    calls sorted by rcid, columns the states that voted in them (sorted
    codes; with ``lineage=True`` a former seat holder's column is merged
    into its successor's), cells the Voeten code (0 = no row). Read from the
    packed vectors kept next to ``votes`` (:mod:`blocwatch.ga.vectors`).
    """
    with engine.connect() as conn:
        m = read_matrix(conn, _sessions(sessions), forum)
    if not lineage or not m.labels:
        return m
    mapping = lineage_map()
    relabelled = [mapping.get(c, c) for c in m.labels]
    merged = sorted(set(relabelled))
    if len(merged) == len(m.labels):
        order = np.argsort(relabelled, kind="stable")
        return VoteMatrix(m.call_rcid, m.call_session, m.call_date, merged, m.matrix[:, order])
    matrix = np.zeros((len(m.call_rcid), len(merged)), dtype=np.int8)
    for j, label in enumerate(relabelled):
        target = merged.index(label)
        column = m.matrix[:, j]
        clash = (column != 0) & (matrix[:, target] != 0)
        if clash.any():
            raise InvalidInput(f"{m.labels[j]} and another holder of the {label} seat both voted on roll call "
                             f"{int(m.call_rcid[np.flatnonzero(clash)[0]])}")
        matrix[:, target] += column
    return VoteMatrix(m.call_rcid, m.call_session, m.call_date, merged, matrix)


def vote_arrays(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                lineage: bool = False, forum: str = "ga") -> VoteArrays:
    """The stored votes (optionally of some sessions) as :class:`VoteArrays`."""
    m = vote_matrix(engine, sessions, lineage=lineage, forum=forum)
    call, state = np.nonzero(m.matrix)
    vote = m.matrix[call, state]
    return VoteArrays(m.call_rcid, m.call_session, m.call_date, call.astype(np.int64), state.astype(np.int16),
                      m.labels, vote)


def votes_frame(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                lineage: bool = False, forum: str = "ga") -> pd.DataFrame:
    """Every stored vote (optionally of some sessions), one row per state and roll call.

    Columns: ``rcid`` (int64), ``session`` (int16), ``date`` (datetime64),
    ``iso3`` (categorical registry code of the entity that held the seat on
    that day), ``vote`` (int8: 1 yes, 2 abstain, 3 no, 8 present but not
    voting). Rows are sorted by ``rcid`` then ``iso3``. With ``lineage=True``
    former seat holders are relabelled with their seat successor (see
    :func:`lineage_map`); the seats never overlap in time, so ``(rcid,
    iso3)`` stays unique.
    """
    arrays = vote_arrays(engine, sessions, lineage=lineage, forum=forum)
    iso3 = pd.Categorical.from_codes(arrays.state, categories=pd.Index(arrays.labels)) if arrays.labels \
        else pd.Categorical([], categories=[])
    frame = pd.DataFrame({
        "rcid": arrays.call_rcid[arrays.call],
        "session": arrays.call_session[arrays.call],
        "date": arrays.call_date[arrays.call].astype("datetime64[us]"),
        "iso3": iso3,
        "vote": arrays.vote,
    }, columns=VOTE_COLUMNS)
    order = np.lexsort((arrays.state, frame["rcid"].to_numpy()))
    if len(order) and not (order[1:] > order[:-1]).all():
        frame = frame.take(order).reset_index(drop=True)
    return frame
