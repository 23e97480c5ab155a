"""Read a vote record from text: who voted yes, no, abstained, did not vote, was absent.

:func:`parse_vote_record` turns the text of a UN or press vote record into
positions (ISO3 -> :data:`~blocwatch.votes.record.YES` 1,
:data:`~blocwatch.votes.record.NO` 3, :data:`~blocwatch.votes.record.ABSTAIN` 2,
:data:`~blocwatch.votes.record.NOT_VOTING` 8) and reports, without ever
guessing, what it could not read.

Formats recognised
------------------
*Sections.* A heading, then the list of states, up to the next heading. A
heading starts the text or a line, or follows ``.`` ``;`` ``:`` (``as follows:
In favour: ...``; bullets and Markdown ``**`` around it are skipped), may
carry a count in brackets before its colon (``In favour (17):``,
``赞成（17）：``) or a bare number just after it (``In favour: 17``), and ends
with a colon (or, after a bracketed count, a line end). Headings, in
the six UN languages:

=========== ========================================= ==========================
section     English, French, Spanish                   Russian, Chinese, Arabic
=========== ========================================= ==========================
yes         In favour / favor, Votes in favour;         Голосовали за, За; 赞成;
            Ont voté pour, Pour; Votos a favor, A favor  المؤيدون, مؤيدون
no          Against, Votes against; Ont voté contre,    Голосовали против, Против;
            Contre; Votos en contra, En contra          反对; المعارضون, معارضون
abstain     Abstain(ing), Abstention(s); Se sont        Воздержались; 弃权;
            abstenus, Abstentions; Abstenciones         الممتنعون (عن التصويت)
not_voting  Non-voting, Not voting, Did not vote,       Не участвовали в голосовании;
            Present and not voting; N'ont pas participé 未参加表决; لم يشاركوا في التصويت
            au vote; No participaron en la votación
absent      Absent; Absents; Ausentes                   Отсутствовали; 缺席; الغائبون
=========== ========================================= ==========================

"Not voting" sections give position 8 (present and not voting, OHCHR's
``NO_VOTE``); "Absent" lists are kept apart in ``absent`` (no position).

*The list of a section* ends at the next heading, a blank line or the first
sentence end (a full stop after a word or a bracket, ``。``). It is cut into
items at list punctuation (``,`` ``;`` ``、`` ``،`` ``，`` new lines); an item
that names nothing alone but names a state joined to the item before it is
the tail of an inverted name ("Venezuela, Bolivarian Republic of", "Congo,
Democratic Republic of the"). Each item is resolved whole with
:func:`blocwatch.names.try_resolve` (no fuzzy guess); an item that does not
resolve whole is read by :func:`blocwatch.signatories.parse_signatories`
("Zambia and Zimbabwe", "وزمبابوي", "et le Zimbabwe") and accepted only when
the states it finds leave nothing but conjunctions, articles and punctuation;
otherwise the whole item is reported in ``unresolved`` with the resolver's
reason and close matches, and none of its states is taken. "None", "Aucun",
"Ninguno", "Нет", "无", "لا يوجد" as the whole list mean an empty list.

*Stated counts*: the bracketed or bare count of a heading, or a sentence:
"adopted by a recorded vote of 141 in favour to 5 against, with 35
abstentions", "by 23 votes to 3, with 21 abstentions" ("with no abstentions"
is 0); "par 23 voix contre 3, avec 21 abstentions", "par 141 voix pour, 5 voix
contre et 35 abstentions"; "por 141 votos a favor, 5 en contra y 35
abstenciones", "por 23 votos contra 3 y 21 abstenciones"; "141 голосами против
5 при 35 воздержавшихся"; "以141票赞成、5票反对、35票弃权", "以23票对3票、21票弃权";
"بأغلبية 141 صوتا مقابل 5 أصوات وامتناع 35", "بتأييد 141 ومعارضة 5 وامتناع 35".
Digits of any script count; numbers in words do not.

What is reported (``problems`` lists it all in plain lines): unresolved
items; ``count_mismatches``, a stated count that differs from the number of
distinct states its section lists (a missing section lists 0); and
``duplicates``, a state named in two sections (or twice in one). A state in
two *different* sections is left out of ``positions`` and ``absent``: the
text contradicts itself and the caller must decide. ``notes`` holds the
rest (a section heading used twice, a sentence count that differs from a
heading count).

Limits: one vote per text (a second heading of the same section is merged
into the first and noted); counts in words ("thirty-two") are not read;
headings must be followed by a colon (or a bracketed count and a line end);
the list's states must be names the resolver knows (UN short and formal
names in the six languages, pycountry's, the alias table's); a list cut
inside a name or written without any separator between states is read by
the signatory parser, whose limits apply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from blocwatch import names
from blocwatch.errors import InvalidInput
from blocwatch.signatories import parse_signatories
from blocwatch.votes.record import ABSTAIN, NO, NOT_VOTING, POSITION_NAMES, YES, Tally

SECTIONS = ("yes", "no", "abstain", "not_voting", "absent")
LABELS = {"yes": "In favour", "no": "Against", "abstain": "Abstaining", "not_voting": "Not voting",
          "absent": "Absent"}
CODES = {"yes": YES, "no": NO, "abstain": ABSTAIN, "not_voting": NOT_VOTING}

# Headings per section, longest first within a section (alternation takes the first that matches).
_HEADINGS = {
    "not_voting": (
        r"present\s+(?:and|but)\s+not\s+voting", r"non[-\s]?voting", r"not\s+voting", r"did\s+not\s+vote",
        r"n['’]ont\s+pas\s+(?:participé|pris\s+part)\s+au\s+vote", r"non[-\s]participation\s+au\s+vote",
        r"ne\s+participant\s+pas\s+au\s+vote",
        r"no\s+participaron\s+en\s+la\s+votación", r"no\s+votaron", r"presentes\s+y\s+sin\s+votar",
        r"не\s+участвовали\s+в\s+голосовании", r"не\s+голосовали",
        r"未参加表决", r"未參加表決", r"未参加投票", r"未參加投票", r"未投票",
        r"لم\s+يشاركوا\s+في\s+التصويت", r"لم\s+تشارك\s+في\s+التصويت", r"لم\s+يشارك\s+في\s+التصويت",
        r"غير\s+المصوتين",
    ),
    "yes": (
        r"(?:votes?\s+)?in\s+favou?r", r"ont\s+voté\s+pour", r"pour",
        r"votos\s+a\s+favor", r"a\s+favor", r"голосовали\s+за", r"за",
        r"赞成", r"贊成", r"المؤيدون", r"مؤيدون", r"الموافقون",
    ),
    "no": (
        r"(?:votes?\s+)?against", r"ont\s+voté\s+contre", r"contre",
        r"votos\s+en\s+contra", r"en\s+contra", r"голосовали\s+против", r"против",
        r"反对", r"反對", r"المعارضون", r"معارضون",
    ),
    "abstain": (
        r"abstentions?", r"abstaining", r"abstained", r"abstain", r"se\s+sont\s+abstenus",
        r"abstenciones", r"abstención", r"se\s+abstuvieron", r"воздержались", r"воздержавшиеся",
        r"弃权", r"棄權",
        r"الممتنعون\s+عن\s+التصويت", r"الممتنعون", r"ممتنعون",
    ),
    "absent": (r"absents?", r"ausentes", r"отсутствовали", r"отсутствующие", r"缺席", r"الغائبون", r"غائبون"),
}
_SPACE = r"[ \t\u00a0\u202f]"
_HEADING = re.compile(
    r"(?:^|(?<=[\n.;:。；：،؛!?]))\s*(?:[*•▪\-–—]\s*)*"
    + "(?:" + "|".join(f"(?P<{k}>{'|'.join(v)})" for k, v in _HEADINGS.items()) + ")"
    + rf"(?!\w){_SPACE}*\**{_SPACE}*"
    r"(?:[(（]\s*(?P<count>\d+)\s*[)）])?"
    + rf"{_SPACE}*\**{_SPACE}*(?:[:：]\**|(?<=[)）])(?=[ \t]*\r?\n))"
    + rf"(?:{_SPACE}*(?P<bare>\d+)(?!\d)(?!{_SPACE}*[(\w])[.;:]?)?",
    re.IGNORECASE,
)

_LIST_END = re.compile(r"\n[ \t]*\r?\n|(?:(?<=[^\W\d_]{3})|(?<=[)）]))[.](?=\s|$)|。")
_ITEM_SEP = re.compile(r"[,;，；、،؛\n•▪]")
_STRIP = " \t\r\u00a0\u202f.。*\"'“”«»‘’"
_EMPTY = frozenset(("none", "nil", "néant", "aucun", "aucune", "ninguno", "ninguna", "нет", "无", "無",
                    "لا يوجد", "لا أحد", "-", "—", "–"))
_IGNORABLE = frozenset(("and", "et", "y", "e", "и", "و", "和", "及", "以及", "the", "le", "la", "les", "l",
                        "el", "los", "las", "de", "du", "des", "del", "of", "d"))
_WORDS = re.compile(r"[^\W\d_]+|\d+")

_N = r"(\d+)"
_NOABS = r"(\d+|no|aucune|ninguna)"
# Each pattern: yes, no, abstain groups in that order.
_SENTENCES = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"{_N}\s+(?:votes?\s+)?in\s+favou?r\s*(?:,|to)\s*{_N}\s+(?:votes?\s+)?against\s*,?\s*"
    rf"(?:with|and)\s+{_NOABS}\s+abstentions?",
    rf"\bby\s+(?:a\s+(?:recorded\s+)?vote\s+of\s+)?{_N}\s+(?:votes?\s+)?to\s+{_N}\s*,?\s*"
    rf"(?:with|and)\s+{_NOABS}\s+abstentions?",
    rf"{_N}\s+voix\s+pour\s*,\s*{_N}\s+(?:voix\s+)?contre\s*,?\s*(?:et|avec)\s+{_NOABS}\s+abstentions?",
    rf"\bpar\s+{_N}\s+voix\s+contre\s+{_N}\s*,?\s*(?:et|avec)\s+{_NOABS}\s+abstentions?",
    rf"{_N}\s+votos\s+a\s+favor\s*,\s*{_N}\s+(?:votos\s+)?en\s+contra\s*,?\s*y\s+{_NOABS}\s+abstenci",
    rf"\bpor\s+{_N}\s+votos\s+contra\s+{_N}\s*,?\s*y\s+{_NOABS}\s+abstenci",
    rf"{_N}\s+голос\w*\s+(?:[«\"]?за[»\"]?\s*,?\s*{_N}\s+(?:голос\w*\s+)?[«\"]?против[»\"]?|против\s+{_N})"
    rf"\s*,?\s*при\s+{_N}\s+воздерж",
    rf"{_N}\s*票\s*[赞贊]成\s*[、，,]?\s*{_N}\s*票\s*反[对對]\s*[、，,和]?\s*{_N}\s*票\s*[弃棄]",
    rf"{_N}\s*票\s*[对對]\s*{_N}\s*票\s*[、，,]?\s*{_N}\s*票\s*[弃棄]",
    rf"{_N}\s+صوت\w*\s+مقابل\s+{_N}\s+\S*\s*[،,]?\s*و\s*امتناع\s+{_N}",
    rf"تأييد\s+{_N}\s+(?:\S+\s+)?و\s*معارضة\s+{_N}\s+(?:\S+\s+)?و\s*امتناع\s+{_N}",
))


@dataclass(frozen=True)
class Unresolved:
    """An item of a section that names no state: as written, its section, why, and close matches."""

    text: str
    section: str
    reason: str | None = None
    close_matches: tuple[names.Match, ...] = ()

    def sentence(self) -> str:
        near = ", ".join(f"{m.name} ({m.iso3})" for m in self.close_matches)
        why = f"; close matches: {near}" if near else (f" ({self.reason})" if self.reason else "")
        return f"{LABELS[self.section]}: {self.text!r} names no state{why}"

    def to_dict(self) -> dict:
        return {"text": self.text, "section": self.section, "reason": self.reason,
                "close_matches": [m.to_dict() for m in self.close_matches]}


@dataclass(frozen=True)
class Duplicate:
    """A state named more than once: the sections it is named in, in order (a section may repeat)."""

    iso3: str
    name: str
    sections: tuple[str, ...]

    @property
    def conflicting(self) -> bool:
        """True when the sections differ: the state is then in no position and not absent."""
        return len(set(self.sections)) > 1

    def sentence(self) -> str:
        where = " and ".join(LABELS[s] for s in dict.fromkeys(self.sections))
        if self.conflicting:
            return f"{self.name} ({self.iso3}) is listed under {where}; left out of the positions"
        return f"{self.name} ({self.iso3}) is listed twice under {where}"

    def to_dict(self) -> dict:
        return {"iso3": self.iso3, "name": self.name, "sections": list(self.sections)}


@dataclass(frozen=True)
class VoteText:
    """The positions read from one vote record (see the module docstring).

    ``positions``: ISO3 -> 1 yes, 3 no, 2 abstain, 8 not voting, in the order
    listed; ``names``: ISO3 -> the name as written; ``absent``: ISO3 of the
    "Absent" list; ``stated``: the tally the text states (None if it states
    no full tally); ``lists``: section -> distinct states it lists
    (sections present in the text only); ``unresolved``, ``count_mismatches``,
    ``duplicates`` and ``notes``: what the caller must see (``problems``).
    """

    positions: dict[str, int]
    names: dict[str, str]
    absent: tuple[str, ...]
    stated: Tally | None
    lists: dict[str, int]
    unresolved: tuple[Unresolved, ...] = ()
    count_mismatches: tuple[str, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def counted(self) -> Tally:
        """The tally of ``positions``."""
        values = list(self.positions.values())
        return Tally(values.count(YES), values.count(NO), values.count(ABSTAIN))

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem in plain lines: unresolved items, count mismatches, duplicates, notes."""
        return (tuple(u.sentence() for u in self.unresolved) + self.count_mismatches
                + tuple(d.sentence() for d in self.duplicates) + self.notes)

    def by_position(self) -> dict[str, list[str]]:
        """Position name ("yes", "no", "abstain", "not_voting") -> ISO3 codes in the order listed."""
        out: dict[str, list[str]] = {POSITION_NAMES[c]: [] for c in (YES, NO, ABSTAIN, NOT_VOTING)}
        for iso3, code in self.positions.items():
            out[POSITION_NAMES[code]].append(iso3)
        return out

    def to_dict(self) -> dict:
        return {
            "positions": self.by_position(),
            "absent": list(self.absent),
            "names": dict(self.names),
            "stated": self.stated.to_dict() if self.stated else None,
            "counted": self.counted.to_dict(),
            "lists": dict(self.lists),
            "unresolved": [u.to_dict() for u in self.unresolved],
            "count_mismatches": list(self.count_mismatches),
            "duplicates": [d.to_dict() for d in self.duplicates],
            "notes": list(self.notes),
            "problems": list(self.problems),
        }


