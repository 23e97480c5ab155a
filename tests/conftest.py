"""Shared fixtures: the raw inputs, and databases built once per run and copied per test.

Raw inputs
    ``shared_data``: the folder of raw inputs laid out as ``shared/data``. It is
    the copy kept in the checkout (``curation/sources``, listed in its
    ``SHA256SUMS``), so a fresh clone tests without ``../shared`` beside it;
    ``tests/test_fresh_clone.py`` checks the copy against ``../shared/data``
    when that folder exists. It holds only what the curation reads (UN regional
    groups, the statements and their evidence, the unvotes tables).

Databases (SQLite files built once per run and shared by the xdist workers)
    ``filled_db_file``: schema and all bundled data (every event, the registry,
    all 870,109 GA votes of sessions 1-74): about 26 MB.
    ``small_db_file``: every bundled loader, but the GA votes of
    :data:`SMALL_SESSIONS` only (built directly, without waiting for the full
    one): every event and country, a tenth of the votes.

Per-test fixtures (a private copy each test may modify)
    ``db_url`` / ``engine`` / ``cli``: the full database. Use them for tests
    that need every session (``--all`` exports, all-session ideal points,
    statistics over the whole period, re-importing the raw tables).
    ``small_db_url`` / ``small_db_engine`` / ``small_cli``: the small database,
    several times cheaper to copy. Enough for anything about events,
    countries, briefs and exports, and for GA questions about the sessions in
    :data:`SMALL_SESSIONS` (by roll-call date, every vote of 1976, 1977, 1985
    and 2019 is kept).
    ``tiny_db_url``: the registry, the statements and the Council's votes, no GA
    votes (``tiny_db_file``): every kind of table, for whole-database tests.
    ``empty_db_url``: a new, empty database (no schema).

Backends
    ``BLOCWATCH_TEST_BACKEND=postgresql`` (``make test-postgres``) makes the
    database fixtures above hand out PostgreSQL databases instead: a
    throwaway server (``tests/postgres.py``) is started once per run (or
    ``BLOCWATCH_TEST_PG_URL`` names one whose user may create databases),
    the full and the small database are filled there once per run as
    template databases, and each test gets its own copy (``CREATE DATABASE
    ... TEMPLATE``, a fraction of a second). ``small_db_file`` and
    ``filled_db_file`` stay SQLite files: tests that use them directly are
    about SQLite. Markers: ``postgres`` (a module that also runs on
    PostgreSQL: ``make test-postgres`` runs ``-m postgres``), ``sqlite_only``
    (a test of SQLite files, left out on PostgreSQL), ``needs_postgres`` (a
    test that needs a PostgreSQL server whatever the backend, e.g. copying
    between the two; skipped by ``make test``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The raw inputs the curation reads, kept in the checkout (a copy of part of shared/data).
SOURCES = REPO / "curation" / "sources"
# GA sessions kept in the small database: ones tests ask about by number or year
# (1; 30-32 around the session-31 regression; 39-40 = 1985; 50; 70; 73-74 = 2019, the latest).
SMALL_SESSIONS = (1, 30, 31, 32, 39, 40, 50, 70, 73, 74, 76, 78)


# Which database the fixtures hand out: sqlite (make test) or postgresql (make test-postgres).
BACKEND = os.environ.get("BLOCWATCH_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
# The PostgreSQL server of the run (set by the first process, inherited by the xdist workers), the prefix
# of the databases this run creates there, and why there is no server (when none could be started).
PG_URL_VAR = "BLOCWATCH_TEST_PG_URL"
PG_PREFIX_VAR = "BLOCWATCH_TEST_PG_PREFIX"
PG_MISSING_VAR = "BLOCWATCH_TEST_PG_MISSING"
_SERVER = pytest.StashKey[object]()


def pytest_configure(config: pytest.Config) -> None:
    """On PostgreSQL, start the run's server once (in the controller, before the xdist workers start)."""
    if BACKEND not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"BLOCWATCH_TEST_BACKEND={BACKEND!r}: expected sqlite or postgresql")
    if BACKEND != "postgresql" or hasattr(config, "workerinput"):
        return
    import uuid

    # A prefix of our own, even when a test runs pytest inside pytest: each run drops only its own databases.
    os.environ[PG_PREFIX_VAR] = f"bwtest_{uuid.uuid4().hex[:8]}_"
    if os.environ.get(PG_URL_VAR):
        return
    import postgres

    try:
        server = postgres.start()
    except postgres.NoPostgres as exc:
        os.environ[PG_MISSING_VAR] = str(exc)
        return
    config.stash[_SERVER] = server
    os.environ[PG_URL_VAR] = server.url


