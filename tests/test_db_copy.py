"""Whole databases: ``db copy`` between backends, ``backup`` and ``restore`` -- lossless, and refusing what they must.

The tests on the run's backend use the tiny database (every kind of table,
no GA votes) with rows added to the tables the bundled data leaves empty;
those marked ``needs_postgres`` copy between a SQLite file and PostgreSQL
(make test-postgres runs them), one of them with the small database's
215,000 GA votes.
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime

import pytest
from sqlalchemy import inspect

from blocwatch.store import copy as store_copy
from blocwatch.store.db import make_engine

from dbsnapshot import snapshot

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, as the copy reads them (typed cells, JSON as stored text, primary-key order)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: [r for part in store_copy._read(conn, t) for r in part] for t in store_copy.tables()}
    finally:
        engine.dispose()


def _private_copy(path, tmp_path) -> str:
    copy = tmp_path / f"copy-{path.name}"
    shutil.copy(path, copy)
    return f"sqlite:///{copy}"


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _add_team_rows(url: str) -> None:
    """Rows in the tables the bundled data leaves empty (accounts, audit log, campaigns): times with microseconds,
    booleans, a self-reference, a JSON null next to a SQL NULL, text with newlines."""
    from datetime import datetime

    from sqlalchemy import insert, null

    t = {table.name: table for table in store_copy.tables()}
    at = datetime(2026, 1, 2, 3, 4, 5, 678901)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(t["users"]), [
            {"id": 1, "username": "alice", "password_hash": "$argon2id$x", "role": "admin", "created_at": at,
             "disabled": False},
            {"id": 2, "username": "bob", "password_hash": "$argon2id$y", "role": "viewer", "created_at": at,
             "disabled": True}])
        conn.execute(insert(t["login_sessions"]), [{"token_hash": "a" * 64, "user_id": 1, "csrf_hash": "b" * 64,
                                                     "created_at": at, "expires_at": at.replace(year=2027)}])
        conn.execute(insert(t["login_attempts"]), [{"key": "alice", "at": at, "ok": True},
                                                   {"key": "127.0.0.1", "at": at.replace(microsecond=0), "ok": False}])
        conn.execute(insert(t["audit_log"]), [
            {"id": 1, "at": at, "user_id": 1, "username": "alice", "action": "event.edit", "object_type": "event",
             "object_id": "2019-07-08-hrc41-letter-critical", "before": {"a": [1, 2.5, None, "é"]}, "after": None},
            {"id": 2, "at": at, "user_id": None, "username": None, "action": "event.revert", "object_type": "event",
             "object_id": "2019-07-08-hrc41-letter-critical", "before": null(), "after": {"b": True}, "reverts": 1,
             "note": "line one\nline two"}])
        conn.execute(insert(t["campaigns"]), [{"id": 1, "name": "Xinjiang, HRC 62", "target": "CHN", "forum": "hrc",
                                               "created_by": 1, "created_at": at, "version": 3}])
        conn.execute(insert(t["campaign_members"]), [{"campaign_id": 1, "user_id": 1},
                                                     {"campaign_id": 1, "user_id": 2}])
        conn.execute(insert(t["campaign_states"]), [{"campaign_id": 1, "iso3": "FRA", "status": "committed",
                                                     "updated_at": at, "updated_by": 1, "version": 2}])
        conn.execute(insert(t["campaign_notes"]), [{"campaign_id": 1, "iso3": None, "at": at, "user_id": 2,
                                                    "text": "Met the mission.\nFollow up in March — ünïcödé"}])
    engine.dispose()


def _one_line_refusal(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def _cli(*args: str):
    from typer.testing import CliRunner

    from blocwatch.cli import app

    return CliRunner().invoke(app, list(args))


# ---------------------------------------------------------------- db copy

def test_copy_to_an_empty_database_and_back_keeps_every_row(tiny_db_url, empty_db_url, tmp_path):
    """The run's backend to an empty database of it, then to a new SQLite file: the same rows in every table."""
    _add_team_rows(tiny_db_url)
    result = _cli("db", "copy", tiny_db_url, empty_db_url, "--json")
    assert result.exit_code == 0, result.output
    copied = json.loads(result.stdout)
    assert list(copied["tables"]) == [t.name for t in store_copy.tables()]  # dependency order
    assert copied["rows"] == sum(copied["tables"].values())
    assert copied["tables"]["audit_log"] == 2 and copied["tables"]["votes"] > 40_000
    assert copied["replaced"] is False and copied["schema_revision"]
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    assert _cli("db", "copy", empty_db_url, back).exit_code == 0
    source = _rows(tiny_db_url)
    assert all(source[name] for name in source)  # every table holds rows
    assert _rows(empty_db_url) == source
    assert _rows(back) == source


def test_the_api_and_the_cli_report_the_same_copy(tiny_db_url, tmp_path):
    from blocwatch.api import database

    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    via_cli = json.loads(_cli("db", "copy", tiny_db_url, str(first), "--json").stdout)
    via_api = database.copy(tiny_db_url, str(second)).to_json()
    assert {k: v for k, v in via_cli.items() if k != "destination"} == \
        {k: v for k, v in via_api.items() if k != "destination"}


