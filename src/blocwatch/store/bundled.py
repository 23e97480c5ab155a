"""Fill a fresh database from the data shipped in the package, once.

Each loader records an :class:`~blocwatch.store.models.ImportLog` row of its
``kind``; a loader whose kind is already logged is skipped, so filling is
idempotent. Each loader runs in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from blocwatch.store.models import ImportLog

# (kind, loader) in dependency order; a loader takes an open Session and
# returns the number of rows it wrote. Later features append theirs here.
Loader = Callable[[Session], int]


def _loaders() -> list[tuple[str, Loader]]:
    from blocwatch.ga.load import load_unga
    from blocwatch.statements.load import load_statements
    from blocwatch.store.countries import load_countries

    return [("bundled:countries", load_countries), ("bundled:statements", load_statements),
            ("bundled:unga", load_unga)]


def loaded_kinds(session: Session) -> set[str]:
    return set(session.scalars(select(ImportLog.kind)))


def ensure_loaded(engine: Engine) -> list[str]:
    """Run every bundled loader not yet run; return the kinds it ran."""
    from blocwatch.store.db import session_scope
    from blocwatch.store.provenance import log_import

    ran = []
    for kind, loader in _loaders():
        with session_scope(engine) as session:
            if kind in loaded_kinds(session):
                continue
            rows = loader(session)
            log_import(session, kind=kind, rows=rows)
            ran.append(kind)
    return ran
