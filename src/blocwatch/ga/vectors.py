"""Packed vote vectors: a derived copy of ``votes`` that reads in milliseconds.

``votes`` (one row per state and roll call) is the source of truth. Next
to it the store keeps, per roll call, one BLOB (``vote_vectors.votes``)
whose byte ``i`` is the vote of the state at position ``i`` of
``vote_states`` (Voeten code 1 yes, 2 abstain, 3 no, 8 present not
voting; 0 = no row). Positions are append-only: a new state gets the next
one, so a vector written earlier may be shorter than the index (missing
bytes mean no vote). Reading all 870,000 votes of 1946-2019 is then ~6,200
short BLOBs instead of 870,000 tuples.

Every writer of ``votes`` (:func:`blocwatch.ga.importers.write_tables`,
used by the importers and the bundled loader) calls :func:`refresh` for the
roll calls it touched, in the same transaction, so the two forms commit or
roll back together. A roll call that has no vector row (written by other
code) is read from ``votes`` instead (:func:`read_matrix`), so readers
never see a stale vector for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, Text, cast, insert, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

CHUNK = 500  # roll calls per "IN (...)" query


def table(name: str) -> Table:
    """A table of the store's schema (:mod:`blocwatch.store.models`), for SQLAlchemy Core statements."""
    from blocwatch.store.models import Base

    return Base.metadata.tables[name]


def upsert(conn: Connection, target: Table, keys: list[str], columns: Iterable[str],
           where: Callable | None = None):
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET column = excluded.column`` for SQLite and PostgreSQL.

    ``where(target, excluded)``: an optional condition for the update.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    inserts = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if conn.dialect.name not in inserts:
        raise NotImplementedError(f"upsert is not written for {conn.dialect.name}")
    stmt: Any = inserts[conn.dialect.name](target)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns},
                                      where=where(target, stmt.excluded) if where else None)


