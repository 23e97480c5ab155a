"""Process-wide CLI options (set by the root callback)."""

from __future__ import annotations

DB_URL: str | None = None


def engine():
    """The engine on the database chosen with ``--db`` / ``BLOCWATCH_DB``."""
    from blocwatch.store import connect

    return connect(DB_URL)
