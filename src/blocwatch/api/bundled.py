"""The data shipped in the package, as loaders for :func:`blocwatch.store.db.connect`.

Each loader runs once per database (its ``kind`` is logged in the
``imports`` table), in dependency order, each in its own transaction. The
heavy modules (pandas, the GA importers) are imported inside the loaders, so
opening a filled database never imports them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from blocwatch.store.db import Loader


def _countries(session: Session) -> int:
    from blocwatch.store.countries import load_countries

    return load_countries(session)


def _statements(session: Session) -> int:
    from blocwatch.statements.load import load_statements

    return load_statements(session)


def _publishers(session: Session) -> int:
    from blocwatch.statements.publishers import fill

    return fill(session)


def _unga(session: Session) -> int:
    from blocwatch.ga.load import load_unga

    return load_unga(session)


def _dgacm(session: Session) -> int:
    from blocwatch.votes.load import load_dgacm

    return load_dgacm(session).votes_added


def _hrc(session: Session) -> int:
    from blocwatch.votes.load import load_hrc

    return load_hrc(session).votes_added


LOADERS: tuple[Loader, ...] = (
    Loader("bundled:countries", _countries, "the UN member registry"),
    Loader("bundled:statements", _statements, "the curated joint statements"),
    Loader("bundled:publishers", _publishers, "the publisher kind of each source"),
    Loader("bundled:unga", _unga, "General Assembly votes 1946-2019"),
    Loader("bundled:dgacm", _dgacm, "General Assembly recorded votes 2019-2026 (the UN's own resolutions)"),
    Loader("bundled:hrc", _hrc, "Human Rights Council membership and recorded votes 2006-2024"),
)


def fill(engine) -> list[str]:
    """Run every bundled loader not yet run on ``engine`` (schema already current); return the kinds run."""
    from blocwatch.store.db import run_loaders

    return run_loaders(engine, LOADERS)
