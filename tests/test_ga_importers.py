"""GA importers: unvotes CSV, unvotes .rda, UN Digital Library CSV (files written here)."""

from __future__ import annotations

import csv
import gzip
import shutil
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from blocwatch.ga.importers import (
    UNDL_HEADER_2025,
    UNDL_HEADER_2026,
    UNDL_RCID_OFFSET,
    GAImportError,
    import_votes,
)
from blocwatch.ga.votes import rollcalls_frame, votes_frame

from tests.dbsnapshot import snapshot

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


@pytest.fixture
def small_engine(empty_db_url):
    """A database with the schema and the country registry only (no bundled votes)."""
    from blocwatch.store.countries import load_countries
    from blocwatch.store.db import make_engine, session_scope, upgrade

    eng = make_engine(empty_db_url)
    upgrade(eng)
    with session_scope(eng) as session:
        load_countries(session)
    yield eng
    eng.dispose()


ROLLCALLS = [
    # rcid, session, importantvote, date, unres, amend, para, short, descr
    ("101", "5", "", "1950-10-07", "R/5/376", "0", "", "KOREA", "Korea, with a comma"),
    ("102", "15", "1", "1960-12-14", "R/15/1514", "", "1", "COLONIAL", "Independence"),
    ("103", "45", "0", "1990-12-06", "R/45/1", "0", "0", "LATE 1990", ""),
    ("104", "50", "1", "1995-12-12", "R/50/1", "1", "0", "NINETIES", ""),
]
VOTES = [
    ("101", "United States", "US", "yes"),
    ("101", "Taiwan", "TW", "yes"),
    ("101", "Russia", "RU", "no"),
    ("102", "United States", "US", "abstain"),
    ("102", "Russia", "RU", "yes"),
    ("103", "Federal Republic of Germany", "", "yes"),
    ("103", "Yemen Arab Republic", "", "abstain"),
    ("103", "Russia", "RU", "no"),
    ("104", "Russia", "RU", "yes"),
    ("104", "China", "CN", "yes"),
    ("104", "Namibia", "NA", "no"),
    ("104", "United States", "US", "no"),
]
ISSUES = [("102", "co", "Colonialism"), ("102", "hr", "Human rights"), ("104", "hr", "Human rights")]


def write_csv(path, header, rows, *, gz=False):
    with (gzip.open(path, "wt", newline="", encoding="utf-8") if gz
          else open(path, "w", newline="", encoding="utf-8")) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_unvotes(folder, votes=VOTES, rollcalls=ROLLCALLS, issues=ISSUES):
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "un_votes.csv.gz", ["rcid", "country", "country_code", "vote"], votes, gz=True)
    write_csv(folder / "un_roll_calls.csv", ["rcid", "session", "importantvote", "date", "unres", "amend", "para",
                                             "short", "descr"], rollcalls)
    write_csv(folder / "un_roll_call_issues.csv", ["rcid", "short_name", "issue"], issues)
    return folder


def stored(engine) -> dict[tuple[int, str], int]:
    with engine.connect() as conn:
        return {(r[0], r[1]): r[2] for r in conn.execute(text("SELECT rcid, iso3, vote FROM votes"))}


def packed(engine) -> dict[tuple[int, str], int]:
    """The packed vote vectors decoded by hand: byte i of a roll call's BLOB is the vote of state position i."""
    with engine.connect() as conn:
        index = dict(conn.execute(text("SELECT idx, iso3 FROM vote_states")).all())
        calls = {r[0] for r in conn.execute(text("SELECT rcid FROM roll_calls"))}
        vectors = conn.execute(text("SELECT rcid, votes FROM vote_vectors")).all()
    assert {rcid for rcid, _ in vectors} == calls  # one vector per roll call
    return {(rcid, index[i]): byte for rcid, blob in vectors for i, byte in enumerate(blob) if byte}


