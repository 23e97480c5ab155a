"""Name resolution: which registry entity does a name denote?

``resolve(name)`` never guesses. It accepts a name, after :func:`normalise`,
only when it is

1. a name the registry, pycountry (English and its French, Spanish, Russian,
   Arabic and Chinese catalogues, short and official forms) or the project's
   alias table ``data/aliases.csv`` gives to exactly one entity
   (confidence :data:`EXACT`, 1.0);
2. an ISO 3166 alpha-2 or alpha-3 code of a registry entity, in any case,
   when the whole input is the code ("NO", "no", "fra"; :data:`EXACT`, 1.0;
   only codes the registry knows, so "XYZ" is never passed through as a
   code). Inside running text only upper-case codes count: that rule is the
   parser's (:mod:`blocwatch.signatories`), which never resolves a lower-case
   word of three letters or fewer ("no", "is", "in", "us");
3. such a name once a *leading* state-form word is dropped ("Republic of
   Guinea", "Royaume du Maroc", "جمهورية جزر مارشال") or a trailing Chinese
   one (共和国, 王国) -- confidence :data:`STRIPPED`, 0.95;
4. a match of exactly one country_converter regular expression, when every
   word of the input is a word some country name uses (so prose such as
   "the delegation of France" or "Canada (Amb. Bob Rae)" never matches) --
   confidence :data:`REGEX`, 0.9.

Confidence is an ordinal label of *how* the name was matched, not a
probability; every resolved name is unambiguous. Anything else -- unknown,
ambiguous ("Korea"), not a UN member or observer state (Taiwan, Kosovo, any
territory ISO 3166 or country_converter knows), a former state unless
``include_former`` -- is unresolved: :func:`try_resolve` returns it with
``iso3=None``, a ``reason`` and close matches (rapidfuzz), and
:func:`resolve` raises :class:`UnresolvedName`.

Former states (USSR, Yugoslavia, ...) resolve only with
``include_former=True``; their own names then take precedence, so
"Federal Republic of Germany" is the former entity ``FRG`` in old voting data
and Germany (``DEU``) otherwise. The label unvotes gives a former entity
(``votes_as``) counts as its name only when no current state claims it
("Russia" stays the Russian Federation).

country_converter 1.3.2 pitfalls avoided: under pandas 3 its table fails to
load (Namibia's code "NA" is read as missing), so we read the table
ourselves with ``keep_default_na=False`` and use only its regular
expressions; its pass-through of any three-letter string ("UAE", "U.S") is
never used; its mapping of "the Congo" to the Democratic Republic never
applies because "the Congo" is in the alias table (UN usage: the Republic of
the Congo); its lack of French, Arabic and Chinese names is made up by
pycountry's catalogues and the alias table.

Historical names of a state that still holds the same UN seat under another
name (Zaire, Upper Volta, Dahomey, Ceylon, Siam, Kampuchea, Burma, Swaziland,
Serbia and Montenegro) are aliases of the current state, not former states.

Invisible characters (soft hyphen, zero-width space, joiner and non-joiner,
word joiner, byte-order mark, direction marks) are dropped and no-break
spaces read as spaces; a no-break space *inside a word* ("Nor\u00a0way") is
dropped when that is the only reading that names a state.

Results are cached per (name, include_former, suggest): the parser calls this
on many fragments with ``suggest=False`` (no close matches computed).
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from blocwatch import registry
from blocwatch.errors import NotFound, with_matches

# Confidence levels (ordinal labels of the matching step, see the module docstring).
EXACT = 1.0
CODE = EXACT
STRIPPED = 0.95
REGEX = 0.9

REASONS = ("unknown", "ambiguous", "not_a_state", "former_state", "empty")

LANGUAGES = ("fr", "es", "ru", "ar", "zh_CN", "zh_TW", "zh_HK")

# Articles are dropped from the start of a name. Word articles need a space
# after them ("Laos" must not lose "La"); elided and Arabic ones are attached.
_ARTICLES = re.compile(r"^(?:(?:the|le|la|les|el|los|las)\s+|l'\s*|al-|ال)", re.IGNORECASE)
# Leading state-form words dropped as a fallback (never before an exact look-up);
# written as :func:`normalise` leaves them (no accents, Arabic letters folded).
_STATE_FORM_WORDS = (
    "republic of", "kingdom of", "state of", "commonwealth of", "federation of",
    "principality of", "sultanate of", "grand duchy of",
    "republique", "royaume", "etat", "principaute", "federation",
    "republica", "reino", "estado", "principado", "federacion",
    "республика", "королевство", "государство", "княжество", "федерация",
    "республики", "королевства", "государства", "княжества", "федерации",  # genitive
    "جمهوريه", "مملكه", "دوله", "اماره", "سلطنه",
)
_STATE_FORMS = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w in _STATE_FORM_WORDS) + r")"
    r"(?:\s+(?:de|du|des|del)\b|\s*d')?\s*"
)
_ZH_FORMS = re.compile(r"(共和国|共和國|王国|王國|联邦|聯邦)$")
_FOOTNOTE = re.compile(
    r"(?:\s*\[\w{1,3}\]|\s*[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+|\s*\(\d{1,2}\)|(?<=[^\W\d])\d{1,2})$"
)
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Words that may stand beside a country name in a name (abbreviations of state forms).
_EXTRA_WORDS = frozenset((
    "rep", "dem", "fed", "st", "ste", "is", "isl", "isls", "pdr", "sar", "peoples", "people", "s", "d", "of",
    "the", "and", "republic", "kingdom", "state", "states", "union", "islands", "island",
))
_WORDS = re.compile(r"\w+")
# Characters with no width that copy-paste and typesetting leave inside names.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff" \
            "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
NO_BREAK_SPACES = "\u00a0\u202f\u2007"
_INWORD_NBSP = re.compile(rf"(?<=[^\W\d_])[{NO_BREAK_SPACES}](?=[^\W\d_])")


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate entity; ``score`` is rapidfuzz's WRatio (0-100) on normalised names."""

    iso3: str
    name: str
    score: float

    def to_dict(self) -> dict:
        return {"iso3": self.iso3, "name": self.name, "score": round(self.score, 1)}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one name.

    ``iso3`` is None when the name was not resolved; ``reason`` then says why
    (one of :data:`REASONS`), ``message`` says it in words and
    ``alternatives`` holds the candidates of an ``ambiguous`` name (score
    100) or the close matches of an ``unknown`` one (empty for
    ``not_a_state`` and ``former_state``: the message says what it is).
    ``confidence`` is 1.0, 0.95 or 0.9 for the matching step used
    (``method``), 0.0 when unresolved. A resolved historical name of a current
    seat (Zaire, Serbia and Montenegro) carries the alias table's note in
    ``message``.
    """

    input: str
    iso3: str | None
    name: str | None
    confidence: float
    method: str | None = None
    reason: str | None = None
    message: str | None = None
    alternatives: tuple[Match, ...] = field(default_factory=tuple)

    @property
    def resolved(self) -> bool:
        return self.iso3 is not None

    def to_dict(self) -> dict:
        return {
            "input": self.input,
            "iso3": self.iso3,
            "name": self.name,
            "confidence": self.confidence,
            "method": self.method,
            "reason": self.reason,
            "message": self.message,
            "alternatives": [m.to_dict() for m in self.alternatives],
        }


class UnresolvedName(NotFound):
    """A name that does not denote exactly one registry entity (``.resolution`` says why).

    A :class:`blocwatch.errors.NotFound` (so a ``LookupError``): the CLI prints
    its one-line message; ``close_matches`` holds "Name (ISO3)" of the
    candidates (ambiguous) or close matches (unknown).
    """

    def __init__(self, resolution: Resolution):
        self.resolution = resolution
        matches = [f"{m.name} ({m.iso3})" for m in resolution.alternatives]
        message = resolution.message or f"unresolved name {resolution.input!r}"
        if resolution.reason == "ambiguous" or "close matches" in message:
            full = message  # the message already names them
        else:
            full = with_matches(message, matches)
        super().__init__(full, close_matches=matches)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Fold a name for look-up and return the folded key.

    NFKC; Arabic vowel marks and tatweel dropped, alef forms, alef maqsura
    and taa marbuta folded (أ إ آ -> ا, ى -> ي, ة -> ه); Latin/Cyrillic diacritics
    dropped (keeping the breve of й) and ё -> е; case folded; "&" -> "and";
    curly quotes to straight; trailing footnote marks ("*", "†", "[a]",
    "(1)", "France2", "¹") dropped; abbreviation dots dropped ("U.K." -> "uk");
    hyphens and dashes become spaces; stray punctuation and brackets around
    the whole name dropped; the Arabic conjunction و attached to the next
    word; one leading article dropped ("the", "le", "la",
    "les", "l'", "el", "los", "las", "al-", "ال"). Invisible characters
    (:data:`INVISIBLE`: soft hyphen, zero-width space/joiner/non-joiner, word
    joiner, BOM, direction marks) are dropped; no-break spaces become spaces.
    """
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text).strip()  # no-break spaces become spaces
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = text.replace("&", " and ").replace("’", "'").replace("‘", "'").replace("`", "'")
    text = _FOOTNOTE.sub("", text.strip())
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u0306")
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("ё", "е")
    text = re.sub(r"(?<=\b\w)\.", "", text)  # u.k. -> uk, u.s.a. -> usa
    text = re.sub(r"\s*[-–—‐‑]+\s*", " ", text)  # Guinea-Bissau == Guinea Bissau
    text = re.sub(r"[\"“”«»„\[\]{}:;!?•·*]+", " ", text)
    text = re.sub(r"[.,]+$", "", text)
    text = re.sub(r"^[\s.,]+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace(" و ", " و")  # Arabic "and" written apart: "البوسنة و الهرسك"
    text = _ARTICLES.sub("", text).strip()
    return text


@cache
def _coco_patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    """country_converter's regular expressions: (pattern, ISO3, short name).

    Read from its bundled table with ``keep_default_na=False`` (Namibia's
    ISO2 "NA" stays a string under pandas 3).
    """
    import country_converter as coco
    import pandas as pd

    table = pd.read_csv(coco.country_converter.COUNTRY_DATA_FILE, sep="\t", encoding="utf-8",
                        keep_default_na=False, usecols=["name_short", "regex", "ISO3"])
    return tuple((re.compile(str(regex), re.IGNORECASE), str(iso3), str(name))
                 for regex, iso3, name in zip(table["regex"], table["ISO3"], table["name_short"], strict=True)
                 if regex)


def _read_table(name: str) -> list[dict[str, str]]:
    with registry.data_path(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _add(index: dict[str, set[str]], name: str | None, iso3: str) -> None:
    if name:
        key = normalise(name)
        if key:
            index.setdefault(key, set()).add(iso3)


def _add_inverted(index: dict[str, set[str]], name: str, iso3: str) -> None:
    """Add ``name`` and, for ISO-style "Korea, Republic of", its natural order."""
    _add(index, name, iso3)
    for sep in (", ", "، "):
        if sep in name:
            head, tail = name.split(sep, 1)
            _add(index, f"{tail} {head}", iso3)


@cache
def _translators() -> tuple[gettext.NullTranslations, ...]:
    import pycountry

    return tuple(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
                 for lang in LANGUAGES)


def _pycountry_names(pc) -> set[str]:
    english = {n for n in (pc.name, getattr(pc, "official_name", None),
                           getattr(pc, "common_name", None)) if n}
    found = set(english)
    for t in _translators():
        for name in english:
            found.add(t.gettext(name))
    return found


@cache
def _indices() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, str]]:
    """(current, former, territories): normalised name -> codes.

    ``current`` covers member and observer states, ``former`` former states,
    ``territories`` maps pycountry names of ISO 3166 entries outside the
    registry (Puerto Rico, Hong Kong, Taiwan ...) to their ISO3 code.
    """
    import pycountry

    current: dict[str, set[str]] = {}
    former: dict[str, set[str]] = {}
    for c in registry.all_entities():
        target = current if c.current else former
        for name in (c.name, c.official_name):
            _add(target, name, c.iso3)
        # UN-style names with the parenthetical moved: "Bolivia (Plurinational State of)".
        m = re.match(r"^(.*) \((.*)\)$", c.name)
        if m:
            _add(target, m.group(1), c.iso3)
            if m.group(2).endswith(" of"):
                _add(target, f"{m.group(2)} {m.group(1)}", c.iso3)
        if c.iso2:
            pc = pycountry.countries.get(alpha_2=c.iso2)
            for name in _pycountry_names(pc) if pc else ():
                _add_inverted(target, name, c.iso3)
    aliases = _read_table("aliases.csv")
    for row in aliases:
        if not registry.exists(row["iso3"]):
            raise ValueError(f"aliases.csv: alias {row['alias']!r} names unknown code {row['iso3']!r}")
        entity = registry.get(row["iso3"])
        key = normalise(row["alias"])
        (current if entity.current else former)[key] = {entity.iso3}
    # The label unvotes gives a former entity counts only where no current state claims it.
    for c in registry.all_entities():
        if not c.current and c.votes_as and normalise(c.votes_as) not in current:
            _add(former, c.votes_as, c.iso3)
    territories: dict[str, str] = {}
    for pc in pycountry.countries:
        if registry.exists(pc.alpha_3):
            continue
        for name in _pycountry_names(pc):
            key = normalise(name)
            if key and key not in current and key not in former:
                territories[key] = pc.alpha_3
    for index in (current, former):
        index.pop("", None)
    return current, former, territories


