"""Compare whole databases in tests: ``snapshot(engine)`` before and after, then ``==``.

Import tests use it to show that a failed import leaves the database exactly
as it was::

    before = snapshot(engine)
    with pytest.raises(SomeImportError):
        import_something(engine, bad_file)
    assert snapshot(engine) == before

A full snapshot of the filled default database (870,000 GA votes) takes a
second or two; pass ``tables=`` or ``exclude=`` when a test touches only a
few tables, or use :func:`row_counts` for a cheap check.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import JSON, Engine, MetaData, func, select


def snapshot(engine: Engine, tables: Iterable[str] | None = None,
             exclude: Iterable[str] = ()) -> dict[str, list[tuple]]:
    """Every row of every table (or of ``tables``): ``{table: sorted list of row tuples}``.

    Tables are found by reflection, so the snapshot sees the schema as it is
    on disk (``alembic_version`` included). Cells are the raw values the
    driver returns (dates and JSON as stored). Rows are sorted by all their
    columns in the database's own order (NULLs first), so two snapshots are
    equal exactly when every table holds the same rows.
    """
    meta = MetaData()
    meta.reflect(bind=engine)
    wanted = set(meta.tables) if tables is None else set(tables)
    wanted -= set(exclude)
    missing = wanted - set(meta.tables)
    if missing:
        raise KeyError(f"no such tables: {sorted(missing)}")
    quote = engine.dialect.identifier_preparer.quote
    result: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            for name in sorted(wanted):
                # PostgreSQL cannot order by a json column: by its text instead
                order = ", ".join(f"CAST({quote(c.name)} AS TEXT)" if isinstance(c.type, JSON) else quote(c.name)
                                  for c in meta.tables[name].columns)
                cursor.execute(f"SELECT * FROM {quote(name)} ORDER BY {order}")
                result[name] = [tuple(r) for r in cursor.fetchall()]
        finally:
            cursor.close()
    return result


def row_counts(engine: Engine) -> dict[str, int]:
    """``{table: number of rows}`` for every table."""
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for name, t in sorted(meta.tables.items())}
