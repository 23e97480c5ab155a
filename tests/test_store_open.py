"""Opening a database: what is refused untouched, what two processes at once do, what a filled one costs."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from blocwatch.errors import DatabaseRefused
from blocwatch.store import db

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too (less the SQLite files)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args: str, env_db: str | None = None):
    from typer.testing import CliRunner

    from blocwatch.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.sqlite_only
def test_someone_elses_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "theirs.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = _digest(path)
    with pytest.raises(DatabaseRefused, match="not a blocwatch database.*invoices"):
        db.connect(str(path))
    result = _cli("--db", str(path), "events", "list")
    assert result.exit_code == 2 and "not a blocwatch database" in result.output
    assert "Traceback" not in result.output
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite3"]


@pytest.mark.sqlite_only
def test_blocwatchs_own_export_is_refused_untouched(tmp_path, small_cli):
    out = tmp_path / "export.sqlite3"
    assert small_cli("export", "--format", "sqlite", "--out", str(out)).exit_code == 0
    before = _digest(out)
    result = _cli("--db", str(out), "events", "list")
    assert result.exit_code == 2 and "not a blocwatch database" in result.output
    assert _digest(out) == before
    with sqlite3.connect(out) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alembic_version" not in tables


@pytest.mark.sqlite_only
@pytest.mark.parametrize("make, expected", [
    (lambda p: p.write_text("hello, not a database\n"), "not a SQLite database (a text file)"),
    (lambda p: p.write_bytes(bytes(range(256)) * 8), "not a SQLite database (a binary file)"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path, make, expected):
    path = tmp_path / "target"
    make(path)
    result = _cli("--db", str(path), "events", "list")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("url, expected", [
    ("{tmp}/missing/folder/db.sqlite3", "does not exist"),
    ("foo://bar", "unknown scheme 'foo'"),
    ("postgresql://user@localhost/blocwatch", "needs the psycopg driver, which is not installed"),
    ("postgresql://nobody@127.0.0.1:{port}/blocwatch", "cannot be opened as a database"),
])
def test_a_bad_database_url_is_one_clear_line(tmp_path, url, expected, monkeypatch):
    import importlib.util
    import socket

    if "localhost" in url:  # psycopg is a dependency: pretend it is missing
        find_spec = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else
                            find_spec(name, *a))
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = _cli("--db", url.format(tmp=tmp_path, port=port), "events", "list")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


@pytest.mark.sqlite_only
def test_a_new_path_creates_a_database_in_wal_mode(tmp_path):
    path = tmp_path / "new.sqlite3"
    engine = db.connect(str(path))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
    engine.dispose()


FILL_SCRIPT = textwrap.dedent('''
    import sys, time
    from blocwatch.store.db import Loader, connect
    from blocwatch.store.provenance import get_source

    def slow(session):
        time.sleep(1.0)
        get_source(session, kind="test", title="written once")
        return 1

    def countries(session):
        from blocwatch.store.countries import load_countries
        return load_countries(session)

    engine = connect(sys.argv[1], loaders=[Loader("bundled:countries", countries), Loader("test:slow", slow)])
    engine.dispose()
''')


def test_three_first_starts_at_once_fill_once(empty_db_url):
    """The first fill is serialised (a lock file beside a SQLite file, an advisory lock on PostgreSQL): no crash,
    no loader run twice, no duplicate rows."""
    procs = [subprocess.Popen([sys.executable, "-c", FILL_SCRIPT, empty_db_url], stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    engine = db.make_engine(empty_db_url)
    with engine.connect() as conn:
        kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM imports ORDER BY kind")]
        written = conn.exec_driver_sql("SELECT count(*) FROM sources WHERE title = 'written once'").scalar()
        countries = conn.exec_driver_sql("SELECT count(*) FROM countries").scalar()
    engine.dispose()
    assert kinds == ["bundled:countries", "test:slow"]
    assert written == 1 and countries == 204


def test_opening_a_filled_database_imports_no_loader_and_no_pandas(small_db_shared_url):
    """A read-only command on a filled database does not import the GA loader, pandas or the importers."""
    code = textwrap.dedent(f'''
        import sys
        import blocwatch
        bw = blocwatch.open({small_db_shared_url!r})
        s = bw.events.show("2022-10-31-ga77-3c-critical")
        assert s.claimed_count == 50
        heavy = [m for m in ("pandas", "blocwatch.ga.load", "blocwatch.ga.importers", "alembic", "numpy")
                 if m in sys.modules]
        print(",".join(heavy))
    ''')
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


@pytest.mark.sqlite_only
def test_another_alembic_applications_database_is_refused_untouched(tmp_path):
    """A SQLite file with an alembic_version table but none of blocwatch's tables is not ours either."""
    path = tmp_path / "other_app.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    before = _digest(path)
    result = _cli("--db", str(path), "events", "list")
    assert result.exit_code == 2 and "not a blocwatch database (it has other tables: users)" in result.output
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_app.sqlite3"]


def test_someone_elses_database_is_refused_untouched(empty_db_url):
    """A database holding other tables (no alembic_version): refused in one line, nothing created in it."""
    from sqlalchemy import inspect

    engine = db.make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.exec_driver_sql("INSERT INTO invoices VALUES (1, 9.5)")
    with pytest.raises(DatabaseRefused, match="not a blocwatch database.*invoices"):
        db.connect(empty_db_url)
    result = _cli("--db", empty_db_url, "events", "list")
    assert result.exit_code == 2 and "not a blocwatch database" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert inspect(engine).get_table_names() == ["invoices"]
    engine.dispose()