def pytest_unconfigure(config: pytest.Config) -> None:
    if BACKEND != "postgresql" or hasattr(config, "workerinput"):
        return
    server = config.stash.get(_SERVER, None)
    if server is not None:
        server.stop()
        os.environ.pop(PG_URL_VAR, None)
    elif os.environ.get(PG_URL_VAR):  # a server we were given: leave it as it was
        import postgres

        postgres.drop_databases(os.environ[PG_URL_VAR], os.environ[PG_PREFIX_VAR])



def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the groups of tests that stay on one worker (``xdist_group``: the web modules, about a minute
    together) first, then the tests marked slow, then the rest (in collection order).

    Under pytest-xdist (``make test``: ``--dist loadgroup --maxschedchunk 1``
    hands out tests one at a time) the long work then starts at once on
    separate workers and the short tests fill the gaps, instead of one long
    piece starting last.

    On PostgreSQL the tests marked ``sqlite_only`` are left out, and every
    test is skipped, saying why, when no server could be started; on SQLite
    the tests that need a PostgreSQL server are skipped.
    """
    if BACKEND == "postgresql":
        kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
        if len(kept) < len(items):
            config.hook.pytest_deselected(items=[item for item in items if item not in kept])
            items[:] = kept
        missing = os.environ.get(PG_MISSING_VAR)
        if missing:
            skip = pytest.mark.skip(reason=f"no PostgreSQL server for the PostgreSQL tests: {missing}")
            for item in items:
                item.add_marker(skip)
    else:
        skip = pytest.mark.skip(reason="needs a PostgreSQL server: make test-postgres")
        for item in items:
            if item.get_closest_marker("needs_postgres") is not None:
                item.add_marker(skip)
    items.sort(key=lambda item: (item.get_closest_marker("xdist_group") is None,
                                 item.get_closest_marker("slow") is None))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw inputs laid out as shared/data: the copies in curation/sources."""
    if not (SOURCES / "SHA256SUMS").is_file():
        pytest.fail(f"raw inputs not found at {SOURCES} (see curation/README.md)")
    return SOURCES


def _built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """``name`` in the run's temporary folder, built by ``build(path)`` by the first process that asks.

    Under pytest-xdist every worker has its own temporary folder inside the
    run's; the file goes in the run's, under a lock, so the workers share one.
    """
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    path = root / name
    with FileLock(f"{path}.lock"):
        if not path.exists():
            partial = root / f"{name}.partial"
            partial.unlink(missing_ok=True)
            build(partial)
            partial.replace(path)
    return path


def _small_loaders() -> list:
    """The bundled loaders, the GA ones limited to :data:`SMALL_SESSIONS`."""
    from blocwatch.api.bundled import LOADERS
    from blocwatch.store.db import Loader

    def unga_subset(session) -> int:
        from blocwatch.ga.load import load_unga

        return load_unga(session, ga_sessions=SMALL_SESSIONS)

    def dgacm_subset(session) -> int:
        from blocwatch.votes.load import load_dgacm

        return load_dgacm(session, ga_sessions=SMALL_SESSIONS).votes_added

    subsets = {"bundled:unga": unga_subset, "bundled:dgacm": dgacm_subset}
    return [Loader(x.kind, subsets[x.kind], x.description) if x.kind in subsets else x for x in LOADERS]


def _full_loaders() -> list:
    from blocwatch.api.bundled import LOADERS

    return list(LOADERS)


def _tiny_loaders() -> list:
    """The registry, the statements, the publishers and the Council's votes: every kind of table, no GA votes
    (the GA loaders run as loading nothing, so that opening the database does not run them)."""
    from blocwatch.api.bundled import LOADERS
    from blocwatch.store.db import Loader

    return [x if x.kind in TINY_KINDS else Loader(x.kind, lambda session: 0, x.description) for x in LOADERS]


