"""Writing many rows at once on PostgreSQL: COPY, and foreign keys checked once instead of once per row.

SQLite writes a million short rows through ``executemany`` in a few seconds;
PostgreSQL does not: a round trip and a foreign-key trigger per row make the
first fill of the bundled votes take a minute. Two tools, both no-ops on
SQLite (the callers keep one code path):

* :func:`copy_insert`: an ``INSERT`` statement (``ON CONFLICT`` clause and all)
  fed from a temporary table filled with ``COPY``, in the caller's transaction.
* :func:`foreign_keys_checked_once`: inside it the named tables' foreign keys
  are dropped, and added back on the way out, which checks every row in one
  pass (the way PostgreSQL's manual recommends for bulk loading). All of it
  is in the caller's transaction: a violation fails the whole transaction
  and nothing is written; other sessions never see the tables without
  their keys (they wait for the transaction to end instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select, text

# Below this many rows per-row foreign-key checks cost less than dropping and re-adding the keys.
BULK_ROWS = 20_000
_STAGING = "_blocwatch_rows"


def copy_rows(conn: Connection, table_name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              quoted: bool = True) -> None:
    """``COPY table (columns) FROM STDIN`` with ``rows`` (PostgreSQL, psycopg 3), in the caller's transaction."""
    quote = conn.dialect.identifier_preparer.quote
    name = quote(table_name) if quoted else table_name
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {name} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def copy_insert(conn: Connection, statement: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: run ``statement`` (an ``INSERT`` into one table) for ``rows``, which are COPYed into a
    temporary table first; ``columns`` names the value of each position of a row.

    The rows must not repeat a key of an ``ON CONFLICT DO UPDATE`` clause
    (PostgreSQL refuses to update one row twice in a statement).
    """
    target = statement.table
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGING}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {_STAGING} ON COMMIT DROP AS "
                         f"SELECT {names} FROM {quote(target.name)} WITH NO DATA")
    copy_rows(conn, _STAGING, columns, rows, quoted=False)
    from sqlalchemy import column, table

    staging = table(_STAGING, *[column(c) for c in columns])
    conn.execute(statement.from_select(list(columns), select(*[staging.c[c] for c in columns])))
    conn.exec_driver_sql(f"DROP TABLE {_STAGING}")


def _foreign_keys(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, constraint name, definition) of every foreign key of ``tables`` (PostgreSQL)."""
    rows = conn.execute(text(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
        "ORDER BY 1, 2"), {"tables": list(tables)}).all()
    return [(r[0], r[1], r[2]) for r in rows]


@contextmanager
def foreign_keys_checked_once(conn: Connection, tables: Sequence[str], rows: int | None = None) -> Iterator[None]:
    """PostgreSQL: the foreign keys of ``tables`` are checked once, on the way out, for every row.

    ``rows``: how many rows the caller is about to write; below
    :data:`BULK_ROWS` nothing is done (per-row checks are cheaper). Nothing
    happens on SQLite either. Must be used inside a transaction.
    """
    if conn.dialect.name != "postgresql" or (rows is not None and rows < BULK_ROWS):
        yield
        return
    keys = _foreign_keys(conn, tables)
    quote = conn.dialect.identifier_preparer.quote
    for table_name, name, _definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table_name} DROP CONSTRAINT {quote(name)}")
    yield
    by_table: dict[str, list[str]] = {}
    for table_name, name, definition in keys:
        by_table.setdefault(table_name, []).append(f"ADD CONSTRAINT {quote(name)} {definition}")
    for table_name, clauses in by_table.items():
        conn.exec_driver_sql(f"ALTER TABLE {table_name} {', '.join(clauses)}")
