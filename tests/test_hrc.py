"""The Human Rights Council reader on the real data (the in-repo copy in curation/sources/hrc)."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from blocwatch.errors import ImportFailed
from blocwatch.hrc.checked import merge, read_checked
from blocwatch.hrc.classify import classify, read_overrides, states_named
from blocwatch.hrc.curate import build, bundled
from blocwatch.hrc.membership import bundled_terms, members_in, members_on, read_terms
from blocwatch.hrc.ohchr import read_ohchr
from blocwatch.hrc.read import absent, read_hrc
from blocwatch.votes.record import ABSTAIN, NO, NOT_VOTING, YES

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too

SOURCES = Path(__file__).resolve().parents[1] / "curation" / "sources"
HRC = SOURCES / "hrc"


@pytest.fixture(scope="module")
def read():
    return read_hrc(HRC)


@pytest.fixture(scope="module")
def by_symbol(read):
    return {rc.symbol: rc for rc in read.roll_calls}


def test_counts_and_order(read):
    ohchr = [rc for rc in read.roll_calls if rc.where.startswith("ohchr_votes")]
    assert len(ohchr) == 974
    assert read.counts["roll_calls"] == 975  # + the procedural vote of 28 February 2022
    assert read.counts["kinds"] == {"amendment": 441, "decision": 11, "motion": 1, "resolution": 522}
    keys = [(rc.date, rc.symbol) for rc in read.roll_calls]
    assert keys == sorted(keys)
    assert {rc.forum for rc in read.roll_calls} == {"hrc"}
    assert sum(len(rc.positions) for rc in ohchr) == 45_387


def test_mapping_of_one_resolution(by_symbol):
    rc = by_symbol["A/HRC/RES/49/1"]
    assert (rc.date, rc.session, rc.session_name, rc.kind, rc.adopted) == (date(2022, 3, 4), 2022, "HRC49",
                                                                          "resolution", True)
    assert rc.title == "Situation of human rights in Ukraine stemming from the Russian aggression"
    assert rc.positions["RUS"] == NO and rc.positions["UKR"] == YES and rc.names["RUS"] == "Russian Federation"
    assert by_symbol["A/HRC/RES/S-33/1"].session_name == "HRC S-33"
    assert by_symbol["A/HRC/45/L.15"].kind == "amendment"
    assert "A/HRC/DEC/22/117" in by_symbol and "A/HRC/56/L.31" in by_symbol and "A/HRC/50/L.37" in by_symbol


@pytest.mark.parametrize("day", [date(2006, 6, 19), date(2008, 3, 20), date(2011, 6, 17), date(2015, 5, 1),
                                 date(2018, 3, 23), date(2018, 12, 31), date(2022, 3, 4), date(2022, 6, 1),
                                 date(2024, 10, 11)])
def test_47_members(read, day):
    assert len(members_on(read.terms, day)) == 47


def test_membership_changes(read):
    t = read.terms
    assert "RUS" in members_on(t, date(2022, 3, 4)) and "CZE" not in members_on(t, date(2022, 3, 4))
    assert "CZE" in members_on(t, date(2022, 6, 1)) and "RUS" not in members_on(t, date(2022, 6, 1))
    assert "RUS" in members_on(t, date(2022, 4, 7)) and "RUS" not in members_on(t, date(2022, 4, 8))
    assert "USA" in members_on(t, date(2018, 3, 23)) and "ISL" not in members_on(t, date(2018, 3, 23))
    assert "ISL" in members_on(t, date(2018, 12, 31)) and "USA" not in members_on(t, date(2018, 12, 31))
    assert "ISL" not in members_on(t, date(2018, 7, 12)) and "ISL" in members_on(t, date(2018, 7, 13))
    # Between 19 June and 12 July 2018 the US seat was vacant.
    assert len(members_on(t, date(2018, 7, 1))) == 46
    assert len(members_on(t, date(2022, 5, 1))) == 46
    assert {"USA", "ISL"} <= members_in(t, 2018) and {"RUS", "CZE"} <= members_in(t, 2022)
    # Until 2012 a year's list holds from 19 June: Guatemala's first term ran to 18 June 2008.
    assert "GTM" in members_on(t, date(2008, 6, 18)) and "GTM" not in members_on(t, date(2008, 6, 19))
    assert members_on(t, date(2006, 6, 18)) == frozenset()
    for term in t:  # every change is sourced
        if term.note:
            assert "http" in term.source


def test_libya_suspension_is_a_note_not_a_gap(read, by_symbol):
    (term,) = [t for t in read.terms if t.iso3 == "LBY" and t.covers(date(2011, 6, 1))]
    assert (term.start, term.end) == (date(2010, 6, 19), date(2013, 12, 31))
    assert "65/265" in term.note and "66/11" in term.note and "geneva.usmission.gov" in term.source
    suspended = [rc for rc in read.roll_calls if date(2011, 3, 1) <= rc.date < date(2011, 11, 18)]
    assert suspended and all(rc.positions.get("LBY") == NOT_VOTING for rc in suspended if rc.positions)
    assert by_symbol["A/HRC/RES/S-18/1"].positions["LBY"] == YES  # 2 December 2011, after reinstatement


def test_terms_table_round_trip(read):
    assert bundled_terms() == read.terms
    assert read_terms(HRC) == read.terms


def test_not_a_member_dates(read):
    flagged = {rc.date.isoformat(): set() for rc in read.roll_calls if
               any(n.kind == "not_a_member" for n in rc.notes)}
    for rc in read.roll_calls:
        for n in rc.notes:
            if n.kind == "not_a_member":
                flagged[rc.date.isoformat()].add(n.iso3)
    # The three dates of the data README (voter lists of another year) ...
    assert flagged["2011-03-25"] == {"SVN", "SWZ"}
    assert flagged["2016-09-27"] == {"BRA", "EGY", "HRV", "HUN", "IRQ", "JPN", "RWA", "TUN", "USA"}
    assert flagged["2022-07-07"] == {"DZA"}
    # ... and the vacant US seat, listed as not voting after the withdrawal of 19 June 2018.
    assert flagged["2018-07-05"] == flagged["2018-07-06"] == {"USA"}
    assert set(flagged) == {"2011-03-25", "2016-09-27", "2022-07-07", "2018-07-05", "2018-07-06"}
    for rc in read.roll_calls:
        if rc.date in (date(2018, 7, 5), date(2018, 7, 6)):
            assert rc.positions.get("USA", NOT_VOTING) == NOT_VOTING
            if "USA" in rc.positions:
                assert "ended on 2018-06-19" in next(n.detail for n in rc.notes if n.kind == "not_a_member")
    for rc in read.roll_calls:  # everywhere else, every voter was a member that day
        if rc.date.isoformat() not in flagged:
            assert set(rc.positions) <= members_on(read.terms, rc.date), rc.symbol


def test_absent_members_are_computed_not_stored(read, by_symbol):
    rc = by_symbol["A/HRC/RES/50/19"]  # excluded.csv: LBY missing from the participants
    assert absent(rc, read.terms) == {"LBY"} and "LBY" not in rc.positions


def test_checked_votes_match_announced_tallies(read, by_symbol):
    assert len(read.sources) == 32
    for symbol, urls in read.sources.items():
        rc = by_symbol[symbol]
        assert rc.stated is not None and rc.counted() == rc.stated, symbol
        assert urls and read.verification[symbol]
    motion = by_symbol["HRC49/2022-02-28/motion"]
    assert (motion.kind, motion.date, motion.session_name) == ("motion", date(2022, 2, 28), "HRC49")
    assert motion.counted().yes == 29 and motion.positions["RUS"] == NO


def test_no_checked_list_differs_from_the_scrape():
    """Proof that no override note is due: every checked list equals the scrape's yes/no/abstain rows."""
    scraped = {rc.symbol: rc for rc in read_ohchr(HRC / "ohchr_votes.sqlite3")}
    compared = 0
    for cv in read_checked(HRC / "votes"):
        if cv.key in scraped:
            voted = {k: v for k, v in scraped[cv.key].positions.items() if v != NOT_VOTING}
            assert voted == cv.positions, cv.key
            compared += 1
    assert compared == 31
    assert not any(n.kind == "checked_override" for rc in read_hrc(HRC).roll_calls for n in rc.notes)


