"""Packed vote vectors: a derived copy of ``ga_votes`` that reads in milliseconds.

``ga_votes`` (one row per state and roll call) is the source of truth. Next
to it the store keeps, per roll call, one BLOB (``ga_vote_vectors.votes``)
whose byte ``i`` is the vote of the state at position ``i`` of
``ga_vote_states`` (Voeten code 1 yes, 2 abstain, 3 no, 8 present not
voting; 0 = no row). Positions are append-only: a new state gets the next
one, so a vector written earlier may be shorter than the index (missing
bytes mean no vote). Reading all 870,000 votes of 1946-2019 is then ~6,200
short BLOBs instead of 870,000 tuples.

Every writer of ``ga_votes`` (:func:`blocwatch.ga.importers.write_tables`,
used by the importers and the bundled loader) calls :func:`refresh` for the
roll calls it touched, in the same transaction, so the two forms commit or
roll back together. A roll call that has no vector row (written by other
code) is read from ``ga_votes`` instead (:func:`read_matrix`), so readers
never see a stale vector for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

CHUNK = 500  # roll calls per "IN (...)" query


@dataclass(frozen=True)
class VoteMatrix:
    """Roll calls (rows, sorted by rcid) x states (columns): the stored votes as one int8 matrix.

    ``call_rcid``, ``call_session``, ``call_date`` (datetime64[D]) describe
    the rows; ``labels`` the columns (registry codes, in the order of
    ``matrix``'s columns); ``matrix[i, j]`` is the Voeten vote code of
    ``labels[j]`` on roll call ``call_rcid[i]`` (0 = no row).
    """

    call_rcid: np.ndarray
    call_session: np.ndarray
    call_date: np.ndarray
    labels: list[str]
    matrix: np.ndarray


def unpack(packed: list[tuple[int, str, str]]) -> tuple[np.ndarray, np.ndarray, pd.Categorical, np.ndarray]:
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


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _packed_votes(conn, rcids: list[int] | None) -> list[tuple[int, str, str]]:
    """``(rcid, "USACAN...", "13...")`` from ``ga_votes``, one row per roll call with votes (all or ``rcids``)."""
    # SQLite builds the strings in C (the table is clustered on rcid, iso3);
    # both aggregates see the rows in the same order.
    sql = "SELECT rcid, group_concat(iso3, ''), group_concat(vote, '') FROM ga_votes"
    if rcids is None:
        return list(conn.exec_driver_sql(sql + " GROUP BY rcid ORDER BY rcid").fetchall())
    out: list = []
    for part in _chunks(sorted(set(rcids))):
        out += conn.exec_driver_sql(f"{sql} WHERE rcid IN ({','.join('?' * len(part))}) GROUP BY rcid",
                                    tuple(part)).fetchall()
    return out


def _state_index(conn) -> list[str]:
    rows = conn.exec_driver_sql("SELECT idx, iso3 FROM ga_vote_states ORDER BY idx").fetchall()
    if [r[0] for r in rows] != list(range(len(rows))):
        raise ValueError("ga_vote_states positions are not 0, 1, 2, ... (the packed vote index is damaged)")
    return [r[1] for r in rows]


def refresh(conn: Connection, rcids: Iterable[int] | None = None) -> int:
    """Rewrite the packed vectors of these roll calls (all when ``None``) from ``ga_votes``.

    Call it inside the transaction that changed the votes. Roll calls not in
    ``ga_roll_calls`` are ignored. Returns the number of vectors written.
    """
    if rcids is None:
        calls = [r[0] for r in conn.exec_driver_sql("SELECT rcid FROM ga_roll_calls ORDER BY rcid")]
        packed = _packed_votes(conn, None)
    else:
        wanted = sorted({int(r) for r in rcids})
        calls = []
        for part in _chunks(wanted):
            calls += [r[0] for r in conn.exec_driver_sql(
                f"SELECT rcid FROM ga_roll_calls WHERE rcid IN ({','.join('?' * len(part))})", tuple(part))]
        calls.sort()
        packed = _packed_votes(conn, calls)
    if not calls:
        return 0
    ids, counts, codes, vote = unpack(packed)
    index = _state_index(conn)
    known = set(index)
    new = [c for c in codes.categories if c not in known]
    if new:
        conn.exec_driver_sql("INSERT INTO ga_vote_states (idx, iso3) VALUES (?, ?)",
                             [(len(index) + i, code) for i, code in enumerate(new)])
        index += new
    position = {code: i for i, code in enumerate(index)}
    column = np.asarray([position[c] for c in codes.categories], dtype=np.int64)[codes.codes] \
        if len(codes.categories) else np.empty(0, np.int64)
    call_rcid = np.asarray(calls, dtype=np.int64)
    matrix = np.zeros((len(calls), len(index)), dtype=np.int8)
    row = np.repeat(np.searchsorted(call_rcid, ids), counts)
    matrix[row, column] = vote
    conn.exec_driver_sql(
        "INSERT INTO ga_vote_vectors (rcid, votes) VALUES (?, ?) "
        "ON CONFLICT(rcid) DO UPDATE SET votes = excluded.votes",
        [(rcid, matrix[i].tobytes()) for i, rcid in enumerate(calls)])
    return len(calls)


def read_matrix(conn, where: str = "", params: list | tuple = ()) -> VoteMatrix:
    """The stored votes of the roll calls matching ``where`` (a ``WHERE`` clause on ``ga_roll_calls r``).

    Columns of the result are the states that cast at least one vote (or
    were present) in the selection, sorted by code.
    """
    rows = conn.exec_driver_sql(
        "SELECT r.rcid, r.session, r.date, v.votes FROM ga_roll_calls r "
        f"LEFT JOIN ga_vote_vectors v ON v.rcid = r.rcid{where} ORDER BY r.rcid", tuple(params)).fetchall()
    n = len(rows)
    call_rcid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    call_session = np.fromiter((r[1] for r in rows), dtype=np.int16, count=n)
    call_date = np.array([r[2] for r in rows], dtype="datetime64[D]") if n else np.empty(0, "datetime64[D]")
    index = _state_index(conn)
    blobs = [r[3] for r in rows]
    lengths = np.fromiter((-1 if b is None else len(b) for b in blobs), dtype=np.int64, count=n)
    if n and (lengths == len(index)).all():
        matrix = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(n, len(index))
    else:
        if (lengths > len(index)).any():
            raise ValueError("a packed vote vector is longer than ga_vote_states (the packed vote index is damaged)")
        matrix = np.zeros((n, len(index)), dtype=np.int8)
        for length in np.unique(lengths[lengths > 0]).tolist():
            rows_of = np.flatnonzero(lengths == length)
            matrix[rows_of, :length] = np.frombuffer(b"".join(blobs[i] for i in rows_of.tolist()),
                                                     dtype=np.int8).reshape(-1, length)
        missing = np.flatnonzero(lengths < 0)
        if len(missing):
            # Roll calls whose votes were written without their vector: read them from ga_votes.
            ids, counts, codes, vote = unpack(_packed_votes(conn, call_rcid[missing].tolist()))
            extra = [c for c in codes.categories if c not in set(index)]
            index = index + extra
            matrix = np.hstack([matrix, np.zeros((n, len(extra)), dtype=np.int8)]) if extra else matrix
            position = {code: i for i, code in enumerate(index)}
            column = np.asarray([position[c] for c in codes.categories], dtype=np.int64)[codes.codes] \
                if len(codes.categories) else np.empty(0, np.int64)
            matrix[np.repeat(np.searchsorted(call_rcid, ids), counts), column] = vote
    used = np.flatnonzero(matrix.any(axis=0)) if n else np.empty(0, np.int64)
    order = sorted(used.tolist(), key=index.__getitem__)
    if order != list(range(len(index))):
        matrix = matrix[:, order]
    return VoteMatrix(call_rcid, call_session, call_date, [index[i] for i in order], matrix)