def test_unvotes_import_maps_seats_by_date(small_engine, tmp_path):
    result = import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    assert (result.rollcalls_added, result.votes_added) == (4, 12)
    votes = stored(small_engine)
    assert votes[(101, "ROC")] == 1          # "Taiwan" in 1950 is China's seat, then the Republic of China
    assert votes[(101, "SUN")] == 3          # "Russia" before 25 December 1991 is the USSR
    assert votes[(104, "RUS")] == 1          # ... and the Russian Federation after
    assert votes[(104, "CHN")] == 1
    assert votes[(103, "DEU")] == 1          # FRG row dated after 3 October 1990: unified Germany
    assert votes[(103, "YEM")] == 2          # YAR row dated after 22 May 1990: unified Yemen
    assert votes[(104, "NAM")] == 3          # Namibia's code "NA" is not a missing value
    assert votes[(102, "USA")] == 2
    calls = rollcalls_frame(small_engine).set_index("rcid")
    assert calls.loc[102, "issues"] == ("co", "hr")
    assert bool(calls.loc[102, "important"]) and pd.isna(calls.loc[101, "important"])
    assert bool(calls.loc[104, "amend"]) and not bool(calls.loc[104, "para"])
    assert calls.loc[101, "title"] == "KOREA"


def test_votes_frame_columns_and_lineage(small_engine, tmp_path):
    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    frame = votes_frame(small_engine)
    assert list(frame.columns) == ["rcid", "session", "date", "iso3", "vote"]
    assert str(frame["vote"].dtype) == "int8"
    assert len(frame) == len(VOTES)
    assert frame[frame["rcid"] == 102]["session"].unique().tolist() == [15]
    assert set(votes_frame(small_engine, sessions=[50])["rcid"]) == {104}
    merged = votes_frame(small_engine, lineage=True)
    russia = merged[merged["iso3"] == "RUS"]
    assert sorted(russia["rcid"]) == [101, 102, 103, 104]  # USSR votes follow the seat
    assert "SUN" not in set(merged["iso3"].astype(str))


def test_reimport_changes_nothing(small_engine, tmp_path):
    folder = write_unvotes(tmp_path / "uv")
    import_votes(small_engine, "unvotes", folder)
    before = snapshot(small_engine)
    again = import_votes(small_engine, "unvotes", folder)
    assert again.already_imported
    assert snapshot(small_engine) == before
    # Same content, different bytes (rows shuffled): upserts change no stored row.
    other = write_unvotes(tmp_path / "uv2", votes=list(reversed(VOTES)))
    third = import_votes(small_engine, "unvotes", other)
    assert not third.already_imported and (third.votes_added, third.votes_changed, third.rollcalls_added) == (0, 0, 0)
    after = snapshot(small_engine, exclude=["imports", "sources"])
    assert after == {k: v for k, v in before.items() if k not in ("imports", "sources")}


def test_malformed_rows_store_nothing_and_name_lines(small_engine, tmp_path):
    bad = list(VOTES)
    bad[2] = ("101", "Russia", "RU", "maybe")          # line 4
    bad[6] = ("abc", "Yemen Arab Republic", "", "yes")  # line 8
    bad[9] = ("104", "Atlantis", "QQ", "yes")           # line 11
    folder = write_unvotes(tmp_path / "bad", votes=bad)
    before = snapshot(small_engine)
    with pytest.raises(GAImportError) as err:
        import_votes(small_engine, "unvotes", folder)
    message = str(err.value)
    votes_file = str(folder / "un_votes.csv.gz")
    assert f"{votes_file}:4: vote 'maybe'" in message
    assert f"{votes_file}:8: rcid 'abc'" in message
    assert "(line 11)" in message and "unknown country 'Atlantis'" in message and "close matches" in message
    assert "nothing was imported" in message
    assert snapshot(small_engine) == before


def test_wrong_header_says_what_was_expected(small_engine, tmp_path):
    folder = write_unvotes(tmp_path / "uv")
    write_csv(folder / "un_roll_calls.csv", ["rcid", "session", "when"], [("1", "1", "1946-01-01")])
    with pytest.raises(GAImportError, match="expected the header rcid,session,importantvote,date"):
        import_votes(small_engine, "unvotes", folder)
    undl = write_csv(tmp_path / "undl.csv", ["rcid", "country", "country_code", "vote"], [("1", "x", "", "yes")])
    with pytest.raises(GAImportError, match="expected the header undl_id,ms_code,ms_name,ms_vote"):
        import_votes(small_engine, "undl", undl)


def test_seat_gap_is_an_error(small_engine, tmp_path):
    rollcalls = [("201", "48", "", "1995-11-01", "R/48/9", "", "", "", "")]
    votes = [("201", "Yugoslavia", "YU", "yes")]
    with pytest.raises(GAImportError, match="nobody held the YUG seat on 1995-11-01"):
        import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "gap", votes, rollcalls, []))


