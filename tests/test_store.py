"""The store on real databases (SQLite files; PostgreSQL under make test-postgres): first use, idempotence, choice
of database, transactions, schema."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import select, text

from blocwatch.api.bundled import LOADERS
from blocwatch.errors import SchemaMismatch
from blocwatch.store import db
from blocwatch.store.models import CountryRecord, EventRecord, ImportLog, Source
from blocwatch.store.provenance import get_source, log_import

from dbsnapshot import row_counts, snapshot

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


@pytest.fixture
def engine(small_db_engine):
    """These tests need a filled database, not every vote: the small one (cheaper to copy and snapshot)."""
    return small_db_engine


def _kinds() -> list[str]:
    return [loader.kind for loader in LOADERS]


@pytest.mark.slow
def test_first_connect_creates_and_fills_and_a_second_changes_nothing(empty_db_url):
    url = empty_db_url
    engine = db.connect(url, loaders=LOADERS)
    assert db.schema_is_current(engine)
    counts = row_counts(engine)
    assert counts["countries"] == 204 and counts["imports"] == len(_kinds())
    with db.session_scope(engine) as s:
        assert sorted(s.scalars(select(ImportLog.kind))) == sorted(_kinds())
    before = snapshot(engine)
    engine.dispose()
    again = db.connect(url, loaders=LOADERS)
    assert snapshot(again) == before
    again.dispose()


@pytest.mark.sqlite_only
def test_connect_accepts_a_plain_path(tmp_path, filled_db_file):
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(filled_db_file.read_bytes())
    engine = db.connect(str(copy), loaders=LOADERS)
    assert engine.url.database == str(copy.resolve())
    engine.dispose()


def test_blocwatch_db_chooses_the_default(monkeypatch, db_url):
    monkeypatch.setenv("BLOCWATCH_DB", db_url)
    assert db.default_url() == db_url
    engine = db.connect(loaders=LOADERS)
    assert str(engine.url) == db_url
    engine.dispose()


def test_default_database_is_in_the_user_data_dir(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("BLOCWATCH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    folder = platformdirs.user_data_dir("blocwatch", appauthor=False)
    assert folder.startswith(str(tmp_path))
    assert db.default_url() == f"sqlite:///{folder}/blocwatch.sqlite3"


@pytest.mark.sqlite_only
def test_cli_db_option_and_environment_choose_the_database(small_db_file, tmp_path):
    import sqlite3

    from typer.testing import CliRunner

    from blocwatch.cli import app

    runner = CliRunner()
    chosen, other = tmp_path / "chosen.sqlite3", tmp_path / "other.sqlite3"
    for path in (chosen, other):
        path.write_bytes(small_db_file.read_bytes())
    with sqlite3.connect(other) as conn:  # tell the two apart: one event less in "other"
        conn.execute("DELETE FROM event_sources WHERE event_id = '2025-11-21-ga80-3c-critical'")
        conn.execute("DELETE FROM positions WHERE event_id = '2025-11-21-ga80-3c-critical'")
        conn.execute("DELETE FROM events WHERE id = '2025-11-21-ga80-3c-critical'")
    result = runner.invoke(app, ["--db", str(chosen), "events", "list", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.output)) == 29
    result = runner.invoke(app, ["events", "list", "--json"], env={"BLOCWATCH_DB": f"sqlite:///{other}"})
    assert result.exit_code == 0 and len(json.loads(result.output)) == 28


def test_filling_a_database_is_reported(small_db_engine, small_db_url):
    """A loader not yet run on this database runs on first use, and the CLI says so on stderr."""
    from typer.testing import CliRunner

    from blocwatch.cli import app

    with small_db_engine.begin() as conn:
        conn.execute(text("DELETE FROM imports WHERE kind = 'bundled:publishers'"))
    small_db_engine.dispose()
    result = CliRunner().invoke(app, ["--db", small_db_url, "events", "list", "--json"])
    assert result.exit_code == 0
    assert f"first use of {small_db_url}: loading the publisher kind of each source" in result.stderr
    again = CliRunner().invoke(app, ["--db", small_db_url, "events", "list", "--json"])
    assert again.exit_code == 0 and "first use" not in again.stderr


def test_failed_loader_leaves_the_database_exactly_as_it_was(engine):
    before = snapshot(engine)

    def half_then_fail(session):
        source = get_source(session, kind="file", url="file:///bad.csv", title="bad input")
        session.add(EventRecord(id="test-event", series="test", title="t", forum="hrc",
                          date=date(2020, 1, 1)))
        session.get(CountryRecord, "FRA").name = "Changed"
        session.flush()
        assert source.id
        raise ValueError("bad.csv line 3: unknown country 'Ruritania'")

    with pytest.raises(ValueError, match="Ruritania"):
        db.run_loaders(engine, [*LOADERS, db.Loader("test:bad", half_then_fail)])
    assert snapshot(engine) == before

    assert db.run_loaders(engine, [*LOADERS, db.Loader("test:good", lambda s: 0)]) == ["test:good"]
    assert row_counts(engine)["imports"] == len(before["imports"]) + 1


def test_session_scope_commits_or_rolls_back(engine):
    with db.session_scope(engine) as s:
        get_source(s, kind="web", url="https://example.org/a", title="A")
    with pytest.raises(RuntimeError), db.session_scope(engine) as s:
        get_source(s, kind="web", url="https://example.org/b", title="B")
        raise RuntimeError
    with db.session_scope(engine) as s:
        urls = set(s.scalars(select(Source.url).where(Source.url.like("https://example.org/%"))))
    assert urls == {"https://example.org/a"}


def test_get_source_matches_none_with_none_and_creates_once(engine):
    with db.session_scope(engine) as s:
        a = get_source(s, kind="curation", title="only a title")
        b = get_source(s, kind="curation", title="only a title", citation="cite me")
        c = get_source(s, kind="curation", url="https://example.org", title="only a title")
        d = get_source(s, kind="dataset", title="only a title")
        assert a.id == b.id and len({a.id, c.id, d.id}) == 3
        assert a.citation == "cite me"  # filled in where it was missing
        assert get_source(s, kind="curation", title="only a title", citation="other").citation == "cite me"


def test_log_import_records_the_file_hash(engine, tmp_path):
    path = tmp_path / "input.csv"
    path.write_bytes(b"a,b\n1,2\n")
    with db.session_scope(engine) as s:
        entry = log_import(s, kind="test:file", rows=1, path=path)
        s.flush()
        assert entry.sha256 == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
        assert entry.path == str(path) and entry.finished_at is not None


def test_schema_is_current_and_upgrade(empty_db_url):
    engine = db.make_engine(empty_db_url)
    assert not db.schema_is_current(engine)
    db.upgrade(engine)
    assert db.schema_is_current(engine)
    db.upgrade(engine)  # idempotent
    assert db.schema_is_current(engine)
    assert row_counts(engine)["countries"] == 0  # upgrade alone loads nothing
    engine.dispose()


def test_migration_matches_the_models(engine):
    """The single migration, applied, gives exactly the tables models.py declares
    (fails when models.py changed without `make migration-reset`)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from blocwatch.store.models import Base

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_newer_schema_is_a_clear_error(engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dface'"))
    assert not db.schema_is_current(engine)
    with pytest.raises(SchemaMismatch, match="f00dface.*--db"):
        db.upgrade(engine)


def test_stored_countries_match_the_registry(engine):
    from blocwatch import registry

    with db.session_scope(engine) as s:
        stored = {c.iso3: c for c in s.scalars(select(CountryRecord))}
        assert set(stored) == {c.iso3 for c in registry.all_entities()}
        tur = stored["TUR"]
        assert tur.regional_group == "weog" and tur.also_in == ["asia_pacific"]
        assert stored["SUN"].ended.year == 1991 and "RUS" in stored["SUN"].successors
        assert stored["FRA"].source_id is not None


def test_a_database_from_an_older_development_schema_is_refused_clearly(empty_db_url):
    """Stamped with the current revision but missing a table: a clear error naming the table, no traceback."""
    from typer.testing import CliRunner

    from blocwatch.cli import app
    from blocwatch.errors import SchemaMismatch

    engine = db.make_engine(empty_db_url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE vote_states"))
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="vote_states"):
        db.connect(empty_db_url)
    result = CliRunner().invoke(app, ["--db", empty_db_url, "events", "list"])
    assert result.exit_code == 1
    assert "vote_states" in result.output and "Traceback" not in result.output


def test_schema_revision_constant_is_alembic_head():
    """The one-query open compares against SCHEMA_REVISION: it must be the newest migration."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db._migrations_config(db.make_engine("sqlite://")))
    assert set(script.get_heads()) == {db.SCHEMA_REVISION}
    assert [r.revision for r in reversed(list(script.walk_revisions()))] == list(db.REVISIONS)
