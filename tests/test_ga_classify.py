"""The title rules that mark General Assembly country-situation texts (blocwatch.ga.classify), on real titles."""

from __future__ import annotations

import pytest

from blocwatch.ga.classify import rule


@pytest.mark.parametrize("title, target", [
    ("Situation of human rights in the Islamic Republic of Iran", "IRN"),
    ("Situation of human rights in the Syrian Arab Republic", "SYR"),
    ("Situation of human rights of Rohingya Muslims and other minorities in Myanmar", "MMR"),
    # names Ukraine, but the text is about Russia's occupation: rule 1 comes first
    ("Situation of human rights in the temporarily occupied territories of Ukraine, including the Autonomous "
     "Republic of Crimea and the city of Sevastopol", "RUS"),
    ("Aggression against Ukraine", "RUS"),
    ("Suspension of the rights of membership of the Russian Federation in the Human Rights Council", "RUS"),
    ("Status of internally displaced persons and refugees from Abkhazia, Georgia, and the Tskhinvali region/South "
     "Ossetia, Georgia", "RUS"),
    ("Israeli settlements in the Occupied Palestinian Territory, including East Jerusalem, and the occupied Syrian "
     "Golan", "ISR"),
    ("Necessity of ending the economic, commercial and financial embargo imposed by the United States of America "
     "against Cuba", "USA"),
    # unvotes' short titles and the Digital Library's trailing ": resolution / adopted by ..."
    ("HUMAN RIGHTS, REPORTS, IRAN (ISLAMIC REPUBLIC OF)", "IRN"),
    ("HUMAN RIGHTS--IRAN (ISLAMIC REPUBLIC OF)", "IRN"),
    ("HUMAN RIGHTS, MYANMAR, REPORTS", "MMR"),
    ("Situation of human rights in Myanmar : resolution / adopted by the General Assembly", "MMR"),
    ("HUMAN RIGHTS, CHILE", "CHL"),
])
def test_country_texts_and_their_targets(title, target):
    found = rule(title)
    assert found is not None and found[0] == target and found[1].startswith("rule ")


@pytest.mark.parametrize("title", [
    "Human rights and unilateral coercive measures",
    "The right of the Palestinian people to self-determination",  # not about one state's practices
    "Report of the Human Rights Council",
    "Situation of human rights in Atlantis",  # no state: not classified, not guessed
    "HUMAN RIGHTS, REPORTS, WOMEN",
    "HUMAN RIGHTS, SOUTH AFRICA, NAMIBIA",  # two states: left alone
    "HUMAN RIGHTS, PALESTINE",  # an observer: such texts are about the occupation, not rule 4's kind
])
def test_other_texts_stay_unclassified(title):
    assert rule(title) is None


def test_the_1946_2019_titles_are_classified_on_load(small_bw):
    found = small_bw.votes.search(forum="ga", target="IRN", date_to="2019-12-31", limit=0)
    assert {h["symbol"] for h in found.hits} >= {"A/RES/74/167"}  # session 74 (unvotes and the UN's files)
    assert all(h["subject"] == "country" and h["yes_stance"] == "critical" for h in found.hits)


def test_bundled_ga_votes_are_classified_on_load(small_bw):
    found = small_bw.votes.search(forum="ga", target="RUS", subject="country", limit=0)
    assert "A/RES/ES-11/1" in {h["symbol"] for h in found.hits}
    assert all(h["yes_stance"] == "critical" for h in found.hits)
    assert small_bw.votes.show("ES-11/1").classified_by.startswith("rule 1")