TINY_KINDS = ("bundled:countries", "bundled:statements", "bundled:publishers", "bundled:hrc")


def _fill(path: Path, loaders: Callable[[], list] = _full_loaders) -> None:
    """Create the schema at ``path`` and run ``loaders()``, leaving one self-contained file."""
    from blocwatch.store.db import connect

    connect(f"sqlite:///{path}", loaders=loaders()).dispose()
    # Fold any write-ahead log into the file, so that copying the file alone copies the database.
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


@pytest.fixture(scope="session")
def filled_db_file(tmp_path_factory) -> Path:
    """A database with the schema and all bundled data, built once per test run (SQLite, whatever the backend)."""
    return _built_once(tmp_path_factory, "filled.sqlite3", _fill)


@pytest.fixture(scope="session")
def small_db_file(tmp_path_factory) -> Path:
    """Every bundled loader, the GA votes of SMALL_SESSIONS only (unvotes and the UN's resolutions), all the
    Council's; built once per test run (SQLite, whatever the backend).

    Built directly (not from the full database), so tests on it need not wait
    for the full build; ``tests/test_tooling_fixtures.py`` checks it answers as
    the full one for those sessions.
    """
    return _built_once(tmp_path_factory, "small.sqlite3", lambda path: _fill(path, _small_loaders))


@pytest.fixture(scope="session")
def tiny_db_file(tmp_path_factory) -> Path:
    """The bundled registry, statements, publishers and Council votes, no GA votes (a few MB; SQLite whatever the
    backend): for tests of whole-database operations that need every kind of table, not every vote."""
    return _built_once(tmp_path_factory, "tiny.sqlite3", lambda path: _fill(path, _tiny_loaders))


# ---------------------------------------------------------------- PostgreSQL (BLOCWATCH_TEST_BACKEND=postgresql)

def _pg_admin() -> str:
    """The run's PostgreSQL server (its ``postgres`` database, as a user who may create databases)."""
    url = os.environ.get(PG_URL_VAR)
    if not url:
        why = os.environ.get(PG_MISSING_VAR) or "the tests run on SQLite (make test-postgres runs them on PostgreSQL)"
        pytest.skip(f"no PostgreSQL server: {why}")
    return url


def _pg_name(what: str) -> str:
    return os.environ.get(PG_PREFIX_VAR, "bwtest_") + what


def _pg_url(url: str) -> str:
    """The URL as blocwatch normalises it (``postgresql+psycopg://``), so tests can compare it with engine URLs."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _pg_template(tmp_path_factory, what: str, loaders: Callable[[], list]) -> str:
    """A database on the run's server filled by ``loaders()`` once per run (shared by the xdist workers), to be
    copied by ``CREATE DATABASE ... TEMPLATE``; its name."""
    import postgres

    admin, name = _pg_admin(), _pg_name(what)

    def build(marker: Path) -> None:
        from blocwatch.store.db import connect, make_engine

        postgres.drop_database(admin, name)
        url = postgres.create_database(admin, name)
        connect(url, loaders=loaders()).dispose()
        engine = make_engine(url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # the planner's statistics, copied with the template
        engine.dispose()
        marker.write_text(name)

    return _built_once(tmp_path_factory, f"pg-{what}.template", build).read_text()


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The run's PostgreSQL server as its superuser (``postgresql://...``); skips when there is none."""
    return _pg_admin()


@pytest.fixture(scope="session")
def pg_filled_template(tmp_path_factory) -> str:
    return _pg_template(tmp_path_factory, "filled", _full_loaders)


@pytest.fixture(scope="session")
def pg_small_template(tmp_path_factory) -> str:
    return _pg_template(tmp_path_factory, "small", _small_loaders)


@pytest.fixture(scope="session")
def pg_tiny_template(tmp_path_factory) -> str:
    return _pg_template(tmp_path_factory, "tiny", _tiny_loaders)