def undl_rows(with_note: bool) -> list[list[str]]:
    base = [
        # undl_id, ms_code, ms_name, ms_vote, date, session, resolution
        ("4000001", "USA", "UNITED STATES", "N", "2023-12-19", "78", "A/RES/78/100"),
        ("4000001", "CHN", "CHINA", "Y", "2023-12-19", "78", "A/RES/78/100"),
        ("4000001", "FRA", "FRANCE", "A", "2023-12-19", "78", "A/RES/78/100"),
        ("4000001", "VEN", "VENEZUELA", "X", "2023-12-19", "78", "A/RES/78/100"),
        ("4000001", "AFG", "AFGHANISTAN", "", "2023-12-19", "78", "A/RES/78/100"),
        ("4000002", "USA", "UNITED STATES", "Y", "2024-03-01", "78", "A/RES/78/200"),
        ("4000002", "", "RUSSIAN FEDERATION", "N", "2024-03-01", "78", "A/RES/78/200"),
    ]
    rows = []
    for undl_id, code, name, vote, day, session, res in base:
        row = dict(undl_id=undl_id, ms_code=code, ms_name=name, ms_vote=vote, date=day, session=session,
                   resolution=res, draft="A/78/L.1", committee_report="", meeting="A/78/PV.50",
                   title=f"Resolution {res}", agenda_title="", subjects="HUMAN RIGHTS", vote_note="",
                   total_yes="1", total_no="1", total_abstentions="1", total_non_voting="1", total_ms="193",
                   undl_link="https://digitallibrary.un.org/record/" + undl_id)
        header = UNDL_HEADER_2026 if with_note else UNDL_HEADER_2025
        rows.append([row[c] for c in header])
    return rows


@pytest.mark.parametrize("layout", ["2025", "2026"])
def test_undl_import_both_layouts(small_engine, tmp_path, layout):
    header = UNDL_HEADER_2026 if layout == "2026" else UNDL_HEADER_2025
    path = write_csv(tmp_path / f"undl_{layout}.csv", header, undl_rows(layout == "2026"))
    result = import_votes(small_engine, "undl", path)
    assert (result.rollcalls_added, result.votes_added) == (2, 6)  # the empty vote stores no row
    votes = stored(small_engine)
    rc = UNDL_RCID_OFFSET + 4000001
    assert votes[(rc, "USA")] == 3 and votes[(rc, "CHN")] == 1 and votes[(rc, "FRA")] == 2
    assert votes[(rc, "VEN")] == 8
    assert (rc, "AFG") not in votes
    assert votes[(UNDL_RCID_OFFSET + 4000002, "RUS")] == 3  # no code: resolved by name
    calls = rollcalls_frame(small_engine).set_index("rcid")
    assert calls.loc[rc, "symbol"] == "A/RES/78/100" and calls.loc[rc, "session"] == 78
    before = snapshot(small_engine)
    assert import_votes(small_engine, "undl", path).already_imported
    assert snapshot(small_engine) == before


def test_undl_unknown_country_and_bad_vote(small_engine, tmp_path):
    rows = undl_rows(True)
    rows[1][1], rows[1][2] = "", "GONDOR"
    rows[3][3] = "Q"
    path = write_csv(tmp_path / "undl.csv", UNDL_HEADER_2026, rows)
    before = snapshot(small_engine)
    with pytest.raises(GAImportError) as err:
        import_votes(small_engine, "undl", path)
    assert f"{path}:5: ms_vote 'Q'" in str(err.value)
    assert "(line 3): unknown country 'GONDOR'" in str(err.value)
    assert snapshot(small_engine) == before


def test_undl_skips_sessions_held_from_unvotes(small_engine, tmp_path):
    import_votes(small_engine, "unvotes", write_unvotes(
        tmp_path / "uv", [("301", "United States", "US", "yes")],
        [("301", "78", "", "2023-10-01", "R/78/1", "", "", "", "")], []))
    path = write_csv(tmp_path / "undl.csv", UNDL_HEADER_2026, undl_rows(True))
    result = import_votes(small_engine, "undl", path)
    assert result.skipped_rollcalls == 2 and result.votes_added == 0
    assert import_votes(small_engine, "undl", path).already_imported
    # The same bytes with --overlap keep import what was skipped ...
    kept = import_votes(small_engine, "undl", shutil.copy(path, tmp_path / "undl_copy.csv"), overlap="keep")
    assert not kept.already_imported and kept.votes_added == 6
    # ... after which a skipping import of it is a no-op.
    assert import_votes(small_engine, "undl", path).already_imported
    path2 = write_csv(tmp_path / "undl2.csv", UNDL_HEADER_2025, undl_rows(False))
    again = import_votes(small_engine, "undl", path2, overlap="keep")
    assert (again.votes_added, again.votes_changed, again.rollcalls_added) == (0, 0, 0)


