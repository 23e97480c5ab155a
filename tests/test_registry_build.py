"""The shipped registry is exactly what its sources build, and its dates agree with the GA data."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import pytest

from blocwatch import names, registry
from blocwatch.curate.registry import build_rows, render

REPO = Path(__file__).resolve().parents[1]


def test_rebuilding_from_the_sources_gives_the_shipped_table(shared_data):
    rebuilt = render(build_rows(shared_data, REPO / "curation"))
    shipped = registry.data_path("countries.csv").read_text(encoding="utf-8")
    assert rebuilt == shipped, "run `blocwatch curate registry` and review the diff"


def test_admission_years_agree_with_country_converter():
    """country_converter's ``UNmember`` column (year of admission) is a second, independent source."""
    import country_converter as coco
    import pandas as pd

    table = pd.read_csv(coco.country_converter.COUNTRY_DATA_FILE, sep="\t", keep_default_na=False,
                        usecols=["ISO3", "UNmember"])
    years = dict(zip(table.ISO3, table.UNmember, strict=True))
    members = registry.members()
    assert len(members) == 193
    disagree = {c.iso3: (c.admitted.isoformat(), years.get(c.iso3)) for c in members
                if str(c.admitted.year) != str(years.get(c.iso3))}
    assert not disagree


def _session_in_progress(day: date) -> int:
    """The regular GA session running on ``day``: session N opens in September of 1945 + N."""
    return day.year - 1945 if day.month >= 9 else day.year - 1946


@pytest.mark.slow  # every vote of 1946-2019: run by make test, not test-fast
def test_no_state_votes_in_a_ga_session_before_its_admission(shared_data):
    """Every unvotes name maps (via the resolver, former states included) to an entity
    admitted no later than the session in which it first voted.

    Compared by session, not by day: unvotes' roll-call dates are only
    approximate (resolution 57/5, adopted 16 October 2002, is dated
    2002-09-03, a week before Switzerland's admission on 10 September 2002).
    """
    unga = shared_data / "unga"
    with gzip.open(unga / "un_roll_calls.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        session_of = {r["rcid"]: int(r["session"]) for r in csv.DictReader(fh)}
    first: dict[str, int] = {}
    with gzip.open(unga / "un_votes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            s = session_of[r["rcid"]]
            if s < first.get(r["country"], 10_000):
                first[r["country"]] = s
    assert len(first) == 200
    early = {}
    for name, session in first.items():
        entity = registry.get(names.resolve(name, include_former=True).iso3)
        assert entity.admitted, entity.iso3
        if session < _session_in_progress(entity.admitted):
            early[name] = (entity.iso3, entity.admitted.isoformat(), session)
    assert not early


def test_session_in_progress():
    assert _session_in_progress(date(1949, 5, 11)) == 3  # Israel, admitted during session 3
    assert _session_in_progress(date(2002, 9, 10)) == 57  # Switzerland
    assert _session_in_progress(date(1945, 10, 24)) == 0
