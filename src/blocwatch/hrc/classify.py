"""Classify Council roll calls: country or thematic, the state concerned, and what a yes means for it.

Rules, tried in order (``classified_by`` names the one that decided):

0. **override** -- a row of the reviewed table ``data/hrc/classification_overrides.csv``
   (``symbol,subject,target,yes_stance,reason``) for the cases the rules get wrong.
1. **occupation (Israel)** -- the title speaks of Israel or Israeli action, the
   Occupied Palestinian Territory, the occupied Syrian Golan or the Palestinian
   people, or the text sits under item 7 ("Human rights situation in Palestine
   and other occupied Arab territories"), or the record's subject keywords
   include ISRAEL (the follow-up to the fact-finding mission on the
   humanitarian flotilla; the implementation of resolution 31/36 on
   settlements): country, target ISR, a yes is critical of Israel.
2. **aggressor named** -- the title speaks of "the Russian aggression" (Ukraine
   texts since 2022): country, target RUS, critical.
3. **cooperation with a state whose territory another state controls** --
   "Cooperation with Georgia" and "Cooperation with and assistance to Ukraine"
   (item 10) address areas under the Russian Federation's control (Abkhazia
   and South Ossetia; Crimea); the Russian Federation calls the vote and votes
   against: country, target RUS, critical.
4. **state named, assistance** -- the title names one state (the name
   resolver :mod:`blocwatch.names` on the title's word spans) and reads as
   assistance or capacity-building for it ("Assistance to Sri Lanka ...",
   "Technical assistance and capacity-building for ..."), or the text sits
   under item 10 ("Technical assistance and capacity-building"): such texts
   are tabled by the state concerned or with its consent, so a yes is
   supportive of it.
5. **state named** -- the title names one state otherwise ("Situation of human
   rights in Belarus", "Promoting reconciliation ... in Sri Lanka",
   "Responding to the ... crisis caused by the ... conflict in the Sudan"):
   country, critical. Texts on a country that reach a recorded vote are
   contested by that state; texts it tables itself are the exception the
   overrides catch.
6. **item 4 keyword** -- no state in the title, but the text sits under item 4
   ("Human rights situations that require the Council's attention") and the
   record's subject keywords name one state: country, critical.
7. **thematic** -- everything else: no target, no stance.

Amendments and procedural motions take the subject and target the rules give
their text (an amendment's title is the amended text's), but their
``yes_stance`` stays None unless an override says: a hostile amendment's yes
means the opposite of the text's. Limits: the rules read titles, not
operative paragraphs or sponsors (the records have none); a title naming two
states takes the first one the rules above do not explain, and says so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from blocwatch import names, registry
from blocwatch.errors import ImportFailed
from blocwatch.votes.record import SUBJECTS, RollCall

OVERRIDE_COLUMNS = ("symbol", "subject", "target", "yes_stance", "reason")
_ISRAEL = re.compile(r"\bisrael|occupied palestinian|occupied syrian golan|\bpalestin|east jerusalem", re.I)
_ISRAEL_KEYWORD = re.compile(r"-\s*ISRAEL\b")
_ITEM7 = re.compile(r"situation in palestine and other occupied arab territories", re.I)
_ITEM10 = re.compile(r"technical assistance and capacity[- ]building", re.I)
_ITEM4 = re.compile(r"situations that require the council", re.I)
_RUSSIAN_AGGRESSION = re.compile(r"russian aggression", re.I)
_COOPERATION_RUS = re.compile(r"^cooperation (?:with |and assistance to |with and assistance to )(?:georgia|ukraine)\b",
                              re.I)
_ASSISTANCE = re.compile(r"\b(assistance|capacity[- ]building|advisory services)\b", re.I)
_KEYWORDS = re.compile(r"-\s*([A-Z][A-Z' ().,]+?)\s*(?=-|$)")
_MAX_SPAN = 8


@dataclass(frozen=True)
class Override:
    symbol: str
    subject: str
    target: str | None
    yes_stance: str | None
    reason: str


def read_overrides(path: Path | None = None) -> dict[str, Override]:
    """The reviewed overrides (the shipped table by default); every row must give a reason."""
    text = Path(path).read_text(encoding="utf-8") if path else \
        registry.data_path("hrc/classification_overrides.csv").read_text(encoding="utf-8")
    where = str(path or "data/hrc/classification_overrides.csv")
    out: dict[str, Override] = {}
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != OVERRIDE_COLUMNS:
        raise ImportFailed(f"{where}: columns must be {','.join(OVERRIDE_COLUMNS)}")
    for line, row in enumerate(reader, start=2):
        target, stance = row["target"] or None, row["yes_stance"] or None
        if row["subject"] not in SUBJECTS or stance not in (None, "critical", "supportive") \
                or (target and not registry.exists(target)) or not row["reason"].strip() or row["symbol"] in out:
            raise ImportFailed(f"{where}, line {line}: bad override row {row}")
        out[row["symbol"]] = Override(row["symbol"], row["subject"], target, stance, row["reason"].strip())
    return out


@cache
def _vocabulary() -> frozenset[str]:
    return names.vocabulary()


@cache
def states_named(text: str) -> tuple[str, ...]:
    """The states a title names, in order of appearance (longest word span first, no overlaps)."""
    words = names.normalise(text).split()
    vocab = _vocabulary()
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_SPAN, len(words) - i), 0, -1):
            span = words[i:i + n]
            if not all(re.sub(r"\W", "", w) in vocab for w in span) or span[0] in ("of", "and", "the"):
                continue
            res = names.try_resolve(" ".join(span), suggest=False, regex=False)
            if res.resolved and res.iso3 and res.confidence >= 0.95:
                if res.iso3 not in found:
                    found.append(res.iso3)
                i += n
                break
        else:
            i += 1
    return tuple(found)


def _keyword_states(agenda: str) -> tuple[str, ...]:
    out = []
    for kw in _KEYWORDS.findall(agenda):
        res = names.try_resolve(kw.strip(), suggest=False, regex=False)
        if res.resolved and res.iso3:
            out.append(res.iso3)
    return tuple(dict.fromkeys(out))


def rule(rc: RollCall) -> tuple[str, str | None, str | None, str]:
    """(subject, target, yes_stance, classified_by) by rules 1-7 of the module docstring."""
    title, agenda = rc.title, rc.agenda_item or ""
    if _ISRAEL.search(title) or _ITEM7.search(agenda) or _ISRAEL_KEYWORD.search(agenda):
        why = ("title speaks of Israel/occupied territories" if _ISRAEL.search(title)
               else "agenda item 7" if _ITEM7.search(agenda) else "subject keyword ISRAEL")
        return "country", "ISR", "critical", f"rule 1 occupation (Israel): {why}; yes is critical of Israel"
    if _RUSSIAN_AGGRESSION.search(title):
        return "country", "RUS", "critical", "rule 2 aggressor named: 'Russian aggression' in the title"
    if _COOPERATION_RUS.search(title):
        return "country", "RUS", "critical", ("rule 3 cooperation text on areas under Russian control"
                                              " (Georgia/Ukraine, item 10): yes is critical of the Russian Federation")
    named = states_named(title)
    if named:
        target = named[0]
        extra = f" (also names {', '.join(named[1:])})" if len(named) > 1 else ""
        if _ASSISTANCE.search(title) or _ITEM10.search(agenda):
            return "country", target, "supportive", (f"rule 4 state named, assistance/item 10: title names {target}"
                                                     f"{extra}; yes supports the state concerned")
        return "country", target, "critical", f"rule 5 state named: title names {target}{extra}; yes is critical"
    if _ITEM4.search(agenda):
        kw = _keyword_states(agenda)
        if len(kw) == 1:
            return "country", kw[0], "critical", f"rule 6 item 4, subject keyword names {kw[0]}; yes is critical"
    return "thematic", None, None, "rule 7 thematic: no state named, not items 4 or 7"


def classify(rc: RollCall, overrides: dict[str, Override] | None = None) -> RollCall:
    """``rc`` with ``subject``, ``target``, ``yes_stance`` and ``classified_by`` set."""
    overrides = read_overrides() if overrides is None else overrides
    ov = overrides.get(rc.symbol)
    if ov:
        return replace(rc, subject=ov.subject, target=ov.target, yes_stance=ov.yes_stance,
                       classified_by=f"override: {ov.reason}")
    subject, target, stance, why = rule(rc)
    if rc.kind in ("amendment", "motion") and stance is not None:
        stance, why = None, f"{why}; {rc.kind}: subject and target of the text, stance left open"
    return replace(rc, subject=subject, target=target, yes_stance=stance, classified_by=why)
