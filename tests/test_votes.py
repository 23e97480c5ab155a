"""Recorded votes of both forums through the API and the CLI: show, search, members, add, import, agreement
and ideal points on the Council. Real data (the small database: GA sessions of SMALL_SESSIONS incl. 74, 76, 78
from unvotes and the UN's resolutions; every Council vote), no mocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from blocwatch.errors import Conflict, ImportFailed, InvalidInput, NotFound

REPO = Path(__file__).resolve().parents[1]
DGACM = REPO / "curation" / "sources" / "unga" / "dgacm"

HRC_VOTES = REPO / "curation" / "sources" / "hrc" / "votes"

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


def _record_text(csv_file: Path) -> str:
    """A vote record in the Council's style, written from a checked vote list (iso3,name,vote)."""
    import csv

    with csv_file.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    parts = []
    for vote, heading in (("yes", "In favour"), ("no", "Against"), ("abstain", "Abstaining")):
        names = [r["name"] for r in rows if r["vote"] == vote]
        parts.append(f"{heading} ({len(names)}): {', '.join(names)}")
    return "\n".join(parts) + "\n"


# A/HRC/RES/49/1 (4 March 2022, 32-2-13), from the checked list.
HRC_49_1 = _record_text(next(HRC_VOTES.glob("2022-03-04_A-HRC-RES-49-1_*.csv")))


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar())


def test_es_11_1_is_141_5_35_with_five_against(small_bw):
    r = small_bw.votes.show("A/RES/ES-11/1")
    assert (r.stated, r.date, r.forum) == ({"yes": 141, "no": 5, "abstain": 35}, "2022-03-02", "ga")
    assert {p["iso3"] for p in r.positions if p["position"] == "no"} == {"BLR", "ERI", "PRK", "RUS", "SYR"}
    assert r.tally_matches is True
    assert r.counted["yes"] + r.counted["no"] + r.counted["abstain"] + r.counted["absent"] == 193
    # a short form of the symbol and any case find the same roll call
    assert small_bw.votes.show("es-11/1").rcid == r.rcid


def test_a_vote_without_lists_has_no_absent_members(small_db_url):
    """A/RES/75/254 A-C states a tally (168-2-0) but the source lists no state: nobody is "absent"."""
    import blocwatch

    bw = blocwatch.open(small_db_url)
    bw.votes.import_dgacm([DGACM / "75.json"])
    r = bw.votes.show("A/RES/75/254 A-C")
    assert bw.votes.show("75/254A-C").rcid == r.rcid  # with or without the space
    assert r.lists is False and r.positions == [] and r.counted["absent"] == 0 and r.tally_matches is None
    assert r.stated == {"yes": 168, "no": 2, "abstain": 0} and [n["kind"] for n in r.notes] == ["no_lists"]
    hit = next(h for h in bw.votes.search(text="Programme budget 2021", state="FRA", limit=0).hits
               if h["symbol"] == "A/RES/75/254 A-C")
    assert hit["position"] == "unknown"


def test_every_recorded_vote_equals_its_stated_tally_except_the_recorded_exceptions(small_db_engine):
    with small_db_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT r.rcid, r.symbol, r.yes_count, r.no_count, r.abstain_count,"
            " SUM(CASE WHEN v.vote = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN v.vote = 3 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN v.vote = 2 THEN 1 ELSE 0 END)"
            " FROM roll_calls r LEFT JOIN votes v USING (rcid) WHERE r.yes_count IS NOT NULL"
            " GROUP BY r.rcid")).all()
        noted = {rcid for (rcid,) in conn.execute(text(
            "SELECT rcid FROM roll_call_notes WHERE kind IN ('tally_mismatch', 'no_lists')"))}
    assert len(rows) > 250  # sessions 74, 76, 78 of the UN's resolutions and the checked Council votes
    differ = {r[1] for r in rows if (r[2], r[3], r[4]) != (r[5] or 0, r[6] or 0, r[7] or 0)}
    # sessions 74, 76, 78 hold no exception (A/RES/77/293 and 75/254 A-C are checked in the import tests)
    assert differ == set() and not noted


