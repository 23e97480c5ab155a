"""Shared fixtures: databases built once per run and copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw data folder beside the checkout (CI lays a copy there)."""
    if not SHARED.is_dir():
        pytest.fail(f"raw data folder not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def filled_db_file(tmp_path_factory) -> Path:
    """A database with the schema and all bundled data, built once per test run."""
    from blocwatch.store.db import make_engine, upgrade
    from blocwatch.store.bundled import ensure_loaded

    path = tmp_path_factory.mktemp("db") / "filled.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ensure_loaded(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(filled_db_file, tmp_path) -> str:
    """A private copy of the filled database for one test (free to modify)."""
    path = tmp_path / "test.sqlite3"
    shutil.copy(filled_db_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(db_url):
    from blocwatch.store.db import make_engine

    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def cli(db_url):
    """Run the CLI against the test's database: ``cli("countries", "list", "--json")``."""
    from typer.testing import CliRunner

    from blocwatch.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["--db", db_url, *args], input=input, catch_exceptions=False)

    return invoke
