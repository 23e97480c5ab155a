"""The UN's own record of General Assembly resolutions (DGACM JSON lines, sessions 74-80).

Source: the machine-readable resolutions of the UN Department for General Assembly and
Conference Management (DGACM), ``data_extract/*.json`` of the public repository
UNxml/GAresolutions (see :data:`CITATION`); a copy is in ``curation/sources/unga/dgacm``.
One file per session (``74.json`` ... ``80.json``, ``ES-10``, ``ES-11``, ``S-32``), one JSON
object per line, one adopted resolution per line. :func:`read_dgacm` reads the lines adopted
"By a recorded vote" into :class:`~blocwatch.votes.record.RollCall` (forum ``ga``, kind
``resolution``); :func:`build` writes the curated bundle and :func:`bundled` reads it back.

Quirks of the source, and what this reader does with them:

* Dates are written three ways: ``2019-11-07 00:00:00`` (session 74), ``16 December 2021``
  and ``30\\u00a0October 2024`` (a no-break space); all three are read.
* Counts are strings; ``"N.A."`` (session 74 only) stands for a zero -- every one of them
  sits beside an empty list.
* Member states are named in capitals, not always one way (``TURKEY``, ``TÜRKİYE``, the
  misspelt ``TÜRKÝYE``; ``NETHERLANDS (KINGDOM OF THE)``; ``CÔTE D'IVOIRE``): every name is
  resolved by :func:`blocwatch.names.try_resolve`; one that does not resolve fails the read.
* Repeated lines. 21 recorded votes appear twice (19 in ``79.json``, 2 in ``80.json``). Only
  the two in ``80.json`` are identical; the 19 in ``79.json`` are a later re-export that adds
  ``additional_sponsors``, changes ``SDGs`` and corrects ``TÜRKÝYE`` to ``TÜRKİYE``. A repeat
  counts as a duplicate when it is the same roll call (every field of the vote -- date,
  title, draft, meeting, tally, each state's position -- agrees); its extra sponsors are
  merged in and a ``duplicate_line`` note says where it was. A repeat that disagrees on the
  vote fails the read, naming both lines.
* A/RES/75/290 A writes each list out twice (180 names in favour for 90 states): a list
  that is exactly one list repeated is read once, with a ``duplicate_line`` note. Any other
  state named twice in one roll call fails the read.
* A/RES/77/293 states 100-9-59 but lists 58 abstaining states (``tally_mismatch`` note);
  A/RES/75/254 A-C states a tally and has no lists (``no_lists`` note).
* Sponsors are free text: usually one state a string, but also several ("UNITED STATES AND
  VIET NAM", "ANGOLA BAHAMAS", "BARBADOS. DOMINICAN REPUBLIC"), a state acting for a group
  ("CUBA (ON BEHALF OF THE STATES MEMBERS ... OF THE MOVEMENT OF NON-ALIGNED COUNTRIES)"),
  a stray space ("CZECHI A") or an office ("SUBMITTED BY THE PRESIDENT OF THE GENERAL
  ASSEMBLY"). See :func:`split_sponsor`.
* Sessions: a regular session's resolution carries its number ("A/RES/78/1"); an emergency
  or special session's vote (ES-10, ES-11, S-32) is counted in the regular session in
  progress on its date (see :func:`session_on`). Session N opens in September of 1945+N but
  not on the 1st: A/RES/77/338 was adopted on 1 September 2023, and five 79th-session
  resolutions on 5 September 2025, so the boundary is each session's opening day.
* Only adopted resolutions are in the source: no rejected drafts, no votes on amendments or
  separate paragraphs. Four lines (budget resolutions) have an empty ``adoption_type``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from blocwatch import registry
from blocwatch.errors import ImportFailed
from blocwatch.ga.sessions import OPENINGS, opening_by_rule, session_on, session_opening  # noqa: F401
from blocwatch.names import try_resolve
from blocwatch.votes.record import ABSTAIN, NO, YES, Note, RollCall, Tally

CITATION = (
    "United Nations, Department for General Assembly and Conference Management (DGACM): machine-readable "
    "General Assembly resolutions, data_extract/*.json of the public repository UNxml/GAresolutions "
    "(https://github.com/UNxml/GAresolutions), commit 42a69b67bb92d23969fc45bba151320b82eb8e52 (2026-07-10). "
    "Unofficial copies for information; the United Nations is the source."
)

RECORDED = "By a recorded vote"
BUNDLE = "dgacm/rollcalls.jsonl.gz"
LISTS = (("MS_in_favour", YES), ("MS_against", NO), ("MS_abstaining", ABSTAIN))
COUNTS = ("MS_in_favour_count", "MS_against_count", "MS_abstaining_count")
REQUIRED = ("symbol", "title", "adoption_date", "adoption_type", "originating_document", "agenda_item",
            "committee", "pv", "sponsors", "additional_sponsors", "subjects", *COUNTS, *(k for k, _ in LISTS))
# The fields of a line that make up the vote: two lines of one symbol must agree on these.
VOTE_FIELDS = ("symbol", "date", "session", "session_name", "title", "draft", "agenda_item", "committee",
               "meeting", "subjects", "stated", "positions")

_SYMBOL = re.compile(r"^A/RES/(?P<session>\d+|ES-\d+|S-\d+)/\d+(?: [A-Z](?:-[A-Z])?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")
_TEXT_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), 1)}
_COUNT = re.compile(r"^\d+$")


@dataclass(frozen=True)
class DgacmRead:
    """What :func:`read_dgacm` read: the distinct recorded votes and how many repeats it dropped."""

    roll_calls: tuple[RollCall, ...]
    duplicates: int
    lines: int
    files: tuple[Path, ...]


@dataclass
class _Line:
    where: str
    raw: dict
    roll_call: RollCall | None = None  # set for recorded votes
    repeats: list[_Line] = field(default_factory=list)


# --- fields ---------------------------------------------------------------------------------------

def _fail(where: str, message: str) -> ImportFailed:
    return ImportFailed(f"{where}: {message}")


def parse_date(text: object, where: str = "") -> date:
    """A DGACM adoption date in any of its three spellings."""
    value = str(text).replace("\u00a0", " ").strip() if isinstance(text, str) else ""
    try:
        if m := _ISO_DATE.match(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _TEXT_DATE.match(value)) and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    except ValueError:
        pass
    raise _fail(where, f"adoption_date {text!r} is not a date (expected '2019-11-07 00:00:00' or '16 December 2021')")


def _count(raw: dict, key: str, where: str) -> int:
    value = raw[key]
    if value == "N.A.":
        return 0
    if isinstance(value, str) and _COUNT.match(value):
        return int(value)
    raise _fail(where, f"{key} {value!r} is not a count (expected digits or 'N.A.')")


def _strings(raw: dict, key: str, where: str) -> list[str]:
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key} is not a list of strings")
    return value


def _text(value: object) -> str | None:
    """A field's text, None for an empty one or the source's "N.A."."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if value in ("", "N.A.") else value