def test_a_database_holding_rows_is_refused_unless_replace(tiny_db_url, empty_db_url):
    assert _cli("db", "copy", tiny_db_url, empty_db_url).exit_code == 0
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM event_sources WHERE event_id = '2025-11-21-ga80-3c-critical'")
        conn.exec_driver_sql("DELETE FROM positions WHERE event_id = '2025-11-21-ga80-3c-critical'")
        conn.exec_driver_sql("DELETE FROM events WHERE id = '2025-11-21-ga80-3c-critical'")
    before = snapshot(engine)
    _one_line_refusal(_cli("db", "copy", tiny_db_url, empty_db_url), "is not empty", "--replace",
                      "nothing was written")
    assert snapshot(engine) == before
    result = _cli("db", "copy", tiny_db_url, empty_db_url, "--replace", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["replaced"] is True
    engine.dispose()
    assert _rows(empty_db_url) == _rows(tiny_db_url)


def test_bad_sources_and_targets_are_one_line_and_write_nothing(tiny_db_url, empty_db_url, tmp_path):
    missing = tmp_path / "missing.sqlite3"
    _one_line_refusal(_cli("db", "copy", str(missing), empty_db_url), "no such database file")
    assert not missing.exists()
    _one_line_refusal(_cli("db", "copy", tiny_db_url, tiny_db_url), "the same database")
    # a source without blocwatch's schema, and a target that is someone else's database
    engine = make_engine(empty_db_url)
    engine.connect().close()  # the database exists (a SQLite file is created), with no tables
    _one_line_refusal(_cli("db", "copy", empty_db_url, str(tmp_path / "other.sqlite3")), "no blocwatch database")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    engine.dispose()
    _one_line_refusal(_cli("db", "copy", tiny_db_url, empty_db_url), "not a blocwatch database")
    assert _tables(empty_db_url) == ["invoices"]


# ---------------------------------------------------------------- backup and restore

def test_backup_restore_backup_is_byte_identical(tiny_db_url, empty_db_url, tmp_path):
    _add_team_rows(tiny_db_url)
    first, second = tmp_path / "first.jsonl.gz", tmp_path / "second.jsonl.gz"
    result = _cli("--db", tiny_db_url, "backup", "--out", str(first), "--json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert written["bytes"] == first.stat().st_size and len(written["sha256"]) == 64
    result = _cli("--db", empty_db_url, "restore", str(first), "--json")
    assert result.exit_code == 0, result.output
    restored = json.loads(result.stdout)
    assert restored["tables"] == written["tables"] and restored["rows"] == written["rows"]
    assert _cli("--db", empty_db_url, "backup", "--out", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert _rows(empty_db_url) == _rows(tiny_db_url)
    # the restored database is a working blocwatch database
    events = _cli("--db", empty_db_url, "events", "list", "--json")
    assert events.exit_code == 0 and len(json.loads(events.stdout)) == 29


def test_backup_refuses_to_overwrite_a_file(tiny_db_url, tmp_path):
    out = tmp_path / "b.jsonl.gz"
    out.write_text("keep me")
    _one_line_refusal(_cli("--db", tiny_db_url, "backup", "--out", str(out)), "exists", "--replace")
    assert out.read_text() == "keep me"


@pytest.fixture(scope="module")
def tiny_backup(tiny_db_file, tmp_path_factory):
    """A backup of the tiny database, written once for the refusal tests."""
    out = tmp_path_factory.mktemp("backup") / "tiny.jsonl.gz"
    result = _cli("--db", str(tiny_db_file), "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def _rewritten(source, out, edit) -> None:
    """``source`` with its decompressed lines passed through ``edit(list of lines)``, compressed again."""
    lines = gzip.decompress(source.read_bytes()).splitlines(keepends=True)
    out.write_bytes(gzip.compress(b"".join(edit(lines))))


def _damaged_files(tiny_backup, tmp_path):
    def edited_row(lines):
        at = next(i for i, line in enumerate(lines) if line.startswith(b'["FRA"'))
        lines[at] = lines[at].replace(b'"France"', b'"Frankreich"')
        return lines

    def other_revision(lines):
        header = json.loads(lines[0])
        header["schema_revision"] = "0001"
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    files = {}
    files["edited"] = tmp_path / "edited.jsonl.gz"
    _rewritten(tiny_backup, files["edited"], edited_row)
    files["truncated"] = tmp_path / "truncated.jsonl.gz"
    _rewritten(tiny_backup, files["truncated"], lambda lines: lines[: len(lines) // 2])
    files["revision"] = tmp_path / "revision.jsonl.gz"
    _rewritten(tiny_backup, files["revision"], other_revision)
    damaged = bytearray(tiny_backup.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    files["bitflip"] = tmp_path / "bitflip.jsonl.gz"
    files["bitflip"].write_bytes(bytes(damaged))
    files["text"] = tmp_path / "text.jsonl.gz"
    files["text"].write_text("hello\n")
    return files


@pytest.mark.parametrize("kind, fragment", [
    ("edited", "SHA-256"),
    ("truncated", "ends early"),
    ("revision", "schema revision '0001'"),
    ("bitflip", "bitflip.jsonl.gz"),  # where the damage shows depends on the byte: any one-line refusal
    ("text", "not a readable blocwatch backup"),
])
def test_restore_refuses_a_bad_file_and_writes_nothing(tiny_backup, empty_db_url, tmp_path, kind, fragment):
    path = _damaged_files(tiny_backup, tmp_path)[kind]
    _one_line_refusal(_cli("--db", empty_db_url, "restore", str(path)), fragment, "nothing was written")
    assert _tables(empty_db_url) == []  # not even the schema


def test_restore_refuses_a_database_holding_rows_unless_replace(tiny_backup, tiny_db_file, tiny_db_url):
    engine = make_engine(tiny_db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM event_sources WHERE event_id = '2025-11-21-ga80-3c-critical'")
    before = snapshot(engine)
    _one_line_refusal(_cli("--db", tiny_db_url, "restore", str(tiny_backup)), "is not empty", "--replace")
    assert snapshot(engine) == before
    engine.dispose()
    result = _cli("--db", tiny_db_url, "restore", str(tiny_backup), "--replace", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["replaced"] is True
    assert _rows(tiny_db_url) == _rows(f"sqlite:///{tiny_db_file}")  # the backup's rows, and only those


def test_restore_of_a_missing_file_is_one_line(empty_db_url, tmp_path):
    result = _cli("--db", empty_db_url, "restore", str(tmp_path / "nothing.jsonl.gz"))
    assert result.exit_code == 1 and "nothing.jsonl.gz" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _tables(empty_db_url) == []


# ---------------------------------------------------------------- between SQLite and PostgreSQL

@pytest.mark.needs_postgres
@pytest.mark.parametrize("which", ["tiny", "small"])
def test_sqlite_to_postgresql_to_sqlite_gives_identical_rows(request, which, pg_empty_url, tmp_path):
    """Every table of the SQLite file, down to the stored text of each cell, comes back as it was (the tiny
    database with rows in every table, the small one with 215,000 GA votes)."""
    source = _private_copy(request.getfixturevalue(f"{which}_db_file"), tmp_path)
    if which == "tiny":
        _add_team_rows(source)
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    assert _cli("db", "copy", source, pg_empty_url).exit_code == 0
    assert _cli("db", "copy", pg_empty_url, back).exit_code == 0
    original, returned = make_engine(source), make_engine(back)
    assert snapshot(returned) == snapshot(original)  # raw cells, every table incl. alembic_version
    original.dispose()
    returned.dispose()
    assert _rows(pg_empty_url) == _rows(source)


@pytest.mark.needs_postgres
def test_after_a_copy_to_postgresql_new_rows_get_new_ids(tiny_db_file, pg_empty_url, tmp_path):
    """The id sequences are set past the copied ids: adding a statement (sources, positions) works."""
    source = _private_copy(tiny_db_file, tmp_path)
    _add_team_rows(source)
    assert _cli("db", "copy", source, pg_empty_url).exit_code == 0
    text = tmp_path / "statement.txt"
    text.write_text("Joint statement delivered by Canada on behalf of 3 countries: Canada, Japan and Australia.",
                    encoding="utf-8")
    result = _cli("--db", pg_empty_url, "events", "add", str(text), "--yes", "--publisher", "ngo",
                  "--source", "https://example.org/joint", "--date", "2026-06-20", "--forum", "HRC",
                  "--stance", "critical", "--session", "HRC62", "--by", "Canada")
    assert result.exit_code == 0, result.output
    events = json.loads(_cli("--db", pg_empty_url, "events", "list", "--json").stdout)
    assert len(events) == 30
    from sqlalchemy import insert

    engine = make_engine(pg_empty_url)
    users = {t.name: t for t in store_copy.tables()}["users"]
    with engine.begin() as conn:
        added = conn.execute(insert(users).values(username="carol", password_hash="h", role="viewer",
                                                  created_at=datetime(2026, 2, 1), disabled=False)).inserted_primary_key
    engine.dispose()
    assert added[0] == 3


@pytest.mark.needs_postgres
def test_a_sqlite_backup_restored_on_postgresql_backs_up_identically(tiny_db_file, pg_empty_url, tmp_path):
    source = _private_copy(tiny_db_file, tmp_path)
    _add_team_rows(source)
    first, second = tmp_path / "sqlite.jsonl.gz", tmp_path / "postgresql.jsonl.gz"
    assert _cli("--db", source, "backup", "--out", str(first)).exit_code == 0
    assert _cli("--db", pg_empty_url, "restore", str(first)).exit_code == 0
    assert _cli("--db", pg_empty_url, "backup", "--out", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