def test_rda_import(small_engine, tmp_path):
    pyreadr = pytest.importorskip("pyreadr")
    folder = tmp_path / "rda"
    folder.mkdir()
    votes = pd.DataFrame(VOTES, columns=["rcid", "country", "country_code", "vote"]).astype({"rcid": int})
    votes["vote"] = pd.Categorical(votes["vote"], categories=["yes", "abstain", "no"])
    calls = pd.DataFrame(ROLLCALLS, columns=["rcid", "session", "importantvote", "date", "unres", "amend", "para",
                                             "short", "descr"])
    calls = calls.astype({"rcid": int, "session": int})
    for flag in ("importantvote", "amend", "para"):
        calls[flag] = pd.to_numeric(calls[flag]).astype(float)
    # pyreadr writes dates as R character vectors (it cannot write R's Date class);
    # the Date-class path of the reader is checked in test_rda_text_converts_r_types.
    calls["date"] = [date.fromisoformat(d) for d in calls["date"]]
    issues = pd.DataFrame(ISSUES, columns=["rcid", "short_name", "issue"]).astype({"rcid": int})
    pyreadr.write_rdata(str(folder / "un_votes.rda"), votes, df_name="un_votes")
    pyreadr.write_rdata(str(folder / "un_roll_calls.rda"), calls, df_name="un_roll_calls")
    pyreadr.write_rdata(str(folder / "un_roll_call_issues.rda"), issues, df_name="un_roll_call_issues")
    result = import_votes(small_engine, "rda", folder)
    assert (result.rollcalls_added, result.votes_added) == (4, 12)
    votes_db = stored(small_engine)
    assert votes_db[(101, "ROC")] == 1 and votes_db[(104, "NAM")] == 3 and votes_db[(103, "DEU")] == 1
    calls_db = rollcalls_frame(small_engine).set_index("rcid")
    assert str(calls_db.loc[102, "date"].date()) == "1960-12-14"
    assert calls_db.loc[104, "issues"] == ("hr",)
    assert import_votes(small_engine, "rda", folder).already_imported


def test_rda_wrong_object_is_rejected(small_engine, tmp_path):
    pyreadr = pytest.importorskip("pyreadr")
    path = tmp_path / "other.rda"
    pyreadr.write_rdata(str(path), pd.DataFrame({"x": [1]}), df_name="something_else")
    with pytest.raises(GAImportError, match="no object 'un_votes'.*found something_else"):
        import_votes(small_engine, "rda", path)


def test_rda_text_converts_r_types():
    """What pyreadr gives for R Date, factor, double and logical columns becomes importer text."""
    import numpy as np

    from blocwatch.ga.importers import _rda_text

    frame = pd.DataFrame({
        "date": pd.to_datetime(["1950-10-07", "2019-12-27"]),
        "vote": pd.Categorical(["yes", "no"]),
        "rcid": [3.0, 9147.0],
        "flag": [1.0, np.nan],
        "b": [True, False],
    })
    out = _rda_text(frame)
    assert out.to_dict("list") == {"date": ["1950-10-07", "2019-12-27"], "vote": ["yes", "no"],
                                   "rcid": ["3", "9147"], "flag": ["1", ""], "b": ["1", "0"]}


def test_issue_and_important_filters(small_engine, tmp_path):
    """Agreement on the imported hand table, restricted by issue and importance (worked by hand)."""
    from blocwatch.ga.agreement import agreement

    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))

    def pairs(frame):
        return {(r.a, r.b, r.session): (r.n, r.same, r.half, r.identical, r.opposite)
                for r in frame.astype({"a": str, "b": str}).itertuples()}

    # Colonialism: only roll call 102 (USA abstain, USSR yes).
    assert pairs(agreement(small_engine, by="session", issue="co")) == {("SUN", "USA", 15): (1, 0, 1, 0, 0)}
    # Human rights: 102 and 104 (Russia yes, China yes, Namibia no, USA no).
    hr = pairs(agreement(small_engine, by="session", issue="hr"))
    assert hr == {
        ("SUN", "USA", 15): (1, 0, 1, 0, 0),
        ("CHN", "RUS", 50): (1, 1, 0, 1, 0), ("NAM", "USA", 50): (1, 1, 0, 1, 0),
        ("CHN", "NAM", 50): (1, 0, 0, 0, 1), ("CHN", "USA", 50): (1, 0, 0, 0, 1),
        ("NAM", "RUS", 50): (1, 0, 0, 0, 1), ("RUS", "USA", 50): (1, 0, 0, 0, 1),
    }
    # Important votes: 102 and 104 are flagged; 101 is not recorded, 103 is 0.
    assert pairs(agreement(small_engine, by="session", important=True)) == hr
    # All votes by year: 1950 has roll call 101 only (USA yes, ROC yes, USSR no).
    y1950 = pairs(agreement(small_engine, years=[1950]).rename(columns={"year": "session"}))
    assert y1950 == {("ROC", "USA", 1950): (1, 1, 0, 1, 0), ("ROC", "SUN", 1950): (1, 0, 0, 0, 1),
                     ("SUN", "USA", 1950): (1, 0, 0, 0, 1)}


