"""The bundled 1946-2019 GA votes, checked against the raw unvotes files."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from blocwatch.ga import seats
from blocwatch.ga.votes import rollcalls_frame, votes_frame

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too


@pytest.fixture(scope="module")
def raw(shared_data):
    votes = pd.read_csv(shared_data / "unga" / "un_votes.csv.gz", keep_default_na=False)
    calls = pd.read_csv(shared_data / "unga" / "un_roll_calls.csv.gz", keep_default_na=False)
    return votes.merge(calls[["rcid", "session", "date"]], on="rcid"), calls


UNVOTES_SESSIONS = range(1, 75)  # the unvotes data (1946-2019); the UN's resolutions continue it to 2026


def test_every_raw_vote_is_bundled(engine, raw):
    votes, calls = raw
    frame = votes_frame(engine, UNVOTES_SESSIONS)
    assert len(frame) == len(votes)
    assert frame["vote"].map({1: "yes", 2: "abstain", 3: "no"}).value_counts().to_dict() == \
        votes["vote"].value_counts().to_dict()
    assert len(rollcalls_frame(engine, UNVOTES_SESSIONS)) == len(calls)
    assert not frame.duplicated(["rcid", "iso3"]).any()


def test_seats_follow_the_date(engine, raw):
    votes, _ = raw
    frame = votes_frame(engine, UNVOTES_SESSIONS)
    count = frame["iso3"].astype(str).value_counts()
    russia = votes[votes["country"] == "Russia"]
    assert count["SUN"] == (russia["date"] <= "1991-12-24").sum()
    assert count["RUS"] == (russia["date"] > "1991-12-24").sum()
    assert count["ROC"] == (votes["country"] == "Taiwan").sum()
    frg = frame[frame["iso3"] == "FRG"]
    assert frg["date"].max() <= pd.Timestamp("1990-10-02")
    # Every vote is cast while its entity existed (seat holders never overlap).
    lineage = votes_frame(engine, lineage=True)
    assert not lineage.duplicated(["rcid", "iso3"]).any()
    assert set(seats.lineage_map()) == {"SUN", "ROC", "FRG", "YAR"}
    assert seats.lineage("RUS") == ["SUN", "RUS"] and seats.lineage("FRA") == ["FRA"]


def test_sessions_filter(engine, raw):
    votes, _ = raw
    frame = votes_frame(engine, sessions=[1, 74])
    assert set(frame["session"]) == {1, 74}
    assert len(frame) == votes["session"].isin([1, 74]).sum()
    assert votes_frame(engine, sessions=[]).empty


def test_agreement_matches_raw_pandas(engine, raw):
    from blocwatch.ga.agreement import agreement

    votes, _ = raw
    v = votes[votes["date"].str.startswith("2019")]
    us = v[v["country"] == "United States"].set_index("rcid")["vote"]
    cn = v[v["country"] == "China"].set_index("rcid")["vote"]
    joint = pd.concat([us, cn], axis=1, join="inner", keys=["us", "cn"])
    yes_no = joint[joint["us"].isin(["yes", "no"]) & joint["cn"].isin(["yes", "no"])]
    scores = agreement(engine, years=[2019])
    row = scores[(scores["a"] == "CHN") & (scores["b"] == "USA")].iloc[0]
    assert row.n == len(joint)
    assert row.agree == pytest.approx((joint["us"] == joint["cn"]).mean(), abs=1e-12)
    assert row.coincidence == pytest.approx((yes_no["us"] == yes_no["cn"]).mean(), abs=1e-12)


@pytest.mark.slow  # every vote of 1946-2019: run by make test, not test-fast
def test_reimporting_the_raw_tables_changes_no_vote(engine, shared_data):
    from blocwatch.ga.importers import import_votes

    digest = text("SELECT count(*), sum(CAST(rcid AS BIGINT) * 10 + vote), sum(length(iso3)) FROM votes")
    with engine.connect() as conn:
        before = conn.execute(digest).one()
    result = import_votes(engine, "unvotes", shared_data / "unga")
    assert (result.votes_added, result.votes_changed, result.rollcalls_added) == (0, 0, 0)
    with engine.connect() as conn:
        after = conn.execute(digest).one()
    assert tuple(after) == tuple(before)


@pytest.mark.slow  # every vote of 1946-2019: run by make test, not test-fast
def test_packed_vectors_equal_the_bundled_votes(engine):
    """The derived packed form (one BLOB per roll call) holds exactly the rows of votes."""
    import numpy as np

    with engine.connect() as conn:
        index = np.array([r[0] for r in conn.execute(text("SELECT iso3 FROM vote_states ORDER BY idx"))])
        vectors = conn.execute(text("SELECT rcid, votes FROM vote_vectors ORDER BY rcid")).all()
        calls = conn.execute(text("SELECT count(*) FROM roll_calls")).scalar_one()
        cursor = conn.connection.dbapi_connection.cursor()
        rows = pd.DataFrame(cursor.execute("SELECT rcid, iso3, vote FROM votes").fetchall(),
                            columns=["rcid", "iso3", "vote"])
        unvotes = cursor.execute("SELECT count(*) FROM votes v JOIN roll_calls r USING (rcid)"
                                 " WHERE r.forum = 'ga' AND r.session <= 74").fetchone()[0]
        cursor.close()
    assert len(vectors) == calls and unvotes == 870_109 and len(rows) > unvotes
    # Decode: byte i of a roll call's vector is the vote of state position i (0 = no row).
    matrix = np.zeros((len(vectors), len(index)), dtype=np.uint8)
    for k, (_, blob) in enumerate(vectors):
        matrix[k, :len(blob)] = np.frombuffer(blob, dtype=np.uint8)
    call, state = np.nonzero(matrix)
    decoded = pd.DataFrame({"rcid": np.array([r[0] for r in vectors])[call], "iso3": index[state],
                            "vote": matrix[call, state].astype(np.int64)})
    key = ["rcid", "iso3"]
    pd.testing.assert_frame_equal(decoded.sort_values(key).reset_index(drop=True),
                                  rows.sort_values(key).reset_index(drop=True), check_dtype=False)
