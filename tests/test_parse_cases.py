"""The parser on the plain-text case files tests/names/parse_<lang>.txt (six UN languages).

Each line is ``shape<TAB>text<TAB>states<TAB>claimed`` (see parse_en.txt): the primary
list's ISO3 codes in order (``*``: the speaker, ``-``: no list) and the claimed count
(``-``: none). The files are data to review; this module only loads and checks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blocwatch.signatories import parse_signatories

CASES = Path(__file__).parent / "names"
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
SHAPES = {"1", "2", "3", "4", "5", "6", "7", "8"}  # issue 8, items 1-8
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\n")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else "\n", text)


def _cases(lang: str) -> list:
    out = []
    path = CASES / f"parse_{lang}.txt"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        shape, text, states, claimed = line.split("\t")
        out.append(pytest.param(shape, _unescape(text), states, claimed, id=f"{path.name}:{n}"))
    return out


ALL = [case for lang in LANGUAGES for case in _cases(lang)]


@pytest.mark.parametrize("shape,text,states,claimed", ALL)
def test_parse_case(shape, text, states, claimed):
    result = parse_signatories(text)
    found = " ".join(s.iso3 + ("*" if s.own_country else "") for s in result.signatories) or "-"
    assert found == states, result.problems
    assert result.claimed_count == (None if claimed == "-" else int(claimed))
    # offsets are offsets in the text as given (invisible characters included)
    for lst in result.lists:
        for s in lst.signatories:
            assert text[s.start:s.end] == s.text
        for f in lst.unresolved + lst.edges:
            assert text[f.start:f.end] == f.text
    for c in result.counts:
        assert text[c.start:c.end] == c.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_shape_in_every_language(lang):
    shapes = {p.values[0] for p in _cases(lang)}
    assert shapes >= SHAPES, sorted(SHAPES - shapes)
