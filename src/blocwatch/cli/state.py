"""Process-wide CLI options (set by the root callback)."""

from __future__ import annotations

DB_URL: str | None = None


def engine():
    """The engine on the database chosen with ``--db`` / ``BLOCWATCH_DB``; a clear error if it is unusable."""
    from blocwatch.cli.output import fail
    from blocwatch.store import connect
    from blocwatch.store.db import SchemaError

    try:
        return connect(DB_URL)
    except SchemaError as exc:
        fail(str(exc), 1)
