"""Acceptance: the parser against every raw evidence excerpt in shared/data/statements (the copies in curation/sources).

One test per statement YAML. Where the YAML marks its list complete, the parser must
find, in ``raw/<id>.txt``, the same SET of states as resolving the YAML's ``signatories``
names, from a source the YAML cites, with the YAML's claimed count and ``complete`` True
(None when the YAML has no count). Where the YAML marks its list incomplete, the parser
must say so plainly: ``complete`` is False, ``count_matches`` is False and fewer states
are listed than claimed.

Lists that changed after delivery: the YAML records the list *as published* by the source
it names, and so does the parser's primary list (the largest list in the file). For the
July 2019 letter that is the 50 names of A/HRC/41/G/17, which no longer include Qatar
(it withdrew on 18 July; the Indonesian source's 37 "Qatar and 36 others" names Qatar only
in prose, and its list is smaller); for the October 2023 statement it is the 51 names as
delivered, Fiji included (Fiji withdrew on 30 October, after the quoted texts). The test
compares with exactly those lists; withdrawals are not the parser's business.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from blocwatch import registry
from blocwatch.names import try_resolve
from blocwatch.signatories import parse_document

STATEMENTS = Path(__file__).resolve().parents[1] / "curation" / "sources" / "statements"
YAMLS = sorted(STATEMENTS.glob("*.yaml"))


def _load(path: Path) -> tuple[dict, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = STATEMENTS / "raw" / f"{data['id']}.txt"
    return data, raw.read_text(encoding="utf-8")


def test_statements_are_there():
    assert len(YAMLS) >= 29, f"expected the statement YAMLs in {STATEMENTS}"


@pytest.mark.parametrize("path", YAMLS, ids=[p.stem for p in YAMLS])
def test_raw_excerpt(path):
    data, raw = _load(path)
    expected = {}
    for name in data["signatories"] or []:
        res = try_resolve(name)
        assert res.resolved, f"{path.name}: YAML signatory {name!r} does not resolve: {res.message}"
        expected[res.iso3] = name
    result = parse_document(raw)
    found = [s.iso3 for s in result.signatories]
    assert all(registry.exists(code) for code in found)
    assert len(found) == len(set(found))
    claimed = data["claimed_count"]
    assert result.claimed_count == claimed, result.count_source

    if data["list_complete"]:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        assert not missing and not extra, f"missing {missing}, extra {extra}; problems: {result.problems}"
        cited = {source["url"] for source in data["sources"]}
        assert result.source.url in cited, f"primary list from {result.source.url}, not a cited source"
        assert result.unresolved == [] and not result.truncated
        if claimed is None:
            assert result.count_matches is None and result.complete is None
        else:
            assert result.count_matches is True and result.complete is True
    else:
        assert result.complete is False
        assert result.count_matches is False
        assert len(found) < claimed
        assert result.problems, "an incomplete excerpt must come with a plain reason"
