"""Each source's publisher kind (data/publishers.csv), and the flags on facts that rest only on mirrors."""

from __future__ import annotations

import csv
import sqlite3

import pytest

import blocwatch
from blocwatch import registry
from blocwatch.errors import NotFound
from blocwatch.statements.publishers import PUBLISHERS, publisher_of


@pytest.fixture(scope="module")
def bw(small_bw):
    return small_bw


def test_the_table_is_well_formed():
    with registry.data_path("publishers.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    domains = [r["domain"] for r in rows]
    assert len(domains) == len(set(domains))
    assert {r["publisher"] for r in rows} <= set(PUBLISHERS)
    assert all(r["name"].strip() for r in rows)


def test_lookup_by_host_then_parent_domain():
    assert publisher_of("https://www.un.org/en/ga/third/") == "un"  # un.org
    assert publisher_of("http://geneva.china-mission.gov.cn/eng/x.htm") == "government"
    assert publisher_of("https://elderofziyon.blogspot.com/2019/08/x.html") == "mirror"
    with pytest.raises(NotFound, match="example.org is not in data/publishers.csv"):
        publisher_of("https://example.org/x")


def test_every_stored_event_source_has_a_publisher(bw):
    for e in bw.dataset():
        for ref in e.sources:
            assert ref.publisher in PUBLISHERS, (e.id, ref.url)


def test_a_withdrawal_resting_only_on_a_mirror_is_flagged(bw):
    s = bw.events.show("ga78-critical")
    fiji = next(c for c in s.changes if c["iso3"] == "FJI")
    assert fiji["publisher"] == "mirror" and "calyptus" in fiji["source"]
    assert any("FJI withdrew on 2023-10-30: this rests only on a mirror" in c for c in s.caveats)
    text = bw.events.brief("ga78-critical").render("md")
    assert "That Fiji withdrew on 2023-10-30 rests only on a mirror or blog" in text
    assert "[mirror or blog]" in text and "[NGO]" in text


def test_a_list_resting_only_on_mirrors_is_flagged_and_one_with_an_original_is_not(bw):
    flagged = bw.events.show("ga77-critical")
    assert flagged.list_mirror_only and not flagged.mirror_only
    assert any("comes only from mirrors or blogs" in c for c in flagged.caveats)
    assert "The list of signatories comes only from mirrors or blogs" in bw.events.brief("ga77-critical").render()
    original = bw.events.show("hrc50-critical")  # government.nl published the list
    assert not original.list_mirror_only
    assert not any("mirrors or blogs" in c for c in original.caveats)


def test_a_database_made_before_publishers_is_upgraded_and_filled(small_db_file, tmp_path):
    from alembic import command

    from blocwatch.store.db import _migrations_config, make_engine

    path = tmp_path / "old.sqlite3"
    path.write_bytes(small_db_file.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    command.downgrade(_migrations_config(engine), "0002")  # migration 0003 undone: the ga_* tables again
    engine.dispose()
    with sqlite3.connect(path) as conn:  # and as revision 0001 left it
        conn.execute("ALTER TABLE sources DROP COLUMN publisher")
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
        conn.execute("DELETE FROM imports WHERE kind = 'bundled:publishers'")
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {
            "ga_roll_calls", "ga_votes"}
        # the downgrade took the Council's roll calls away rather than leave them as GA ones
        assert conn.execute("SELECT count(*) FROM ga_roll_calls WHERE session > 1000").fetchone()[0] == 0
    filled = []
    handle = blocwatch.open(str(path), on_fill=lambda loader: filled.append(loader.kind))
    s = handle.events.show("ga78-critical")
    assert filled == ["bundled:publishers", "bundled:dgacm", "bundled:hrc"]
    assert handle.votes.show("A/RES/74/7").sources[1]["title"].startswith("blocwatch curated GA resolutions")
    assert s.publishers["mirror"] >= 1 and "unclassified" not in s.publishers
    handle.close()
