"""Classify General Assembly texts about one country's situation, from their titles (explainable rules).

The Council's texts are classified by :mod:`blocwatch.hrc.classify` (agenda
items, titles, reviewed overrides). For the General Assembly only titles are
at hand, so this module marks the texts it can name with confidence and
leaves every other text unclassified (``subject`` None: not a claim that
it is thematic). Rules, first match wins, each with its reason stored in
``classified_by``:

1. Texts on Russia's war and occupation in Ukraine and Georgia (the
   occupation of Crimea, the aggression, territorial integrity, the
   suspension from the Council, the displaced from Abkhazia and South
   Ossetia): target RUS, a yes is critical.
2. Texts on Israel's practices, settlements and the occupied Golan, and
   the requests to the ICJ about Israel's obligations: target ISR, critical.
3. The end of the United States embargo against Cuba: target USA, critical.
4. "Situation of human rights in X" (or "... of Rohingya Muslims and other
   minorities in Myanmar"), and unvotes' short forms "HUMAN RIGHTS, X",
   "HUMAN RIGHTS, REPORTS, X", "HUMAN RIGHTS--X": target X (resolved with the
   project's resolver; a title naming no single state is left alone), critical.

Titles are read without the trailing ": resolution / adopted by the General
Assembly" that the UN Digital Library's records append.
"""

from __future__ import annotations

import re
from dataclasses import replace

from blocwatch import registry
from blocwatch.votes.record import RollCall

RULES: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"Crimea|occupied territories of Ukraine|aggression against Ukraine|Territorial integrity of "
                r"Ukraine|rights of membership of the Russian Federation|peace in Ukraine|nuclear facilities of "
                r"Ukraine|Abkhazia", re.I),
     "RUS", "rule 1: a text on Russia's war or occupation in Ukraine or Georgia"),
    (re.compile(r"Israeli practices|Israeli settlements|Syrian Golan|obligations of Israel|Israel[’']s policies",
                re.I),
     "ISR", "rule 2: a text on Israel's practices, settlements or the occupied Golan"),
    (re.compile(r"embargo imposed by the United States of America against Cuba", re.I),
     "USA", "rule 3: the United States embargo against Cuba"),
)
SITUATION = re.compile(r"^Situation (?:of|on) human rights (?:of .+? )?in (?:the )?(.+)$", re.I)
SHORT = re.compile(r"^HUMAN RIGHTS(?:,\s*REPORTS)?(?:,\s*|\s*--\s*)(.+?)(?:,\s*REPORTS)?$", re.I)
TAIL = re.compile(r"\s*:\s*(?:resolution\b.*)?$", re.I)


def rule(title: str) -> tuple[str, str] | None:
    """``(target ISO3, reason)`` for a country-situation title critical of its target, else None."""
    title = TAIL.sub("", title.strip())
    for pattern, target, reason in RULES:
        if pattern.search(title):
            return target, reason
    for form in (SITUATION, SHORT):
        found = form.match(title)
        if found:
            from blocwatch import names

            resolution = names.try_resolve(found.group(1).strip(" ."))
            # a member state only: a text "on Palestine" is about Israel's occupation, not rule 4's kind
            if resolution.iso3 and registry.get(resolution.iso3).status != "observer":
                return resolution.iso3, f"rule 4: a text on the human rights situation in {resolution.name}"
    return None


def classify(rc: RollCall) -> RollCall:
    """``rc`` with subject, target and yes stance set when a rule names its target (else unchanged)."""
    if rc.subject is not None or rc.forum != "ga":
        return rc
    hit = rule(rc.title)
    if hit is None:
        return rc
    target, reason = hit
    return replace(rc, subject="country", target=target, yes_stance="critical", classified_by=reason)


def classify_stored(conn) -> int:
    """Classify the stored General Assembly roll calls no one has classified yet (unvotes' 1946-2019 titles
    included); return how many were marked. Run by the bundled loader of the UN's resolutions."""
    from sqlalchemy import select, update

    from blocwatch.ga.vectors import table

    r = table("roll_calls")
    rows = conn.execute(select(r.c.rcid, r.c.title).where(r.c.forum == "ga", r.c.subject.is_(None),
                                                            r.c.title.is_not(None))).all()
    marked = 0
    for rcid, title in rows:
        hit = rule(title)
        if hit:
            conn.execute(update(r).where(r.c.rcid == rcid).values(subject="country", target=hit[0],
                                                                  yes_stance="critical", classified_by=hit[1]))
            marked += 1
    return marked
