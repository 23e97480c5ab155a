"""Property-based tests: the parser never raises and never invents a state."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blocwatch import registry
from blocwatch.counts import find_counts
from blocwatch.signatories import parse_document, parse_signatories

STATES = registry.countries()
NAMES = [c.name for c in STATES] + [c.official_name for c in STATES if c.official_name]
JUNK = st.sampled_from(["Taiwan", "Kosovo", "Hong Kong", "Korea", "the delegation", "Karabagh",
                        "...", "and", "et", "y", "和", "،", "on behalf of 12 countries", "\n", "•"])
SEPARATORS = st.sampled_from([", ", "; ", " and ", ", and ", "\n", " et ", " y ", "、", "، ", " • "])
# PARSE_EXAMPLES=2000 for a longer hunt; 150 keeps the suite fast.
SETTINGS = settings(max_examples=int(os.environ.get("PARSE_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check(result) -> None:
    for lst in result.lists:
        for s in lst.signatories:
            assert registry.exists(s.iso3) and registry.get(s.iso3).current
    data = result.to_dict()
    json.dumps(data)
    assert {"claimed_count", "signatories", "unresolved", "duplicates", "count_matches"} <= set(data)
    if data["claimed_count"] is None:
        assert data["count_matches"] is None


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    _check(parse_signatories(text))
    find_counts(text)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(NAMES), JUNK, st.text(max_size=20)), max_size=25),
       st.lists(SEPARATORS, min_size=1, max_size=5))
def test_lists_with_noise(items, seps):
    text = "".join(item + seps[i % len(seps)] for i, item in enumerate(items))
    _check(parse_signatories(text))


@SETTINGS
@given(st.lists(st.sampled_from(STATES), min_size=2, max_size=30, unique_by=lambda c: c.iso3))
def test_clean_lists_round_trip(states):
    """A plain list of two or more registry names comes back whole, in order, with its count."""
    names = [c.name for c in states]
    body = ", ".join(names[:-1]) + " and " + names[-1]
    text = f"on behalf of {len(names)} countries: {body}."
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == [c.iso3 for c in states]
    assert result.claimed_count == len(names) and result.complete is True


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=60), st.sampled_from(NAMES),
                          st.just("https://example.org/x"), st.just("[translation: France]"),
                          st.just("# header 3 countries")), max_size=15))
def test_arbitrary_documents(lines):
    _check(parse_document("\n".join(lines)))
