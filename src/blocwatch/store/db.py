"""Engine set-up: which database, schema migrations, the first fill, transactions.

The default database is an embedded SQLite file in the platform's user data
directory; ``BLOCWATCH_DB`` or an explicit URL (the CLI's ``--db``) chooses
another. :func:`connect` checks the URL, refuses a database that is not
blocwatch's (without touching it), brings the schema up to date with Alembic
and runs the loaders it is given (the bundled data) on first use.

Opening a database that is already filled costs one query. The first fill is
serialised across processes (a lock file beside a SQLite file, an advisory
lock on PostgreSQL) and idempotent: a second process waits, then finds the
work done. SQLite files run in WAL mode with a busy timeout, so a reader
during an import waits instead of failing with "database is locked".

This module imports no domain code: the loaders are passed in
(:mod:`blocwatch.api.bundled` names them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session

from blocwatch.errors import DatabaseRefused, SchemaMismatch
from blocwatch.store.urls import ENV_VAR, default_url, hide_password, normalise_url, sqlite_file

__all__ = ["ENV_VAR", "Loader", "connect", "default_url", "make_engine", "normalise_url", "session_scope"]

# The newest migration (checked against Alembic's scripts by a test), so that
# an up-to-date database is recognised without loading Alembic.
REVISIONS = ("0001", "0002", "0003", "0004")  # every migration, oldest first
SCHEMA_REVISION = REVISIONS[-1]
BUSY_TIMEOUT_MS = 60_000



@dataclass(frozen=True)
class Loader:
    """A bundled loader: ``kind`` is logged in the ``imports`` table once it has run.

    ``load`` takes an open Session (one transaction) and returns the number
    of rows it wrote; it should import heavy modules inside itself, so that
    opening a filled database never imports them.
    """

    kind: str
    load: Callable[[Session], int]
    description: str = ""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine on ``url`` (checked by :func:`normalise_url`); no schema work, no loading."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = normalise_url(url or default_url())
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseRefused(f"database URL {hide_password(url)}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _migrations_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


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


def refuse_foreign(engine: Engine, *, settled: bool = True) -> None:
    """Raise :class:`DatabaseRefused` if the database holds tables but is not a blocwatch database.

    Reads only; a new, empty database passes. ``settled=False`` (before the
    first-fill lock, so that nothing is left beside a foreign file) refuses
    only what no blocwatch process can be creating: tables without an
    ``alembic_version`` (Alembic creates it first), or one stamped with a
    revision blocwatch never had. Under the lock (``settled``) a database
    stamped by Alembic must also hold blocwatch's own tables.
    """
    from sqlalchemy.exc import DatabaseError

    try:
        tables = set(inspect(engine).get_table_names())
        stamped: set[str] = set()
        if "alembic_version" in tables:
            with engine.connect() as conn:
                stamped = set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except DatabaseError as exc:
        raise DatabaseRefused(f"--db {_where(engine)}: cannot be opened as a database "
                              f"({' '.join(str(exc.orig).split()) or type(exc.orig).__name__})") from None
    ours = {"imports", "sources", "countries"}  # in every revision of blocwatch's schema
    foreign = tables and ("alembic_version" not in tables
                          or (stamped - set(REVISIONS) and not ours <= tables)
                          or (settled and not ours <= tables))
    if foreign:
        shown = ", ".join(sorted(tables - {"alembic_version"})[:5]) + (", ..." if len(tables) > 6 else "")
        raise DatabaseRefused(f"--db {_where(engine)}: not a blocwatch database (it has other tables: {shown}); "
                              "it was left untouched: give a blocwatch database or a new file name")


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it in an empty database).

    Raises :class:`SchemaMismatch` if the database was stamped by a migration
    this version does not have (a newer blocwatch wrote it), and
    :class:`DatabaseRefused` if it is not a blocwatch database.
    """
    from alembic import command

    refuse_foreign(engine)
    current, _heads, known = _revisions(engine)
    unknown = current - known
    if unknown:
        raise SchemaMismatch(
            f"database {_where(engine)} has schema revision {', '.join(sorted(unknown))}, which this version of "
            "blocwatch does not know; upgrade blocwatch or choose another database with --db / BLOCWATCH_DB")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
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


def _mismatch_error(engine: Engine, problem: str) -> SchemaMismatch:
    return SchemaMismatch(
        f"the database {_where(engine)} does not match this version of blocwatch ({problem}); it was made by a "
        f"development version: delete it, or choose another with --db or {ENV_VAR}")