def _session(symbol: str, day: date, where: str) -> tuple[int, str]:
    m = _SYMBOL.match(symbol)
    if not m:
        raise _fail(where, f"symbol {symbol!r} is not a resolution symbol (expected 'A/RES/78/1' or 'A/RES/ES-11/1')")
    name = m["session"]
    return (int(name) if name.isdigit() else session_on(day)), name


def _subjects(raw: dict, where: str) -> tuple[str, ...]:
    pairs = raw["subjects"]
    if not isinstance(pairs, list) or not all(isinstance(p, list) and p and isinstance(p[0], str) for p in pairs):
        raise _fail(where, "subjects is not a list of [term, thesaurus] pairs")
    return tuple(p[0] for p in pairs)


# --- member states --------------------------------------------------------------------------------

def _member(name: str, key: str, where: str) -> str:
    resolution = try_resolve(name)
    if resolution.iso3 is None:
        matches = ", ".join(f"{m.name} ({m.iso3})" for m in resolution.alternatives) or "none"
        raise _fail(where, f"unknown member state {name!r} in {key} (close matches: {matches})")
    return resolution.iso3


def _undoubled(names: list[str]) -> list[str] | None:
    """The list once when ``names`` is one list written out twice (A/RES/75/290 A), else None."""
    half = len(names) // 2
    if half and len(names) % 2 == 0 and names[:half] == names[half:] and len(set(names[:half])) == half:
        return names[:half]
    return None


def _positions(raw: dict, where: str, symbol: str) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """(ISO3 -> position, ISO3 -> name as written, the lists that were written twice)."""
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    doubled = []
    for key, code in LISTS:
        listed = _strings(raw, key, where)
        once = _undoubled(listed)
        if once is not None:
            doubled.append(f"{key} ({len(listed)} names for {len(once)} states)")
            listed = once
        for name in listed:
            iso3 = _member(name, key, where)
            if iso3 in positions:
                raise _fail(where, f"{symbol}: {iso3} is listed twice ({names[iso3]!r} in {seen[iso3]}, "
                                   f"{name!r} in {key})")
            positions[iso3], names[iso3], seen[iso3] = code, name, key
    return positions, names, doubled


def _tally_notes(stated: Tally, counted: Tally, doubled: list[str]) -> tuple[Note, ...]:
    notes = []
    if doubled:
        notes.append(Note("duplicate_line", "the source writes each of these lists twice, read once: "
                                            + "; ".join(doubled)))
    if counted == Tally(0, 0, 0) and stated != counted:
        notes.append(Note("no_lists", f"stated {_fmt(stated)} (yes-no-abstain) but no per-state lists"))
    elif counted != stated:
        notes.append(Note("tally_mismatch", f"stated {_fmt(stated)} (yes-no-abstain), lists {_fmt(counted)}"))
    return tuple(notes)