# --- sections ---------------------------------------------------------------------------


@dataclass
class _Section:
    kind: str
    heading: str
    count: int | None
    body: str


@dataclass
class _Read:
    """What the items of one section resolve to."""

    found: list[tuple[str, str]] = field(default_factory=list)  # (iso3, text as written)
    unresolved: list[Unresolved] = field(default_factory=list)


def _sections(text: str) -> list[_Section]:
    matches = list(_HEADING.finditer(text))
    out = []
    for i, m in enumerate(matches):
        kind = next(k for k in SECTIONS if m.group(k) is not None)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        count = m.group("count") or m.group("bare")
        out.append(_Section(kind, m.group(kind), int(count) if count else None, _list_text(text[m.end():end])))
    return out


def _list_text(body: str) -> str:
    """The list at the start of a section's text: up to a blank line or a sentence end."""
    body = body.lstrip()
    cut = _LIST_END.search(body)
    return body[: cut.start()] if cut else body


def _items(body: str) -> list[str]:
    """The items of a list, inverted names ("Congo, Democratic Republic of the") joined again."""
    items: list[str] = []
    for raw in _ITEM_SEP.split(body):
        item = raw.strip(_STRIP)
        if not item:
            continue
        if items and not _resolves(item) and _resolves(f"{items[-1]}, {item}"):
            items[-1] = f"{items[-1]}, {item}"
        else:
            items.append(item)
    return items


