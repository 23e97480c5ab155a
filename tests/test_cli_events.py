"""The events CLI, briefs and exports, through the command line on a real filled database."""

from __future__ import annotations

import json
import re
import sqlite3

import pandas as pd
import pytest


@pytest.fixture
def cli(small_cli):
    """Events, countries and briefs need every event but only session 74's votes: the small database."""
    return small_cli

LIST_KEYS = {"id", "series", "date", "forum", "session", "stance", "target", "delivered_by", "claimed_count",
             "known_count", "list_complete", "responds_to"}
SHOW_KEYS = LIST_KEYS | {"signatories", "by_group", "groups_covered", "first_all_groups",
                         "first_all_groups_caveats", "first_time", "returning", "joined", "left", "switchers",
                         "both_sides", "compared_with", "counter"}


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_events_list_json_contract(cli):
    rows = _json(cli("events", "list", "--series", "xinjiang", "--json"))
    assert len(rows) == 29
    for r in rows:
        assert set(r) >= LIST_KEYS
    assert rows[0]["id"] == "2019-07-08-hrc41-letter-critical"


def test_events_show_json_contract(cli):
    s = _json(cli("events", "show", "2022-06-14-hrc50-c", "--json"))
    assert set(s) >= SHOW_KEYS
    assert set(s["counter"]) >= {"id", "delivered_by", "claimed_count", "known_count"}
    # government.nl lists 47 names for the Netherlands' statement of 14 June 2022 (claimed 47).
    assert s["claimed_count"] == 47 and s["known_count"] == 47 and s["delivered_by"] == "NLD"
    assert s["counter"]["id"] == "2022-06-14-hrc50-supportive" and s["counter"]["claimed_count"] == 69


def test_diff_json_contract(cli):
    d = _json(cli("diff", "2019-07-08", "2019-10-29-ga74-3c-critical", "--json"))
    assert {"a", "b", "joined", "left", "stayed"} <= set(d)
    assert sorted(d["left"]) == ["CHE", "ESP"]


def test_unknown_event_gives_clear_error(cli):
    result = cli("events", "show", "2022-10-30-ga77")
    assert result.exit_code == 2
    assert "no event '2022-10-30-ga77'" in result.stderr and "2022-10-31-ga77-3c" in result.stderr
    assert cli("brief", "nope-nope").exit_code == 2


def test_country_accepts_names(cli):
    h = _json(cli("country", "Somalia", "--json"))
    assert h["iso3"] == "SOM" and h["both_sides"] is True


def test_brief_facts_match_the_json(cli):
    ref = "2021-10-21-ga76-3c-critical"
    s = _json(cli("events", "show", ref, "--json"))
    md = cli("brief", ref, "--format", "md")
    assert md.exit_code == 0
    text = md.stdout
    assert f"on behalf of {s['claimed_count']} countries (claimed)" in text
    assert f"{s['known_count']} are named" in text and "the list is partial" in text
    assert f"{s['unnamed_count']} signatories are unnamed" in text
    assert f"{s['groups_covered']} of the 5 UN regional groups" in text
    assert "lower bounds" in text and "first known" in text
    assert s["compared_with"] in text and "no state certainly left" in text
    assert f"({len(s['left_uncertain'])} named there are not named here" in text
    assert s["counter"]["id"] in text and f"{s['counter']['claimed_count']} countries" in text
    # Every fact sentence carries a reference, and each reference is one of the listed sources.
    sources = re.findall(r"^\d+\. <(\S+)>", text, re.M)
    for n, url in re.findall(r"\[\[(\d+)\]\]\((\S+?)\)", text):
        assert sources[int(n) - 1] == url
    body = text.split("## Sources")[0]
    for para in [p for p in body.split("\n\n")[1:] if p.strip()]:
        assert "[[" in para, para
    facts = _json(cli("brief", ref, "--format", "json"))
    assert facts["event"]["known_count"] == s["known_count"]
    assert facts["facts"]["counts"]["claimed_count"] == s["claimed_count"]


def test_brief_html_links_sources(cli):
    html = cli("brief", "2023-10-18", "--format", "html").stdout
    assert html.startswith("<!doctype html>") and '<a href="http://news.calyptus.net/' in html
    assert "Fiji withdrew on 2023-10-30" in html


def test_export_sqlite_round_trip(cli, tmp_path):
    out = tmp_path / "bw.sqlite3"
    result = _json(cli("export", "--format", "sqlite", "--out", str(out), "--json"))
    events = _json(cli("events", "list", "--json"))
    con = sqlite3.connect(out)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM events ORDER BY date, id")]
        assert ids == [e["id"] for e in events]
        known = dict(con.execute("SELECT id, known_count FROM events"))
        assert known == {e["id"]: e["known_count"] for e in events}
        standing = dict(con.execute("SELECT event_id, count(*) FROM positions WHERE withdrew_on IS NULL "
                                    "GROUP BY event_id"))
        assert standing == {e["id"]: e["known_count"] for e in events}
        assert con.execute("SELECT count(*) FROM positions").fetchone()[0] == result["tables"]["positions"]
        # Plain tables only: every declared column type is TEXT or INTEGER.
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            types = {r[2] for r in con.execute(f'PRAGMA table_info("{table}")')}
            assert types <= {"TEXT", "INTEGER"}, table
        assert con.execute("SELECT count(*) FROM data_dictionary").fetchone()[0] > 20
        assert con.execute("SELECT value FROM about WHERE key='licence'").fetchone()[0]
    finally:
        con.close()


def test_export_csv_json_parquet(cli, tmp_path):
    events = _json(cli("events", "list", "--json"))
    _json(cli("export", "--format", "csv", "--out", str(tmp_path / "csv"), "--json"))
    df = pd.read_csv(tmp_path / "csv" / "events.csv")
    assert list(df["id"]) == [e["id"] for e in events]
    assert (tmp_path / "csv" / "data_dictionary.csv").exists() and (tmp_path / "csv" / "ABOUT.md").exists()
    _json(cli("export", "--format", "parquet", "--out", str(tmp_path / "pq"), "--json"))
    pos = pd.read_parquet(tmp_path / "pq" / "positions.parquet")
    assert set(pos["event_id"]) == {e["id"] for e in events}
    _json(cli("export", "--format", "json", "--out", str(tmp_path / "x.json"), "--json"))
    payload = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert len(payload["tables"]["events"]) == len(events) and payload["about"]["provenance"]
    assert cli("export", "--format", "xls", "--out", str(tmp_path / "y")).exit_code == 2
