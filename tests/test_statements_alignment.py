"""The link between joint statements and General Assembly voting, on the bundled data.

Agreement expectations are recomputed here straight from the unvotes CSV files
in shared/data/unga with pandas (not through the store or blocwatch.ga);
group memberships from the curated events and the registry. Of the recent GA
sessions the small database holds 73, 74, 76 and 78, so the 2019 events use
the session running on their date and the 2020 and 2022 ones (sessions 75 and
77) fall back to the stored session before theirs, with the time-gap caveat
(the full database, with every session to 80, is tested in
test_brief_votes.py).
"""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from blocwatch import registry
from blocwatch.statements import alignment, brief
from blocwatch.statements.load import dataset

SUPPORT_2019 = "2019-07-12-hrc41-letter-supportive"   # complete list of 50 incl. State of Palestine
HK_2020 = "2020-10-06-ga75-3c-supportive-hk"          # partial list: 21 of 55 named, incl. Palestine
CRITICAL_2022 = "2022-10-31-ga77-3c-critical"         # complete list of 50 incl. the United States


@pytest.fixture(scope="module")
def ro_engine(small_db_file):
    """The shared small database (every event; of the recent GA sessions 73, 74, 76, 78), read only."""
    from blocwatch.store.db import make_engine

    eng = make_engine(f"sqlite:///{small_db_file}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def ds(ro_engine):
    return dataset(ro_engine)


@pytest.fixture(scope="module")
def aligned(ro_engine, ds):
    """event id -> event_alignment dict, computed once per module."""
    return {ref: alignment.event_alignment(ro_engine, ref, ds=ds) for ref in (SUPPORT_2019, HK_2020, CRITICAL_2022)}


@pytest.fixture(scope="module")
def raw(shared_data) -> dict[int, pd.DataFrame]:
    """Votes of GA sessions 73 and 74 from the raw unvotes files: session -> roll calls x ISO alpha-2 codes
    ("yes"/"no"/"abstain")."""
    calls = pd.read_csv(shared_data / "unga" / "un_roll_calls.csv.gz", usecols=["rcid", "session"])
    votes = pd.read_csv(shared_data / "unga" / "un_votes.csv.gz", usecols=["rcid", "country_code", "vote"],
                        keep_default_na=False)
    out = {}
    for session in (73, 74):
        rcids = calls.loc[calls["session"] == session, "rcid"]
        part = votes[votes["rcid"].isin(rcids) & (votes["country_code"] != "")]
        out[session] = part.pivot(index="rcid", columns="country_code", values="vote")
    return out


def _raw_scores(table: pd.DataFrame, a: str, b: str) -> tuple[int, float, float]:
    """(joint votes, share of same choice, yes/no identical over identical + opposite) by plain pandas."""
    both = table[[a, b]].dropna()
    decisive = both[both[a].isin(["yes", "no"]) & both[b].isin(["yes", "no"])]
    return len(both), (both[a] == both[b]).mean(), (decisive[a] == decisive[b]).mean()


def _row(result: dict, iso3: str) -> dict:
    return next(r for r in result["states"] if r["iso3"] == iso3)


@pytest.mark.parametrize(("event", "session", "iso3", "iso2"), [(HK_2020, 74, "PAK", "PK"),
                                                                (HK_2020, 74, "GBR", "GB"),
                                                                (SUPPORT_2019, 73, "CUB", "CU")])
def test_agreement_with_china_and_us_matches_the_raw_csv(aligned, raw, event, session, iso3, iso2):
    assert aligned[event]["ga"]["session"] == session
    row = _row(aligned[event], iso3)
    for partner, code in (("chn", "CN"), ("usa", "US")):
        n, agree, coincidence = _raw_scores(raw[session], iso2, code)
        assert n > 50
        assert row[f"n_{partner}"] == n
        assert row[f"agree_{partner}"] == pytest.approx(agree, abs=1e-12)
        assert row[f"coincidence_{partner}"] == pytest.approx(coincidence, abs=1e-12)


def test_group_means_of_agreement_match_the_raw_csv(aligned, ds, raw):
    # The mean over the named signatories of the July 2019 letter (GA session 73), each recomputed from the raw votes.
    # unvotes keeps Serbia's seat under "Yugoslavia" (code YU) to 2019; everyone else by their ISO alpha-2 code.
    code = {"SRB": "YU"}
    e = ds.get(SUPPORT_2019)
    values = [_raw_scores(raw[73], code.get(c, registry.get(c).iso2), "CN")[1] for c in e.signatories if c != "PSE"]
    g = aligned[SUPPORT_2019]["groups"]["signatories"]
    assert g["agree_chn"]["n"] == len(values) == 49
    assert g["agree_chn"]["mean"] == pytest.approx(float(np.mean(values)), abs=1e-12)
    assert g["agree_chn"]["median"] == pytest.approx(float(np.median(values)), abs=1e-12)


def test_observers_are_listed_without_a_score(aligned, ds):
    result = aligned[SUPPORT_2019]
    pse = _row(result, "PSE")
    assert pse["signatory"] and pse["ideal"] is None and pse["agree_chn"] is None and pse["agree_usa"] is None
    assert "observer" in pse["no_score"]
    g = result["groups"]["signatories"]
    assert g["named"] == ds.get(SUPPORT_2019).known_count == 50
    assert g["scored"] == g["ideal"]["n"] == 49
    assert [w["iso3"] for w in g["without_score"]] == ["PSE"]
    assert any(c["key"] == "without_score" and "PSE" in c["text"] for c in result["caveats"])
    # The Holy See is no UN member: not among the states on neither side.
    assert all(r["iso3"] != "VAT" for r in result["states"])


def test_sides_are_the_named_lists_and_the_members_on_neither(aligned, ds):
    result = aligned[CRITICAL_2022]
    e = ds.get(CRITICAL_2022)
    counter = ds.get(result["counter"]["id"])
    assert counter.stance == "supportive"
    members = {c.iso3 for c in registry.members() if c.member_on(e.date)}
    expected_neither = members - set(e.signatories) - set(counter.signatories)
    states = result["states"]
    assert [r["iso3"] for r in states if r["signatory"]] == e.signatories
    assert {r["iso3"] for r in states if r["counter"]} == set(counter.signatories)
    assert {r["iso3"] for r in states if r["neither_side"]} == expected_neither
    groups = result["groups"]
    assert groups["neither_side"]["named"] == len(expected_neither)
    assert groups["counter"]["named"] == counter.known_count
    assert groups["counter"]["partial"] is True and groups["signatories"]["partial"] is False
    assert any(c["key"] == "partial_counter" for c in result["caveats"])


def test_ideal_points_are_session_76_static_and_summarised(aligned, ro_engine, ds):
    from blocwatch.ga.ideal import ideal_points

    table = ideal_points(ro_engine, [76]).set_index("iso3")["ideal"]
    result = aligned[CRITICAL_2022]
    values = table.loc[ds.get(CRITICAL_2022).signatories].to_numpy()
    s = result["groups"]["signatories"]["ideal"]
    assert s["n"] == len(values) == 50
    assert s["mean"] == pytest.approx(values.mean())
    assert s["q25"] <= s["median"] <= s["q75"]
    assert s["median"] == pytest.approx(float(np.median(values)))
    assert sum(result["groups"]["signatories"]["ideal_histogram"]) == 50
    assert result["reference"]["USA"]["ideal"] == pytest.approx(table["USA"]) and table["USA"] > 0
    assert result["reference"]["CHN"]["ideal"] == pytest.approx(table["CHN"])


def test_the_united_states_is_not_scored_against_itself(aligned):
    result = aligned[CRITICAL_2022]
    usa = _row(result, "USA")
    assert usa["agree_usa"] is None and usa["agree_chn"] is not None
    g = result["groups"]["signatories"]
    assert g["agree_usa"]["n"] == g["scored"] - 1
    assert g["agree_chn"]["n"] == g["scored"]


def test_session_running_on_a_date():
    assert alignment.session_on(date(2019, 7, 12)) == 73       # session 73 opened in September 2018
    assert alignment.session_on(date(2019, 10, 29)) == 74
    assert alignment.session_on(date(2022, 6, 14)) == 76
    assert alignment.session_on(date(2022, 9, 13)) == 77       # September: the session opening that month
    assert alignment.session_on(date(2023, 10, 18)) == 78
    assert alignment.session_on(2023) == 78                    # a year: the session that opened in it


def test_every_output_names_session_and_dates(aligned, ro_engine):
    late, early = aligned[CRITICAL_2022]["ga"], aligned[SUPPORT_2019]["ga"]
    # 2022-10-31 falls in session 77, which the small database lacks: the nearest stored one before it is 76
    assert (late["session"], late["year"], late["event_session"], late["latest_session"], late["model"]) \
        == (76, 2021, 77, 78, "static")
    assert not late["is_latest_session"] and "latest" not in late["label"]
    # 2019-07-12 falls in session 73 (opened September 2018), stored: no gap
    assert (early["session"], early["year"], early["event_session"]) == (73, 2018, 73)
    assert not early["is_latest_session"] and "latest" not in early["label"]
    with ro_engine.connect() as conn:
        for ga in (late, early):
            n, first, last = conn.exec_driver_sql(
                "SELECT count(*), min(date), max(date) FROM roll_calls WHERE forum = 'ga' AND session = ?",
                (ga["session"],)).one()
            assert (ga["n_rollcalls"], ga["first_vote_date"], ga["last_vote_date"]) == (n, str(first), str(last))
            assert f"GA session {ga['session']} ({ga['year']}-{ga['year'] + 1}: {n} recorded votes, " \
                   f"{first} to {last}" in ga["label"]
    assert late["years_after_data"] == 1 and early["years_after_data"] == 0
    assert any(c["key"] == "time_gap" and "1 year after" in c["text"] and "session 77" in c["text"]
               for c in aligned[CRITICAL_2022]["caveats"])
    assert not any(c["key"] == "time_gap" for c in aligned[SUPPORT_2019]["caveats"])


def test_an_earlier_session_can_be_chosen(ro_engine, ds):
    result = alignment.event_alignment(ro_engine, SUPPORT_2019, ds=ds, session=70)
    assert (result["ga"]["session"], result["ga"]["year"]) == (70, 2015)
    assert not result["ga"]["is_latest_session"] and "latest" not in result["ga"]["label"]
    with pytest.raises(ValueError, match="session 99"):
        alignment.event_alignment(ro_engine, SUPPORT_2019, ds=ds, session=99)


def test_brief_states_the_numbers_of_the_alignment(ro_engine, aligned):
    text = brief.render(ro_engine, HK_2020, "md")
    result = aligned[HK_2020]
    section = text.split("## General Assembly voting", 1)[1]
    assert "GA session 74 (2019-2020: 91 recorded votes, 2019-11-07 to 2020-01-14" in section
    assert "The event came in session 75, 1 year later, which has no votes in the data, so positions may have moved" \
        in section
    assert "In the roll calls of session 74, " in section
    for side in ("signatories", "counter", "neither_side"):
        g = result["groups"][side]
        assert f"the {g['scored']} " in section
        assert alignment.fmt_ideal(g["ideal"]["mean"]) in section
        for key in ("agree_chn", "agree_usa", "coincidence_chn", "coincidence_usa"):
            assert f"{round(100 * g[key]['mean'])}%" in section
        assert f"{g['closer_to_usa']} of " in section
    assert alignment.fmt_ideal(result["reference"]["CHN"]["ideal"]) in section
    # a partial list gets its caveat, and the claimed count beside the named ones
    assert f"(of {result['event']['claimed_count']} claimed)" in section
    assert "partial" in section and "State of Palestine (observer state" in section
    facts = brief.brief_facts(ro_engine, HK_2020)["facts"]["ga_alignment"]
    assert facts["groups"] == result["groups"] and facts["ga"] == result["ga"]
    assert "https://hdl.handle.net/1902.1/12379" in text


def test_brief_from_a_dataset_alone_has_no_ga_section(ds):
    assert brief.brief_facts(ds, HK_2020)["facts"]["ga_alignment"] is None
    assert "General Assembly voting" not in brief.render(ds, HK_2020, "md")


def test_all_alignments_cover_every_event(ro_engine, ds, aligned):
    every = alignment.all_alignments(ro_engine)
    assert [a["event"]["id"] for a in every] == [e.id for e in ds]
    assert next(a for a in every if a["event"]["id"] == HK_2020)["groups"] == aligned[HK_2020]["groups"]


def test_without_ga_votes_a_clear_error_and_a_brief_that_says_so(engine):
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        for t in ("votes", "vote_vectors", "vote_states", "roll_call_sources", "roll_call_notes", "roll_calls"):
            conn.exec_driver_sql(f"DELETE FROM {t}")
    with pytest.raises(alignment.NoVotes, match="no General Assembly votes"):
        alignment.event_alignment(engine, HK_2020)
    text = brief.render(engine, HK_2020, "md")
    assert "cannot be placed in General Assembly voting" in text


def test_cli_alignment_json_and_table(cli):
    out = cli("events", "alignment", "2019-07-12", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["event"]["id"] == SUPPORT_2019
    assert set(data["groups"]) == {"signatories", "counter", "neither_side"}
    assert all(math.isfinite(r["ideal"]) for r in data["states"] if r["ideal"] is not None)
    table = cli("events", "alignment", "2019-07-12")
    assert table.exit_code == 0
    assert "GA session 73 (2018-2019" in table.stdout and "PSE (State of Palestine): no score" in table.stdout
    assert "year after those votes" not in table.stdout and "years after those votes" not in table.stdout
    assert cli("events", "alignment", "no-such-event").exit_code == 2
    brief_out = cli("brief", HK_2020)
    assert "## General Assembly voting" in brief_out.stdout


def test_dynamic_model_is_named_and_on_one_scale(small_db_file, ds):
    """On the small database (ten sessions): the dynamic model links every stored session."""
    from blocwatch.store.db import make_engine

    small = make_engine(f"sqlite:///{small_db_file}")
    result = alignment.event_alignment(small, CRITICAL_2022, ds=ds, model="dynamic")
    small.dispose()
    assert result["ga"]["model"] == "dynamic" and "across sessions" in result["ga"]["model_info"]["comparable"]
    assert result["reference"]["USA"]["ideal"] > 0
    assert result["groups"]["signatories"]["ideal"]["n"] == 50