def _fmt(t: Tally) -> str:
    return f"{t.yes}-{t.no}-{t.abstain}"


# --- sponsors -------------------------------------------------------------------------------------

# A remark on whose behalf or in what capacity a state sponsors: "(ON BEHALF OF ...)", ", on behalf of ...".
_ON_BEHALF = re.compile(r"\s*(?:\((?:on behalf of|in its capacity as)\b[^)]*\)|,\s*on behalf of\b.*$)", re.I)
# Strings that name an office or a procedure, never a list of states.
_NOT_STATES = re.compile(r"\b(?:submitted by|on the basis of|committee|president of|rapporteur|chair)\b", re.I)
_TRAILING_REMARK = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<remark>[^()]*)\)$")
_MAX_WORDS = 8  # the longest state name in words ("United Kingdom of Great Britain and Northern Ireland")


def _state(text: str) -> str | None:
    """ISO3 of ``text`` when it names exactly one state (no fuzzy or regex matching)."""
    return try_resolve(text, suggest=False, regex=False).iso3


def _segment(words: list[str]) -> list[str] | None:
    """Cover ``words`` with state names (fewest first), "and" allowed between them; None if impossible.

    "ANGOLA BAHAMAS" -> AGO, BHS; "UNITED STATES AND VIET NAM" -> USA, VNM; a stray space inside a
    name is tried away ("CZECHI A" -> CZE).
    """
    best: list[list[str] | None] = [None] * (len(words) + 1)
    best[0] = []
    for start in range(len(words)):
        done = best[start]
        if done is None:
            continue
        skip = start + 1 if words[start].lower() == "and" and start else start
        for end in range(skip + 1, min(len(words), skip + _MAX_WORDS) + 1):
            part = words[skip:end]
            iso3 = _state(" ".join(part)) or (_state("".join(part)) if len(part) == 2 else None)
            if iso3 and (best[end] is None or len(done) + 1 < len(best[end] or ())):
                best[end] = [*done, iso3]
    return best[len(words)]


def split_sponsor(text: str) -> tuple[tuple[str, ...], bool]:
    """The states a DGACM sponsor string names, and whether the string must be kept as text too.

    Returns (ISO3 codes in order, keep). ``keep`` is True when the string says more than its
    states (an "on behalf of" or other bracketed remark) or names no state at all (an office,
    a garbled name): sponsor lists are free text, so such a string is kept as written, never
    refused. A string that is only states ("UNITED STATES AND VIET NAM") is not kept.
    """
    if iso3 := _state(text):
        return (iso3,), False
    stripped = _ON_BEHALF.sub("", text)
    if _NOT_STATES.search(stripped):
        return (), True
    remark = stripped != text
    found: list[str] = []
    for chunk in (c.strip() for c in re.split(r",|\.\s", stripped) if c.strip()):
        states = _segment(chunk.split())
        if states is None and (m := _TRAILING_REMARK.match(chunk)):
            states, remark = _segment(m["name"].split()), True  # "MICRONESIA (FEDERATES STATES OF)"
        if not states:
            return (), True
        found += states
    return tuple(found), remark


def _sponsors(raw: dict, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    states: list[str] = []
    texts: list[str] = []
    for text in _strings(raw, "sponsors", where) + _strings(raw, "additional_sponsors", where):
        found, keep = split_sponsor(text)
        states += [s for s in found if s not in states]
        if keep and text not in texts:
            texts.append(text)
    return tuple(states), tuple(texts)


# --- lines ----------------------------------------------------------------------------------------

def _roll_call(raw: dict, where: str) -> RollCall:
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise _fail(where, f"missing key{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           "(expected a DGACM resolution record)")
    symbol = str(raw["symbol"]).strip()
    day = parse_date(raw["adoption_date"], where)
    session, session_name = _session(symbol, day, where)
    stated = Tally(*(_count(raw, k, where) for k in COUNTS))
    positions, names, doubled = _positions(raw, where, symbol)
    sponsors, sponsors_text = _sponsors(raw, where)
    call = RollCall(
        forum="ga", symbol=symbol, date=day, session=session, session_name=session_name,
        title=str(raw["title"]).strip(), kind="resolution", adopted=True,
        draft=_text(raw["originating_document"]), agenda_item=_text(raw["agenda_item"]),
        committee=_text(raw["committee"]), meeting=_text(raw["pv"]), sponsors=sponsors,
        sponsors_text=sponsors_text, subjects=_subjects(raw, where), stated=stated, positions=positions,
        names=names, where=where,
    )
    return replace(call, notes=_tally_notes(stated, call.counted(), doubled))


def _read_lines(path: Path) -> Iterator[_Line]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path.name}: cannot read it as UTF-8 text ({exc})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(where, f"not a JSON object ({exc.msg} at column {exc.colno})") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("symbol"), str) or "adoption_type" not in raw:
            raise _fail(where, "expected a JSON object with a symbol and an adoption_type")
        yield _Line(where, raw, _roll_call(raw, where) if raw["adoption_type"] == RECORDED else None)


