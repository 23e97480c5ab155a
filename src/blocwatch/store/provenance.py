"""Sources and the import log: where each stored fact comes from."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from blocwatch.store.models import ImportLog, Source


def get_source(session: Session, *, kind: str, url: str | None = None,
               title: str | None = None, citation: str | None = None) -> Source:
    """The stored source with this ``kind``, ``url`` and ``title`` (None matching None).

    Created (and flushed, so it has an ``id``) if there is none; a citation
    given for a source stored without one is filled in.
    """
    found = session.scalars(
        select(Source)
        .where(Source.kind == kind,
               Source.url.is_not_distinct_from(url),
               Source.title.is_not_distinct_from(title))
        .order_by(Source.id)
    ).first()
    if found is None:
        found = Source(kind=kind, url=url, title=title, citation=citation)
        session.add(found)
        session.flush()
    elif citation and not found.citation:
        found.citation = citation
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log_import(session: Session, *, kind: str, rows: int, path: Path | None = None,
               source: Source | None = None) -> ImportLog:
    """Add an import-log row (``finished_at`` now, in UTC; the file's SHA-256 if ``path``)."""
    entry = ImportLog(
        kind=kind, rows=rows, path=str(path) if path else None,
        sha256=sha256_of(path) if path else None,
        finished_at=datetime.now(UTC).replace(tzinfo=None),
        source_id=source.id if source else None,
    )
    session.add(entry)
    return entry
