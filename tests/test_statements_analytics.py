"""Analytics on the curated statements, against expectations worked out by hand from the raw files.

Each expectation below was derived by reading shared/data/statements/raw/<id>.txt
(and the UN regional groups in shared/data/un/regional_groups.csv), not from
the program's output; the derivation is written beside it.
"""

from __future__ import annotations

import pytest

from blocwatch.statements import analytics
from blocwatch.statements.dataset import EventNotFound
from blocwatch.statements.load import dataset


@pytest.fixture(scope="module")
def ds(filled_db_file):
    from blocwatch.store.db import make_engine

    eng = make_engine(f"sqlite:///{filled_db_file}")
    try:
        yield dataset(eng)
    finally:
        eng.dispose()


def test_store_holds_every_curated_event(ds, shared_data):
    raw_ids = sorted(p.stem for p in (shared_data / "statements").glob("*.yaml"))
    assert ds.ids() == sorted(ds.ids(), key=lambda i: (ds.get(i).date, i))
    assert sorted(ds.ids()) == raw_ids


def test_ga74_critical_complete_list(ds):
    # raw/2019-10-29-ga74-3c-critical.txt (gov.uk repost): "on behalf of a group 23 countries including:
    # Albania, Australia, Austria, Belgium, Canada, Denmark, Estonia, Finland, France, Germany, Iceland, Ireland,
    # Japan, Latvia, Liechtenstein, Lithuania, Luxembourg, The Netherlands, New Zealand, Norway, Sweden,
    # United States of America and of course the United Kingdom."
    # Groups: Eastern European = Albania, Estonia, Latvia, Lithuania (4); Asia-Pacific = Japan (1);
    # the other 18 are WEOG; no African or Latin American state -> 3 groups covered.
    s = analytics.event_summary(ds, "2019-10-29-ga74-3c-critical")
    assert s["claimed_count"] == 23 and s["known_count"] == 23 and s["list_complete"] is True
    assert s["by_group"] == {"african": 0, "asia_pacific": 1, "eastern_european": 4,
                             "latin_american_caribbean": 0, "weog": 18}
    assert s["groups_covered"] == 3 and s["first_all_groups"] is False
    assert s["delivered_by"] == "GBR"
    # The only earlier critical event is the 8 July 2019 letter (22 names: no Albania, Liechtenstein, US;
    # it has Spain and Switzerland, which are not in the GA74 list).
    assert sorted(s["first_time"]) == ["ALB", "LIE", "USA"]
    assert len(s["returning"]) == 20
    # No earlier critical statement at the Third Committee: nothing to compare with.
    assert s["compared_with"] is None and s["joined"] == [] and s["left"] == []
    # UN Watch ties Belarus' 54-country statement to this one; Belarus named 6 co-signers + itself.
    assert s["counter"]["id"] == "2019-10-29-ga74-3c-supportive"
    assert s["counter"]["delivered_by"] == "BLR"
    assert s["counter"]["claimed_count"] == 54 and s["counter"]["known_count"] == 7
    assert s["counter"]["tie"] == "responds_to"


