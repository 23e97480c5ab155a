"""The curated event files: agreement with the raw sources, validation errors, rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from blocwatch.names import try_resolve
from blocwatch.statements.curate import build
from blocwatch.statements.dataset import DatasetError, events_folder, parse_event, read_curated


def _raw(shared_data: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((shared_data / "statements").glob("*.yaml"))}


def test_curated_files_agree_with_raw_sources(shared_data):
    raw = _raw(shared_data)
    curated = {e.id: e for e in read_curated()}
    assert set(curated) == set(raw)
    for event_id, r in raw.items():
        e = curated[event_id]
        listed = [s for s in e.signers if s.ordinal is not None]
        assert [s.name for s in listed] == r["signatories"], event_id
        assert [s.iso3 for s in listed] == [try_resolve(n).iso3 for n in r["signatories"]], event_id
        assert e.claimed_count == r["claimed_count"], event_id
        assert e.list_complete == r["list_complete"], event_id
        assert e.date_text == str(r["date"]) and e.session == r["session"] and e.stance == r["stance"], event_id
        assert [s.url for s in e.sources] == [s["url"] for s in r["sources"]], event_id
        assert len(listed) == r["signatories_recorded_count"], event_id


def test_curated_files_match_a_fresh_build(shared_data, tmp_path):
    """The shipped files are exactly what `blocwatch curate statements` produces (no hand edits)."""
    ids = build(shared_data / "statements", tmp_path)
    shipped = Path(str(events_folder()))
    assert sorted(ids) == sorted(p.stem for p in shipped.glob("*.yaml"))
    for event_id in ids:
        assert (tmp_path / f"{event_id}.yaml").read_text(encoding="utf-8") == \
            (shipped / f"{event_id}.yaml").read_text(encoding="utf-8"), event_id


def test_signatory_parser_agrees_with_complete_curated_lists(shared_data):
    """The project's signatory parser, run on the raw block each list is linked to, finds the same states.

    For a complete list, the parser's list in that block that overlaps it most must name exactly the
    curated states (a curated file and its raw source disagreeing fails here).
    """
    from blocwatch.signatories import parse_signatories
    from blocwatch.statements.curate import all_blocks

    blocks = all_blocks(shared_data / "statements")
    checked = 0
    for e in read_curated():
        listed = {s.iso3 for s in e.signers if s.ordinal is not None}
        sources = {s.source for s in e.signers if s.ordinal is not None}
        found: set[str] = set()
        lists = []
        for url in sources:
            for b in blocks.get(url, []):
                res = parse_signatories(b.text)
                lists += [set(lst.iso3s) for lst in res.lists]
                found |= {c for lst in res.lists for c in lst.iso3s}
        # The deliverer speaks "on behalf of" the others and is often not inside the quoted list.
        # Partial lists are often gathered from prose ("Russia, Syria, North Korea and Venezuela signed
        # both declarations") that a list parser need not read; complete lists are copied from a list.
        expected = listed - {e.delivered_by}
        if e.list_complete:
            assert expected <= found, (e.id, sorted(expected - found))
        if e.list_complete and len(listed) > 5:
            best = max(lists, key=lambda lst: len(lst & listed))
            assert len(expected - best) <= 1, (e.id, sorted(expected - best))
            checked += 1
    assert checked >= 10


def test_changes_are_kept_apart_from_the_list():
    events = {e.id: e for e in read_curated()}
    fiji = next(s for s in events["2023-10-18-ga78-3c-critical"].signers if s.iso3 == "FJI")
    assert fiji.ordinal is not None and fiji.withdrew_on.isoformat() == "2023-10-30"
    qatar = next(s for s in events["2019-07-12-hrc41-letter-supportive"].signers if s.iso3 == "QAT")
    assert qatar.ordinal is None and qatar.withdrew_on.isoformat() == "2019-07-18"


GOOD = Path(str(events_folder())) / "2019-10-29-ga74-3c-critical.yaml"


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "2019-10-29-ga74-3c-critical.yaml"
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + ": : ["  # break line 6
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"2019-10-29-ga74-3c-critical\.yaml:\d+: not valid YAML"):
        parse_event(bad, bad.read_text(encoding="utf-8"))


def test_invalid_field_names_field_line_and_expectation(tmp_path):
    text = GOOD.read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("stance:"))
    bad = tmp_path / GOOD.name
    bad.write_text(text.replace("stance: critical", "stance: neutral"), encoding="utf-8")
    with pytest.raises(DatasetError) as err:
        parse_event(bad, bad.read_text(encoding="utf-8"))
    assert f"{GOOD.name}:{line}: field 'stance'" in str(err.value)
    assert "critical, supportive" in str(err.value)


def test_unknown_country_code_names_its_line(tmp_path):
    text = GOOD.read_text(encoding="utf-8").replace("iso3: LIE", "iso3: XYZ")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "iso3: XYZ" in ln)
    bad = tmp_path / GOOD.name
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=rf":{line}: field 'signatories': expected an ISO3 code .* 'XYZ'"):
        parse_event(bad, text)