def test_session_74_is_stored_once_with_both_sources_and_no_disagreement(small_db_engine, small_bw):
    assert _count(small_db_engine, "SELECT COUNT(*) FROM roll_calls WHERE forum = 'ga' AND session = 74") == 91
    assert _count(small_db_engine, "SELECT COUNT(*) FROM roll_call_sources rs JOIN roll_calls r USING (rcid)"
                                " WHERE r.session = 74 AND r.forum = 'ga'") == 90
    assert _count(small_db_engine, "SELECT COUNT(*) FROM roll_call_notes WHERE kind = 'source_disagreement'") == 0
    r = small_bw.votes.show("A/RES/74/7")
    assert len(r.sources) == 2 and r.draft == "A/74/L.6"


def test_a_disagreement_between_sources_is_noted_not_resolved(small_db_url):
    import blocwatch
    from blocwatch.store.db import session_scope
    from blocwatch.votes.load import load_dgacm

    bw = blocwatch.open(small_db_url)
    before = bw.votes.show("A/RES/74/7")
    usa = before.position_of("USA")
    with bw.engine.begin() as conn:  # pretend unvotes had recorded the United States as abstaining
        conn.execute(text("UPDATE votes SET vote = 2 WHERE iso3 = 'USA' AND rcid = :r"), {"r": before.rcid})
        conn.execute(text("DELETE FROM roll_call_sources WHERE rcid = :r"), {"r": before.rcid})
    with session_scope(bw.engine) as db:
        written = load_dgacm(db, ga_sessions=(74,))
    assert written.roll_calls_merged == 1 and len(written.disagreements) == 1
    after = blocwatch.open(small_db_url).votes.show("A/RES/74/7")
    assert after.position_of("USA") == "abstain" != usa  # kept, not silently replaced
    assert [n["iso3"] for n in after.notes if n["kind"] == "source_disagreement"] == ["USA"]


def test_search_by_target_and_state(small_bw):
    found = small_bw.votes.search(forum="hrc", target="Myanmar", state="Indonesia", limit=0)
    assert found.total == len(found.hits) >= 5
    assert all(h["target"] == "MMR" and h["forum"] == "hrc" for h in found.hits)
    dates = [h["date"] for h in found.hits]
    assert dates == sorted(dates, reverse=True)
    # Indonesia sat on the Council in 2020 (abstained on 43/26) but not in 2019
    by_symbol = {h["symbol"]: h["position"] for h in found.hits}
    assert by_symbol["A/HRC/RES/43/26"] == "abstain" and by_symbol["A/HRC/RES/40/29"] == "not_member"


def test_search_words_dates_and_names_in_other_languages(small_bw):
    words = small_bw.votes.search(text="aggression ukraine", date_from="2022-01-01", date_to="2022-12-31")
    assert "A/RES/ES-11/1" in {h["symbol"] for h in words.hits}
    assert all("2022" <= h["date"] <= "2022-12-31" for h in words.hits)
    assert small_bw.votes.search(target="Российская Федерация", forum="hrc").total == \
        small_bw.votes.search(target="RUS", forum="hrc").total > 10


