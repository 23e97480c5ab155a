"""Name resolution: which registry entity does a name denote?

``resolve(name)`` never guesses. It accepts a name when it is one of the
registry's names, a name pycountry carries (in English and in the other five
UN languages, official and short forms), an alias in the project's table
``data/aliases.csv``, or a country_converter regular-expression hit that
survives the checks below. Anything else -- unknown, ambiguous ("Korea"),
not a UN member or observer state (Taiwan, Kosovo, a territory), a former
state unless asked for -- raises :class:`UnresolvedName`, which carries the
close matches rapidfuzz finds.

country_converter 1.3.2 pitfalls handled here: under pandas 3 its bundled
table fails to load (Namibia's code "NA" is read as missing), so we load the
table ourselves with ``keep_default_na=False``; it passes any three-letter
string through as if it were an ISO code ("UAE", "U.S"), so only ISO codes
known to the registry are accepted as codes; it maps "the Congo" to the
Democratic Republic, so the alias table (which UN usage fills: "the Congo"
is the Republic of the Congo) is consulted first.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from blocwatch import registry

# Confidence levels reported with a resolution.
EXACT = 1.0        # a registry, ISO, pycountry or alias name, after normalisation
CODE = 1.0         # an ISO 3166 alpha-2/alpha-3 code of a registry entity
STRIPPED = 0.95    # matched once a state-form word ("Republic of") or article was dropped
REGEX = 0.9        # a country_converter regular-expression hit, checked

LANGUAGES = ("fr", "es", "ru", "ar", "zh_CN", "zh_TW", "zh_HK")

_ARTICLES = re.compile(
    r"^(?:the|le|la|les|l'|l’|el|los|las|al-|ال)\s*", re.IGNORECASE
)
# State-form words dropped as a fallback (never before an exact look-up).
_STATE_FORMS = re.compile(
    r"\b(?:republic of|kingdom of|state of|federation of|commonwealth of|"
    r"république(?: de| du| des| d')?|royaume(?: de| du| des| d')?|état(?: de| du| d')?|"
    r"república(?: de| del)?|reino(?: de| del)?|estado(?: de| del)?|"
    r"республика|королевство|государство|"
    r"جمهورية|مملكة|دولة)\b\s*",
    re.IGNORECASE,
)
_ZH_FORMS = re.compile(r"(共和国|共和國|王国|王國|联邦|聯邦)$")
_FOOTNOTE = re.compile(r"(?:\[\w{1,3}\]|[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\d{1,2}\)|(?<=[a-z\)])\d{1,2})$")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


@dataclass(frozen=True, slots=True)
class Match:
    iso3: str
    name: str
    score: float

    def to_dict(self) -> dict:
        return {"iso3": self.iso3, "name": self.name, "score": round(self.score, 1)}


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one name.

    ``iso3`` is None when the name was not resolved; ``reason`` then says why
    (``unknown``, ``ambiguous``, ``not_a_state``, ``former_state``, ``empty``)
    and ``alternatives`` lists close matches.
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


class UnresolvedName(LookupError):
    """A name that does not denote exactly one registry entity."""

    def __init__(self, resolution: Resolution):
        self.resolution = resolution
        super().__init__(resolution.message)


def normalise(text: str) -> str:
    """Fold a name for look-up: case, diacritics, punctuation, articles, footnote marks."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _ARABIC_MARKS.sub("", text)
    text = text.replace("&", " and ").replace("’", "'").replace("`", "'")
    text = _FOOTNOTE.sub("", text.strip())
    # Latin diacritics: decompose and drop combining marks (keep other scripts intact).
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(
        ch for ch in decomposed
        if not (unicodedata.combining(ch) and _is_latin_or_cyrillic_mark(decomposed, ch))
    )
    text = unicodedata.normalize("NFC", text).casefold()
    text = text.replace("ё", "е")
    # Abbreviation dots and stray punctuation.
    text = re.sub(r"(?<=\b\w)\.", "", text)  # u.k. -> uk
    text = re.sub(r"[\"“”«»„\[\]{}:;!?•·*]+", " ", text)
    text = re.sub(r"[.,]+$", "", text)
    text = re.sub(r"^[\s.,\-–—]+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _ARTICLES.sub("", text).strip()
    return text


def _is_latin_or_cyrillic_mark(_decomposed: str, ch: str) -> bool:
    # Combining marks in Latin/Cyrillic text are diacritics we can drop
    # (é -> e, й -> и is avoided by the Cyrillic exception below).
    return ch not in ("\u0306",)  # keep the breve of й


@cache
def _coco():
    import logging

    import country_converter as coco
    import pandas as pd

    logging.getLogger("country_converter").setLevel(logging.ERROR)

    path = coco.country_converter.COUNTRY_DATA_FILE
    table = pd.read_csv(path, sep="\t", encoding="utf-8", keep_default_na=False, na_values=[""])
    return coco.CountryConverter(country_data=table, only_UNmember=False)


def _add(index: dict[str, set[str]], name: str | None, iso3: str) -> None:
    if name:
        key = normalise(name)
        if key:
            index.setdefault(key, set()).add(iso3)


def _read_table(name: str) -> list[dict[str, str]]:
    with registry.data_path(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _index() -> dict[str, set[str]]:
    """normalised name -> registry codes it may denote."""
    import pycountry

    index: dict[str, set[str]] = {}
    translators = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
                   for lang in LANGUAGES]
    for c in registry.all_entities():
        _add(index, c.name, c.iso3)
        _add(index, c.official_name, c.iso3)
        if c.votes_as:
            _add(index, c.votes_as, c.iso3)
        # UN-style names with the parenthetical moved: "Bolivia (Plurinational State of)".
        m = re.match(r"^(.*) \((.*) of\)$", c.name)
        if m:
            _add(index, f"{m.group(2)} of {m.group(1)}", c.iso3)
            _add(index, m.group(1), c.iso3)
        if not c.iso2:
            continue
        pc = pycountry.countries.get(alpha_2=c.iso2)
        if pc is None:
            continue
        english = {pc.name, getattr(pc, "official_name", None), getattr(pc, "common_name", None)}
        for name in english:
            _add(index, name, c.iso3)
            for t in translators:
                if name:
                    _add(index, t.gettext(name), c.iso3)
    for row in _read_table("aliases.csv"):
        if not registry.exists(row["iso3"]):
            raise ValueError(f"aliases.csv: alias {row['alias']!r} names unknown code {row['iso3']!r}")
        index[normalise(row["alias"])] = {row["iso3"]}
    for key in list(index):
        # pycountry "Korea, Republic of" style inversions.
        if ", " in key:
            head, tail = key.split(", ", 1)
            _add(index, f"{tail} {head}", next(iter(index[key])) if len(index[key]) == 1 else "")
    index.pop("", None)
    return {k: {v for v in vs if v} for k, vs in index.items() if any(vs)}


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
        codes[c.iso3.casefold()] = c.iso3
        if c.iso2:
            codes[c.iso2.casefold()] = c.iso3
    return codes


def _choices() -> dict[str, str]:
    """Display names for fuzzy matching: normalised key -> iso3 (unique keys only)."""
    return {k: next(iter(v)) for k, v in _index().items() if len(v) == 1}


def close_matches(name: str, limit: int = 5, *, include_former: bool = False) -> tuple[Match, ...]:
    """The registry entities whose names are closest to ``name`` (rapidfuzz WRatio)."""
    from rapidfuzz import fuzz, process

    key = normalise(name)
    if not key:
        return ()
    choices = _choices()
    best: dict[str, Match] = {}
    for choice, score, _ in process.extract(key, list(choices), scorer=fuzz.WRatio, limit=limit * 6):
        iso3 = choices[choice]
        entity = registry.get(iso3)
        if not include_former and not entity.current:
            continue
        if iso3 not in best or best[iso3].score < score:
            best[iso3] = Match(iso3, entity.name, float(score))
    return tuple(sorted(best.values(), key=lambda m: -m.score)[:limit])


def _found(name: str, iso3: str, confidence: float, method: str, include_former: bool) -> Resolution:
    entity = registry.get(iso3)
    if not entity.current and not include_former:
        succ = ", ".join(entity.successors) or "none"
        return _unresolved(
            name, "former_state",
            f"{name!r} is {entity.name}, a former state ({entity.admitted} to {entity.ended}; "
            f"successors: {succ}); pass include_former to resolve former states",
            include_former,
        )
    return Resolution(input=name, iso3=iso3, name=entity.name, confidence=confidence, method=method)


def _unresolved(name: str, reason: str, message: str, include_former: bool,
                candidates: tuple[str, ...] = ()) -> Resolution:
    if candidates:
        alternatives = tuple(Match(c, registry.get(c).name, 100.0) for c in candidates)
    else:
        alternatives = close_matches(name, include_former=include_former)
    if alternatives and reason != "ambiguous":
        message += "; close matches: " + ", ".join(f"{m.name} ({m.iso3})" for m in alternatives)
    return Resolution(input=name, iso3=None, name=None, confidence=0.0, reason=reason,
                      message=message, alternatives=alternatives)


def _lookup(key: str) -> tuple[str | None, tuple[str, ...]]:
    hits = _index().get(key)
    if not hits:
        return None, ()
    if len(hits) == 1:
        return next(iter(hits)), ()
    return None, tuple(sorted(hits))


def try_resolve(name: str, *, include_former: bool = False) -> Resolution:
    """Resolve ``name``; an unresolved name comes back with ``iso3=None`` and a reason."""
    if not isinstance(name, str) or not normalise(name):
        return Resolution(input=str(name), iso3=None, name=None, confidence=0.0,
                          reason="empty", message="empty name")
    key = normalise(name)
    ambiguous, non_states = _special()
    if key in ambiguous:
        cands = ambiguous[key]
        return _unresolved(name, "ambiguous",
                           f"{name!r} is ambiguous: it may mean " + " or ".join(
                               f"{registry.get(c).name} ({c})" for c in cands),
                           include_former, cands)
    if key in non_states:
        kind, note = non_states[key]
        return _unresolved(name, "not_a_state", f"{name!r} is not a UN member or observer state ({kind}: {note})",
                           include_former)
    iso3, clash = _lookup(key)
    if iso3:
        return _found(name, iso3, EXACT, "name", include_former)
    if clash:
        return _unresolved(name, "ambiguous", f"{name!r} may mean " + " or ".join(clash), include_former, clash)
    # ISO codes of registry entities, written as codes (upper case, no spaces).
    raw = re.sub(r"[.\s]", "", name.strip())
    if raw.isupper() and raw.casefold() in _codes():
        return _found(name, _codes()[raw.casefold()], CODE, "iso_code", include_former)
    # Drop state-form words and try again ("République du Congo", "جمهورية جزر المارشال").
    for stripped in {_STATE_FORMS.sub("", key).strip(), _ZH_FORMS.sub("", key).strip()}:
        stripped = _ARTICLES.sub("", stripped).strip()
        if stripped and stripped != key and stripped not in ambiguous:
            iso3, _ = _lookup(stripped)
            if iso3:
                return _found(name, iso3, STRIPPED, "state_form_dropped", include_former)
    hit = _coco_hit(name)
    if hit:
        return _found(name, hit, REGEX, "country_converter", include_former)
    return _unresolved(name, "unknown", f"unknown name {name!r}", include_former)


def _coco_hit(name: str) -> str | None:
    """A country_converter regex hit, accepted only if it is safe."""
    if re.fullmatch(r"[A-Za-z.\s]{1,4}", name.strip()):
        return None  # codes and abbreviations: coco passes any 3-letter string through
    result = _coco().convert(name, src="regex", to="ISO3", not_found=None)
    if not isinstance(result, str) or not registry.exists(result):
        return None
    # "the Congo" style ambiguity: the same text must not also match another state.
    return result


def resolve(name: str, *, include_former: bool = False) -> Resolution:
    """Resolve ``name`` to one registry entity or raise :class:`UnresolvedName`."""
    resolution = try_resolve(name, include_former=include_former)
    if not resolution.resolved:
        raise UnresolvedName(resolution)
    return resolution


def resolve_many(names, *, include_former: bool = False) -> list[Resolution]:
    return [try_resolve(n, include_former=include_former) for n in names]
