"""Council vote forecasts (issue 11): no peeking, the tally's arithmetic, the scores, the backtest, the commands.

On the small database: every Council vote, the GA votes of a few sessions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blocwatch.forecast import metrics, tally
from blocwatch.forecast.history import ABSTAIN, NO, YES

# make test-postgres runs this module on PostgreSQL too; one worker runs it all, so that its module fixtures (a
# backtest, a forecast) are computed once
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("forecast")]

AS_OF = dt.date(2022, 6, 1)
SPEC_KEYS = {"target", "as_of", "members", "tally", "p_adopted", "swing"}
MEMBER_KEYS = {"iso3", "p_yes", "p_abstain", "p_no", "predicted", "reasons"}
TALLY_KEYS = {"yes", "no", "abstain", "yes_interval", "no_interval", "abstain_interval"}


# ------------------------------------------------------------------ the tally's arithmetic

def _brute(p: np.ndarray) -> np.ndarray:
    m = len(p)
    out = np.zeros((m + 1, m + 1))
    for combo in itertools.product((YES, ABSTAIN, NO), repeat=m):
        out[combo.count(YES), combo.count(NO)] += np.prod([p[i, c] for i, c in enumerate(combo)])
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=10_000))
def test_joint_distribution_is_exact(m, seed):
    p = np.random.default_rng(seed).dirichlet([0.5, 0.5, 0.5], size=m)
    assert np.allclose(tally.joint(p), _brute(p), atol=1e-12)


def test_adoption_counts_yes_against_no_only():
    sure = np.array([[1.0, 0, 0]] * 3 + [[0, 0, 1.0]] * 2 + [[0, 1.0, 0]] * 10)
    t = tally.tally(sure)
    assert t.p_adopted == pytest.approx(1.0)
    assert (t.yes_interval, t.no_interval, t.abstain_interval) == ((3, 3), (2, 2), (10, 10))
    tie = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    assert tally.tally(tie).p_adopted == pytest.approx(0.0)


def test_moves_is_the_difference_a_members_vote_makes():
    p = np.random.default_rng(3).dirichlet([1, 1, 1], size=7)
    moved = tally.moves(p)
    for i in (0, 3):
        yes, no = p.copy(), p.copy()
        yes[i], no[i] = (1.0, 0, 0), (0, 0, 1.0)
        assert moved[i] == pytest.approx(tally.tally(yes).p_adopted - tally.tally(no).p_adopted)


def test_the_normal_approximation_for_a_large_body_is_close_to_exact():
    p = np.random.default_rng(5).dirichlet([2, 1, 1], size=tally.EXACT_UP_TO)
    exact = tally.moves(p, 0.5)
    bigger = np.vstack([p, [[0.0, 1.0, 0.0]]])  # one more member who surely abstains: moves no one
    approx = tally.moves(bigger, 0.5)[:-1]
    assert np.abs(exact - approx).max() < 0.02


def test_a_shared_shift_widens_the_intervals_but_keeps_the_expected_tally():
    p = np.tile([0.6, 0.2, 0.2], (47, 1))
    narrow, wide = tally.tally(p), tally.tally(p, 1.0)
    assert wide.yes == narrow.yes
    assert wide.yes_interval[1] - wide.yes_interval[0] > narrow.yes_interval[1] - narrow.yes_interval[0]


def test_spread_recovers_a_planted_shift():
    rng = np.random.default_rng(0)
    base = np.tile([0.5, 0.25, 0.25], (40, 1))
    rows, ys, votes = [], [], []
    for v, d in enumerate(rng.normal(0, 1.0, size=200)):
        q = tally.shifted(base, d)
        ys.append([rng.choice(3, p=row) for row in q])
        rows.append(base)
        votes.append(np.full(40, v))
    got = tally.spread(np.vstack(rows), np.concatenate(ys), np.concatenate(votes))
    assert 0.75 < got < 1.25


# ------------------------------------------------------------------ scores

def test_scores_on_a_case_worked_by_hand():
    p = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    y = np.array([YES, ABSTAIN, NO, NO])
    s = metrics.scores(p, y)
    assert s["accuracy"] == pytest.approx(0.75)
    # yes: predicted twice, cast once, one hit: 2*1/(2+1); abstain 1/1; no: predicted once, cast twice, one hit
    assert s["f1"] == pytest.approx({"yes": 2 / 3, "abstain": 1.0, "no": 2 / 3})
    assert s["log_loss"] == pytest.approx(-np.mean(np.log([0.8, 0.7, 0.2, 0.8])))
    assert s["brier"] == pytest.approx((0.06 + 0.14 + 0.98 + 0.06) / 4)


def test_calibration_bands_pool_the_three_classes():
    p = np.array([[0.95, 0.03, 0.02]] * 10)
    y = np.array([YES] * 9 + [NO])
    bands = metrics.calibration(p, y)
    assert sum(b["n"] for b in bands) == 30
    top = bands[-1]
    assert top["n"] == 10 and top["observed"] == pytest.approx(0.9) and top["predicted"] == pytest.approx(0.95)


# ------------------------------------------------------------------ no peeking

@pytest.fixture(scope="module")
def hist(small_bw):
    from blocwatch.api.forecast import history

    return history(small_bw, "hrc")


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=dt.date(2006, 1, 1), max_value=dt.date(2026, 1, 1)))
def test_a_cut_holds_everything_before_its_day_and_nothing_after(hist, day):
    cut = hist.before(day)
    every = hist.before(dt.date(2100, 1, 1))
    assert (cut.texts.date < np.datetime64(day)).all()
    assert len(cut.texts) == int((every.texts.date < np.datetime64(day)).sum())
    assert (cut.ga.date < np.datetime64(day)).all()
    assert len(cut.ga.date) == int((every.ga.date < np.datetime64(day)).sum())
    assert all(s.date < day for s in cut.statements)


def test_a_statement_counts_its_signers_as_of_the_day(small_bw, hist):
    event = next(e for e in small_bw.dataset() if any(s.withdrew_on for s in e.signers))  # Qatar, July 2019
    withdrawn = next(s for s in event.signers if s.withdrew_on)
    before = hist.before(withdrawn.withdrew_on).statements
    after = hist.before(withdrawn.withdrew_on + dt.timedelta(days=1)).statements
    find = lambda cut: next(s for s in cut if s.id == event.id)  # noqa: E731
    assert withdrawn.iso3 in find(before).signers
    assert withdrawn.iso3 not in find(after).signers


VOTE_TEXT = "In favour ({n}): {yes}. Against (0): . Abstaining (0): ."


def _plant(bw, day: dt.date, members: list[str]) -> None:
    """A later Council text on Syria everyone votes against, a later GA vote, and a later statement."""
    names = ", ".join(bw.countries.get(m).name for m in members)
    text = f"In favour (0): . Against ({len(members)}): {names}. Abstaining (0): ."
    bw.votes.add(text, forum="hrc", symbol="A/HRC/RES/99/1", on=day, title="Situation of human rights in the Syrian "
                 "Arab Republic", source_url="https://example.org/planted", target="SYR", yes_stance="critical")
    bw.votes.add(text, forum="ga", symbol="A/RES/99/1", on=day, title="Situation of human rights in the Syrian Arab "
                 "Republic", source_url="https://example.org/planted-ga", target="SYR", yes_stance="critical")
    bw.events.add("Joint statement on behalf of: France, Germany, Brazil, India, South Africa.",
                  source="https://example.org/planted-statement", day=day, forum="hrc", stance="critical",
                  event_id="planted-critical", target="SYR", publisher="ngo", store=True)


def test_a_forecast_does_not_change_when_later_events_are_added(small_db_url):
    import blocwatch

    bw = blocwatch.open(small_db_url)
    before = bw.forecast("SYR", as_of=AS_OF).to_dict()
    members = [m["iso3"] for m in before["members"]]
    _plant(bw, AS_OF + dt.timedelta(days=10), members)
    bw.close()
    bw = blocwatch.open(small_db_url)
    assert bw.votes.show("A/HRC/RES/99/1").counted["no"] == len(members)  # the plant is stored
    assert bw.votes.show("A/RES/99/1").counted["no"] == len(members)
    assert json.dumps(bw.forecast("SYR", as_of=AS_OF).to_dict()) == json.dumps(before)
    # ... and it is seen by a forecast made after it: the planted vote is every member's last vote on Syria
    later = bw.forecast("SYR", as_of=AS_OF + dt.timedelta(days=11), year=2022)
    assert later.training["texts_about_target"] == before["training"]["texts_about_target"] + 1
    assert later.p_adopted < before["p_adopted"]
    bw.close()


def test_training_rows_never_know_their_own_day(small_bw):
    from blocwatch.api.forecast import history, training
    from blocwatch.forecast.features import FEATURES, block

    h, rows = history(small_bw, "hrc"), training(small_bw, "hrc")
    day = dt.date(2021, 3, 23)
    on = rows.on(day)
    assert on.any()
    text = h.texts_on(day)
    target = text.target[0]
    states = sorted({s for s, r in zip(rows.state[on].tolist(), rows.rcid[on].tolist(), strict=True)
                     if r == text.rcid[0]})
    again = block(h.before(day), target, states)
    mine = rows.X[on & (rows.rcid == text.rcid[0])]
    order = np.argsort(rows.state[on & (rows.rcid == text.rcid[0])].astype(str))
    assert np.allclose(mine[order], again.X)
    assert again.X.shape[1] == len(FEATURES)


# ------------------------------------------------------------------ the forecast

@pytest.fixture(scope="module")
def syria(small_bw):
    return small_bw.forecast("Syria", as_of=AS_OF)


def test_forecast_json_has_the_documented_shape(syria):
    d = syria.to_dict()
    point = d["members"][0]["record"]["ga_ideal_point"]
    # the last stored session over before the day: 75 is running until September 2021, 76 on the day; the small
    # database holds 74, 76 and 78 of these
    assert point["session"] == 74 and point["to"] < "2022-06-01"
    assert set(d) >= SPEC_KEYS
    assert set(d["tally"]) == TALLY_KEYS
    assert all(set(m) >= MEMBER_KEYS for m in d["members"])
    assert d["as_of"] == "2022-06-01" and d["target"] == "SYR"


def test_members_are_that_days_council(small_bw, syria):
    council = {m["iso3"] for m in small_bw.hrc.members(on=AS_OF).members}
    assert {m.iso3 for m in syria.members} == council and len(council) == 47


def test_probabilities_add_up_and_the_tally_is_their_sum(syria):
    p = np.array([m.p for m in syria.members])
    assert np.allclose(p.sum(axis=1), 1.0)
    assert syria.tally.yes == pytest.approx(p[:, 0].sum())
    lo, hi = syria.tally.yes_interval
    assert lo <= syria.tally.yes <= hi + 1
    assert 0.0 <= syria.p_adopted <= 1.0


def test_the_forecast_follows_the_record(syria):
    # Syria itself and its steady defenders vote no; the EU votes yes (on every earlier text about Syria)
    assert syria.member("CHN").predicted == "no"  # China sat on the Council in 2022 and voted no on every one
    eu = [m for m in syria.members if m.iso3 in {"DEU", "FRA", "NLD", "FIN", "LUX", "LTU", "POL", "CZE"}]
    assert eu and all(m.predicted == "yes" and m.p[0] > 0.8 for m in eu)


def test_swing_states_are_uncertain_and_ranked_by_what_their_vote_moves(syria):
    from blocwatch.forecast.predict import SWING_CERTAINTY

    moves = [syria.member(s).moves for s in syria.swing]
    assert moves == sorted(moves, reverse=True)
    assert all(max(syria.member(s).p) < SWING_CERTAINTY for s in syria.swing)


def test_every_reason_quotes_a_dated_record(syria):
    some = [r for m in syria.members for r in m.reasons if "earlier texts about" in r]
    assert some and all("(20" in r for r in some)  # "last: yes on A/HRC/RES/... (2021-03-24)"


def test_a_target_never_voted_on_is_said_so(small_bw):
    f = small_bw.forecast("CHN", as_of="2023-06-01")
    assert f.training["texts_about_target"] == 0
    assert any("no HRC vote on a text about China" in n for n in f.notes)


def test_members_file_with_an_unknown_name_names_file_and_line(small_cli, tmp_path):
    members = tmp_path / "members.txt"
    members.write_text("France\nGermany\nNarnia\n", encoding="utf-8")
    r = small_cli("forecast", "--target", "SYR", "--as-of", "2022-06-01", "--members", str(members))
    assert r.exit_code == 2
    assert f"{members}:3" in r.output and "Narnia" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_members_file_gives_the_members(small_cli, tmp_path):
    members = tmp_path / "members.txt"
    members.write_text("France # WEOG\nBrazil, India\n\nSouth Africa\n", encoding="utf-8")
    r = small_cli("forecast", "--target", "SYR", "--as-of", "2022-06-01", "--members", str(members), "--json")
    assert r.exit_code == 0, r.output
    assert sorted(m["iso3"] for m in json.loads(r.output)["members"]) == ["BRA", "FRA", "IND", "ZAF"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--target", "Narnia", "--as-of", "2022-06-01"], "Narnia"),
    (["--target", "SYR", "--as-of", "2022-13-01"], "not a date"),
    (["--target", "SYR", "--as-of", "2027-06-01"], "not known"),
    (["--target", "SYR", "--as-of", "2006-01-01", "--year", "2007"], "recorded before that day"),
    (["--target", "SYR", "--year", "2022", "--members", "x.txt"], "not both"),
])
def test_bad_questions_get_one_line_and_status_2(small_cli, args, expected):
    r = small_cli("forecast", *args)
    assert r.exit_code == 2, r.output
    assert expected in r.output and len(r.output.strip().splitlines()) == 1


# ------------------------------------------------------------------ backtest and campaign

@pytest.fixture(scope="module")
def recent(small_bw):
    return small_bw.backtest(start="2024-10-01")


def test_backtest_scores_every_vote_with_its_real_tally(small_bw, recent):
    d = recent.to_dict()
    assert {"votes", "overall", "by_year", "baselines", "calibration"} <= set(d)
    assert set(d["baselines"]) == {"most_common", "group_shares", "own_last", "statements", "ga_neighbour"}
    assert d["votes"] and all(v["date"] >= "2024-01-01" for v in d["votes"])
    for v in d["votes"][:5]:
        shown = small_bw.votes.show(v["id"]).counted
        assert v["tally"] == {"yes": shown["yes"], "no": shown["no"], "abstain": shown["abstain"]}
    assert d["overall"]["n"] == sum(sum(v["tally"].values()) for v in d["votes"])
    assert set(d["by_year"]) == {"2024"} and all(v["date"] >= "2024-10-01" for v in d["votes"])


def test_backtest_baselines_are_what_their_rules_say(recent):
    # the most common vote is always the same class: its accuracy is that class's share
    overall = recent.overall
    assert recent.baselines["most_common"]["f1"]["abstain"] == 0.0
    assert 0.0 < recent.baselines["most_common"]["accuracy"] < 1.0
    assert overall["accuracy"] > recent.baselines["most_common"]["accuracy"]


def test_backtest_report_refuses_to_overwrite(small_cli, tmp_path):
    out = tmp_path / "report.md"
    out.write_text("keep me", encoding="utf-8")
    r = small_cli("backtest", "--from", "2024-10-01", "--report", str(out))
    assert r.exit_code == 2 and out.read_text(encoding="utf-8") == "keep me"
    r = small_cli("backtest", "--from", "2024-10-01", "--report", str(out), "--replace")
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("# Backtest: Human Rights Council")


def test_campaign_ranks_those_not_on_board(small_bw):
    c = small_bw.campaign("CHN", as_of="2024-06-01", forum="ga")
    assert c.statement is not None and c.statement["id"] == "2023-10-18-ga78-3c-critical"
    on_board = set(c.on_board)
    ranked = [x.forecast.iso3 for x in c.candidates]
    assert not on_board & set(ranked) and "CHN" not in ranked
    p = [x.forecast.p[0] for x in c.candidates]
    assert p == sorted(p, reverse=True)
    empty = [g for g, n in c.by_group.items() if n == 0]
    for x in c.candidates:
        assert x.first_in_group == (x.forecast.group in empty)
        assert ("adds the first" in x.adds) == x.first_in_group



def test_a_large_bodys_tally_is_close_to_the_exact_one():
    p = np.random.default_rng(2).dirichlet([3, 1, 1], size=tally.EXACT_UP_TO)
    exact = tally.tally(p, 0.8)
    approx = tally.tally(np.vstack([p, [[0.0, 1.0, 0.0]]]), 0.8)  # one more member, surely abstaining
    assert abs(exact.p_adopted - approx.p_adopted) < 0.02
    for a, b in ((exact.yes_interval, approx.yes_interval), (exact.no_interval, approx.no_interval)):
        assert abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1


# ------------------------------------------------------------------ review fixes

def test_a_python_datetime_as_of_is_taken_as_its_day(small_bw):
    f = small_bw.forecast("SYR", as_of=dt.datetime(2022, 6, 1, 15, 30))
    assert f.as_of == AS_OF and type(f.as_of) is dt.date
    c = small_bw.campaign("CHN", forum="ga", as_of=dt.datetime(2024, 6, 1, 9, 0))
    assert c.as_of == dt.date(2024, 6, 1)


@pytest.mark.parametrize(("names", "expected"), [
    ("France\nState of Palestine\n", ":2: State of Palestine (PSE) is not a UN member state (an observer)"),
    ("Holy See\n", ":1: Holy See (VAT) is not a UN member state (an observer)"),
    ("France\nGermany, South Sudan\n", ":2: South Sudan (SSD) was not a UN member on 2010-07-01 (admitted 2011-07-14)"),
])
def test_a_member_who_cannot_vote_is_refused(small_cli, tmp_path, names, expected):
    members = tmp_path / "members.txt"
    members.write_text(names, encoding="utf-8")
    r = small_cli("forecast", "--target", "SYR", "--as-of", "2010-07-01", "--members", str(members))
    assert r.exit_code == 2, r.output
    assert f"{members}{expected}" in r.output and len(r.output.strip().splitlines()) == 1


def test_members_given_as_a_list_must_be_able_to_vote(small_bw):
    from blocwatch.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"members: State of Palestine \(PSE\) is not a UN member state"):
        small_bw.forecast("SYR", as_of=AS_OF, members=["France", "PSE"])


def test_an_unreadable_members_file_is_one_line(small_cli, tmp_path, monkeypatch):
    from pathlib import Path

    members = tmp_path / "members.txt"
    members.write_text("France\n", encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    r = small_cli("forecast", "--target", "SYR", "--as-of", "2022-06-01", "--members", str(members))
    assert r.exit_code == 2, r.output
    assert "cannot be read" in r.output and "Permission denied" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_campaign_without_stored_members_names_its_own_options(small_cli):
    r = small_cli("campaign", "--target", "SYR", "--as-of", "2027-06-01")
    assert r.exit_code == 2, r.output
    assert "--members FILE" in r.output and "--year" not in r.output


@pytest.mark.parametrize(("args", "expected"), [
    (["forecast", "--target", "SYR", "--year", "1900"], "--year 1900: expected a year from 1945 to 9999"),
    (["backtest", "--from", "1900"], "--from 1900: expected a year from 1945 to 9999"),
    (["backtest", "--from", "2024-10-01", "--report", "report.txt"], "--report report.txt: expected a file name"),
])
def test_option_errors_name_the_option_and_what_it_takes(small_cli, args, expected):
    r = small_cli(*args)
    assert r.exit_code == 2, r.output
    assert expected in r.output and len(r.output.strip().splitlines()) == 1


def test_a_partial_month_dated_statement_is_quoted_as_known(small_bw):
    from blocwatch.api.forecast import history
    from blocwatch.forecast.evidence import reasons, record

    # Cuba's supportive statement of June 2021 at the Council: dated to the month, one signer named of many
    cut = history(small_bw, "hrc").before(dt.date(2021, 9, 15))
    rec = record(cut, "CHN", "BRA", ())
    latest = rec["latest_statements"]["supportive"]
    assert latest["id"] == "2021-06-hrc47-supportive"
    assert latest["date"] == "2021-06" and latest["complete"] is False and latest["named"] == 1
    said = reasons(rec, ["statements"], "China")[0]
    assert "did not sign the latest joint statement supportive" not in said  # its list is partial: unknown
    assert "not named on the latest joint statement supportive of China (2021-06; its list names only 1 signer)" \
        in said
    assert "did not sign the latest joint statement critical of China (2020-10-06)" in said  # a complete list
