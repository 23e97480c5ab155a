"""Sources and the import log: where each stored fact comes from."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from blocwatch.store.models import ImportLog, Source


def get_source(session: Session, *, kind: str, url: str | None = None,
               title: str | None = None, citation: str | None = None) -> Source:
    """The stored source with this kind, url and title; created if new."""
    found = session.scalars(
        select(Source).where(Source.kind == kind, Source.url.is_(url) if url is None else Source.url == url,
                             Source.title.is_(title) if title is None else Source.title == title)
    ).first()
    if found is None:
        found = Source(kind=kind, url=url, title=title, citation=citation)
        session.add(found)
        session.flush()
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log_import(session: Session, *, kind: str, rows: int, path: Path | None = None,
               source: Source | None = None) -> ImportLog:
    entry = ImportLog(
        kind=kind, rows=rows, path=str(path) if path else None,
        sha256=sha256_of(path) if path else None,
        finished_at=datetime.now(timezone.utc).replace(tzinfo=None),
        source_id=source.id if source else None,
    )
    session.add(entry)
    return entry