def _pg_database(template: str | None = None) -> Iterator[str]:
    """A new database on the run's server (a copy of ``template``, or empty), dropped afterwards."""
    import uuid

    import postgres

    admin, name = _pg_admin(), _pg_name(uuid.uuid4().hex[:12])
    url = postgres.create_database(admin, name, template)
    try:
        yield _pg_url(url)
    finally:
        postgres.drop_database(admin, name)


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, whatever the backend (for tests marked ``needs_postgres``)."""
    yield from _pg_database()


# ---------------------------------------------------------------- per-test databases (either backend)

def _private_copy(source: Path, tmp_path: Path) -> str:
    path = tmp_path / source.name
    shutil.copy(source, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(request, tmp_path) -> Iterator[str]:
    """A private copy of the full filled database for one test (free to modify)."""
    if BACKEND == "postgresql":
        yield from _pg_database(request.getfixturevalue("pg_filled_template"))
    else:
        yield _private_copy(request.getfixturevalue("filled_db_file"), tmp_path)


@pytest.fixture
def small_db_url(request, tmp_path) -> Iterator[str]:
    """A private copy of the small database (SMALL_SESSIONS only) for one test (free to modify)."""
    if BACKEND == "postgresql":
        yield from _pg_database(request.getfixturevalue("pg_small_template"))
    else:
        yield _private_copy(request.getfixturevalue("small_db_file"), tmp_path)


@pytest.fixture
def tiny_db_url(request, tmp_path) -> Iterator[str]:
    """A private copy of the tiny database (no GA votes; see ``tiny_db_file``) for one test (free to modify)."""
    if BACKEND == "postgresql":
        yield from _pg_database(request.getfixturevalue("pg_tiny_template"))
    else:
        yield _private_copy(request.getfixturevalue("tiny_db_file"), tmp_path)


@pytest.fixture
def empty_db_url(tmp_path) -> Iterator[str]:
    """A new, empty database (no schema yet) on the backend of the run."""
    if BACKEND == "postgresql":
        yield from _pg_database()
    else:
        yield f"sqlite:///{tmp_path / 'new.sqlite3'}"


def _engine(url: str):
    from blocwatch.store.db import make_engine

    eng = make_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def engine(db_url):
    yield from _engine(db_url)


@pytest.fixture
def small_db_engine(small_db_url):
    yield from _engine(small_db_url)


def _cli(url: str) -> Callable:
    from typer.testing import CliRunner

    from blocwatch.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["--db", url, *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def cli(db_url):
    """Run the CLI against the test's database: ``cli("countries", "list", "--json")``."""
    return _cli(db_url)


@pytest.fixture
def small_cli(small_db_url):
    """Like ``cli``, against a private copy of the small database."""
    return _cli(small_db_url)


@pytest.fixture(scope="session")
def web_bw(request):
    """One read-only ``blocwatch.open()`` handle on the small database for the web tests (test_web,
    test_web_charts, test_browser: one xdist group, so its caches and GA computations are shared); on
    PostgreSQL a copy of it made for the run."""
    import blocwatch

    if BACKEND == "postgresql":
        databases = _pg_database(request.getfixturevalue("pg_small_template"))
        url = next(databases)
        request.addfinalizer(lambda: next(databases, None))
    else:
        url = str(request.getfixturevalue("small_db_file"))
    handle = blocwatch.open(url)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def client(web_bw):
    """An HTTP client on the dashboard (``create_app(web_bw)``), for the web page and chart tests."""
    from fastapi.testclient import TestClient

    from blocwatch.web.app import create_app

    with TestClient(create_app(web_bw)) as c:
        yield c


@pytest.fixture(scope="module")
def small_db_shared_url(request) -> Iterator[str]:
    """The small database for read-only use by a whole module: the shared file on SQLite, one copy per module on
    PostgreSQL (a template database must stay unopened)."""
    if BACKEND == "postgresql":
        yield from _pg_database(request.getfixturevalue("pg_small_template"))
    else:
        yield str(request.getfixturevalue("small_db_file"))


@pytest.fixture(scope="module")
def small_bw(small_db_shared_url):
    """A ``blocwatch.open()`` handle on the shared small database, for read-only API tests (one per module)."""
    import blocwatch

    handle = blocwatch.open(small_db_shared_url)
    yield handle
    handle.close()