@cache
def _special() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, str]]]:
    ambiguous = {normalise(r["name"]): tuple(filter(None, r["candidates"].split(";")))
                 for r in _read_table("ambiguous_names.csv")}
    non_states = {normalise(r["name"]): (r["kind"], r["note"]) for r in _read_table("non_states.csv")}
    return ambiguous, non_states


@cache
def _codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for c in registry.all_entities():
        codes[c.iso3] = c.iso3
        if c.iso2:
            codes[c.iso2] = c.iso3
    return codes


@cache
def vocabulary() -> frozenset[str]:
    """Every word used in a known name (states, former states, territories, aliases).

    Callers that try many text spans (the signatory parser) use it as a cheap
    pre-filter: a span with a word outside it cannot resolve by name.
    """
    current, former, territories = _indices()
    words = set(_EXTRA_WORDS)
    for index in (current, former, territories):
        for key in index:
            words.update(_WORDS.findall(key))
    # An Arabic word inside a name keeps its article ("الامريكيه"); alone, normalise drops it.
    words.update(w[2:] for w in list(words) if w.startswith("ال") and len(w) > 3)
    for _pattern, _iso3, short in _coco_patterns():
        words.update(_WORDS.findall(normalise(short)))
    return frozenset(words)


@cache
def _choices(include_former: bool) -> tuple[list[str], list[str]]:
    """Keys and codes for fuzzy matching (keys naming one entity only)."""
    current, former, _ = _indices()
    keys, codes = [], []
    for index in (current, former) if include_former else (current,):
        for key, isos in index.items():
            if len(isos) == 1:
                keys.append(key)
                codes.append(next(iter(isos)))
    return keys, codes


