"""Engine set-up: which database, schema migrations, transactions.

The default database is an embedded SQLite file in the platform's user data
directory; ``BLOCWATCH_DB`` or an explicit URL (the CLI's ``--db``) chooses
another. :func:`connect` brings the schema up to date with Alembic and fills
the bundled data on first use (idempotently).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session

ENV_VAR = "BLOCWATCH_DB"


def default_url() -> str:
    """``BLOCWATCH_DB`` if set, else a SQLite file in the user data directory."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    import platformdirs

    folder = Path(platformdirs.user_data_dir("blocwatch", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'blocwatch.sqlite3'}"


def normalise_url(url: str) -> str:
    """Accept a plain file path as shorthand for a SQLite URL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or default_url())
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _migrations_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


class SchemaError(RuntimeError):
    """The database's schema revision is not one this version of blocwatch knows."""


def _revisions(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """(revisions stamped in the database, head revisions, all known revisions)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_migrations_config(engine))
    known = {rev.revision for rev in script.walk_revisions()}
    if not inspect(engine).has_table("alembic_version"):
        return set(), set(script.get_heads()), known
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(script.get_heads()), known


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it in an empty database).

    Raises :class:`SchemaError` if the database was stamped by a migration
    this version does not have (a newer blocwatch wrote it).
    """
    from alembic import command

    current, _heads, known = _revisions(engine)
    unknown = current - known
    if unknown:
        raise SchemaError(
            f"database {engine.url.render_as_string(hide_password=True)} has schema revision "
            f"{', '.join(sorted(unknown))}, which this version of blocwatch does not know; "
            "upgrade blocwatch or choose another database with --db / BLOCWATCH_DB")
    command.upgrade(_migrations_config(engine), "head")


def schema_is_current(engine: Engine) -> bool:
    """True when the database is stamped with exactly the newest migration."""
    current, heads, _known = _revisions(engine)
    return current == heads


def schema_mismatch(engine: Engine) -> str | None:
    """What differs between the database's tables and the models (None when they match).

    Catches a database stamped with the current revision by a development
    version whose schema differed (the schema is not released yet, so the
    initial migration is still regenerated).
    """
    from blocwatch.store.models import Base

    found = inspect(engine)
    tables = set(found.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            return f"table {table.name!r} is missing"
        columns = {c["name"] for c in found.get_columns(table.name)}
        missing = [c.name for c in table.columns if c.name not in columns]
        if missing:
            return f"table {table.name!r} lacks column(s) {', '.join(missing)}"
    return None


_ENGINES: dict[tuple[str, bool], Engine] = {}


def _connect_cached(url: str, fill: bool) -> Engine:
    engine = _ENGINES.get((url, fill))
    if engine is None:
        engine = make_engine(url)
        if not schema_is_current(engine):
            upgrade(engine)
        problem = schema_mismatch(engine)
        if problem:
            raise SchemaError(
                f"the database {engine.url.render_as_string(hide_password=True)} does not match this version "
                f"of blocwatch ({problem}); it was made by a development version: delete it, or choose "
                f"another with --db or {ENV_VAR}")
        if fill:
            from blocwatch.store.bundled import ensure_loaded

            ensure_loaded(engine)
        _ENGINES[(url, fill)] = engine
    return engine


def connect(url: str | None = None, *, fill: bool = True) -> Engine:
    """An engine on an up-to-date database, with the bundled data loaded.

    ``url`` defaults to :func:`default_url`. The first connect to a database
    creates the schema (Alembic) and, with ``fill``, runs every bundled
    loader not yet logged in its ``imports`` table; later connects change
    nothing. Engines are cached per (URL, fill) for the life of the process;
    :func:`dispose_all` forgets them.
    """
    return _connect_cached(normalise_url(url or default_url()), fill)


def dispose_all() -> None:
    """Close and forget every engine :func:`connect` has made (tests, long-lived processes)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back everything on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
