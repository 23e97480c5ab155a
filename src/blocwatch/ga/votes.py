"""Read General Assembly roll calls and votes from the store as DataFrames.

These are the fast paths every GA analysis starts from: plain SQL through the
DBAPI connection into numpy/pandas (no ORM objects), so reading all 870,000
votes of 1946-2019 takes a fraction of a second.

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
from sqlalchemy import Engine

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

ROLLCALL_COLUMNS = ["rcid", "session", "date", "unres", "important", "amend", "para", "short", "issues"]
VOTE_COLUMNS = ["rcid", "session", "date", "iso3", "vote"]


def _sessions_clause(sessions: Iterable[int] | int | None, column: str) -> tuple[str, list[int]]:
    if sessions is None:
        return "", []
    if isinstance(sessions, (int, np.integer)):
        sessions = [int(sessions)]
    values = sorted({int(s) for s in sessions})
    if not values:
        return " WHERE 0", []
    return f" WHERE {column} IN ({','.join('?' * len(values))})", values


def _fetch(engine: Engine, sql: str, params: list) -> list[tuple]:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        cur.close()
        return rows
    finally:
        raw.close()


def _bool_column(values) -> pd.Series:
    return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")


def rollcalls_frame(engine: Engine, sessions: Iterable[int] | int | None = None) -> pd.DataFrame:
    """The stored roll calls, one row each, sorted by ``rcid``.

    Columns: ``rcid`` (int64), ``session`` (int16), ``date`` (datetime64; the
    day of the vote as the source gives it), ``unres`` (resolution symbol, e.g.
    ``R/74/1`` in unvotes, ``A/RES/74/1`` from the UN Digital Library),
    ``important`` (the US State Department's "important votes"; nullable
    boolean, missing where not recorded), ``amend`` and ``para`` (a vote on
    an amendment / a separate paragraph; nullable boolean), ``short`` (short
    title) and ``issues`` (tuple of issue codes, see :data:`ISSUES`).
    """
    import json

    where, params = _sessions_clause(sessions, "session")
    rows = _fetch(engine, "SELECT rcid, session, date, unres, important, amend, para, short, issues "
                          f"FROM ga_roll_calls{where} ORDER BY rcid", params)
    cols = list(zip(*rows)) if rows else [()] * len(ROLLCALL_COLUMNS)
    return pd.DataFrame({
        "rcid": np.asarray(cols[0], dtype=np.int64),
        "session": np.asarray(cols[1], dtype=np.int16),
        "date": pd.to_datetime(pd.Series(cols[2], dtype=object), format="%Y-%m-%d"),
        "unres": pd.Series(cols[3], dtype=object),
        "important": _bool_column(cols[4]),
        "amend": _bool_column(cols[5]),
        "para": _bool_column(cols[6]),
        "short": pd.Series(cols[7], dtype=object),
        "issues": pd.Series([tuple(json.loads(v)) if isinstance(v, str) else tuple(v or ())
                             for v in cols[8]], dtype=object),
    }, columns=ROLLCALL_COLUMNS)


def _unpack(packed: list[tuple[int, str, str]]) -> tuple[np.ndarray, np.ndarray, pd.Categorical, np.ndarray]:
    """Unpack ``(rcid, "USACAN...", "13...")`` rows: (rcids, votes per rcid, iso3 per vote, vote)."""
    if not packed:
        return np.empty(0, np.int64), np.empty(0, np.int64), pd.Categorical([]), np.empty(0, np.int8)
    ids = np.fromiter((r[0] for r in packed), dtype=np.int64, count=len(packed))
    counts = np.fromiter((len(r[2]) for r in packed), dtype=np.int64, count=len(packed))
    codes_text = "".join(r[1] for r in packed).encode("ascii")
    votes_text = "".join(r[2] for r in packed).encode("ascii")
    if len(codes_text) != 3 * len(votes_text) or any(len(r[1]) != 3 * len(r[2]) for r in packed):
        raise ValueError("ga_votes holds a code that is not 3 letters or a vote that is not one digit")
    vote = (np.frombuffer(votes_text, dtype=np.uint8) - 48).astype(np.int8)
    letters = np.frombuffer(codes_text, dtype=np.uint8).reshape(-1, 3)
    if ((letters < 65) | (letters > 90)).any():
        raise ValueError("ga_votes holds a code that is not three capital letters")
    # Codes are three capital letters: number them base 26 and map through a small table.
    key = (letters[:, 0].astype(np.int32) - 65) * 676 + (letters[:, 1].astype(np.int32) - 65) * 26 \
        + (letters[:, 2].astype(np.int32) - 65)
    used = np.flatnonzero(np.bincount(key, minlength=26 ** 3))
    table = np.zeros(26 ** 3, dtype=np.int16)
    table[used] = np.arange(len(used), dtype=np.int16)
    labels = ["".join(chr(65 + k // 676) + chr(65 + k // 26 % 26) + chr(65 + k % 26)) for k in used.tolist()]
    codes = pd.Categorical.from_codes(table[key], categories=labels)
    return ids, counts, codes, vote


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


def vote_arrays(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                lineage: bool = False) -> VoteArrays:
    """The stored votes (optionally of some sessions) as :class:`VoteArrays`."""
    where, params = _sessions_clause(sessions, "session")
    # One row per roll call with its codes and votes packed as "USACAN...",
    # "13...": SQLite builds the strings in C (the table is clustered on
    # rcid, iso3), numpy unpacks them (no Python object per vote).
    sql = "SELECT rcid, group_concat(iso3, ''), group_concat(vote, '') FROM ga_votes"
    if where:
        sql += f" WHERE rcid IN (SELECT rcid FROM ga_roll_calls{where})"
    sql += " GROUP BY rcid ORDER BY rcid"
    packed = _fetch(engine, sql, params)
    calls = _fetch(engine, f"SELECT rcid, session, date FROM ga_roll_calls{where} ORDER BY rcid", params)
    call_rcid = np.fromiter((c[0] for c in calls), dtype=np.int64, count=len(calls))
    call_session = np.fromiter((c[1] for c in calls), dtype=np.int16, count=len(calls))
    call_date = np.array([c[2] for c in calls], dtype="datetime64[D]") if calls else np.empty(0, "datetime64[D]")
    ids, counts, codes, vote = _unpack(packed)
    labels = list(codes.categories)
    state = codes.codes.astype(np.int16)
    if lineage and len(labels):
        mapping = lineage_map()
        relabelled = [mapping.get(c, c) for c in labels]
        merged = sorted(set(relabelled))
        remap = np.asarray([merged.index(label) for label in relabelled], dtype=np.int16)
        state, labels = remap[state], merged
    call = np.repeat(np.searchsorted(call_rcid, ids), counts)
    return VoteArrays(call_rcid, call_session, call_date, call, state, labels, vote)


def votes_frame(engine: Engine, sessions: Iterable[int] | int | None = None, *,
                lineage: bool = False) -> pd.DataFrame:
    """Every stored vote (optionally of some sessions), one row per state and roll call.

    Columns: ``rcid`` (int64), ``session`` (int16), ``date`` (datetime64),
    ``iso3`` (categorical registry code of the entity that held the seat on
    that day), ``vote`` (int8: 1 yes, 2 abstain, 3 no, 8 present but not
    voting). Rows are sorted by ``rcid`` then ``iso3``. With ``lineage=True``
    former seat holders are relabelled with their seat successor (see
    :func:`lineage_map`); the seats never overlap in time, so ``(rcid,
    iso3)`` stays unique.
    """
    arrays = vote_arrays(engine, sessions, lineage=lineage)
    iso3 = pd.Categorical.from_codes(arrays.state, categories=arrays.labels) if arrays.labels \
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
