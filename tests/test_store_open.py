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


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args: str, env_db: str | None = None):
    from typer.testing import CliRunner

    from blocwatch.cli import app

    return CliRunner().invoke(app, list(args))


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
    ("postgresql://user@localhost/blocwatch", "psycopg"),
])
def test_a_bad_database_url_is_one_clear_line(tmp_path, url, expected, monkeypatch):
    import importlib.util

    if "postgresql" in url and importlib.util.find_spec("psycopg") is not None:
        pytest.skip("psycopg is installed: the URL is usable")
    result = _cli("--db", url.format(tmp=tmp_path), "events", "list")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


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


def test_three_first_starts_at_once_fill_once(tmp_path):
    """The first fill is serialised: no crash, no loader run twice, no duplicate rows."""
    path = tmp_path / "race.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", FILL_SCRIPT, str(path)], stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    with sqlite3.connect(path) as conn:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM imports ORDER BY kind")]
        written = conn.execute("SELECT count(*) FROM sources WHERE title = 'written once'").fetchone()[0]
        countries = conn.execute("SELECT count(*) FROM countries").fetchone()[0]
    assert kinds == ["bundled:countries", "test:slow"]
    assert written == 1 and countries == 204


def test_opening_a_filled_database_imports_no_loader_and_no_pandas(filled_db_file):
    """A read-only command on a filled database does not import the GA loader, pandas or the importers."""
    code = textwrap.dedent(f'''
        import sys
        import blocwatch
        bw = blocwatch.open({str(filled_db_file)!r})
        s = bw.events.show("2022-10-31-ga77-3c-critical")
        assert s.claimed_count == 50
        heavy = [m for m in ("pandas", "blocwatch.ga.load", "blocwatch.ga.importers", "alembic", "numpy")
                 if m in sys.modules]
        print(",".join(heavy))
    ''')
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


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