def test_checked_list_wins_with_a_note():
    scraped = read_ohchr(HRC / "ohchr_votes.sqlite3")
    cv = next(c for c in read_checked(HRC / "votes") if c.key == "A/HRC/RES/49/1")
    changed = replace(cv, positions={**cv.positions, "BRA": ABSTAIN})
    rc = next(r for r in merge(scraped, [changed]) if r.symbol == "A/HRC/RES/49/1")
    assert rc.positions["BRA"] == ABSTAIN
    (note,) = rc.notes
    assert note.kind == "checked_override" and note.iso3 == "BRA"
    assert "was yes in the OHCHR scrape, abstain in the checked list" in note.detail


def test_classification_named_cases(by_symbol):
    def key(s):
        rc = by_symbol[s]
        return rc.subject, rc.target, rc.yes_stance

    assert key("A/HRC/RES/49/1") == ("country", "RUS", "critical")
    assert key("A/HRC/RES/S-11/1") == ("country", "LKA", "supportive")  # Sri Lanka 2009, assistance
    assert key("A/HRC/RES/46/1") == ("country", "LKA", "critical")
    assert key("A/HRC/RES/2/3") == ("country", "ISR", "critical")  # occupied Syrian Golan
    assert key("A/HRC/RES/15/1") == ("country", "ISR", "critical")  # flotilla: keyword ISRAEL
    assert key("A/HRC/RES/7/15") == ("country", "PRK", "critical")  # not KOR
    assert key("A/HRC/RES/42/4") == ("country", "VEN", "supportive")  # technical assistance
    assert key("A/HRC/RES/43/37") == ("country", "RUS", "critical")  # Cooperation with Georgia
    assert key("A/HRC/RES/4/5") == ("thematic", None, None)  # Globalization
    assert key("A/HRC/DEC/2/115")[:2] == ("country", "SDN")
    assert by_symbol["A/HRC/DEC/2/115"].classified_by.startswith("override:")
    amendment = by_symbol["A/HRC/45/L.10"]  # to the Belarus text: subject and target, no stance
    assert (amendment.subject, amendment.target, amendment.yes_stance) == ("country", "BLR", None)
    assert all(rc.classified_by for rc in by_symbol.values())


