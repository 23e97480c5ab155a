"""Short event aliases, the state x event matrix and the events list filters, on the real curated events."""

from __future__ import annotations

import csv
import io
import json

import pytest

from blocwatch.errors import InvalidInput, NotFound
from blocwatch.statements.dataset import short_aliases


@pytest.fixture(scope="module")
def bw(small_bw):
    return small_bw


def test_aliases_drop_the_date_and_committee_mark_and_stay_unique():
    ids = ["2021-10-21-ga76-3c-critical", "2021-06-hrc47-supportive", "2022-09-13-hrc51-supportive",
           "2022-09-26-hrc51-supportive"]
    assert short_aliases(ids) == {"2021-10-21-ga76-3c-critical": "ga76-critical",
                                  "2021-06-hrc47-supportive": "hrc47-supportive",
                                  "2022-09-13-hrc51-supportive": "hrc51-supportive-0913",
                                  "2022-09-26-hrc51-supportive": "hrc51-supportive-0926"}


def test_every_curated_event_has_a_distinct_alias_that_finds_it(bw):
    ds = bw.dataset()
    assert len(set(ds.aliases.values())) == len(ds)
    for e in ds:
        assert bw.events.get(ds.aliases[e.id]).id == e.id
    assert bw.events.show("ga76-critical").id == "2021-10-21-ga76-3c-critical"
    assert bw.events.show("GA77-Supportive").id == "2022-10-31-ga77-3c-supportive"


def test_matrix_cells_agree_with_each_events_lists(bw):
    m = bw.events.matrix("xinjiang")
    ds = bw.dataset()
    assert m.events == ds.ids()
    states = {r["iso3"]: r for r in m.states}
    assert len(states) == 195  # 193 members and 2 observers
    for e in ds:
        for iso3, row in states.items():
            status = row["cells"][e.id]
            assert status in m.statuses
            assert (status in ("signed", "joined_later")) == (iso3 in e.signatories)
            if status == "absent":
                assert not e.partial
            if status == "not_named":
                assert e.partial
    # Qatar withdrew from the July 2019 letter; Fiji from the October 2023 statement.
    assert states["QAT"]["cells"]["2019-07-12-hrc41-letter-supportive"] == "withdrew"
    assert states["FJI"]["cells"]["2023-10-18-ga78-3c-critical"] == "withdrew"


def test_matrix_marks_the_other_side(bw):
    m = bw.events.matrix()
    crit = "2022-10-31-ga77-3c-critical"
    counter = bw.events.show(crit).counter["id"]
    supporters = set(bw.events.get(counter).signatories)
    marked = {r["iso3"] for r in m.states if r["cells"][crit] == "other_side"}
    assert marked == supporters - set(bw.events.get(crit).signatories)
    assert marked


def test_matrix_csv_opens_as_a_table(small_cli):
    result = small_cli("events", "matrix", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 195 and "ga76-critical" in rows[0]
    alb = next(r for r in rows if r["iso3"] == "ALB")
    assert alb["ga77-critical"] == "signed" and alb["ga77-supportive"] == "other_side"


def test_events_list_filters(bw):
    everything = bw.events.list()
    assert len(everything) == 29
    albania = bw.events.list(state="Albanie")  # a French name resolves
    assert albania and all("ALB" in bw.events.get(r.id).signatories for r in albania)
    hrc = bw.events.list(forum="HRC", stance="critical")
    assert hrc and all(r.forum == "hrc" and r.stance == "critical" for r in hrc)
    from datetime import date

    window = bw.events.list(since=date(2022, 1, 1), until=date(2022, 12, 31))
    assert [r.date[:4] for r in window] == ["2022"] * len(window) and len(window) == 6
    with pytest.raises(NotFound, match="no series 'nope'.*xinjiang"):
        bw.events.list("nope")
    with pytest.raises(InvalidInput, match="--forum 'ga'.*expected one of"):
        bw.events.list(forum="ga")


def test_events_list_bad_date_is_one_line(small_cli):
    result = small_cli("events", "list", "--from", "2022-13-01")
    assert result.exit_code == 2 and "expected a date as YYYY-MM-DD" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_events_list_json_includes_aliases(small_cli):
    rows = json.loads(small_cli("events", "list", "--json").stdout)
    assert {r["alias"] for r in rows} >= {"ga76-critical", "hrc50-critical"}
