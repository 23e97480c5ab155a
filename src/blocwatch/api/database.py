"""Whole databases: ``db copy`` between backends, ``backup`` to a file and ``restore`` from one.

Thin wrappers over :mod:`blocwatch.store.copy` (what is copied and how,
what is refused) that return typed results. None of them fills a database
with the bundled data: ``copy`` and ``restore`` write into an empty one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.api.results import BackupFile, DatabaseCopy, Restored

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.store.copy import Progress


def _shown(url: str) -> str:
    from blocwatch.store.urls import hide_password, normalise_url

    return hide_password(normalise_url(url))


def copy(src: str, dst: str, *, replace: bool = False, progress: Progress | None = None) -> DatabaseCopy:
    """Copy the whole blocwatch database ``src`` into ``dst`` (SQLite file paths or URLs, either backend), losslessly:
    the schema by the migrations, then every table's rows in one transaction. ``dst`` must be empty unless
    ``replace`` (its rows are then deleted first, in that transaction).

    Refused in one line, nothing written (:class:`~blocwatch.errors.DatabaseRefused`, exit status 2): a missing
    or foreign ``src``, one not at this version's schema revision, a foreign ``dst``, a ``dst`` holding rows, the
    same database twice.
    """
    from blocwatch.store.copy import copy_database

    done = copy_database(src, dst, replace=replace, progress=progress)
    return DatabaseCopy(source=_shown(src), destination=_shown(dst), schema_revision=done.schema_revision,
                        replaced=done.replaced, tables=dict(done.tables), rows=done.rows)


def backup(bw: Blocwatch, out: Path | str, *, replace: bool = False,
           progress: Progress | None = None) -> BackupFile:
    """Write every row of ``bw``'s database to ``out`` (gzip'd JSON lines with the schema revision and a SHA-256;
    the same data gives the same bytes). An existing ``out`` is refused unless ``replace``."""
    from blocwatch.files import check_output
    from blocwatch.store import copy as store_copy

    out = Path(out)
    check_output(out, replace=replace)
    done = store_copy.backup(bw.engine, out, progress=progress)
    return BackupFile(database=_shown(bw.url), file=str(out), schema_revision=done.schema_revision,
                      tables=dict(done.tables), rows=done.rows, sha256=done.sha256, bytes=done.size)


def restore(bw: Blocwatch, path: Path | str, *, replace: bool = False,
            progress: Progress | None = None) -> Restored:
    """Restore the backup file ``path`` into ``bw``'s database, which must be empty (a new file or database) unless
    ``replace``. The file is checked whole first (format, schema revision, SHA-256): a damaged file, one of another
    schema revision or a database holding rows is refused in one line and nothing is written."""
    from blocwatch.store import copy as store_copy
    from blocwatch.store.db import make_engine

    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    bw.close()  # the handle must not hold the database open while it is written (nor fill it first)
    engine = make_engine(bw.url)
    try:
        done = store_copy.restore(engine, path, replace=replace, progress=progress)
    finally:
        engine.dispose()
    return Restored(database=_shown(bw.url), file=str(path), schema_revision=done.schema_revision,
                    replaced=done.replaced, tables=dict(done.tables), rows=done.rows)
