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
from functools import cache
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


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    command.upgrade(_migrations_config(engine), "head")


def schema_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    if not inspect(engine).has_table("alembic_version"):
        return False
    script = ScriptDirectory.from_config(_migrations_config(engine))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())


@cache
def _connect_cached(url: str, fill: bool) -> Engine:
    engine = make_engine(url)
    if not schema_is_current(engine):
        upgrade(engine)
    if fill:
        from blocwatch.store.bundled import ensure_loaded

        ensure_loaded(engine)
    return engine


def connect(url: str | None = None, *, fill: bool = True) -> Engine:
    """An engine on an up-to-date database, with the bundled data loaded."""
    return _connect_cached(normalise_url(url or default_url()), fill)


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