def close_matches(name: str, limit: int = 5, *, include_former: bool = False) -> tuple[Match, ...]:
    """Up to ``limit`` entities whose names are closest to ``name``, best first.

    ``score`` (0-100) is the mean of rapidfuzz's ``ratio`` (edit similarity of
    the whole normalised strings) and ``token_set_ratio`` (similarity of
    their word sets, so "the delegation of France" still finds France),
    taken against the entity's closest known name; one entry per entity;
    scores below 50 are left out.
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    key = normalise(name)
    if not key:
        return ()
    keys, codes = _choices(include_former)
    scores = (process.cdist([key], keys, scorer=fuzz.ratio, dtype=np.float32)[0]
              + process.cdist([key], keys, scorer=fuzz.token_set_ratio, dtype=np.float32)[0]) / 2
    best: dict[str, float] = {}
    for i in np.argsort(-scores)[: limit * 10]:
        score = float(scores[i])
        if score < 50:
            break
        best.setdefault(codes[i], score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return tuple(Match(iso3, registry.get(iso3).name, score) for iso3, score in ranked)


@cache
def _history_notes() -> dict[str, str]:
    """Normalised alias -> its note, for the historical names of a current seat (Zaire, ...)."""
    return {normalise(r["alias"]): r["note"] for r in _read_table("aliases.csv")
            if re.search(r"\b(?:former|seat)\b", r["note"]) and registry.get(r["iso3"]).current}


def _found(name: str, iso3: str, confidence: float, method: str, include_former: bool,
           suggest: bool = True) -> Resolution:
    entity = registry.get(iso3)
    if not entity.current and not include_former:
        succ = ", ".join(entity.successors) or "none"
        return _unresolved(
            name, "former_state",
            f"{name!r} is {entity.name}, a former state ({entity.admitted} to {entity.ended}; "
            f"successors: {succ}); former states resolve only when asked for (--former)",
            include_former, suggest=suggest,
        )
    note = _history_notes().get(normalise(name)) if method == "name" else None
    return Resolution(input=name, iso3=iso3, name=entity.name, confidence=confidence, method=method,
                      message=f"{name!r} is {entity.name}: {note}" if note else None)


def _unresolved(name: str, reason: str, message: str, include_former: bool,
                candidates: tuple[str, ...] = (), *, suggest: bool = True) -> Resolution:
    if candidates:
        alternatives = tuple(Match(c, registry.get(c).name, 100.0) for c in candidates)
    elif reason != "unknown" or not suggest:
        # A known non-state or former state: the message says what it is; a
        # fuzzy neighbour ("Taiwan" ~ "Thailand") would only mislead.
        alternatives = ()
    else:
        alternatives = close_matches(name, include_former=include_former)
        if alternatives:
            message += "; close matches: " + ", ".join(
                f"{m.name} ({m.iso3}, {m.score:.0f})" for m in alternatives)
        else:
            message += "; no close matches"
    return Resolution(input=name, iso3=None, name=None, confidence=0.0, reason=reason,
                      message=message, alternatives=alternatives)


def _ambiguous(name: str, candidates: tuple[str, ...], include_former: bool) -> Resolution:
    return _unresolved(
        name, "ambiguous",
        f"{name!r} is ambiguous: it may mean "
        + " or ".join(f"{registry.get(c).name} ({c})" for c in candidates),
        include_former, candidates)


_CODE_INPUT = re.compile(r"^[A-Za-z]{2,3}$")


def _lookup(key: str, include_former: bool) -> tuple[str | None, tuple[str, ...]]:
    """(the one code ``key`` names, or None; the candidates if it names several)."""
    current, former, _ = _indices()
    hits = set(current.get(key, ()))
    if include_former:
        hits |= former.get(key, set())
    if len(hits) == 1:
        return next(iter(hits)), ()
    return None, tuple(sorted(hits))


@lru_cache(maxsize=65536)
def try_resolve(name: str, *, include_former: bool = False, suggest: bool = True,
                regex: bool = True) -> Resolution:
    """Resolve ``name``; returns a :class:`Resolution` (``iso3=None`` and a reason when unresolved).

    ``suggest=False`` skips the close matches of an unknown name and
    ``regex=False`` the country_converter step (4 in the module docstring):
    the parser tries many spans of running text, needs only yes or no, and
    must not read "United Switzerland" as a name.
    """
    if not isinstance(name, str) or not normalise(name):
        return Resolution(input=str(name), iso3=None, name=None, confidence=0.0,
                          reason="empty", message=f"empty name {name!r}")
    result = _try_resolve(name, include_former, suggest, regex)
    if not result.resolved and result.reason == "unknown" and _INWORD_NBSP.search(name):
        # "Nor\u00a0way": a no-break space inside a word, read as a space, names nothing.
        joined = _try_resolve(_INWORD_NBSP.sub("", name), include_former, False, regex)
        if joined.resolved:
            return Resolution(input=name, iso3=joined.iso3, name=joined.name,
                              confidence=joined.confidence, method=joined.method)
    return result


def _try_resolve(name: str, include_former: bool, suggest: bool, regex: bool) -> Resolution:
    key = normalise(name)
    current, former, territories = _indices()
    ambiguous, non_states = _special()
    if key in ambiguous:
        return _ambiguous(name, ambiguous[key], include_former)
    # Old data means the former entity by its own names ("Taiwan" in 1960 votes).
    if include_former and len(former.get(key, ())) == 1:
        return _found(name, next(iter(former[key])), EXACT, "name", include_former, suggest)
    if key in non_states:
        kind, note = non_states[key]
        return _unresolved(name, "not_a_state",
                           f"{name!r} is not a UN member or observer state ({kind}: {note})",
                           include_former)
    if key in current:
        iso3, clash = _lookup(key, include_former=False)
        if iso3:
            return _found(name, iso3, EXACT, "name", include_former, suggest)
        return _ambiguous(name, clash, include_former)
    if key in former:
        iso3, clash = _lookup(key, include_former=True)
        if iso3:
            return _found(name, iso3, EXACT, "name", include_former, suggest)
        return _ambiguous(name, clash, include_former)
    if key in territories:
        return _unresolved(name, "not_a_state",
                           f"{name!r} is not a UN member or observer state "
                           f"(ISO 3166 lists it as {territories[key]})", include_former)
    # ISO codes of registry entities: the whole input is the code, in any case ("NO", "no", "fra").
    raw = re.sub(r"[.\s]", "", name.strip())
    if _CODE_INPUT.match(raw) and raw.upper() in _codes():
        return _found(name, _codes()[raw.upper()], CODE, "iso_code", include_former, suggest)
    # UN-style "Bolivie (État plurinational de)", "فنزويلا (جمهورية - البوليفارية)".
    for variant in _inversions(name):
        iso3, _clash = _lookup(normalise(variant), include_former)
        if iso3:
            return _found(name, iso3, EXACT, "un_inverted", include_former, suggest)
    stripped = _strip_state_form(key)
    if stripped:
        if stripped in ambiguous:
            return _ambiguous(name, ambiguous[stripped], include_former)
        if stripped in non_states or stripped in territories:
            return _unresolved(name, "not_a_state",
                               f"{name!r} is not a UN member or observer state", include_former)
        iso3, clash = _lookup(stripped, include_former)
        if iso3:
            return _found(name, iso3, STRIPPED, "state_form_dropped", include_former, suggest)
        if clash:
            return _ambiguous(name, clash, include_former)
    hit = _coco_hit(key) if regex else None
    if hit:
        iso3, short = hit
        if registry.exists(iso3):
            return _found(name, iso3, REGEX, "country_converter", include_former, suggest)
        return _unresolved(name, "not_a_state",
                           f"{name!r} looks like {short} ({iso3}), which is not a UN member or "
                           "observer state", include_former)
    return _unresolved(name, "unknown", f"unknown name {name!r}", include_former, suggest=suggest)


_PAREN = re.compile(r"^(.*?)\s*\((.+)\)\s*$")
_PLACEHOLDER = re.compile(r"(?:^|\s)-(?:\s|$)")


def _inversions(name: str) -> tuple[str, ...]:
    """UN-list names with the state form in brackets, put in reading order.

    "X (Y of)" -> "Y of X"; "X (Y)" -> "Y X"; an Arabic-style placeholder
    dash inside the brackets takes the name: "X (Y - Z)" -> "Y X Z". The part
    outside the brackets is never tried alone ("Canada (Amb. Bob Rae)").
    """
    m = _PAREN.match(name.strip())
    if not m or not m.group(1):
        return ()
    outer, inner = m.group(1).strip(), m.group(2).strip()
    if _PLACEHOLDER.search(inner):
        return (_PLACEHOLDER.sub(f" {outer} ", inner, count=1),)
    return (f"{inner} {outer}",)


def _strip_state_form(key: str) -> str | None:
    """``key`` without a leading state form (or trailing Chinese one); None if it has none."""
    stripped = _STATE_FORMS.sub("", key, count=1)
    if stripped == key:
        stripped = _ZH_FORMS.sub("", key, count=1)
    stripped = _ARTICLES.sub("", stripped.strip()).strip()
    return stripped if stripped and stripped != key else None


# Conjunctions and list separators in the six UN languages (on normalised keys); commas are
# left out: "Iran, Islamic Rep." is one name in inverted form.
_CONJUNCTION = re.compile(r"[;、；]|\b(?:and|et|y|e|и|和|及|与|與)\b|\sو")


def _coco_hit(key: str) -> tuple[str, str] | None:
    """(ISO3, short name) when exactly one country_converter regex matches, else None.

    Guarded against prose: every word of ``key`` must be a word of some known
    name; codes and abbreviations of four letters or fewer are never tried.
    """
    if len(key.replace(" ", "")) <= 4:
        return None
    parts = [p.strip() for p in _CONJUNCTION.split(key) if p.strip()]
    if len(parts) > 1 and any(_lookup(p, True) != (None, ()) for p in parts):
        return None  # "Zimbabwe and the State", "U.K. and Türkiye": a list or prose, not one name
    if not set(_WORDS.findall(key)) <= vocabulary():
        return None
    hits = {(iso3, short) for pattern, iso3, short in _coco_patterns() if pattern.search(key)}
    if len({iso3 for iso3, _ in hits}) != 1:
        return None
    return next(iter(hits))


def resolve(name: str, *, include_former: bool = False) -> Resolution:
    """The :class:`Resolution` of ``name``; raises :class:`UnresolvedName` if it names no single entity."""
    resolution = try_resolve(name, include_former=include_former)
    if not resolution.resolved:
        raise UnresolvedName(resolution)
    return resolution


def resolve_many(names, *, include_former: bool = False) -> list[Resolution]:
    """:func:`try_resolve` for each name, in order (unresolved ones included)."""
    return [try_resolve(n, include_former=include_former) for n in names]