def test_ga76_critical_partial_list(ds):
    # raw/2021-10-21-ga76-3c-critical.txt: claimed 43; named only France (deliverer), "the USA, Canada, Japan,
    # Turkey, Liberia and Honduras" (gettotext) and new joiners "Turkey, Eswatini, Portugal and the Czech
    # Republic" (AFP), and the UK from Guancha's headline "美英法等43國" (US, UK, France and others, 43)
    # -> 11 names, 32 unnamed.
    s = analytics.event_summary(ds, "2021-10-21-ga76-3c-c")  # unique prefix
    assert s["id"] == "2021-10-21-ga76-3c-critical"
    assert s["claimed_count"] == 43 and s["known_count"] == 11 and s["unnamed_count"] == 32
    assert s["partial"] is True
    # Liberia, Eswatini African; Japan Asia-Pacific; Czechia Eastern European; Honduras GRULAC;
    # France, USA, Canada, Türkiye (counted in WEOG), Portugal, United Kingdom WEOG.
    assert s["by_group"] == {"african": 2, "asia_pacific": 1, "eastern_european": 1,
                             "latin_american_caribbean": 1, "weog": 6}
    # No earlier critical list names an African state (letter 2019, GA74, HRC44, GA75 complete; HRC47's
    # 34 names run Albania..Portugal without one, nor do the UK, US and Spain named beside it), so this is
    # the first *known* to cover all five groups; HRC47's 7 unnamed signatories could change that.
    assert s["first_all_groups"] is True
    assert s["first_all_groups_caveats"] == ["2021-06-22-hrc47-critical"]
    # Previous critical at the Third Committee: GA75 (complete, 39). Named here and not there:
    # Türkiye, Liberia, Eswatini, Portugal, Czechia -> they certainly joined.
    assert s["compared_with"] == "2020-10-06-ga75-3c-critical"
    assert sorted(s["joined"]) == ["CZE", "LBR", "PRT", "SWZ", "TUR"]
    # 'left' cannot be claimed against a partial list: GA75's 39 minus the 6 named again here
    # (France, USA, Canada, Japan, Honduras, UK) = 33 are only "not named", Haiti among them.
    assert s["left"] == []
    assert len(s["left_uncertain"]) == 33 and "HTI" in s["left_uncertain"]
    assert any("'left' cannot be established" in c for c in s["caveats"])
    # First time on the critical side: Portugal and Czechia are already in the HRC47 list, so only
    # Türkiye, Liberia, Eswatini; "first known" because HRC47 is partial.
    assert sorted(s["first_time"]) == ["LBR", "SWZ", "TUR"]
    assert s["first_time_caveats"] == ["2021-06-22-hrc47-critical"]
    # Same-session counter: Cuba for 62, one name known; no source ties them as an answer.
    assert s["counter"]["id"] == "2021-10-21-ga76-3c-supportive" and s["counter"]["tie"] == "same_session"
    assert s["neither_side_certain"] is False


def test_supportive_letter_2019_changes_after_delivery(ds):
    # raw/2019-07-12-hrc41-letter-supportive.txt: A/HRC/41/G/17 names 50 (final list). Qatar signed on
    # 12 July and withdrew by letter of 18 July (Bloomberg); 13 joined on 26 July (Tashkent Times).
    e = ds.get("2019-07-12-hrc41-letter-supportive")
    assert e.known_count == 50 and "QAT" not in e.signatories
    assert [(s.iso3, s.withdrew_on.isoformat()) for s in e.withdrawn] == [("QAT", "2019-07-18")]
    joined = sorted(s.iso3 for s in e.joined_later)
    assert joined == sorted(["BGD", "IRN", "IRQ", "PSE", "NPL", "MOZ", "SRB", "UZB", "ZMB", "LKA",
                             "GNQ", "UGA", "DJI"])
    assert {s.joined_on.isoformat() for s in e.joined_later} == {"2019-07-26"}
    # At delivery: 50 - 13 + Qatar = 38 (one more than the 37 claimed that day: the Yemen discrepancy).
    assert len(e.at_delivery) == 38
    s = analytics.event_summary(ds, e.id)
    # African: Algeria, Angola, Burkina Faso, Burundi, Cameroon, Comoros, Congo, DR Congo, Djibouti, Egypt,
    # Equatorial Guinea, Eritrea, Gabon, Mozambique, Nigeria, Somalia, South Sudan, Sudan, Togo, Uganda,
    # Zambia, Zimbabwe = 22. Eastern European: Belarus, Russia, Serbia. GRULAC: Bolivia, Cuba, Venezuela.
    # Asia-Pacific: the other 22 (Palestine counted there). No WEOG state.
    assert s["by_group"] == {"african": 22, "asia_pacific": 22, "eastern_european": 3,
                             "latin_american_caribbean": 3, "weog": 0}
    assert s["responds_to"] == "2019-07-08-hrc41-letter-critical"
    assert {c["iso3"] for c in s["changes"] if c["change"] == "withdrew"} == {"QAT"}


