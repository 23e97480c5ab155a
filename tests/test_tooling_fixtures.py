"""The small fixture database (conftest ``small_db_*``) is the full one restricted to a few GA sessions."""

from __future__ import annotations

from pathlib import Path

from blocwatch.api.bundled import LOADERS
from blocwatch.ga.agreement import agreement
from blocwatch.store.db import connect, make_engine

from conftest import SMALL_SESSIONS


def _rows(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql).all()]
    finally:
        engine.dispose()


def test_small_db_keeps_every_event_and_country_and_only_some_sessions(db_url, small_db_url):
    for table in ("countries", "events", "positions", "event_sources", "sources", "imports"):
        count = f"SELECT count(*) FROM {table}"
        assert _rows(small_db_url, count) == _rows(db_url, count), table
    sessions = {s for (s,) in _rows(small_db_url, "SELECT DISTINCT session FROM roll_calls WHERE forum = 'ga'")}
    assert sessions == set(SMALL_SESSIONS)
    # GA sessions of SMALL_SESSIONS only; the Council's votes are all kept
    kept = "(SELECT rcid FROM roll_calls WHERE forum = 'hrc' OR session IN ({}))".format(
        ",".join(map(str, SMALL_SESSIONS)))
    # The packed vectors' state index holds the states that voted in the kept sessions.
    assert _rows(small_db_url, "SELECT count(*) FROM vote_states") == \
        _rows(db_url, f"SELECT count(DISTINCT iso3) FROM votes WHERE rcid IN {kept}")
    for table in ("roll_calls", "votes", "vote_vectors"):
        assert _rows(small_db_url, f"SELECT count(*) FROM {table}") == \
            _rows(db_url, f"SELECT count(*) FROM {table} WHERE rcid IN {kept}"), table
    small_votes, full_votes = (_rows(url, "SELECT count(*) FROM votes")[0][0] for url in (small_db_url, db_url))
    assert small_votes < full_votes / 4
    if small_db_url.startswith("sqlite"):
        assert Path(small_db_url.removeprefix("sqlite:///")).stat().st_size < \
            Path(db_url.removeprefix("sqlite:///")).stat().st_size / 3


def test_small_db_is_not_refilled_and_answers_as_the_full_one(engine, small_db_engine, small_db_url):
    votes = _rows(small_db_url, "SELECT count(*) FROM votes")
    connect(small_db_url, loaders=LOADERS).dispose()
    assert _rows(small_db_url, "SELECT count(*) FROM votes") == votes
    full_74 = agreement(engine, by="session", sessions=[74])
    assert len(full_74) > 10_000
    assert full_74.equals(agreement(small_db_engine, by="session", sessions=[74]))
    assert agreement(engine, by="year", years=[2019]).equals(agreement(small_db_engine, by="year", years=[2019]))