def _state(engine: Engine) -> tuple[set[str], set[str], set[str]] | None:
    """(stamped revisions, logged import kinds, table names) in one query; None if the tables are missing."""
    from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError

    if engine.dialect.name == "sqlite":
        tables_sql = "SELECT 't', name FROM sqlite_master WHERE type = 'table'"
    else:
        tables_sql = ("SELECT 't', table_name FROM information_schema.tables "
                      "WHERE table_schema = current_schema()")
    sql = ("SELECT 'r', version_num FROM alembic_version UNION ALL SELECT 'k', kind FROM imports "
           f"UNION ALL {tables_sql}")
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(sql).all()
    except (OperationalError, ProgrammingError):
        return None
    except DatabaseError as exc:
        raise DatabaseRefused(f"--db {_where(engine)}: cannot be opened as a database "
                              f"({' '.join(str(exc.orig).split()) or type(exc.orig).__name__})") from None
    found: dict[str, set[str]] = {"r": set(), "k": set(), "t": set()}
    for tag, value in rows:
        found[tag].add(value)
    return found["r"], found["k"], found["t"]


def _ready(engine: Engine, kinds: set[str]) -> bool:
    """True when the database is at the current revision, has every table and has run every loader."""
    from blocwatch.store.models import Base

    state = _state(engine)
    if state is None:
        return False
    revisions, logged, tables = state
    if revisions != {SCHEMA_REVISION}:
        return False
    missing = [t.name for t in Base.metadata.sorted_tables if t.name not in tables]
    if missing:
        raise _mismatch_error(engine, f"table {missing[0]!r} is missing")
    return kinds <= logged


@contextmanager
def first_fill_lock(engine: Engine) -> Iterator[None]:
    """Serialise schema creation and the first fill across processes.

    A SQLite file: an exclusive lock on ``FILE.lock`` beside it (filelock);
    PostgreSQL: a session advisory lock; an in-memory database: nothing.
    """
    if engine.dialect.name == "sqlite":
        path = sqlite_file(engine.url.render_as_string(hide_password=False))
        if path is None:
            yield
            return
        from filelock import FileLock

        with FileLock(str(path) + ".lock"):
            yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_lock(7262626)")
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(7262626)")


def run_loaders(engine: Engine, loaders: Sequence[Loader],
                on_start: Callable[[Loader], None] | None = None) -> list[str]:
    """Run every loader whose kind is not yet logged, each in its own transaction; return the kinds run."""
    from sqlalchemy import select

    from blocwatch.store.models import ImportLog
    from blocwatch.store.provenance import log_import

    ran = []
    for loader in loaders:
        with session_scope(engine) as session:
            if session.scalars(select(ImportLog.id).where(ImportLog.kind == loader.kind)).first() is not None:
                continue
            if on_start is not None:
                on_start(loader)
            rows = loader.load(session)
            log_import(session, kind=loader.kind, rows=rows)
            ran.append(loader.kind)
    return ran


def connect(url: str | None = None, *, loaders: Sequence[Loader] = (),
            on_fill: Callable[[Loader], None] | None = None) -> Engine:
    """An engine on an up-to-date database on which every loader in ``loaders`` has run.

    ``url`` defaults to :func:`default_url`. A filled database costs one
    query. Otherwise, under :func:`first_fill_lock`: a database that is not
    blocwatch's is refused untouched (:class:`DatabaseRefused`), the schema is
    created or upgraded (Alembic), a schema that does not match the models is
    refused (:class:`SchemaMismatch`), and each loader not yet logged in the
    ``imports`` table runs in its own transaction (``on_fill`` is told before
    each one runs, so a caller can say that stored data is changing).
    """
    engine = make_engine(url)
    kinds = {loader.kind for loader in loaders}
    try:
        if _ready(engine, kinds):
            return engine
        refuse_foreign(engine, settled=False)
        with first_fill_lock(engine):
            if not _ready(engine, kinds):
                upgrade(engine)
                problem = schema_mismatch(engine)
                if problem:
                    raise _mismatch_error(engine, problem)
                run_loaders(engine, loaders, on_fill)
    except BaseException:
        engine.dispose()
        raise
    return engine


def votes_version(engine: Engine) -> tuple:
    """Like :func:`data_version`, for results computed from the recorded votes alone (agreement, ideal points):
    the number and newest id of the roll calls and the newest import-log row of anything but events (a vote
    written again in place logs one). An edit of an event leaves it unchanged, so such results stay cached."""
    with engine.connect() as conn:
        return tuple(conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM roll_calls), (SELECT max(rcid) FROM roll_calls), "
            "(SELECT max(id) FROM imports WHERE kind NOT IN ('events:add', 'bundled:statements', 'bundled:publishers'))"
        ).one())


def data_version(engine: Engine) -> tuple:
    """A value that changes whenever stored data changes, in one query: the newest import-log row, the number
    of events and signatures, the number and newest id of the roll calls, and the sum of the events' versions
    (every saved edit of an event bumps its version; caches are keyed on it). Accounts and campaigns are not in
    it: a change there leaves every cached result valid, and tells no visitor that something was edited."""
    with engine.connect() as conn:
        return tuple(conn.exec_driver_sql(
            "SELECT (SELECT max(id) FROM imports), (SELECT count(*) FROM events), (SELECT count(*) FROM positions), "
            "(SELECT count(*) FROM roll_calls), (SELECT max(rcid) FROM roll_calls), (SELECT sum(version) FROM events)"
        ).one())


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