def _same_vote(a: RollCall, b: RollCall) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in VOTE_FIELDS)


def _merge(first: _Line, repeat: _Line) -> None:
    """Fold ``repeat`` (same symbol) into ``first``, or fail naming both lines."""
    a, b = first.roll_call, repeat.roll_call
    if a is None and b is None:
        return  # not a recorded vote: not read
    if a is None or b is None:
        raise _fail(first.where, f"{repeat.where} also holds {first.raw['symbol']}, adopted "
                                 f"{first.raw['adoption_type']!r} here and {repeat.raw['adoption_type']!r} there")
    if not _same_vote(a, b):
        fields = ", ".join(f for f in VOTE_FIELDS if getattr(a, f) != getattr(b, f))
        raise _fail(first.where, f"{repeat.where} also holds {a.symbol} with a different vote ({fields} differ)")
    differ = sorted(k for k in set(first.raw) | set(repeat.raw) if first.raw.get(k) != repeat.raw.get(k))
    detail = f"{repeat.where} repeats this roll call" + (
        f" (same vote; {', '.join(differ)} differ)" if differ else " (an identical line)")
    first.roll_call = replace(
        a, sponsors=a.sponsors + tuple(s for s in b.sponsors if s not in a.sponsors),
        sponsors_text=a.sponsors_text + tuple(s for s in b.sponsors_text if s not in a.sponsors_text),
        notes=a.notes + (Note("duplicate_line", detail),))
    first.repeats.append(repeat)


def _natural(symbol: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", symbol))


def read_dgacm(paths: Sequence[Path]) -> DgacmRead:
    """Read DGACM ``.json`` files (one resolution a line) into their recorded votes.

    Raises :class:`~blocwatch.errors.ImportFailed` (file:line in the one-line message) on a
    malformed line, an unknown member state, a state listed twice, or two lines of one symbol
    that disagree on the vote.
    """
    files = tuple(Path(p) for p in paths)
    by_symbol: dict[str, _Line] = {}
    lines = 0
    for path in files:
        for line in _read_lines(path):
            lines += 1
            symbol = line.raw["symbol"].strip()
            if symbol in by_symbol:
                _merge(by_symbol[symbol], line)
            else:
                by_symbol[symbol] = line
    recorded = [line for line in by_symbol.values() if line.roll_call is not None]
    calls = sorted((line.roll_call for line in recorded if line.roll_call), key=lambda c: (c.date, _natural(c.symbol)))
    return DgacmRead(roll_calls=tuple(calls), duplicates=sum(len(line.repeats) for line in recorded),
                     lines=lines, files=files)


# --- the curated bundle ---------------------------------------------------------------------------

def _jsonl_gz(calls: Sequence[RollCall], path: Path) -> None:
    data = "".join(json.dumps(c.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for c in calls)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(data.encode("utf-8"))


def build(sources: Path, out_dir: Path) -> dict:
    """Read ``sources/unga/dgacm/*.json``; write ``rollcalls.jsonl.gz`` and ``manifest.json`` to ``out_dir``.

    The output is deterministic (sorted keys, gzip without timestamp or name): a rebuild from
    the same input gives identical bytes. Returns the manifest.
    """
    from blocwatch.store.provenance import sha256_of

    inputs = sorted((Path(sources) / "unga" / "dgacm").glob("*.json"))
    if not inputs:
        raise ImportFailed(f"{Path(sources) / 'unga' / 'dgacm'}: no DGACM .json files")
    read = read_dgacm(inputs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "rollcalls.jsonl.gz"
    _jsonl_gz(read.roll_calls, out)
    manifest = {
        "built_by": "blocwatch.ga.dgacm.build",
        "source": CITATION,
        "inputs": [{"file": p.name, "sha256": sha256_of(p)} for p in inputs],
        "outputs": [{"file": out.name, "rows": len(read.roll_calls), "sha256": sha256_of(out)}],
        "lines": read.lines,
        "duplicates": read.duplicates,
        "sessions": sorted({c.session_name for c in read.roll_calls}, key=_natural),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return manifest


@cache
def bundled() -> tuple[RollCall, ...]:
    """The recorded votes of the shipped bundle (``blocwatch/data/dgacm/rollcalls.jsonl.gz``)."""
    with registry.data_path(BUNDLE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return tuple(RollCall.from_dict(json.loads(line)) for line in fh if line.strip())
