"""``blocwatch events add``: a statement from its text, previewed, stored once, never overwritten."""

from __future__ import annotations

import json

import pytest

from blocwatch.statements.dataset import read_event_file

from dbsnapshot import row_counts

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too

TEXT = ("Joint statement delivered by Canada on behalf of 5 countries: Canada, Japan, Australia, "
        "Ruritania and New Zealand.")
ARGS = ["--publisher", "ngo", "--source", "https://example.org/statement", "--date", "2026-06-20", "--forum", "HRC",
        "--stance", "critical", "--session", "HRC62", "--by", "Canada"]


def _engine(url):
    from blocwatch.store.db import make_engine

    return make_engine(url)


def test_preview_stores_nothing_and_reports_what_it_found(small_cli, small_db_url, tmp_path):
    path = tmp_path / "statement.txt"
    path.write_text(TEXT, encoding="utf-8")
    engine = _engine(small_db_url)
    before = row_counts(engine)
    result = small_cli("events", "add", str(path), *ARGS, "--json")
    assert result.exit_code == 0, result.output
    preview = json.loads(result.stdout)
    assert preview["stored"] is False and preview["id"] == "2026-06-20-hrc62-critical"
    assert [s["iso3"] for s in preview["signatories"]] == ["CAN", "JPN", "AUS", "NZL"]
    assert preview["unresolved"] == ["Ruritania"]
    assert preview["claimed_count"] == 5 and preview["found_count"] == 4 and preview["list_complete"] is False
    assert row_counts(engine) == before
    engine.dispose()


def test_yes_stores_once_with_provenance_and_a_second_add_is_refused(small_cli, small_db_url, tmp_path):
    path = tmp_path / "statement.txt"
    path.write_text(TEXT, encoding="utf-8")
    yaml_out = tmp_path / "2026-06-20-hrc62-critical.yaml"
    result = small_cli("events", "add", str(path), *ARGS, "--yes", "--yaml-out", str(yaml_out))
    assert result.exit_code == 0, result.output
    assert "stored 2026-06-20-hrc62-critical" in result.stdout
    shown = json.loads(small_cli("events", "show", "hrc62-critical", "--json").stdout)
    assert shown["signatories"] == ["CAN", "JPN", "AUS", "NZL"] and shown["partial"] is True
    assert shown["sources"] == [{"url": "https://example.org/statement",
                                 "what": "text of the statement (list of signatories)", "publisher": "ngo"}]
    assert shown["signatory_sources"]["JPN"] == "https://example.org/statement"
    # The curated file format, read back by the same validation as the bundled events.
    assert read_event_file(yaml_out).signatories == ["CAN", "JPN", "AUS", "NZL"]
    engine = _engine(small_db_url)
    with engine.connect() as conn:
        logged = conn.exec_driver_sql("SELECT rows FROM imports WHERE kind = 'events:add'").all()
    assert len(logged) == 1
    before = row_counts(engine)
    again = small_cli("events", "add", str(path), *ARGS, "--yes")
    assert again.exit_code == 2 and "already stored" in again.output and "never overwritten" in again.output
    assert row_counts(engine) == before
    engine.dispose()


def test_text_without_a_list_or_a_bad_source_changes_nothing(small_cli, small_db_url, tmp_path):
    engine = _engine(small_db_url)
    before = row_counts(engine)
    prose = tmp_path / "prose.txt"
    prose.write_text("The Council met today and heard several statements.", encoding="utf-8")
    result = small_cli("events", "add", str(prose), *ARGS, "--yes")
    assert result.exit_code == 2 and "no list of states found" in result.output
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    bad_url = [a if a != "https://example.org/statement" else "example.org" for a in ARGS]
    result = small_cli("events", "add", str(good), *bad_url, "--yes")
    assert result.exit_code == 2 and "--source 'example.org'" in result.output
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02 binary " * 50)
    result = small_cli("events", "add", str(binary), *ARGS, "--yes")
    assert result.exit_code == 2
    assert row_counts(engine) == before
    engine.dispose()


def test_the_api_previews_and_stores(small_db_url):
    from datetime import date

    import blocwatch

    bw = blocwatch.open(small_db_url)
    preview = bw.events.add(TEXT, source="https://www.hrw.org/s", day=date(2026, 6, 21), forum="hrc",
                            stance="supportive", event_id="test-add")
    assert not preview.stored and "test-add" not in bw.dataset().ids()
    stored = bw.events.add(TEXT, source="https://www.hrw.org/s", day=date(2026, 6, 21), forum="hrc",
                           stance="supportive", event_id="test-add", store=True)
    assert stored.stored and bw.events.get("test-add").stance == "supportive"
    bw.close()


def test_an_unknown_publisher_is_asked_for(small_cli, tmp_path):
    path = tmp_path / "statement.txt"
    path.write_text(TEXT, encoding="utf-8")
    args = [a for a in ARGS if a not in ("--publisher", "ngo")]
    result = small_cli("events", "add", str(path), *args, "--yes")
    assert result.exit_code == 2 and "example.org is not in data/publishers.csv" in result.output
    result = small_cli("events", "add", str(path), *args, "--source", "https://www.gov.uk/x", "--yes", "--json")
    assert result.exit_code == 0, result.output