@pytest.mark.parametrize("kwargs, message", [
    ({"date_from": "2022-13-01"}, "not a date"),
    ({"date_from": "2023-01-01", "date_to": "2022-01-01"}, "after"),
    ({"forum": "security-council"}, "forum"),
    ({"target": "Narnia"}, "Narnia"),
])
def test_search_refuses_bad_filters_with_one_line(small_bw, kwargs, message):
    with pytest.raises((InvalidInput, NotFound), match=message):
        small_bw.votes.search(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"session": 1999, "forum": "hrc"}, "no recorded Council votes for year 1999 .stored: 2006-2024"),
    ({"year": 2030}, "no recorded GA votes in 2030"),
    ({"year": 2023, "issue": "hr"}, "unvotes data, which ends in 2019"),
])
def test_agreement_outside_the_data_is_refused(small_bw, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        small_bw.ga.agreement(**kwargs)


def test_show_unknown_symbol_offers_close_matches(small_bw):
    with pytest.raises(NotFound) as err:
        small_bw.votes.show("A/RES/ES-11/9")
    assert "A/RES/ES-11/1" in err.value.close_matches


def test_council_members_on_dates(small_bw):
    assert len(small_bw.hrc.members(on="2022-03-04").members) == 47
    march = {m["iso3"] for m in small_bw.hrc.members(on="2022-03-04").members}
    june = {m["iso3"] for m in small_bw.hrc.members(on="2022-06-01").members}
    assert "RUS" in march and "CZE" not in march and "CZE" in june and "RUS" not in june
    assert small_bw.hrc.members(year=2018).by_group == {"african": 13, "asia_pacific": 13, "eastern_european": 6,
                                                         "latin_american_caribbean": 8, "weog": 7}
    with pytest.raises(InvalidInput, match="not known .the stored membership covers 2006-06-19 to 2025-12-31"):
        small_bw.hrc.members(year=1999)
    # after the last year of the table a term without an end date is not known to run on
    with pytest.raises(InvalidInput, match="2030-12-31 are not known"):
        small_bw.hrc.members(year=2030)
    with pytest.raises(InvalidInput, match="--year 0"):
        small_bw.hrc.members(year=0)


def test_every_council_vote_is_by_that_days_members_except_the_flagged_dates(small_db_engine):
    with small_db_engine.connect() as conn:
        outside = conn.execute(text(
            "SELECT DISTINCT r.date FROM votes v JOIN roll_calls r USING (rcid) WHERE r.forum = 'hrc'"
            " AND NOT EXISTS (SELECT 1 FROM council_terms t WHERE t.iso3 = v.iso3 AND t.start <= r.date"
            " AND (t.\"end\" IS NULL OR t.\"end\" >= r.date))")).scalars().all()
        flagged = set(conn.execute(text(
            "SELECT DISTINCT r.date FROM roll_call_notes n JOIN roll_calls r USING (rcid)"
            " WHERE n.kind = 'not_a_member'")).scalars())
    assert set(outside) == flagged
    assert {"2011-03-25", "2016-09-27", "2022-07-07"} <= {str(d) for d in outside}


def test_council_agreement_and_ideal_points(small_bw):
    scores = small_bw.ga.agreement(year=2022, country="CHN", forum="hrc")
    assert scores.forum == "hrc" and len(scores.frame)
    members = {m["iso3"] for m in small_bw.hrc.members(year=2022).members}
    # RUS sat until 7 April 2022; DZA is on the OHCHR list of 7 July 2022, one of the flagged dates
    assert set(scores.frame["b"].astype(str)) <= members | {"RUS", "DZA"}
    ideal = small_bw.ga.ideal(2022, forum="hrc")
    pos = ideal.positions.set_index("iso3")["ideal"]
    assert pos["GBR"] > 0 > pos["CHN"] and pos["GBR"] > pos["VEN"]
    with pytest.raises(InvalidInput, match="General Assembly codings"):
        small_bw.ga.agreement(year=2022, forum="hrc", issue="hr")


def test_add_a_vote_from_text_then_refuse_a_changed_readd(small_db_url):
    import blocwatch

    bw = blocwatch.open(small_db_url)
    rc = bw.votes.show("A/HRC/RES/49/1")
    with pytest.raises(InvalidInput, match="http"):
        bw.votes.add(HRC_49_1, forum="hrc", symbol="X/1", on="2022-03-04", title="t", source_url="nowhere")
    dry = bw.votes.add(HRC_49_1, forum="hrc", symbol="TEST/49/1", on="2022-03-04", title="Ukraine (test copy)",
                       source_url="https://example.org/record", target="RUS", yes_stance="critical", dry_run=True)
    assert dry.roll_calls_added == 0 and "dry run: nothing stored" in dry.notes
    added = bw.votes.add(HRC_49_1, forum="hrc", symbol="TEST/49/1", on="2022-03-04", title="Ukraine (test copy)",
                         source_url="https://example.org/record", target="RUS", yes_stance="critical")
    assert (added.roll_calls_added, added.votes_added) == (1, 47)
    copy = bw.votes.show("TEST/49/1")
    assert {p["iso3"]: p["position"] for p in copy.positions} == {p["iso3"]: p["position"] for p in rc.positions}
    again = bw.votes.add(HRC_49_1, forum="hrc", symbol="TEST/49/1", on="2022-03-04", title="Ukraine (test copy)",
                         source_url="https://example.org/record", target="RUS", yes_stance="critical")
    assert again.roll_calls_unchanged == 1 and not again.votes_added
    changed = HRC_49_1.replace("Against (2): Eritrea, Russian Federation", "Against (1): Eritrea").replace(
        "Abstaining (13): ", "Abstaining (14): Russian Federation, ")
    with pytest.raises(Conflict, match="RUS no -> abstain"):
        bw.votes.add(changed, forum="hrc", symbol="TEST/49/1", on="2022-03-04", title="Ukraine (test copy)",
                     source_url="https://example.org/record", target="RUS", yes_stance="critical")
    assert bw.votes.show("TEST/49/1").position_of("RUS") == "no"


def test_add_flags_voters_who_were_not_members_and_names_the_session(small_bw):
    # the 4 March 2022 list dated 6 October 2022: Russia had left the Council on 7 April 2022
    record, _ = small_bw.votes.record_from_text(HRC_49_1, forum="hrc", symbol="A/HRC/RES/51/99", on="2022-10-06",
                                                title="t")
    flagged = {n.iso3 for n in record.notes if n.kind == "not_a_member"}
    assert "RUS" in flagged and "ARG" not in flagged and record.session_name == "HRC51"
    ga, _ = small_bw.votes.record_from_text(HRC_49_1, forum="ga", symbol="A/RES/ES-11/99", on="2023-02-23",
                                            title="Principles of the Charter of the United Nations underlying a "
                                                  "comprehensive, just and lasting peace in Ukraine")
    assert (ga.session, ga.session_name, ga.target, ga.yes_stance) == (77, "ES-11", "RUS", "critical")
    with pytest.raises(InvalidInput, match="not known"):
        small_bw.votes.record_from_text(HRC_49_1, forum="hrc", symbol="A/HRC/RES/70/1", on="2030-03-01", title="t")


def test_re_import_compares_false_and_zero_exactly(small_db_url):
    from datetime import date

    import blocwatch
    from blocwatch.store.db import session_scope
    from blocwatch.store.provenance import get_source
    from blocwatch.votes.record import RollCall, Tally
    from blocwatch.votes.write import write_roll_calls

    bw = blocwatch.open(small_db_url)
    first = RollCall("hrc", "A/HRC/TEST/1", date(2022, 3, 4), 2022, "HRC49", "t", adopted=True,
                     stated=Tally(1, 0, 0), positions={"FRA": 1})
    with session_scope(bw.engine) as db:
        source_id = get_source(db, kind="web", url="https://example.org/t", title=None).id
        assert write_roll_calls(db, [first], source_id, source_label="t").roll_calls_added == 1
    from dataclasses import replace

    with session_scope(bw.engine) as db, pytest.raises(Conflict, match="adopted True -> False"):
        write_roll_calls(db, [replace(first, adopted=False)], source_id, source_label="t")


def test_add_refuses_an_unresolved_name(small_bw):
    with pytest.raises(InvalidInput, match="Argentinia"):
        small_bw.votes.add(HRC_49_1.replace("Argentina,", "Argentinia,"), forum="hrc", symbol="T/1",
                           on="2022-03-04", title="t", source_url="https://example.org/x")


def test_import_dgacm_is_idempotent_and_a_bad_file_changes_nothing(small_db_url, tmp_path):
    import blocwatch

    bw = blocwatch.open(small_db_url)
    engine = bw.engine
    before = _count(engine, "SELECT COUNT(*) FROM votes")
    first = bw.votes.import_dgacm([DGACM / "77.json"])
    assert first.roll_calls_added == 88 and first.notes_added >= 1
    assert bw.votes.show("A/RES/77/293").notes[0]["kind"] == "tally_mismatch"
    middle = _count(engine, "SELECT COUNT(*) FROM votes")
    again = bw.votes.import_dgacm([DGACM / "77.json"])
    assert (again.roll_calls_added, again.votes_added, again.roll_calls_unchanged) == (0, 0, 88)
    assert _count(engine, "SELECT COUNT(*) FROM votes") == middle > before
    # a file that fails half-way (a good line, then an unknown state) changes nothing
    lines = (DGACM / "79.json").read_text(encoding="utf-8").splitlines()
    recorded = [ln for ln in lines if '"By a recorded vote"' in ln]
    bad = tmp_path / "bad.json"
    bad.write_text(recorded[0] + "\n" + recorded[1].replace('"ALBANIA"', '"ALBANIAA"', 1).replace(
        '"ANDORRA"', '"NARNIA"', 1) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"bad\.json:2"):
        bw.votes.import_dgacm([bad])
    assert _count(engine, "SELECT COUNT(*) FROM votes") == middle


def test_cli_votes_show_search_members_and_errors(small_cli, tmp_path):
    out = small_cli("votes", "show", "A/HRC/RES/49/1", "--json")
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    assert data["counted"]["yes"] == 32 and data["target"] == "RUS" and data["yes_stance"] == "critical"
    table = small_cli("votes", "show", "A/HRC/RES/49/1").stdout
    assert "Russian Federation" in table and "Eritrea" in table and "Human Rights Council, 2022-03-04" in table
    found = json.loads(small_cli("votes", "search", "--forum", "hrc", "--target", "BLR", "--state", "CHN",
                                 "--json").stdout)
    assert found["hits"] and all(h["target"] == "BLR" for h in found["hits"])
    assert small_cli("hrc", "members", "--on", "2018-03-23", "--csv").stdout.count("\n") == 48
    bad = small_cli("votes", "show", "A/RES/ES-11/99")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "no roll call" in bad.stderr
    bad = small_cli("votes", "search", "--from", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr
    record = tmp_path / "record.txt"
    record.write_text(HRC_49_1, encoding="utf-8")
    parsed = json.loads(small_cli("votes", "parse", str(record), "--json").stdout)
    assert len(parsed["positions"]["yes"]) == 32 and parsed["positions"]["no"] == ["ERI", "RUS"]


def test_upgrade_from_0002_keeps_the_votes(empty_db_url):
    """A database made before migration 0003 (GA tables named ga_*) is upgraded in place, rows kept."""
    from alembic import command

    from blocwatch.store.db import _migrations_config, connect, make_engine

    engine = make_engine(empty_db_url)
    command.upgrade(_migrations_config(engine), "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, kind, title) VALUES (1, 'dataset', 'x')"))
        conn.execute(text("INSERT INTO countries (iso3, name, status, also_in, successors) "
                          "VALUES ('USA', 'United States', 'member', '[]', '[]')"))
        conn.execute(text("INSERT INTO ga_roll_calls (rcid, session, unres, short, issues, source_id) "
                          "VALUES (7, 1, 'R/1/1', 'A TITLE', '[]', 1)"))
        conn.execute(text("INSERT INTO ga_votes (rcid, iso3, vote) VALUES (7, 'USA', 1)"))
    engine.dispose()
    upgraded = connect(empty_db_url)
    with upgraded.connect() as conn:
        row = conn.execute(text("SELECT forum, symbol, title FROM roll_calls WHERE rcid = 7")).one()
        assert tuple(row) == ("ga", "R/1/1", "A TITLE")
        assert conn.execute(text("SELECT vote FROM votes WHERE rcid = 7 AND iso3 = 'USA'")).scalar() == 1
    upgraded.dispose()


def test_copy_of_sources_is_complete():
    """The tests read the in-repository copies: a fresh clone needs no ../shared."""
    assert sorted(p.name for p in DGACM.glob("*.json")) == sorted(
        ["74.json", "75.json", "76.json", "77.json", "78.json", "79.json", "80.json", "ES-10.json", "ES-11.json",
         "S-32.json"])


@pytest.mark.slow
def test_ga_votes_of_1946_2019_are_exactly_the_curated_unvotes(engine):
    """GA results on the 1946-2019 data stay bit-identical: the stored votes of sessions 1-74 are the
    curated unvotes rows, one for one (the UN's resolutions of session 74 merged, none added or changed)."""
    import numpy as np

    from blocwatch.ga.load import curated_tables
    from blocwatch.ga.votes import votes_frame

    stored = votes_frame(engine, range(1, 75))
    curated = curated_tables().votes.sort_values(["rcid", "iso3"], ignore_index=True)
    assert len(stored) == len(curated) == 870_109
    assert np.array_equal(stored["rcid"].to_numpy(), curated["rcid"].to_numpy())
    assert (stored["iso3"].astype(str).to_numpy() == curated["iso3"].astype(str).to_numpy()).all()
    assert np.array_equal(stored["vote"].to_numpy(), curated["vote"].to_numpy())
    assert _count(engine, "SELECT COUNT(*) FROM roll_calls WHERE forum = 'ga' AND session <= 74") == 6203
    assert _count(engine, "SELECT COUNT(*) FROM roll_calls WHERE forum = 'ga' AND date <= '2019-12-31'"
                          " AND rcid >= 1100000000") == 0


def test_a_write_that_fails_half_way_changes_nothing(small_db_url):
    """The second roll call names a state the store does not know: the first, already inserted, goes too."""
    from datetime import date

    import sqlalchemy.exc

    import blocwatch
    from blocwatch.store.db import session_scope
    from blocwatch.store.provenance import get_source
    from blocwatch.votes.record import RollCall
    from blocwatch.votes.write import write_roll_calls

    bw = blocwatch.open(small_db_url)
    before = {t: _count(bw.engine, f"SELECT COUNT(*) FROM {t}") for t in
              ("roll_calls", "votes", "vote_vectors", "roll_call_notes", "sources")}
    good = RollCall("hrc", "A/HRC/TEST/1", date(2022, 3, 4), 2022, "HRC49", "t", positions={"FRA": 1})
    bad = RollCall("hrc", "A/HRC/TEST/2", date(2022, 3, 4), 2022, "HRC49", "t", positions={"XXX": 1})
    with pytest.raises(sqlalchemy.exc.IntegrityError), session_scope(bw.engine) as db:
        source_id = get_source(db, kind="web", url="https://example.org/half", title=None).id
        write_roll_calls(db, [good, bad], source_id, source_label="t")
    assert {t: _count(bw.engine, f"SELECT COUNT(*) FROM {t}") for t in before} == before


def test_a_changed_vote_changes_the_data_version(small_db_url):
    """Caches (the API's, the web's) are keyed on the data version: a replaced vote must change it."""
    import blocwatch

    bw = blocwatch.open(small_db_url)
    bw.votes.add(HRC_49_1, forum="hrc", symbol="TEST/V/1", on="2022-03-04", title="t",
                 source_url="https://example.org/v")
    before = bw.data_version()
    changed = HRC_49_1.replace("Against (2): Eritrea, Russian Federation", "Against (1): Eritrea").replace(
        "Abstaining (13): ", "Abstaining (14): Russian Federation, ")
    bw.votes.add(changed, forum="hrc", symbol="TEST/V/1", on="2022-03-04", title="t",
                 source_url="https://example.org/v", replace=True)
    assert bw.data_version() != before and bw.votes.show("TEST/V/1").position_of("RUS") == "abstain"