def _resolves(name: str) -> bool:
    return names.try_resolve(name, suggest=False).resolved


def _only_glue(text: str) -> bool:
    """Nothing but conjunctions, articles and punctuation."""
    return all(w.casefold() in _IGNORABLE for w in _WORDS.findall(text))


def _read_item(item: str, kind: str, out: _Read) -> None:
    whole = names.try_resolve(item, suggest=False)
    if whole.iso3 is not None:
        out.found.append((whole.iso3, item))
        return
    found, rest, pos = [], [], 0
    for lst in parse_signatories(item).lists:
        for s in lst.signatories:
            found.append((s.iso3, s.text))
            rest.append(item[pos:s.start])
            pos = s.end
    rest.append(item[pos:])
    if found and _only_glue(" ".join(rest)):
        out.found.extend(found)
        return
    full = names.try_resolve(item)
    out.unresolved.append(Unresolved(item, kind, full.reason, tuple(full.alternatives)))


def _read_section(section: _Section) -> _Read:
    out = _Read()
    items = _items(section.body)
    if len(items) == 1 and items[0].casefold() in _EMPTY:
        return out
    for item in items:
        _read_item(item, section.kind, out)
    return out


# --- counts -------------------------------------------------------------------------------


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0  # "no abstentions", "aucune", "ninguna"


