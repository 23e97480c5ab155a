"""The DGACM reader (blocwatch.ga.dgacm) on the real files kept in curation/sources/unga/dgacm."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from blocwatch import names
from blocwatch.errors import ImportFailed
from blocwatch.ga import dgacm
from blocwatch.votes.record import ABSTAIN, NO, Tally

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "curation" / "sources"
DGACM = SOURCES / "unga" / "dgacm"


@pytest.fixture(scope="module")
def read() -> dgacm.DgacmRead:
    return dgacm.read_dgacm(sorted(DGACM.glob("*.json")))


@pytest.fixture(scope="module")
def by_symbol(read):
    return {c.symbol: c for c in read.roll_calls}


def _raw_lines():
    for path in sorted(DGACM.glob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


# --- counts and spot checks -------------------------------------------------------------------

def test_counts_match_the_readme(read):
    assert read.lines == 2232
    assert len(read.roll_calls) == 731
    assert len({c.symbol for c in read.roll_calls}) == 731
    assert read.duplicates == 21
    assert Counter(c.session_name for c in read.roll_calls) == {
        "74": 90, "75": 100, "76": 80, "77": 88, "78": 85, "79": 113, "80": 166, "ES-10": 3, "ES-11": 6}
    assert all(c.forum == "ga" and c.kind == "resolution" and c.adopted for c in read.roll_calls)
    keys = [(c.date, dgacm._natural(c.symbol)) for c in read.roll_calls]
    assert keys == sorted(keys)


def test_ukraine_es_11_1(by_symbol):
    es = by_symbol["A/RES/ES-11/1"]
    assert es.date == date(2022, 3, 2)
    assert es.stated == es.counted() == Tally(141, 5, 35)
    assert sorted(k for k, v in es.positions.items() if v == NO) == ["BLR", "ERI", "PRK", "RUS", "SYR"]
    assert es.names["PRK"] == "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"
    assert es.session_name == "ES-11" and es.session == 76
    assert es.draft == "A/ES-11/L.1 and A/ES-11/L.1/Add.1" and es.meeting == "A/ES-11/PV.5"
    assert es.where == "ES-11.json:1"
    assert es.sponsors[:4] == ("AFG", "ALB", "AND", "ATG") and "UKR" in es.sponsors
    assert es.notes == ()


@pytest.mark.parametrize("symbol, tally", [
    ("A/RES/ES-11/4", Tally(143, 5, 35)),
    ("A/RES/ES-10/21", Tally(120, 14, 45)),
    ("A/RES/75/287", Tally(119, 1, 36)),
])
def test_spot_check_tallies(by_symbol, symbol, tally):
    assert by_symbol[symbol].stated == by_symbol[symbol].counted() == tally


def test_lists_add_up_except_the_known_cases(read):
    odd = {c.symbol: c for c in read.roll_calls if c.counted() != c.stated}
    assert set(odd) == {"A/RES/77/293", "A/RES/75/254 A-C"}
    mismatch = odd["A/RES/77/293"]
    assert [n.kind for n in mismatch.notes] == ["tally_mismatch"]
    assert "100-9-59" in mismatch.notes[0].detail and "100-9-58" in mismatch.notes[0].detail
    assert mismatch.counted() == Tally(100, 9, 58)
    no_lists = odd["A/RES/75/254 A-C"]
    assert [n.kind for n in no_lists.notes] == ["no_lists"] and no_lists.positions == {}
    assert no_lists.stated == Tally(168, 2, 0)
    kinds = Counter(n.kind for c in read.roll_calls for n in c.notes)
    assert kinds == {"tally_mismatch": 1, "no_lists": 1, "duplicate_line": 22}


def test_na_counts_are_zeros_beside_empty_lists(read, by_symbol):
    """Session 74 writes "N.A." for some zero counts: every one sits beside an empty list."""
    keys = dict(zip(dgacm.COUNTS, ("MS_in_favour", "MS_against", "MS_abstaining"), strict=True))
    seen = 0
    for raw in _raw_lines():
        if raw["adoption_type"] != dgacm.RECORDED:
            continue
        for count, listed in keys.items():
            if raw[count] == "N.A.":
                seen += 1
                assert raw[listed] == [], raw["symbol"]
    assert seen == 16
    assert by_symbol["A/RES/74/154"].stated == Tally(135, 55, 0)


def test_a_list_written_twice_is_read_once(by_symbol):
    doubled = by_symbol["A/RES/75/290 A"]
    assert doubled.stated == doubled.counted() == Tally(90, 0, 47)
    assert [n.kind for n in doubled.notes] == ["duplicate_line"]
    assert "180 names for 90 states" in doubled.notes[0].detail


def test_repeated_lines_are_one_roll_call(by_symbol):
    same = by_symbol["A/RES/80/144"]  # an identical line
    assert same.where == "80.json:108" and "80.json:142" in same.notes[0].detail
    revised = by_symbol["A/RES/79/270"]  # re-exported: TÜRKÝYE corrected, additional sponsors added
    assert revised.where == "79.json:268"
    assert revised.positions["TUR"] == ABSTAIN and revised.names["TUR"] == "TÜRKÝYE"
    assert "79.json:347" in revised.notes[0].detail and "additional_sponsors" in revised.notes[0].detail
    assert {"AGO", "BHR", "BDI"} <= set(revised.sponsors)  # from the second line's additional_sponsors


# --- names --------------------------------------------------------------------------------------

def test_every_spelling_resolves_to_one_state(read):
    spellings: dict[str, str] = {}
    for c in read.roll_calls:
        for iso3, name in c.names.items():
            assert spellings.setdefault(name, iso3) == iso3
    listed = {n for raw in _raw_lines() if raw["adoption_type"] == dgacm.RECORDED
              for key in ("MS_in_favour", "MS_against", "MS_abstaining") for n in raw[key]}
    assert len(listed) == 199
    resolved = {n: names.resolve(n).iso3 for n in listed}
    assert len(set(resolved.values())) == 193
    for n in ("TURKEY", "TURKIYE", "TÜRKIYE", "TÜRKİYE", "TÜRKÝYE"):
        assert resolved[n] == "TUR", n
    assert resolved["NETHERLANDS"] == resolved["NETHERLANDS (KINGDOM OF THE)"] == "NLD"
    assert resolved["COTE D'IVOIRE"] == resolved["CÔTE D'IVOIRE"] == "CIV"
    assert resolved["UNITED STATES"] == "USA" and resolved["UNITED KINGDOM"] == "GBR"
    assert resolved["CONGO"] == "COG" and resolved["DEMOCRATIC REPUBLIC OF THE CONGO"] == "COD"
    assert resolved["REPUBLIC OF KOREA"] == "KOR" and resolved["NIGER"] == "NER"


def test_sponsors_of_the_myanmar_resolution(by_symbol):
    myanmar = by_symbol["A/RES/75/287"]
    assert myanmar.sponsors[:5] == ("ALB", "AND", "AUT", "BEL", "BWA")
    assert myanmar.sponsors[50:] == ("UKR", "GBR", "USA", "AGO", "AUS", "JPN", "MEX", "NZL")  # additional ones last
    assert {"NLD", "TUR", "KOR", "USA", "GBR"} <= set(myanmar.sponsors)
    assert len(myanmar.sponsors) == len(set(myanmar.sponsors)) == 58 and myanmar.sponsors_text == ()


def test_sponsor_strings_holding_several_names_or_a_remark(by_symbol):
    opcw = by_symbol["A/RES/80/195"]
    assert opcw.sponsors[:7] == ("ARM", "CHN", "EGY", "GNQ", "NOR", "RUS", "VNM")
    assert opcw.sponsors.count("RUS") == 1  # also among the additional sponsors
    assert opcw.sponsors_text[0].startswith("Armenia, China, Egypt (on behalf of")
    assert dgacm.split_sponsor("UNITED STATES AND VIET NAM") == (("USA", "VNM"), False)
    assert dgacm.split_sponsor("ANGOLA BAHAMAS") == (("AGO", "BHS"), False)
    assert dgacm.split_sponsor("BARBADOS. DOMINICAN REPUBLIC") == (("BRB", "DOM"), False)
    assert dgacm.split_sponsor("CZECHI A") == (("CZE",), False)
    assert dgacm.split_sponsor("TRINIDAD AND TOBAGO AND ANTIGUA AND BARBUDA") == (("TTO", "ATG"), False)
    assert dgacm.split_sponsor("GUINEA, ON BEHALF OF THE STATES MEMBERS OF THE UNITED NATIONS THAT ARE MEMBERS "
                               "OF THE GROUP OF 77 AND CHINA") == (("GIN",), True)
    assert dgacm.split_sponsor("SUBMITTED BY THE PRESIDENT OF THE GENERAL ASSEMBLY") == ((), True)
    assert dgacm.split_sponsor("submitted by the Vice-Chair of the Committee, Jenni Mikkola (Finland) and on "
                               "the basis of informal consultations on draft resolution") == ((), True)
    assert dgacm.split_sponsor("THE OF KOREA") == ((), True)  # garbled in 78/208: kept as text


def test_office_sponsors_are_text(read):
    texts = Counter(t for c in read.roll_calls for t in c.sponsors_text)
    assert texts["SUBMITTED BY THE PRESIDENT OF THE GENERAL ASSEMBLY"] == 4
    assert all(c.sponsors or c.sponsors_text for c in read.roll_calls)


# --- sessions -----------------------------------------------------------------------------------

def test_session_openings_follow_the_rule():
    assert len(dgacm.OPENINGS) == 7
    for session, opened in dgacm.OPENINGS.items():
        assert dgacm.opening_by_rule(session) == opened and opened.weekday() == 1
    assert dgacm.session_on(date(2023, 9, 1)) == 77 and dgacm.session_on(date(2023, 9, 5)) == 78
    assert dgacm.session_on(date(2022, 3, 2)) == 76 and dgacm.session_on(date(2020, 1, 1)) == 74


def test_regular_sessions_lie_between_openings(read):
    """No regular-session resolution contradicts the opening days (1 September would: 77/338, 79/329)."""
    for c in read.roll_calls:
        if c.session_name.isdigit():
            assert c.session == int(c.session_name)
            assert dgacm.session_opening(c.session) <= c.date < dgacm.session_opening(c.session + 1), c.symbol
            assert dgacm.session_on(c.date) == c.session, c.symbol


def test_emergency_sessions_count_in_the_regular_session_in_progress(by_symbol):
    expected = {"A/RES/ES-11/1": 76, "A/RES/ES-11/3": 76, "A/RES/ES-11/4": 77, "A/RES/ES-11/6": 77,
                "A/RES/ES-10/21": 78, "A/RES/ES-10/22": 78, "A/RES/ES-10/24": 79}
    for symbol, session in expected.items():
        assert by_symbol[symbol].session == session, symbol
    assert by_symbol["A/RES/ES-10/24"].date == date(2024, 9, 18)  # after the 79th opened on 10 September


def test_dates_in_all_three_spellings():
    assert dgacm.parse_date("2019-11-07 00:00:00") == date(2019, 11, 7)
    assert dgacm.parse_date("16 December 2021") == date(2021, 12, 16)
    assert dgacm.parse_date("30\u00a0October 2024") == date(2024, 10, 30)


# --- bad input ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_line() -> str:
    return (DGACM / "ES-11.json").read_text(encoding="utf-8").splitlines()[0]


def _write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _edited(line: str, **changes) -> str:
    raw = json.loads(line)
    raw.update(changes)
    return json.dumps(raw, ensure_ascii=False)


def _fails(path: Path, *fragments: str) -> str:
    with pytest.raises(ImportFailed) as info:
        dgacm.read_dgacm([path])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_unknown_member_state(tmp_path, good_line):
    raw = json.loads(good_line)
    path = _write(tmp_path, "80.json", good_line.replace("A/RES/ES-11/1", "A/RES/ES-11/9"),
                  _edited(good_line, MS_against=[*raw["MS_against"][:-1], "SYRIAN ARAB REPUBLC"]))
    _fails(path, "80.json:2:", "unknown member state 'SYRIAN ARAB REPUBLC' in MS_against",
           "close matches: Syrian Arab Republic (SYR)")


def test_a_state_listed_twice(tmp_path, good_line):
    raw = json.loads(good_line)
    path = _write(tmp_path, "x.json", _edited(good_line, MS_against=[*raw["MS_against"], "UKRAINE"]))
    _fails(path, "x.json:1:", "UKR is listed twice", "MS_in_favour", "MS_against")
    path = _write(tmp_path, "y.json", _edited(good_line, MS_against=[*raw["MS_against"], "BELARUS"]))
    _fails(path, "y.json:1:", "BLR is listed twice")


def test_malformed_json(tmp_path, good_line):
    _fails(_write(tmp_path, "74.json", good_line, good_line[:-5]), "74.json:2:", "not a JSON object")
    _fails(_write(tmp_path, "75.json", "[1, 2]"), "75.json:1:", "expected a JSON object")


def test_bad_date_count_and_missing_key(tmp_path, good_line):
    _fails(_write(tmp_path, "a.json", _edited(good_line, adoption_date="2 Marhc 2022")),
           "a.json:1:", "adoption_date '2 Marhc 2022' is not a date")
    _fails(_write(tmp_path, "b.json", _edited(good_line, MS_against_count="five")),
           "b.json:1:", "MS_against_count 'five' is not a count")
    raw = json.loads(good_line)
    del raw["pv"]
    _fails(_write(tmp_path, "c.json", json.dumps(raw)), "c.json:1:", "missing key pv")


def test_conflicting_repeat_names_both_lines(tmp_path, good_line):
    other = _edited(good_line, MS_against_count="6")
    _fails(_write(tmp_path, "ES-11.json", good_line, "", other), "ES-11.json:1:", "ES-11.json:3",
           "A/RES/ES-11/1", "stated")


def test_identical_repeat_is_a_duplicate(tmp_path, good_line):
    read = dgacm.read_dgacm([_write(tmp_path, "ES-11.json", good_line, good_line)])
    assert read.duplicates == 1 and len(read.roll_calls) == 1 and read.lines == 2
    assert read.roll_calls[0].notes[0].kind == "duplicate_line"


# --- the curated bundle -------------------------------------------------------------------------

def test_build_is_deterministic_and_bundled_round_trips(tmp_path, read):
    first = dgacm.build(SOURCES, tmp_path / "a")
    dgacm.build(SOURCES, tmp_path / "b")
    for name in ("rollcalls.jsonl.gz", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first["outputs"][0]["rows"] == 731 and first["duplicates"] == 21
    assert "42a69b67bb92d23969fc45bba151320b82eb8e52" in first["source"] and "UNxml/GAresolutions" in first["source"]
    sums = dict(line.split()[::-1] for line in (DGACM / "SHA256SUMS").read_text().splitlines())
    assert {i["file"]: i["sha256"] for i in first["inputs"]} == sums
    shipped = REPO / "src" / "blocwatch" / "data" / "dgacm"
    assert (shipped / "rollcalls.jsonl.gz").read_bytes() == (tmp_path / "a" / "rollcalls.jsonl.gz").read_bytes()
    assert json.loads((shipped / "manifest.json").read_text(encoding="utf-8")) == first
    assert dgacm.bundled() == read.roll_calls
