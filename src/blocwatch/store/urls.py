"""Which database: the default location, and checking a URL or file path before anything opens it.

Imports nothing heavy (no SQLAlchemy), so commands that never touch the
database (``countries resolve``, ``parse``) start fast; :mod:`blocwatch.store.db`
opens what this module has checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from blocwatch.errors import DatabaseRefused

ENV_VAR = "BLOCWATCH_DB"
SQLITE_HEADER = b"SQLite format 3\x00"


def default_url() -> str:
    """``BLOCWATCH_DB`` if set, else a SQLite file in the user data directory."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    import platformdirs

    folder = Path(platformdirs.user_data_dir("blocwatch", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'blocwatch.sqlite3'}"


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for in-memory databases)."""
    rest = url.split("://", 1)[1]
    path = rest[1:].split("?", 1)[0] if rest.startswith("/") else ""
    return Path(path) if path and path != ":memory:" else None


def normalise_url(url: str) -> str:
    """A checked SQLAlchemy URL: a plain path means a SQLite file; ``postgresql://`` uses psycopg 3.

    Raises :class:`DatabaseRefused` (one line, naming the URL) for a folder, a
    missing folder, a file that is not SQLite, an unknown scheme or a missing driver.
    """
    url = url.strip()
    if not url:
        raise DatabaseRefused("--db is empty: give a SQLite file path or a database URL")
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
        scheme = "postgresql+psycopg"
    if scheme == "sqlite" or scheme.startswith("sqlite+"):
        path = sqlite_file(url)
        if path is not None:
            _check_sqlite_file(path)
        return url
    if scheme.startswith("postgresql"):
        import importlib.util

        driver = scheme.split("+", 1)[1] if "+" in scheme else "psycopg"
        if importlib.util.find_spec(driver) is None:
            raise DatabaseRefused(f"database URL {hide_password(url)}: PostgreSQL needs the {driver} driver, which "
                                  "is not installed (pip install 'psycopg[binary]')")
        return url
    raise DatabaseRefused(f"database URL {hide_password(url)}: unknown scheme {scheme!r}; expected a SQLite file path, "
                          "sqlite:///FILE or postgresql://USER@HOST/NAME")


def hide_password(url: str) -> str:
    """``url`` with its password (``user:secret@``) shown as ``***``."""
    return re.sub(r"(://[^:/@]+:)[^@/]*@", r"\1***@", url)


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseRefused(f"--db {path}: is a folder; give a file name inside it "
                              f"(e.g. {path / 'blocwatch.sqlite3'})")
    if not path.parent.is_dir():
        raise DatabaseRefused(f"--db {path}: the folder {path.parent} does not exist")
    if path.exists() and path.stat().st_size:
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseRefused(f"--db {path}: cannot be read ({exc.strerror})") from None
        if head != SQLITE_HEADER:
            raise DatabaseRefused(f"--db {path}: not a SQLite database (a {_file_kind(path)}); "
                                  "give a blocwatch database or a new file name")


def _file_kind(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary file"
    return "text file"