def sentence_tally(text: str) -> Tally | None:
    """The tally a sentence of ``text`` states ("141 in favour to 5 against, with 35 abstentions"), if any."""
    hits = [m for p in _SENTENCES if (m := p.search(text))]
    if not hits:
        return None
    m = min(hits, key=lambda h: h.start())
    values = [g for g in m.groups() if g is not None]
    return Tally(_number(values[0]), _number(values[1]), _number(values[2]))


def _heading_counts(sections: list[_Section]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in sections:
        if s.count is not None:
            counts[s.kind] = counts.get(s.kind, 0) + s.count
    return counts


def _stated(sentence: Tally | None, headed: dict[str, int]) -> Tally | None:
    if sentence is not None:
        return sentence
    if all(k in headed for k in ("yes", "no", "abstain")):
        return Tally(headed["yes"], headed["no"], headed["abstain"])
    return None


def _count_mismatches(sentence: Tally | None, headed: dict[str, int], listed: dict[str, int]) -> list[str]:
    expected = dict(sentence.to_dict()) if sentence else {}
    expected.update(headed)
    out = []
    for kind in SECTIONS:
        if kind in expected and expected[kind] != listed.get(kind, 0):
            missing = "" if kind in listed else f" (no {LABELS[kind]!r} section)"
            out.append(f"{LABELS[kind]}: {expected[kind]} stated, {listed.get(kind, 0)} listed{missing}")
    return out


def _count_notes(sentence: Tally | None, headed: dict[str, int]) -> list[str]:
    if sentence is None:
        return []
    said = sentence.to_dict()
    return [f"{LABELS[k]}: {said[k]} stated in the text, {headed[k]} in the heading"
            for k in ("yes", "no", "abstain") if k in headed and headed[k] != said[k]]


# --- assembling -----------------------------------------------------------------------------


def _duplicates(seen: dict[str, list[str]], written: dict[str, str]) -> list[Duplicate]:
    return [Duplicate(iso3, written[iso3], tuple(kinds)) for iso3, kinds in seen.items() if len(kinds) > 1]


def _expected_sections() -> str:
    return ("no 'In favour' / 'Against' / 'Abstaining' section found; expected a vote record such as "
            "'In favour: Albania, Andorra, ... Against: Belarus, ... Abstaining: China, ...' "
            "(headings in any UN language, each followed by a colon)")


def parse_vote_record(text: str) -> VoteText:
    """Read the positions of one vote record (see the module docstring for formats and limits).

    Raises :class:`blocwatch.errors.InvalidInput` when ``text`` is not text
    or holds no section heading at all.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"a vote record must be text, not {type(text).__name__}")
    text = unicodedata.normalize("NFC", text)
    sections = _sections(text)
    if not sections:
        raise InvalidInput(_expected_sections())
    seen: dict[str, list[str]] = {}
    written: dict[str, str] = {}
    unresolved: list[Unresolved] = []
    listed: dict[str, int] = {}
    for section in sections:
        read = _read_section(section)
        unresolved.extend(read.unresolved)
        distinct = dict.fromkeys(iso3 for iso3, _ in read.found)
        listed[section.kind] = listed.get(section.kind, 0) + len(distinct)
        for iso3, as_written in read.found:
            seen.setdefault(iso3, []).append(section.kind)
            written.setdefault(iso3, as_written)
    duplicates = _duplicates(seen, written)
    dropped = {d.iso3 for d in duplicates if d.conflicting}
    kept = {iso3: kinds[0] for iso3, kinds in seen.items() if iso3 not in dropped}
    sentence = sentence_tally(text[: _first_heading(text)]) or sentence_tally(text)
    headed = _heading_counts(sections)
    repeated = [f"{LABELS[k]}: the section appears {n} times (merged; the text may hold more than one vote)"
                for k in SECTIONS if (n := sum(s.kind == k for s in sections)) > 1]
    return VoteText(
        positions={iso3: CODES[k] for iso3, k in kept.items() if k != "absent"},
        names={iso3: written[iso3] for iso3 in seen},
        absent=tuple(iso3 for iso3, k in kept.items() if k == "absent"),
        stated=_stated(sentence, headed),
        lists=listed,
        unresolved=tuple(unresolved),
        count_mismatches=tuple(_count_mismatches(sentence, headed, listed)),
        duplicates=tuple(duplicates),
        notes=tuple(repeated + _count_notes(sentence, headed)),
    )


def _first_heading(text: str) -> int:
    m = _HEADING.search(text)
    return m.start() if m else len(text)
