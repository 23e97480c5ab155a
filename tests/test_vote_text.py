"""Vote records read from text (blocwatch.votes.text.parse_vote_record).

The case files in tests/vote_records/*.txt hold a real vote record each, under a small header
of expectations (the format is described in en_ga_es-11-1.txt); this module loads and checks
them, and adds short inline cases for the rules the files do not show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from blocwatch.errors import InvalidInput
from blocwatch.votes.record import ABSTAIN, NO, NOT_VOTING, YES, Tally
from blocwatch.votes.text import parse_vote_record

CASES = Path(__file__).parent / "vote_records"
_KEY = re.compile(r"# (counts|stated|yes|no|abstain|not_voting|absent|unresolved|mismatch|duplicate|problems): (.*)")
POSITIONS = {"yes": YES, "no": NO, "abstain": ABSTAIN, "not_voting": NOT_VOTING}


def _load(path: Path) -> tuple[dict[str, list[str]], str]:
    header, _, text = path.read_text(encoding="utf-8").partition("\n---\n")
    assert text, f"{path.name}: no '---' line"
    expect: dict[str, list[str]] = {}
    for line in header.splitlines():
        if m := _KEY.fullmatch(line):
            expect.setdefault(m.group(1), []).append(m.group(2))
    return expect, text


FILES = sorted(CASES.glob("*.txt"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_case_file(path):
    expect, text = _load(path)
    result = parse_vote_record(text)
    yes, no, abstain, not_voting, absent = map(int, expect["counts"][0].split())
    codes = list(result.positions.values())
    assert [codes.count(YES), codes.count(NO), codes.count(ABSTAIN), codes.count(NOT_VOTING),
            len(result.absent)] == [yes, no, abstain, not_voting, absent], result.problems
    stated = expect["stated"][0]
    assert result.stated == (None if stated == "-" else Tally(*map(int, stated.split())))
    for key, code in POSITIONS.items():
        for iso3 in " ".join(expect.get(key, [])).split():
            assert result.positions.get(iso3) == code, (iso3, key)
    for iso3 in " ".join(expect.get("absent", [])).split():
        assert iso3 in result.absent
    unresolved = {u.text: (u.close_matches[0].iso3 if u.close_matches else "-") for u in result.unresolved}
    assert unresolved == dict(line.split("=") for line in expect.get("unresolved", []))
    assert list(result.count_mismatches) == expect.get("mismatch", [])
    assert [f"{d.iso3} {' '.join(d.sections)}" for d in result.duplicates] == expect.get("duplicate", [])
    assert len(result.problems) == int(expect["problems"][0]), result.problems
    json.dumps(result.to_dict())


def test_every_language_has_a_case():
    assert {p.name[:2] for p in FILES} >= {"en", "fr", "es", "ru", "zh", "ar"}


def test_to_dict_shape():
    result = parse_vote_record("Adopted by 3 votes to 1, with no abstentions. "
                               "In favour: France, Germany, Kenya. Against: Russian Federation. Abstaining: None.")
    d = result.to_dict()
    assert d["positions"] == {"yes": ["FRA", "DEU", "KEN"], "no": ["RUS"], "abstain": [], "not_voting": []}
    assert d["stated"] == {"yes": 3, "no": 1, "abstain": 0} and d["counted"] == d["stated"]
    assert d["absent"] == [] and d["unresolved"] == [] and d["duplicates"] == [] and d["count_mismatches"] == []
    assert result.names["DEU"] == "Germany" and result.lists == {"yes": 3, "no": 1, "abstain": 0}


def test_inverted_names_and_bare_counts():
    text = ("In favour: 3\nVenezuela, Bolivarian Republic of; Congo, Democratic Republic of the; Korea, Republic of\n"
            "Against: 1\nIran, Islamic Republic of\n")
    result = parse_vote_record(text)
    assert result.by_position()["yes"] == ["VEN", "COD", "KOR"]
    assert result.positions["IRN"] == NO and result.problems == ()
    assert result.names["COD"] == "Congo, Democratic Republic of the"
    assert result.stated is None  # no abstention count anywhere


def test_conjunctions_and_sentence_counts_in_french():
    text = ("Adoptée par 141 voix pour, 5 voix contre et 35 abstentions.\n"
            "Pour : la France et l'Allemagne\nContre : Bélarus")
    result = parse_vote_record(text)
    assert result.stated == Tally(141, 5, 35)
    assert result.by_position()["yes"] == ["FRA", "DEU"]
    assert "In favour: 141 stated, 2 listed" in result.count_mismatches
    assert "Abstaining: 35 stated, 0 listed (no 'Abstaining' section)" in result.count_mismatches


def test_absent_and_not_voting_are_kept_apart():
    result = parse_vote_record("In favour: Chile. Present and not voting: Peru. "
                               "Absent: Bolivia (Plurinational State of).")
    assert result.positions == {"CHL": YES, "PER": NOT_VOTING}
    assert result.absent == ("BOL",)


def test_prose_after_the_last_list_is_not_read_as_states():
    result = parse_vote_record("Against: Israel, United States.\n\nThe Assembly then heard Egypt and Jordan.")
    assert result.positions == {"ISR": NO, "USA": NO} and result.problems == ()


def test_heading_count_disagreeing_with_sentence_is_noted():
    result = parse_vote_record("by 2 votes to 0, with 0 abstentions: In favour (3): Chile, Peru")
    assert "In favour: 2 stated in the text, 3 in the heading" in result.notes
    assert result.count_mismatches == ("In favour: 3 stated, 2 listed",)


def test_markdown_bullets_around_headings():
    result = parse_vote_record("* **In favour (2):** Chile, Peru\n* **Against (0):** none")
    assert result.positions == {"CHL": YES, "PER": YES} and result.problems == ()


def test_unknown_state_is_reported_with_its_reason():
    result = parse_vote_record("In favour: Chile, Taiwan")
    assert [(u.text, u.section, u.reason) for u in result.unresolved] == [("Taiwan", "yes", "not_a_state")]


@pytest.mark.parametrize("text", ["", "The resolution was adopted by 23 votes to 3, with 21 abstentions.",
                                  "France, Germany and Italy signed."])
def test_no_section_is_invalid_input(text):
    with pytest.raises(InvalidInput, match="no 'In favour' / 'Against' / 'Abstaining' section found"):
        parse_vote_record(text)