def executemany(conn: Connection, statement, columns: list[str], rows: list[tuple]) -> None:
    """Run a Core ``statement`` once per row of plain ints and strings, with the driver's ``executemany``.

    The SQL is compiled by SQLAlchemy for the connection's dialect (placeholders
    included); only the per-row parameter processing of ``conn.execute`` is
    skipped, which for 870,000 votes costs more than the insert itself. Use it
    only for columns whose types need no conversion (integers, text).

    On PostgreSQL the rows are COPYed and the statement (``ON CONFLICT``
    kept) reads them in one go (:func:`blocwatch.store.bulk.copy_insert`):
    one round trip instead of one per row. The rows must then not repeat a
    key (PostgreSQL refuses to update one row twice in a statement).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from blocwatch.store.bulk import copy_insert

        copy_insert(conn, statement, columns, rows)
        return
    compiled = statement.compile(dialect=conn.dialect, column_keys=columns)
    params: list[tuple] | list[dict[str, Any]]
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup or ()]
        params = rows if order == list(range(len(columns))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(columns, r, strict=True)) for r in rows]
    if params:
        conn.exec_driver_sql(compiled.string, params)


class concat_agg(FunctionElement):  # noqa: N801 (SQL function style)
    """``concat_agg(value, order)``: the group's values as text, concatenated with no separator, by ``order``.

    SQLite: ``group_concat(value, '')``, which concatenates in the order the
    rows are read (votes is clustered on rcid, iso3); PostgreSQL:
    ``string_agg(CAST(value AS TEXT), '' ORDER BY order)``.
    """

    type = Text()
    name = "concat_agg"
    inherit_cache = True


@compiles(concat_agg)
def _concat_agg_default(element, compiler, **kw):
    value, _order = list(element.clauses)
    return f"group_concat({compiler.process(value, **kw)}, '')"


@compiles(concat_agg, "postgresql")
def _concat_agg_postgresql(element, compiler, **kw):
    value, order = list(element.clauses)
    return f"string_agg({compiler.process(cast(value, Text), **kw)}, '' ORDER BY {compiler.process(order, **kw)})"


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


def unpack(packed: list[tuple[int, str, str]]) -> tuple[np.ndarray, np.ndarray, pd.Categorical[Any], np.ndarray]:
    """Unpack ``(rcid, "USACAN...", "13...")`` rows: (rcids, votes per rcid, iso3 per vote, vote)."""
    if not packed:
        return np.empty(0, np.int64), np.empty(0, np.int64), pd.Categorical([]), np.empty(0, np.int8)
    ids = np.fromiter((r[0] for r in packed), dtype=np.int64, count=len(packed))
    counts = np.fromiter((len(r[2]) for r in packed), dtype=np.int64, count=len(packed))
    codes_text = "".join(r[1] for r in packed).encode("ascii")
    votes_text = "".join(r[2] for r in packed).encode("ascii")
    if len(codes_text) != 3 * len(votes_text) or any(len(r[1]) != 3 * len(r[2]) for r in packed):
        raise ValueError("votes holds a code that is not 3 letters or a vote that is not one digit")
    vote = (np.frombuffer(votes_text, dtype=np.uint8) - 48).astype(np.int8)
    letters = np.frombuffer(codes_text, dtype=np.uint8).reshape(-1, 3)
    if ((letters < 65) | (letters > 90)).any():
        raise ValueError("votes holds a code that is not three capital letters")
    # Codes are three capital letters: number them base 26 and map through a small table.
    key = (letters[:, 0].astype(np.int32) - 65) * 676 + (letters[:, 1].astype(np.int32) - 65) * 26 \
        + (letters[:, 2].astype(np.int32) - 65)
    used = np.flatnonzero(np.bincount(key, minlength=26 ** 3))
    table = np.zeros(26 ** 3, dtype=np.int16)
    table[used] = np.arange(len(used), dtype=np.int16)
    labels = ["".join(chr(65 + k // 676) + chr(65 + k // 26 % 26) + chr(65 + k % 26)) for k in used.tolist()]
    codes = pd.Categorical.from_codes(table[key], categories=pd.Index(labels))
    return ids, counts, codes, vote


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _packed_votes(conn, rcids: list[int] | None) -> list[tuple[int, str, str]]:
    """``(rcid, "USACAN...", "13...")`` from ``votes``, one row per roll call with votes (all or ``rcids``)."""
    # The database builds the strings (in C in SQLite); both aggregates see the rows in the same order.
    v = table("votes").c
    stmt = select(v.rcid, concat_agg(v.iso3, v.iso3), concat_agg(v.vote, v.iso3)).group_by(v.rcid)
    if rcids is None:
        return [tuple(r) for r in conn.execute(stmt.order_by(v.rcid))]
    out: list = []
    for part in _chunks(sorted(set(rcids))):
        out += [tuple(r) for r in conn.execute(stmt.where(v.rcid.in_(part)))]
    return out


def stored_votes(conn, rcids: Iterable[int]) -> pd.DataFrame:
    """The rows of ``votes`` for these roll calls: ``rcid`` (int64), ``iso3`` (categorical), ``vote`` (int8)."""
    ids, counts, codes, vote = unpack(_packed_votes(conn, list(rcids)))
    return pd.DataFrame({"rcid": np.repeat(ids, counts), "iso3": codes, "vote": vote})


def _state_index(conn) -> list[str]:
    s = table("vote_states").c
    rows = conn.execute(select(s.idx, s.iso3).order_by(s.idx)).all()
    if [r[0] for r in rows] != list(range(len(rows))):
        raise ValueError("vote_states positions are not 0, 1, 2, ... (the packed vote index is damaged)")
    return [r[1] for r in rows]


def refresh(conn: Connection, rcids: Iterable[int] | None = None) -> int:
    """Rewrite the packed vectors of these roll calls (all when ``None``) from ``votes``.

    Call it inside the transaction that changed the votes. Roll calls not in
    ``roll_calls`` are ignored. Returns the number of vectors written.
    """
    rc = table("roll_calls").c
    if rcids is None:
        calls = list(conn.execute(select(rc.rcid).order_by(rc.rcid)).scalars())
        packed = _packed_votes(conn, None)
    else:
        wanted = sorted({int(r) for r in rcids})
        calls = []
        for part in _chunks(wanted):
            calls += conn.execute(select(rc.rcid).where(rc.rcid.in_(part))).scalars().all()
        calls.sort()
        packed = _packed_votes(conn, calls)
    if not calls:
        return 0
    ids, counts, codes, vote = unpack(packed)
    index = _state_index(conn)
    known = set(index)
    new = [c for c in codes.categories if c not in known]
    if new:
        conn.execute(insert(table("vote_states")),
                     [{"idx": len(index) + i, "iso3": code} for i, code in enumerate(new)])
        index += new
    position = {code: i for i, code in enumerate(index)}
    column = np.asarray([position[c] for c in codes.categories], dtype=np.int64)[codes.codes] \
        if len(codes.categories) else np.empty(0, np.int64)
    call_rcid = np.asarray(calls, dtype=np.int64)
    matrix = np.zeros((len(calls), len(index)), dtype=np.int8)
    row = np.repeat(np.searchsorted(call_rcid, ids), counts)
    matrix[row, column] = vote
    conn.execute(upsert(conn, table("vote_vectors"), ["rcid"], ["votes"]),
                 [{"rcid": rcid, "votes": matrix[i].tobytes()} for i, rcid in enumerate(calls)])
    return len(calls)


def read_matrix(conn, sessions: Iterable[int] | None = None, forum: str = "ga") -> VoteMatrix:
    """The stored votes of all roll calls of ``forum`` (``ga`` or ``hrc``), or of those of ``sessions``.

    Columns of the result are the states that cast at least one vote (or
    were present) in the selection, sorted by code.
    """
    r, v = table("roll_calls"), table("vote_vectors")
    stmt = select(r.c.rcid, r.c.session, cast(r.c.date, Text), v.c.votes) \
        .select_from(r.outerjoin(v, v.c.rcid == r.c.rcid)).where(r.c.forum == forum).order_by(r.c.rcid)
    if sessions is not None:
        stmt = stmt.where(r.c.session.in_(sorted({int(s) for s in sessions})))
    rows = conn.execute(stmt).all()
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
            raise ValueError("a packed vote vector is longer than vote_states (the packed vote index is damaged)")
        matrix = np.zeros((n, len(index)), dtype=np.int8)
        for length in np.unique(lengths[lengths > 0]).tolist():
            rows_of = np.flatnonzero(lengths == length)
            matrix[rows_of, :length] = np.frombuffer(b"".join(blobs[i] for i in rows_of.tolist()),
                                                     dtype=np.int8).reshape(-1, length)
        missing = np.flatnonzero(lengths < 0)
        if len(missing):
            # Roll calls whose votes were written without their vector: read them from votes.
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
