"""Bloc memberships with dates (data/blocs.csv): the table agrees with the registry, counts on known days, checks."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from blocwatch import blocs, registry
from blocwatch.errors import InvalidInput

SHIPPED = registry.data_path("blocs.csv")


def test_the_table_has_its_columns_and_is_sorted():
    with SHIPPED.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = list(reader)
    assert header == ["bloc", "iso3", "start", "end", "source", "note"]
    assert body == sorted(body, key=lambda r: (r[0], r[1], r[2]))
    assert {r[0] for r in body} == set(blocs.BLOCS)


def test_every_state_is_in_the_registry_and_every_row_has_a_source():
    for m in blocs.rows():
        assert registry.exists(m.iso3), m
        assert m.source, m


def test_eu_rows_agree_with_the_registry():
    eu = {m.iso3: m for m in blocs.rows() if m.bloc == "eu"}
    assert len(eu) == len([m for m in blocs.rows() if m.bloc == "eu"])  # one row per state
    in_registry = {c.iso3: c.eu_since for c in registry.all_entities() if c.eu_since is not None}
    assert set(eu) == set(in_registry) | {"GBR"}
    for iso3, since in in_registry.items():
        assert (eu[iso3].start, eu[iso3].end) == (since, None), iso3
    assert (eu["GBR"].start, eu["GBR"].end) == (date(1973, 1, 1), date(2020, 1, 31))


def test_eu_before_and_after_brexit():
    assert len(blocs.members("eu", date(2019, 6, 1))) == 28
    assert len(blocs.members("eu", date(2020, 6, 1))) == 27
    assert "GBR" in blocs.members("eu", date(2020, 1, 31))  # end is inclusive
    assert "GBR" not in blocs.members("eu", date(2020, 2, 1))
    assert "HRV" not in blocs.members("eu", date(2013, 6, 30))
    assert "HRV" in blocs.members("eu", date(2013, 7, 1))


def test_oic_before_and_after_syria_was_suspended():
    assert len(blocs.members("oic", date(2010, 1, 1))) == 57
    later = blocs.members("oic", date(2013, 1, 1))
    assert len(later) == 56 and "SYR" not in later
    assert "PSE" in later and registry.get("PSE").status == "observer"
    assert "CIV" not in blocs.members("oic", date(2000, 6, 1))


def test_arab_league_with_syria_suspended_and_readmitted():
    assert len(blocs.members("arab_league", date(2010, 1, 1))) == 22
    suspended = blocs.members("arab_league", date(2015, 1, 1))
    assert len(suspended) == 21 and "SYR" not in suspended
    assert len(blocs.members("arab_league", date(2024, 1, 1))) == 22
    assert "SYR" in blocs.members("arab_league", date(2011, 11, 15))
    assert "SYR" not in blocs.members("arab_league", date(2011, 11, 16))
    assert "SYR" in blocs.members("arab_league", date(2023, 5, 7))


def test_of_gives_the_blocs_in_order():
    assert blocs.of("TUR", date(2020, 1, 1)) == ("oic",)
    assert blocs.of("tur", date(2020, 1, 1)) == ("oic",)
    assert blocs.of("EGY", date(2020, 1, 1)) == ("oic", "arab_league")
    assert blocs.of("GBR", date(2019, 1, 1)) == ("eu",)
    assert blocs.of("GBR", date(2021, 1, 1)) == ()
    assert blocs.of("SYR", date(2015, 1, 1)) == ()


def test_unknown_names_are_refused():
    with pytest.raises(InvalidInput, match=r"unknown bloc 'ue'; expected one of eu, oic, arab_league") as err:
        blocs.members("ue", date(2020, 1, 1))
    assert "eu" in err.value.close_matches
    with pytest.raises(InvalidInput, match="no country with code 'XXX'"):
        blocs.of("XXX", date(2020, 1, 1))


HEADER = "bloc,iso3,start,end,source,note\n"


def _write(tmp_path, body: str):
    path = tmp_path / "blocs.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "expected"), [
    ("eu,FRA,1958-01-01,,src,\neu,DEU,,,src,\nue,ITA,1958-01-01,,src,\n",
     r":4: bloc 'ue': expected one of eu, oic, arab_league; close matches: eu"),
    ("eu,FRA,1958-01-01,,src,\neu,FRQ,1958-01-01,,src,\n",
     r":3: iso3 'FRQ': expected a code of the registry .*close matches: .*FRA"),
    ("eu,FRA,1958-13-01,,src,\n", r":2: start '1958-13-01': expected an ISO date"),
    ("eu,FRA,19580101,,src,\n", r":2: start '19580101': expected an ISO date"),
    ("eu,FRA,1958-01-01,1957-12-31,src,\n", r":2: end 1957-12-31 is before start 1958-01-01"),
    ("eu,FRA,1958-01-01,2000-01-01,src,\neu,FRA,1999-12-31,,src,\n",
     r":3: eu FRA from 1999-12-31 overlaps line 2 \(from 1958-01-01 to 2000-01-01\)"),
    ("oic,SYR,,,src,\noic,DZA,,,src,\noic,SYR,2023-05-07,,src,\n", r":4: oic SYR from 2023-05-07 overlaps line 2"),
    ("eu,FRA,1958-01-01,,,\n", r":2: source is empty"),
    ("eu,FRA,1958-01-01,,src\n", r":2: 5 fields: expected 6"),
    ("eu,FRA,1958-01-01,,src,,extra\n", r":2: 7 fields: expected 6"),
])
def test_a_malformed_copy_names_file_and_line(tmp_path, body, expected):
    path = _write(tmp_path, body)
    with pytest.raises(InvalidInput, match=expected) as err:
        blocs.read(path)
    assert str(err.value).startswith(f"{path}:")
    assert "\n" not in str(err.value)


def test_a_copy_with_other_columns_is_refused(tmp_path):
    path = tmp_path / "blocs.csv"
    path.write_text("bloc,iso3,start,end,source\neu,FRA,1958-01-01,,src\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"blocs.csv:1: columns bloc,iso3,start,end,source: expected "):
        blocs.read(path)


def test_rows_that_touch_but_do_not_overlap_read(tmp_path):
    path = _write(tmp_path, "arab_league,SYR,,2011-11-15,src,a\narab_league,SYR,2023-05-07,,src,\n")
    first, second = blocs.read(path)
    assert (first.start, first.end, first.note) == (None, date(2011, 11, 15), "a")
    assert (second.start, second.end, second.note) == (date(2023, 5, 7), None, None)
