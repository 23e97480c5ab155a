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
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The raw inputs the curation reads, kept in the checkout (a copy of part of shared/data).
SOURCES = REPO / "curation" / "sources"
# GA sessions kept in the small database: ones tests ask about by number or year
# (1; 30-32 around the session-31 regression; 39-40 = 1985; 50; 70; 73-74 = 2019, the latest).
SMALL_SESSIONS = (1, 30, 31, 32, 39, 40, 50, 70, 73, 74, 76, 78)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the groups of tests that stay on one worker (``xdist_group``: the web modules, about a minute
    together) first, then the tests marked slow, then the rest (in collection order).

    Under pytest-xdist (``make test``: ``--dist loadgroup --maxschedchunk 1``
    hands out tests one at a time) the long work then starts at once on
    separate workers and the short tests fill the gaps, instead of one long
    piece starting last.
    """
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


def _fill(path: Path) -> None:
    """Create the schema at ``path`` and load all the bundled data, leaving one self-contained file."""
    from blocwatch.api.bundled import LOADERS
    from blocwatch.store.db import connect

    connect(f"sqlite:///{path}", loaders=LOADERS).dispose()
    # Fold any write-ahead log into the file, so that copying the file alone copies the database.
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


@pytest.fixture(scope="session")
def filled_db_file(tmp_path_factory) -> Path:
    """A database with the schema and all bundled data, built once per test run."""
    return _built_once(tmp_path_factory, "filled.sqlite3", _fill)


@pytest.fixture(scope="session")
def small_db_file(tmp_path_factory) -> Path:
    """Every bundled loader, the GA votes of SMALL_SESSIONS only (unvotes and the UN's resolutions), all the
    Council's; built once per test run.

    Built directly (not from the full database), so tests on it need not wait
    for the full build; ``tests/test_tooling_fixtures.py`` checks it answers as
    the full one for those sessions.
    """
    def build(path: Path) -> None:
        from blocwatch.api.bundled import LOADERS
        from blocwatch.store.db import Loader, connect

        def unga_subset(session) -> int:
            from blocwatch.ga.load import load_unga

            return load_unga(session, ga_sessions=SMALL_SESSIONS)

        def dgacm_subset(session) -> int:
            from blocwatch.votes.load import load_dgacm

            return load_dgacm(session, ga_sessions=SMALL_SESSIONS).votes_added

        subsets = {"bundled:unga": unga_subset, "bundled:dgacm": dgacm_subset}
        loaders = [Loader(x.kind, subsets[x.kind], x.description) if x.kind in subsets else x for x in LOADERS]
        connect(f"sqlite:///{path}", loaders=loaders).dispose()

    return _built_once(tmp_path_factory, "small.sqlite3", build)


def _private_copy(source: Path, tmp_path: Path) -> str:
    path = tmp_path / source.name
    shutil.copy(source, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(filled_db_file, tmp_path) -> str:
    """A private copy of the full filled database for one test (free to modify)."""
    return _private_copy(filled_db_file, tmp_path)


@pytest.fixture
def small_db_url(small_db_file, tmp_path) -> str:
    """A private copy of the small database (SMALL_SESSIONS only) for one test (free to modify)."""
    return _private_copy(small_db_file, tmp_path)


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
def web_bw(small_db_file):
    """One read-only ``blocwatch.open()`` handle on the small database for the web tests (test_web,
    test_web_charts, test_browser: one xdist group, so its caches and GA computations are shared)."""
    import blocwatch

    handle = blocwatch.open(str(small_db_file))
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
def small_bw(small_db_file):
    """A ``blocwatch.open()`` handle on the shared small database, for read-only API tests (one per module)."""
    import blocwatch

    handle = blocwatch.open(str(small_db_file))
    yield handle
    handle.close()
