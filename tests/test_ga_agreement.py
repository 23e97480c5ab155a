"""Agreement scores against answers worked out by hand, and against a naive peer."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest

from blocwatch.ga.agreement import agreement, agreement_from_votes, for_country

Y, A, N, X = 1, 2, 3, 8

# Roll calls r1..r5 and r7 in 2000 (session 55), r6 in 2001 (session 56).
# Missing entries are absences (no row). X = present, not voting.
HAND = {
    1: {"AAA": Y, "BBB": Y, "CCC": N, "DDD": A},
    2: {"AAA": N, "BBB": Y, "CCC": N},
    3: {"AAA": A, "BBB": A, "CCC": Y, "DDD": X},
    4: {"AAA": Y, "BBB": N, "DDD": Y},
    5: {"AAA": Y, "BBB": A, "CCC": Y},
    6: {"AAA": Y, "DDD": Y},
    7: {"EEE": Y},
}
YEAR = {1: 2000, 2: 2000, 3: 2000, 4: 2000, 5: 2000, 6: 2001, 7: 2000}

# Worked out by hand from HAND (see the comments):
# pair: (n, same, half, identical, opposite)
EXPECTED_2000 = {
    # r1 YY same, r2 NY opp, r3 AA same, r4 YN opp, r5 YA half
    ("AAA", "BBB"): (5, 2, 1, 1, 2),
    # r1 YN opp, r2 NN same, r3 AY half, r5 YY same (C absent on r4)
    ("AAA", "CCC"): (4, 2, 1, 2, 1),
    # r1 YA half, r3 D not voting, r4 YY same
    ("AAA", "DDD"): (2, 1, 1, 1, 0),
    # r1 YN opp, r2 YN opp, r3 AY half, r5 AY half
    ("BBB", "CCC"): (4, 0, 2, 0, 2),
    # r1 YA half, r4 NY opp
    ("BBB", "DDD"): (2, 0, 1, 0, 1),
    # r1 NA half only: no yes/no pair, coincidence undefined
    ("CCC", "DDD"): (1, 0, 1, 0, 0),
}


def hand_votes() -> pd.DataFrame:
    rows = [(rc, iso3, v, YEAR[rc]) for rc, votes in HAND.items() for iso3, v in votes.items()]
    return pd.DataFrame(rows, columns=["rcid", "iso3", "vote", "year"])


def test_hand_made_year_scores():
    scores = agreement_from_votes(hand_votes())
    got = scores[scores["year"] == 2000].set_index(["a", "b"])
    assert set(got.index) == set(EXPECTED_2000)  # EEE never co-voted: no row
    for pair, (n, same, half, identical, opposite) in EXPECTED_2000.items():
        row = got.loc[pair]
        assert (row.n, row.same, row.half, row.identical, row.opposite) == (n, same, half, identical, opposite), pair
        assert row.agree == pytest.approx(same / n)
        assert row.agree_half == pytest.approx((same + 0.5 * half) / n)
        if identical + opposite:
            assert row.coincidence == pytest.approx(identical / (identical + opposite))
        else:
            assert math.isnan(row.coincidence)
    # The spelled-out values for the first pair: 2/5 agreement, 2.5/5 with half credit, 1/3 coincidence.
    ab = got.loc[("AAA", "BBB")]
    assert (ab.agree, ab.agree_half, ab.coincidence) == pytest.approx((0.4, 0.5, 1 / 3))
    assert got.loc[("BBB", "DDD")].coincidence == 0.0


def test_years_are_separate():
    scores = agreement_from_votes(hand_votes())
    y2001 = scores[scores["year"] == 2001]
    assert len(y2001) == 1
    row = y2001.iloc[0]
    assert (row.a, row.b, row.n, row.agree, row.coincidence) == ("AAA", "DDD", 1, 1.0, 1.0)


def test_for_country_turns_pairs():
    scores = agreement_from_votes(hand_votes())
    rows = for_country(scores[scores["year"] == 2000], "CCC")
    assert set(rows["a"]) == {"CCC"}
    assert set(rows["b"]) == {"AAA", "BBB", "DDD"}
    one = for_country(scores, "DDD", "BBB")
    assert list(one["b"]) == ["BBB"] and one["n"].tolist() == [2]


def naive(votes: pd.DataFrame) -> dict:
    """Straightforward loops over roll calls, for cross-checking."""
    out: dict = {}
    for (year, _rc), group in votes.groupby(["year", "rcid"]):
        cast = {r.iso3: r.vote for r in group.itertuples() if r.vote in (Y, A, N)}
        for a, b in itertools.combinations(sorted(cast), 2):
            va, vb = cast[a], cast[b]
            c = out.setdefault((a, b, year), [0, 0, 0, 0])
            c[0] += 1
            c[1] += va == vb
            c[2] += (va, vb) in ((Y, Y), (N, N))
            c[3] += (va, vb) in ((Y, N), (N, Y))
    return out


def test_matches_naive_loops_on_random_votes():
    rng = np.random.default_rng(7)
    rows = []
    for rc in range(120):
        year = 1990 + rc % 4
        for s in range(25):
            if rng.random() < 0.8:
                rows.append((rc, f"S{s:02d}", int(rng.choice([Y, A, N, X], p=[0.5, 0.2, 0.2, 0.1])), year))
    votes = pd.DataFrame(rows, columns=["rcid", "iso3", "vote", "year"])
    expected = naive(votes)
    scores = agreement_from_votes(votes)
    assert len(scores) == len(expected)
    for r in scores.itertuples():
        n, same, identical, opposite = expected[(r.a, r.b, r.year)]
        assert r.n == n
        assert abs(r.agree - same / n) < 1e-12
        if identical + opposite:
            assert abs(r.coincidence - identical / (identical + opposite)) < 1e-12


def test_by_session_from_store(engine):
    # The bundled data: session 74 co-voting of the United States and Israel,
    # recomputed here with plain pandas from votes_frame.
    from blocwatch.ga.votes import votes_frame

    scores = agreement(engine, by="session", sessions=[74])
    assert set(scores["session"]) == {74}
    v = votes_frame(engine, sessions=[74])
    v = v[v["vote"].isin([Y, A, N])]
    us = v[v["iso3"] == "USA"].set_index("rcid")["vote"]
    il = v[v["iso3"] == "ISR"].set_index("rcid")["vote"]
    joint = pd.concat([us, il], axis=1, join="inner")
    row = scores[(scores["a"] == "ISR") & (scores["b"] == "USA")].iloc[0]
    assert row.n == len(joint)
    assert row.agree == pytest.approx((joint.iloc[:, 0] == joint.iloc[:, 1]).mean())


def test_unknown_issue_is_an_error(engine):
    with pytest.raises(ValueError, match="unknown issue code 'xx'.*hr"):
        agreement(engine, issue="xx", sessions=[74])


def test_duplicate_votes_are_refused():
    votes = pd.concat([hand_votes(), hand_votes().iloc[[0]]])
    with pytest.raises(ValueError, match="more than one row for a state on a roll call"):
        agreement_from_votes(votes)


def test_string_and_categorical_codes_give_the_same_scores():
    votes = hand_votes()
    as_cat = agreement_from_votes(votes.astype({"iso3": "category"}))
    as_str = agreement_from_votes(votes)
    pd.testing.assert_frame_equal(as_cat.astype({"a": str, "b": str}), as_str.astype({"a": str, "b": str}))


def test_empty_store_gives_empty_tables(tmp_path):
    from blocwatch.store.db import make_engine, upgrade

    eng = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    upgrade(eng)
    for kwargs in ({}, {"by": "session", "issue": "hr"}, {"important": True, "years": [2000]}):
        scores = agreement(eng, **kwargs)
        assert scores.empty and {"a", "b", "n", "agree", "coincidence"} <= set(scores.columns)
    eng.dispose()


@pytest.mark.parametrize("kwargs, fragment", [
    ({"by": "session", "years": [2019], "sessions": [74]}, "both years"),
    ({"years": [2019], "sessions": [74]}, "both years"),
    ({"by": "session", "years": [2019]}, "years [2019] with by='session'"),
    ({"by": "decade"}, "by must be 'year' or 'session'"),
])
def test_conflicting_selections_are_refused(tmp_path, kwargs, fragment):
    """agreement --year 2019 --session 74 used to compute by session and ignore the year."""
    from blocwatch import errors
    from blocwatch.store.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'any.sqlite3'}")  # refused before the store is read
    with pytest.raises(errors.InvalidInput, match=re.escape(fragment)):
        agreement(eng, **kwargs)
    eng.dispose()


def test_unknown_issue_names_close_matches(tmp_path):
    from blocwatch import errors
    from blocwatch.store.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'any.sqlite3'}")
    with pytest.raises(errors.NotFound) as err:
        agreement(eng, issue="hx", sessions=[74])
    assert "hr" in err.value.close_matches and "unknown issue code 'hx'" in str(err.value)
    eng.dispose()
