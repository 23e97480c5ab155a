"""A counter-statement tie is reported in the right direction (the answering event says whom it answers)."""

import pytest
import yaml

from blocwatch.registry import data_path
from blocwatch.statements.analytics import event_summary
from blocwatch.statements.brief import render


@pytest.fixture
def engine(small_db_engine):
    """The small database (every event, a few GA sessions) is enough here."""
    return small_db_engine


def _responds_to(event_id: str) -> str | None:
    return yaml.safe_load(data_path(f"events/{event_id}.yaml").read_text(encoding="utf-8"))["responds_to"]


def test_the_supportive_letter_answers_the_critical_one(engine):
    # The curated file of the 12 July 2019 letter says it responds to the 8 July letter.
    answered = _responds_to("2019-07-12-hrc41-letter-supportive")
    assert answered == "2019-07-08-hrc41-letter-critical"
    assert event_summary(engine, "2019-07-12-hrc41-letter-supportive")["counter"]["direction"] == "answers"
    assert event_summary(engine, answered)["counter"]["direction"] == "answered_by"
    md = render(engine, "2019-07-12-hrc41-letter-supportive", "md")
    assert f"This event answers the critical letter ({answered}, 2019-07-08), which was signed" in md
    assert "The counter-letter (2019-07-12-hrc41-letter-supportive" in render(engine, answered, "md")


def test_a_same_session_pair_without_a_source_tie_says_so(engine):
    # No curated file ties the GA76 statements; they share forum and session.
    assert _responds_to("2021-10-21-ga76-3c-critical") is None
    assert _responds_to("2021-10-21-ga76-3c-supportive") is None
    counter = event_summary(engine, "2021-10-21-ga76-3c-critical")["counter"]
    assert counter["tie"] == "same_session" and counter["direction"] is None
    assert "The opposite-stance statement of the same session" in render(engine, "2021-10-21-ga76-3c-critical", "md")