def test_every_checked_vote_is_country_critical(by_symbol):
    targets = {"Nicaragua": "NIC", "Myanmar": "MMR", "Eritrea": "ERI", "Philippines": "PHL", "Venezuela": "VEN",
               "Belarus": "BLR", "Sri Lanka": "LKA", "Syrian": "SYR", "Ukraine": "RUS", "Burundi": "BDI",
               "Ethiopia": "ETH", "Russian Federation": "RUS", "Iran": "IRN", "Sudan": "SDN", "Palestinian": "ISR"}
    with (HRC / "votes" / "index.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 32
    for row in rows:
        symbol = row["symbol"] if row["symbol"].startswith("A/HRC") else \
            "HRC49/2022-02-28/motion"
        rc = by_symbol[symbol]
        expected = next(v for k, v in targets.items() if k in row["title"])
        assert (rc.subject, rc.target, rc.yes_stance) == ("country", expected, "critical"), (symbol, rc.classified_by)


def test_states_named():
    assert states_named("Situation of human rights in the Bolivarian Republic of Venezuela") == ("VEN",)
    assert states_named("Human rights and climate change") == ()


def test_overrides_need_reasons(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("symbol,subject,target,yes_stance,reason\nA/HRC/RES/4/5,country,FRA,critical,\n")
    with pytest.raises(ImportFailed, match="line 2"):
        read_overrides(path)
    assert classify(read_ohchr(HRC / "ohchr_votes.sqlite3")[0], {}).subject == "thematic"


def _copy(tmp_path) -> Path:
    folder = tmp_path / "hrc"
    shutil.copytree(HRC, folder, ignore=shutil.ignore_patterns("raw"))
    return folder


def test_unknown_iso3_in_votes(tmp_path):
    folder = _copy(tmp_path)
    con = sqlite3.connect(folder / "ohchr_votes.sqlite3")
    con.execute("UPDATE votes SET country_short='XXX' WHERE resolution_name='A/HRC/RES/40/2' AND country_short='ARG'")
    con.commit()
    con.close()
    with pytest.raises(ImportFailed, match=r"ohchr_votes.sqlite3: table votes, resolution A/HRC/RES/40/2.*'XXX'"):
        read_ohchr(folder / "ohchr_votes.sqlite3")


def test_malformed_membership_row(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "membership.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = "20x6,DZA,Algeria,african"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"membership.csv, line 6: bad year"):
        read_terms(folder)


def test_checked_file_with_a_bad_vote(tmp_path):
    folder = _copy(tmp_path)
    path = next((folder / "votes").glob("2019-03-21_*.csv"))
    text = path.read_text(encoding="utf-8").replace("ARG,Argentina,yes", "ARG,Argentina,maybe")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=rf"{path.name}, line 4: vote must be yes, no or abstain"):
        read_checked(folder / "votes")


def test_build_is_byte_identical_and_bundled_equals_sources(tmp_path, read):
    a, b = tmp_path / "a", tmp_path / "b"
    manifest = build(SOURCES, a)
    build(SOURCES, b)
    for name in ("rollcalls.jsonl.gz", "sources.json", "terms.csv", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert manifest["outputs"][0]["rows"] == 975
    assert any(i["file"] == "hrc/ohchr_votes.sqlite3" for i in manifest["inputs"])
    assert "9c7d142" in manifest["citation"]
    shipped = Path(__file__).resolve().parents[1] / "src" / "blocwatch" / "data" / "hrc"
    for name in ("rollcalls.jsonl.gz", "sources.json", "terms.csv"):
        assert (shipped / name).read_bytes() == (a / name).read_bytes(), f"rebuild {name}"
    assert bundled() == read