def test_packed_vectors_follow_every_import(small_engine, tmp_path):
    """The derived packed form always equals votes: first import, changed votes, a new state, UNDL."""
    first = import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    assert first.votes_added == 12 and packed(small_engine) == stored(small_engine)
    changed = [v if v != ("101", "Russia", "RU", "no") else ("101", "Russia", "RU", "yes") for v in VOTES]
    changed += [("101", "France", "FR", "abstain"),    # a state not yet in the packed index
                ("105", "France", "FR", "no"), ("105", "United States", "US", "yes")]
    rollcalls = ROLLCALLS + [("105", "51", "", "1996-12-12", "R/51/1", "", "", "NEW", "")]
    second = import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv2", changed, rollcalls))
    assert (second.votes_changed, second.votes_added, second.rollcalls_added) == (1, 3, 1)
    votes = stored(small_engine)
    assert votes[(101, "SUN")] == 1 and votes[(101, "FRA")] == 2 and votes[(105, "FRA")] == 3
    assert packed(small_engine) == votes
    # Vectors written before France was indexed are shorter; readers treat the missing bytes as no vote.
    frame = votes_frame(small_engine)
    assert {(r.rcid, r.iso3, r.vote) for r in frame.astype({"iso3": str}).itertuples()} == \
        {(rcid, iso3, vote) for (rcid, iso3), vote in votes.items()}
    import_votes(small_engine, "undl", write_csv(tmp_path / "undl.csv", UNDL_HEADER_2026, undl_rows(True)))
    assert packed(small_engine) == stored(small_engine) and len(stored(small_engine)) == 21


def test_failed_write_rolls_back_votes_and_vectors(small_engine, tmp_path, monkeypatch):
    """A failure after the votes were written but before commit leaves both forms as they were."""
    from blocwatch.ga import vectors

    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    before = snapshot(small_engine)

    def fail(conn, rcids=None):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(vectors, "refresh", fail)
    changed = [v if v[0] != "104" else (*v[:3], "abstain") for v in VOTES]
    with pytest.raises(RuntimeError, match="simulated"):
        import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv2", changed))
    assert snapshot(small_engine) == before


def test_votes_written_without_vectors_are_still_read(small_engine, tmp_path):
    """A roll call stored by other code (no packed vector) is read from votes, even with a new state."""
    from blocwatch.ga.agreement import agreement

    import_votes(small_engine, "unvotes", write_unvotes(tmp_path / "uv"))
    with small_engine.begin() as conn:
        source = conn.execute(text("SELECT min(id) FROM sources")).scalar_one()
        conn.execute(text("INSERT INTO roll_calls (rcid, session, date, issues, source_id) "
                          "VALUES (106, 52, '1997-11-05', '[]', :s)"), {"s": source})
        conn.execute(text("INSERT INTO votes (rcid, iso3, vote) VALUES "
                          "(106, 'GBR', 1), (106, 'USA', 1), (106, 'RUS', 3)"))
    frame = votes_frame(small_engine)
    assert {(r.rcid, r.iso3, r.vote) for r in frame.astype({"iso3": str}).itertuples()} == \
        {(rcid, iso3, vote) for (rcid, iso3), vote in stored(small_engine).items()}
    scores = agreement(small_engine, years=[1997]).astype({"a": str, "b": str})
    assert {(r.a, r.b, r.n, r.same) for r in scores.itertuples()} == \
        {("GBR", "USA", 1, 1), ("GBR", "RUS", 1, 0), ("RUS", "USA", 1, 0)}