def test_ga78_critical_fiji_withdrawal_and_changes(ds):
    # raw/2023-10-18-ga78-3c-critical.txt: 51 named at delivery incl. Fiji; Fiji withdrew on 30 Oct 2023.
    # Against GA77 (50 names): new Fiji, Moldova, Paraguay, Tuvalu; gone Belize, Somalia, Turkey.
    s = analytics.event_summary(ds, "2023-10-18-ga78-3c-critical")
    assert s["claimed_count"] == 51 and s["known_count"] == 50 and len(s["signed_at_delivery"]) == 51
    assert "FJI" not in s["signatories"] and s["partial"] is False
    assert s["compared_with"] == "2022-10-31-ga77-3c-critical"
    assert sorted(s["joined"]) == ["MDA", "PRY", "TUV"]  # Fiji's signature no longer stands
    assert sorted(s["left"]) == ["BLZ", "SOM", "TUR"]
    assert any("FJI withdrew on 2023-10-30" in c for c in s["caveats"])


def test_switchers_and_both_sides(ds):
    # Somalia signed the supportive 2019 letter and the GA77 critical statement (nhub list of 50).
    s = analytics.event_summary(ds, "2022-10-31-ga77-3c-critical")
    assert s["switchers"] == ["SOM"]
    assert s["both_sides"] == []  # Cuba's GA77 counter names only Cuba, Russia, DPRK, Venezuela, Syria
    summary = analytics.series_summary(ds)
    assert "SOM" in summary["totals"]["both_sides"]
    assert summary["by_stance"] == {"critical": 12, "supportive": 17}


def test_diff_between_complete_lists(ds):
    # Letter of 8 July 2019 (22) vs GA74 (23): joined Albania, Liechtenstein, US; left Spain, Switzerland.
    d = analytics.diff(ds, "2019-07-08", "2019-10-29-ga74-3c-critical")
    assert sorted(d["joined"]) == ["ALB", "LIE", "USA"]
    assert sorted(d["left"]) == ["CHE", "ESP"]
    assert len(d["stayed"]) == 20 and d["caveats"] == []


def test_diff_against_partial_list_is_uncertain(ds):
    d = analytics.diff(ds, "2020-10-06-ga75-3c-critical", "2021-10-21-ga76-3c-critical")
    # GA75's 39 minus the 6 named again in GA76 (France, USA, Canada, Japan, Honduras, UK) = 33.
    assert d["left"] == [] and len(d["left_uncertain"]) == 33
    assert d["caveats"]


def test_country_history_marks_unknown_where_lists_are_partial(ds):
    h = analytics.country_history(ds, "HTI")
    status = {r["id"]: r["status"] for r in h["events"]}
    assert status["2020-10-06-ga75-3c-critical"] == "signed"
    assert status["2021-10-21-ga76-3c-critical"] == "not_named"  # partial list: unknown, not "absent"
    assert status["2022-10-31-ga77-3c-critical"] == "absent"
    q = analytics.country_history(ds, "QAT")
    assert q["withdrew"] == ["2019-07-12-hrc41-letter-supportive"]


def test_unknown_event_names_close_ids(ds):
    with pytest.raises(EventNotFound, match=r"close matches: ga79-critical \(2024-10-22-ga79-3c-critical\)"):
        ds.get("2024-10-23-ga79-3c-critical")
    with pytest.raises(EventNotFound, match="ambiguous"):
        ds.get("2019-07")
    # A typo in an alias offers the alias; the start of two aliases is ambiguous, naming both.
    with pytest.raises(EventNotFound, match=r"close matches: ga78-critical"):
        ds.get("ga78-critcal")
    with pytest.raises(EventNotFound, match=r"ambiguous.*\(ga78-supportive\).*\(ga78-critical\)"):
        ds.get("ga78")
    assert ds.get("ga78-crit").id == "2023-10-18-ga78-3c-critical"


def test_a_former_state_did_not_exist_at_later_events(ds):
    h = analytics.country_history(ds, "SUN")
    assert {r["status"] for r in h["events"]} == {"did_not_exist"}
