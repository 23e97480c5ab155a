"""Signatory lists: which states does a statement, press release or news item name?

:func:`parse_signatories` reads one text; :func:`parse_document` reads a raw
evidence file (``statements/raw/*.txt``: several quoted sources, each under
its URL line) and picks a primary answer.

How a list is found in prose
----------------------------
0. The text is prepared (:func:`_prepare`): NFC; invisible characters (soft
   hyphen, zero-width space/joiner/non-joiner, word joiner, BOM, direction
   marks) dropped; a no-break space inside a word dropped when only the
   joined word is a name word ("Nor\u00a0way"; "Germany\u202fand" keeps its
   space). Every offset reported is an offset in the text as given.
1. The text is cut into *fragments* at list punctuation (``,`` ``;`` ``、``
   ``،`` ``，``), newlines, bullets, spaced dashes, colons, sentence ends and
   ellipses.
2. Each fragment is resolved whole through :func:`blocwatch.names.try_resolve`
   (never a fuzzy nearest hit). If it does not resolve, it is segmented into
   words (characters for Chinese) and covered by the segmentation that
   resolves the most words: names, conjunctions between them
   ("and", "et", "y", "и", "و", "和", "以及", "as well as", "and of course"),
   genitive particles ("de", "des", "d'", "del", "of": "au nom de
   l'Allemagne, de la Belgique, des Pays-Bas et de l'Égypte"), and
   unresolved words. This reads "Croatia Czech Republic" as two states,
   keeps "Bosnia and Herzegovina" (and 埃及, whose 及 is also "and") whole,
   and trims prose at either end ("signed by 39 countries including
   Albania" -> Albania; "the State of Palestine to the United Nations Office
   at Geneva" -> State of Palestine). Inside a fragment only exact names
   count (no country_converter regular expressions, which would read
   "United Switzerland" as a name); a fragment with no name word at all is
   not segmented. In running text a word of three letters or fewer is a
   state only when it has no lower-case letter ("no", "is", "us" never
   are), and an ISO code ("NO", "FRA") only in a list made of codes.
   A state just after a word aimed at it ("Denounced China", "condemning
   China", "urge China to", "dénonçant la Chine", "осуждая Китай", "谴责中国")
   is the statement's target and starts no list.
3. A *list* is a maximal run of resolved names. Prose (an unresolved stretch
   that does not look like a name: lower-case words, digits, more than four
   words), a colon and a sentence end close a run. An unresolved fragment
   that looks like a name (at most four words, capitalised, no digits:
   "Karabagh", "Neu Seeland") does not: up to two in a row are kept inside
   the run and reported in ``unresolved`` -- never dropped. Unresolved
   name-like fragments at the edges of a run are reported as ``edges``; one
   that ends the text ("Venezu", cut mid-word) marks the list ``truncated``,
   as does an ellipsis after the last name.
4. "my own country, X" / "on behalf of my country, X" marks X as the
   speaker (``own_country``), also after the list's conjunction, in the six
   languages ("..., États-Unis et mon propre pays, le Canada", "y mi propio
   país", "и моя страна", "وبلدي", "和我国"): the names before it stay in the
   list; "and the following 50 countries:" after it
   does not close the list, so "on behalf of my country, Canada, and the
   following 50 countries: Albania, ..." is one list of 51.
5. The *primary* list of a text is the one naming the most distinct states
   (ties: fewer unresolved fragments, then the earlier one); every list is
   in ``lists``. A run of a single name is a list only when the whole text
   is that name.

Counts: ``claimed_count`` is the count that introduces the primary list
("on behalf of 4 countries: ...", "another 13 countries (A, B, ...)"), else
the first claim in the text (:mod:`blocwatch.counts`: a count in a signatory
context; "38 countries joined Germany" is 39; approximate and "N other"
phrases, and counts in prose such as "27 member states were consulted", are
never a claimed count). ``count_matches`` compares
it with the number of *distinct* states in the primary list. ``complete`` is
True when the count matches and the list has no unresolved fragment, no
elision and no cut; False when a count is stated and not met, or the list is
cut or elided, or no list was found although a count was stated; None when
the text states no count and nothing shows the list is partial.

Speed: linear in the text. Count phrases are matched only just before
their nouns, fragments are analysed once per distinct text (cached), and
``progress(done, total)`` reports characters done for a progress bar.
:func:`check_text` refuses input that is clearly binary.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from blocwatch import counts as _counts
from blocwatch import names, registry
from blocwatch.errors import BlocwatchError, InvalidInput

Progress = Callable[[int, int], None]
PROGRESS_STEP = 1 << 16  # characters between two progress reports

MAX_NAME_WORDS = 10   # "the United Kingdom of Great Britain and Northern Ireland" has 9
MAX_NAME_CHARS_CJK = 16
MAX_GAP = 2           # unresolved name-like fragments in a row that a list may hold
MAX_GAP_WORDS = 4

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_DOTS_SPACES = re.compile(r"[.\s]")
_POSSESSIVE = re.compile(r"['’]s$")
_ELLIPSIS_ONLY = re.compile(r"[.…\s]+")

# Every branch starts with its punctuation (whitespace before it stays in the fragment and is
# trimmed there), and the lookahead names every such character first: with it the
# regular-expression engine skips ahead to candidates (four times faster than without).
_SEPARATORS = re.compile(
    r"(?=[,;，；、،؛\n•▪●◦‣∙:：.!?。！？…–—-])"
    r"(?:(?P<ellipsis>(?:\.{3,}|…)\s*)"
    r"|(?P<colon>[:：]\s*)"
    r"|(?P<sentence>[.!?](?<=[^\W\d_]{4}[.!?])[\"”»]?(?=\s|$)\s*|[。！？]\s*)"
    r"|(?P<list>[,;，；、،؛\n•▪●◦‣∙]\s*|[–—-](?<=\s[–—-])(?=\s)\s*))"
)
_QUOTES = "\"'“”„«»‘’`()[]{}（）*•·-–— \t"
_OWN_COUNTRY = re.compile(
    r"(?:(?:^|\s)(?:(?:and|et|y|и)\s+)?(?:of\s+course\s+)?(?:(?:de|del|of)\s+)?"
    r"(?:(?:on\s+behalf\s+of|au\s+nom\s+de|en\s+nombre\s+de|от\s+имени)\s+)?"
    r"(?:my|our|mon|ma|notre|mi|nuestro|nuestra|моей|моя|мою|нашей|наша)\s+"
    r"(?:own\s+|propre\s+|propio\s+|propia\s+|собственной\s+)?"
    r"(?:country|nation|delegation|government|pays|délégation|gouvernement|país|delegación|"
    r"gobierno|страны|страна|страну|делегации|делегация)"
    r"|(?:^|\s)(?:و\s*)?(?:كذلك\s+)?(?:بلدي|بلادي|وطني|وفد\s+بلدي)"  # Arabic: "وبلدي، كندا"
    r"|(?:和|及|以及|与|與)?(?:我国|我國|我的国家|我的國家|本国|本國))$",  # Chinese: "和我国，加拿大"
    re.IGNORECASE,
)
_OWN_COUNTRY_CHARS = 80  # the phrase ends a fragment and is shorter than this
_CONNECTOR = re.compile(
    r"^(?:(?:and|as\s+well\s+as|et|y)\s+)?(?:the\s+|les\s+|los\s+)?"
    r"(?:following\s+(?:\S+\s+)?(?:other\s+)?(?:countries|states|nations)"
    r"|(?:\S+\s+)?(?:pays|[ée]tats)\s+suivants|(?:\S+\s+)?(?:pa[íi]ses|estados)\s+siguientes)$",
    re.IGNORECASE,
)
_CONJUNCTIONS = (
    ("as", "well", "as"), ("and", "of", "course"), ("and", "also"), ("along", "with"),
    ("together", "with"), ("ainsi", "que"), ("así", "como"), ("а", "также"), ("以", "及"),
    ("and",), ("&",), ("et",), ("y",), ("e",), ("и",), ("و",), ("和",), ("及",), ("与",), ("與",),
)
# Words a name never starts / ends with (the resolver folds some of them away).
_NEVER_FIRST = {"of", "and", "de", "du", "des", "del", "to", "for", "by", "on", "in", "at", "with",
                "à", "au", "aux", "en", "por", "para", "от", "из", "в"}
_NEVER_LAST = _NEVER_FIRST | {"the", "le", "la", "les", "el", "los", "las", "l'"}
_CONJ_FIRST = {c[0] for c in _CONJUNCTIONS}
_TARGET_CHARS = 48  # a target verb (and its preposition) ends the stretch before the name
# Genitive particles before a name in a list ("au nom de l'Allemagne, de la Belgique, des Pays-Bas
# et de l'Égypte", "en nombre de Alemania, del Reino Unido"): skipped like a conjunction.
_PARTICLES = {"de", "du", "des", "d'", "d’", "del", "of"}
# A state named just after one of these words is the statement's target, not a signatory
# ("Denounced China", "condemning China", "urge China to", "dénoncent la Chine", "谴责中国").
_TARGET = re.compile(
    r"(?:^|\s)(?:denounc\w*|condemn\w*|urg(?:e|es|ed|ing)|call(?:s|ed|ing)?\s+(?:up)?on|"
    r"criticis\w*|criticiz\w*|accus\w*|censur\w*|rebuk\w*|sanction\w*|blam\w*|against|"
    r"d[ée]non[cç]\w*|condamn\w*|exhort\w*|appel\w*|critiqu\w*|contre|"
    r"denunci\w*|conden\w*|inst(?:a|an|ó|aron|ando|amos)|critic(?:a|an|ó|aron)|acus\w*|contra|"
    r"осужда\w*|осуди\w*|осуждени\w*|призыва\w*|призва\w*|призыв|критику\w*|критиков\w*|"
    r"обвиня\w*|против|"
    r"تدين|يدين|ندين|أدان\w*|ادان\w*|إدانة|ادانة|تحث|يحث|نحث|حث\w*|تنتقد|ينتقد|انتقد\w*|ضد|"
    r"تطالب|يطالب|نطالب|طالب\w*)"
    r"(?:\s+(?:a|al|à|the|upon|on|to|that|que|по\s+отношению\s+к))?$"
    r"|(?:谴责|譴責|敦促|批评|批評|呼吁|呼籲|反对|反對|指责|指責|要求)$",
    re.IGNORECASE,
)
_ARTICLES = {"the", "le", "la", "les", "l'", "el", "los", "las", "de", "du", "des", "del", "of",
             "and", "et", "y", "и"}


@dataclass(frozen=True, slots=True)
class Signatory:
    """One state named in a list: ``text`` as written, ``iso3`` and registry ``name``.

    ``start``/``end`` are character offsets in the parsed text; ``own_country``
    is True when the text introduced it as the speaker ("my own country, X").
    """

    text: str
    iso3: str
    name: str
    start: int
    end: int
    own_country: bool = False

    def to_dict(self) -> dict:
        entity = registry.get(self.iso3)
        return {"text": self.text, "iso3": self.iso3, "name": self.name,
                "regional_group": entity.regional_group, "own_country": self.own_country,
                "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Fragment:
    """A piece of text that could not be resolved, with its offsets."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(slots=True)
class CandidateList:
    """One run of resolved names found in a text.

    ``signatories`` holds each state once, in order of first mention;
    ``duplicates`` the ISO3 codes named more than once (their later
    fragments are in ``duplicate_fragments``); ``unresolved`` the
    unresolved fragments *between* names; ``edges`` unresolved name-like
    fragments just before or after the run; ``truncated`` is True when the
    list is visibly cut (a partial word or an ellipsis at its end, or a cut
    noted in the source) and ``elided`` when an ellipsis stands inside it.
    """

    signatories: list[Signatory] = field(default_factory=list)
    unresolved: list[Fragment] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    duplicate_fragments: list[Fragment] = field(default_factory=list)
    edges: list[Fragment] = field(default_factory=list)
    start: int = 0
    end: int = 0
    truncated: bool = False
    elided: bool = False
    at_end: bool = False

    @property
    def size(self) -> int:
        """Number of distinct states named."""
        return len(self.signatories)

    @property
    def iso3s(self) -> list[str]:
        return [s.iso3 for s in self.signatories]

    def to_dict(self) -> dict:
        return {
            "size": self.size,
            "signatories": [s.to_dict() for s in self.signatories],
            "unresolved": [f.text for f in self.unresolved],
            "duplicates": list(self.duplicates),
            "edges": [f.text for f in self.edges],
            "truncated": self.truncated,
            "elided": self.elided,
            "start": self.start,
            "end": self.end,
        }


@dataclass(slots=True)
class ParseResult:
    """The signatory list of one text (see the module docstring for definitions).

    ``to_dict()`` gives the JSON of ``blocwatch parse --json``: the keys
    ``claimed_count``, ``signatories`` ([{text, iso3, ...}]), ``unresolved``
    ([text]), ``duplicates`` ([iso3]) and ``count_matches`` of issue 2, plus
    ``complete``, ``truncated``, ``problems``, ``lists`` and ``counts``.
    """

    claimed_count: int | None
    primary: CandidateList | None
    lists: list[CandidateList]
    counts: list[_counts.CountMention]
    count_source: str | None = None

    @property
    def signatories(self) -> list[Signatory]:
        return list(self.primary.signatories) if self.primary else []

    @property
    def unresolved(self) -> list[Fragment]:
        return list(self.primary.unresolved) if self.primary else []

    @property
    def duplicates(self) -> list[str]:
        return list(self.primary.duplicates) if self.primary else []

    @property
    def truncated(self) -> bool:
        return bool(self.primary and self.primary.truncated)

    @property
    def count_matches(self) -> bool | None:
        """Does the number of distinct states listed equal the claimed count? None if none is stated."""
        if self.claimed_count is None:
            return None
        return len(self.signatories) == self.claimed_count

    @property
    def complete(self) -> bool | None:
        """True: the list is whole by every test we have; False: it is not; None: cannot tell."""
        p = self.primary
        partial = p is not None and (p.truncated or p.elided or bool(p.unresolved))
        if self.claimed_count is None:
            return False if partial else None
        return bool(self.count_matches) and not partial

    @property
    def problems(self) -> list[str]:
        """Plain-language reasons why the primary list may not be the whole list."""
        out: list[str] = []
        p = self.primary
        if p is None:
            out.append("no list of states found"
                       + (f" although {self.claimed_count} are claimed" if self.claimed_count else ""))
            return out
        if self.claimed_count is not None and p.size != self.claimed_count:
            out.append(f"{p.size} states listed, {self.claimed_count} claimed")
        if p.truncated:
            cut = f" (cut at {p.edges[-1].text!r})" if p.edges and p.edges[-1].end >= p.end else ""
            out.append(f"list cut off after {p.signatories[-1].text!r}{cut}")
        if p.elided:
            out.append("list elided ('...') in the source")
        if p.unresolved:
            out.append("unresolved inside the list: " + ", ".join(repr(f.text) for f in p.unresolved))
        if p.duplicates:
            out.append("named more than once: " + ", ".join(p.duplicates))
        return out

    def to_dict(self) -> dict:
        return {
            "claimed_count": self.claimed_count,
            "signatories": [s.to_dict() for s in self.signatories],
            "unresolved": [f.text for f in self.unresolved],
            "duplicates": self.duplicates,
            "count_matches": self.count_matches,
            "complete": self.complete,
            "truncated": self.truncated,
            "problems": self.problems,
            "count_source": self.count_source,
            "lists": [lst.to_dict() for lst in self.lists],
            "counts": [c.to_dict() for c in self.counts],
        }


# --- resolution helpers ---------------------------------------------------------------


@cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(words of known names, Chinese names) -- a cheap filter before try_resolve."""
    words = names.vocabulary()
    return words, frozenset(w for w in words if _CJK_RE.search(w))


def _plausible(text: str) -> bool:
    """False when ``text`` certainly is no name try_resolve knows (fast pre-check for sub-spans)."""
    words, cjk = _vocabulary()
    raw = _DOTS_SPACES.sub("", text)
    if raw.isascii() and raw.isupper() and 2 <= len(raw) <= 3:
        return True  # an ISO code
    key = names.normalise(text)
    if not key:
        return False
    if _CJK_RE.search(key):
        return key in cjk or names._ZH_FORMS.sub("", key) in cjk
    return all(w in words for w in _WORD.findall(key))


@lru_cache(maxsize=1 << 18)
def _word_plausible(word: str) -> bool:
    """False when ``word`` can be part of no known name (so no span holding it is tried)."""
    words, cjk = _vocabulary()
    if _CJK_RE.search(word):
        return any(word in name for name in cjk)
    raw = word.strip(_QUOTES + ".,;:")
    if raw.casefold() in _ARTICLES or raw.casefold() in ("l'", "l’", "al-"):
        return True
    if raw.isascii() and raw.replace(".", "").isupper() and len(raw.replace(".", "")) <= 3:
        return True  # ISO codes and abbreviations
    return all(w in words for w in _WORD.findall(names.normalise(word)))


_FUNCTION_WORDS = frozenset({"l'", "l’", "al-", "&", "ال"} | {c[0] for c in _CONJUNCTIONS if len(c) == 1})


@lru_cache(maxsize=1 << 18)
def _name_word(word: str) -> bool:
    """Can ``word`` (a word of a fragment, as split at spaces) be part of a name as more than an
    article, particle or conjunction? A fragment with no such word names no state."""
    raw = word.strip(_QUOTES + ".,;:")
    folded = raw.casefold()
    if not raw or folded in _ARTICLES or folded in _PARTICLES or folded in _FUNCTION_WORDS:
        return False
    if len(raw) > 3 and raw[0] == "و" and "\u0621" <= raw[1] <= "\u064a" and _word_plausible(raw[1:]):
        return True  # "والولايات": the conjunction attached (see _tokens)
    if len(raw) > 2 and raw[0] in "dD" and raw[1] in "'’":
        return _word_plausible(raw[2:])
    return _word_plausible(word)


_SHORT_WORD = re.compile(r"^[A-Za-z]{1,3}$")
_CAMEL_ABBREVIATION = re.compile(r"^[A-Z][a-z][A-Z]$")  # "BiH"


def _resolve(text: str, regex: bool = True) -> names.Resolution | None:
    """The resolution of ``text`` when it names exactly one current state, else None.

    In running text a word of three letters or fewer counts only when it has no lower-case
    letter ("NO", "USA", "U.K."; "BiH"): "no", "is", "in", "us", "and" are never states
    (the resolver alone reads a whole input "no" as Norway's code). ``regex=False``: no
    country_converter regular expressions (for spans inside a fragment).
    """
    text = text.strip()
    if not text or _POSSESSIVE.search(text):
        return None  # possessive ("China's"): prose, not a list item
    bare = text.replace(".", "").replace(" ", "")
    if _SHORT_WORD.match(bare) and not bare.isupper() and not _CAMEL_ABBREVIATION.match(bare):
        return None
    try:
        res = names.try_resolve(text, suggest=False, regex=regex)
    except BlocwatchError:  # a name the resolver refuses is no list item; any other error is a bug
        return None
    # Without include_former, a resolved name is always a current (member or observer) state.
    return res if res.resolved else None


# --- fragments and elements ----------------------------------------------------------


@dataclass(slots=True)
class _Element:
    kind: str           # name | gap | break | own | connector | ellipsis
    start: int = 0
    end: int = 0
    text: str = ""
    iso3: str | None = None
    name: str | None = None
    after_conj: bool = False  # a name directly after "and"/"et"/"y"/...
    code: bool = False        # a name written as an ISO code ("NO", "FRA")


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in _QUOTES or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _QUOTES + "." or text[end - 1].isspace()):
        if text[end - 1] in ")]" and ("(" if text[end - 1] == ")" else "[") in text[start:end - 1]:
            break  # "Bolivia (Plurinational State of)", "Congo (Brazzaville)"
        if text[end - 1] == "." and end - start >= 2 and text[end - 2].isupper() and \
                (end - start == 2 or not text[end - 3].isalpha() or text[end - 3] == "."):
            break  # keep the dot of "U.K." / "U.S." (the resolver folds it)
        end -= 1
    return start, end


_OPENERS, _CLOSERS = "([（", ")]）"


def _trim_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` without an opening bracket whose closing one is not in the span, and
    vice versa: "(Albania" and "Austria)" of "3 countries (Albania, ..., Austria)" are names;
    "Congo (Brazzaville)" keeps its brackets."""
    while start < end and text[start] in _OPENERS and \
            _CLOSERS[_OPENERS.index(text[start])] not in text[start + 1:end]:
        start += 1
    while end > start and text[end - 1] in _CLOSERS and \
            _OPENERS[_CLOSERS.index(text[end - 1])] not in text[start:end - 1]:
        end -= 1
    return start, end


def _unbalanced(span: str) -> bool:
    return any((o in span) != (c in span) for o, c in zip(_OPENERS, _CLOSERS, strict=True))


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word tokens (Chinese: single characters; Arabic "و" prefix split off) as offsets."""
    out: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text[start:end]):
        s, e = m.start() + start, m.end() + start
        word = text[s:e]
        if len(word) > 3 and word[0] == "و" and "\u0621" <= word[1] <= "\u064a":
            out.append((s, s + 1))
            out.append((s + 1, e))
        elif len(word) > 2 and word[0] in "dD" and word[1] in "'’" and word[2].isalpha():
            out.append((s, s + 2))  # "d'Andorre": the particle apart
            out.append((s + 2, e))
        else:
            out.append((s, e))
    return out


def _conjunction_lengths(words: list[str]) -> list[int]:
    """For each token, the length (in tokens) of a conjunction starting there, or 0."""
    folded = [w.casefold() for w in words]
    out = [0] * (len(words) + 1)
    for i, w in enumerate(folded):
        if w not in _CONJ_FIRST:
            continue
        for conj in _CONJUNCTIONS:
            if tuple(folded[i:i + len(conj)]) == conj:
                out[i] = len(conj)
                break
    return out


def _name_like(text: str) -> bool:
    """Could this unresolved piece be a country name (misspelt, cut, or in another language)?"""
    text = text.strip(_QUOTES + ".")
    if not text or _DIGIT.search(text):
        return False
    if _CJK_RE.search(text):
        return len(text) <= 8
    words = text.split()
    if len(words) > MAX_GAP_WORDS:
        return False
    letters = [w for w in words if w.casefold() not in _ARTICLES]
    if not letters:
        return False
    if any(not w[0].isalpha() for w in letters):
        return False
    # Scripts with case: every content word capitalised. Arabic has no case.
    return all(w[0].isupper() or not w[0].isascii() and w[0] == w[0].upper() == w[0].lower()
               for w in letters)


# (kind, start, end, iso3, name, after_conj, code) relative to the fragment
_Item = tuple[str, int, int, "str | None", "str | None", bool, bool]


@lru_cache(maxsize=1 << 15)
def _raw_fragment_items(raw: str) -> tuple[_Item, ...]:
    """:func:`_fragment_items` of ``raw`` once quotes and spaces around it are trimmed."""
    start, end = _clean_span(raw, 0, len(raw))
    if start >= end:
        return ()
    if start == 0 and end == len(raw):
        return _fragment_items(raw)
    return tuple((kind, start + s, start + e, iso3, name, conj, code)
                 for kind, s, e, iso3, name, conj, code in _fragment_items(raw[start:end]))


@lru_cache(maxsize=1 << 15)
def _fragment_items(frag: str) -> tuple[_Item, ...]:
    """The elements of one cleaned fragment (names, gaps, breaks, own-country and connector
    marks) as (kind, start, end, iso3, name, after_conj, code), offsets relative to it.

    Cached: boilerplate fragments ("on behalf of", a state's name) recur in long texts.
    """
    n = len(frag)
    if _ELLIPSIS_ONLY.fullmatch(frag):
        return (("ellipsis", 0, n, None, None, False, False),)
    m = _OWN_COUNTRY.search(frag, max(0, n - _OWN_COUNTRY_CHARS))
    if m:
        # "..., États-Unis et mon propre pays, le Canada": the names before the phrase stay
        # list items; the name after it is the speaker.
        s, e = _clean_span(frag, 0, m.start())
        before = _fragment_items(frag[s:e]) if s < e else ()
        shifted = tuple((k, a + s, b + s, iso3, name, conj, code)
                        for k, a, b, iso3, name, conj, code in before)
        return shifted + (("own", m.start(), n, None, None, False, False),)
    if _CONNECTOR.match(frag):
        return (("connector", 0, n, None, None, False, False),)
    cjk = bool(_CJK_RE.search(frag))
    if not cjk:
        split = frag.split()
        if not any(_name_word(w) for w in split):
            # prose with no name word: one element, as the full analysis would give
            first = _conjunction_lengths(split[:3])[0]
            return (("gap" if _name_like(frag) else "break", 0, n, None, None, bool(first), False),)
    toks = _tokens(frag, 0, n)
    limit = MAX_NAME_CHARS_CJK if cjk else MAX_NAME_WORDS
    words = [frag[s:e] for s, e in toks]
    folded = [w.casefold().strip(".,") for w in words]
    conj = _conjunction_lengths(words)
    ok = [_word_plausible(w) for w in words]
    # (every word a name word is a cheap necessary test before the whole fragment is tried)
    if len(toks) <= limit and (cjk or all(ok)) and _plausible(frag):
        res = _resolve(frag)
        # A regular-expression hit across a conjunction ("U.K. and Türkiye") is two names.
        if res and not (res.method == "country_converter" and any(conj[1:len(toks)])):
            return (("name", 0, n, res.iso3, res.name, False, res.method == "iso_code"),)
    n = len(toks)
    # reach[i]: spans starting at i may end at most here (every word a known name word).
    reach = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        reach[i] = i if not ok[i] else reach[i + 1]
    # best[i] = (covered tokens, -names) for toks[i:]; choice[i] = (kind, j, iso3, name, code)
    best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    choice: list[tuple] = [None] * (n + 1)  # type: ignore[list-item]
    for i in range(n - 1, -1, -1):
        cand: tuple[tuple[int, int], tuple] = (best[i + 1], ("junk", i + 1, None, None, False))
        c = conj[i]
        if c and best[i + c] >= cand[0]:
            cand = (best[i + c], ("conj", i + c, None, None, False))
        elif folded[i] in _PARTICLES and choice[i + 1] is not None and choice[i + 1][0] == "name":
            cand = (best[i + 1], ("part", i + 1, None, None, False))
        if not c:
            for j in range(min(reach[i], i + limit), i, -1):
                # A conjunction may end a span only inside a Chinese name (埃及: 及).
                if (conj[j - 1] and not cjk) or folded[i] in _NEVER_FIRST or folded[j - 1] in _NEVER_LAST:
                    continue
                s, e = _trim_brackets(frag, toks[i][0], toks[j - 1][1])
                span = frag[s:e]
                if _unbalanced(span):
                    continue  # "países (Albania": a bracket opens between two names
                if cjk and not _plausible(span):
                    continue  # (other scripts: every word is a name word, reach says so)
                # Inside a fragment, no regular-expression hits: they would swallow prose
                # ("United Switzerland", "Zimbabwe and the State"); a whole fragment may.
                res = _resolve(span, regex=False)
                if not res:
                    continue
                if conj[j - 1] and res.method != "name":
                    continue
                score = (best[j][0] + (j - i), best[j][1] - 1)
                if score > cand[0]:
                    cand = (score, ("name", j, res.iso3, res.name, res.method == "iso_code"))
        best[i], choice[i] = cand
    items: list[tuple] = []
    i = 0
    while i < n:
        kind, j, iso3, name, code = choice[i]
        items.append((kind, i, j, iso3, name, code))
        i = j
    if not any(k == "name" for k, *_ in items):
        kind = "gap" if _name_like(frag) else "break"
        return ((kind, 0, len(frag), None, None, bool(conj[0]), False),)
    out: list[_Item] = []
    first_name = next(idx for idx, it in enumerate(items) if it[0] == "name")
    last_name = max(idx for idx, it in enumerate(items) if it[0] == "name")

    def after_conj(idx: int) -> bool:
        """Is item ``idx`` preceded by a conjunction (particles between do not count)?"""
        k = idx - 1
        while k >= 0 and items[k][0] == "part":
            k -= 1
        return k >= 0 and items[k][0] == "conj"

    idx = 0
    while idx < len(items):
        kind, i, j, iso3, name, code = items[idx]
        if kind == "name":
            s, e = _clean_span(frag, *_trim_brackets(frag, toks[i][0], toks[j - 1][1]))
            out.append(("name", s, e, iso3, name, after_conj(idx), code))
            idx += 1
            continue
        if kind in ("conj", "part"):
            idx += 1
            continue
        # a stretch of junk tokens
        k = idx
        while k < len(items) and items[k][0] == "junk":
            k += 1
        s, e = toks[items[idx][1]][0], toks[items[k - 1][2] - 1][1]
        piece = frag[s:e]
        # Inside a fragment, only a capitalised stretch between names may be a name
        # ("Croatia Xyzland Denmark"); Chinese has no capitals and writes lists with 、.
        # At the edges, a name-like stretch joined by a conjunction is a list item too
        # ("Karabagh and Australia", "Australia and Karabagh"); other stretches are prose.
        if _CJK_RE.search(piece) or not _name_like(piece):
            gap = False
        elif first_name < idx < last_name:
            gap = True
        elif idx < first_name:
            gap = k < len(items) and items[k][0] == "conj"
        else:
            gap = items[idx - 1][0] == "conj"
        out.append(("gap" if gap else "break", s, e, None, None, after_conj(idx), False))
        if k < len(items) and items[k][0] in ("name", "part") and \
                _TARGET.search(piece, max(0, len(piece) - _TARGET_CHARS)):
            # "Denounced China, ...": the state after the verb is the target; it starts no list.
            t = k
            while items[t][0] == "part":
                t += 1
            if items[t][0] == "name":
                ts, te = _clean_span(frag, toks[items[t][1]][0], toks[items[t][2] - 1][1])
                out.append(("break", ts, te, None, None, False, False))
                idx = t + 1
                continue
        idx = k
    return tuple(out)


def _elements(text: str, progress: Callable[[int, int], None] | None = None) -> list[_Element]:
    """The elements of ``text`` in order (a break right after a break is left out: prose
    between lists becomes one break, which is all :func:`_runs` needs of it)."""
    out: list[_Element] = []
    pos = 0
    total = len(text)
    next_report = PROGRESS_STEP

    def fragment(start: int, end: int) -> None:
        items = _raw_fragment_items(text[start:end])
        if len(items) == 1 and items[0][0] == "break" and out and out[-1].kind == "break":
            return
        out.extend(_Element(kind, start + s, start + e, text[start + s:start + e], iso3, name, conj, code)
                   for kind, s, e, iso3, name, conj, code in items)

    for m in _SEPARATORS.finditer(text):
        fragment(pos, m.start())
        kind = m.lastgroup
        if kind == "ellipsis":
            out.append(_Element("ellipsis", m.start(), m.end(), m.group(0)))
        elif ((kind == "sentence" or kind == "colon" and not (out and out[-1].kind == "connector"))
              and not (out and out[-1].kind == "break")):
            out.append(_Element("break", m.start(), m.end()))
        pos = m.end()
        if progress is not None and pos >= next_report:
            progress(pos, total)
            next_report = pos + PROGRESS_STEP
    fragment(pos, len(text))
    return out



# --- runs -------------------------------------------------------------------------------


def _runs(elements: list[_Element]) -> list[CandidateList]:
    """Maximal runs of names (see the module docstring), in text order."""
    runs: list[CandidateList] = []
    cur: CandidateList | None = None
    seen: set[str] = set()
    pending: list[_Element] = []      # gaps after the last name of the current run
    leading: list[_Element] = []      # gaps just before a run starts
    own_next = False
    ellipsis_after_last = False       # an ellipsis since the last name
    last_after_conj = False           # the last name came after "and" (the list's natural end)

    def close(at_end: bool) -> None:
        nonlocal cur, pending, seen, ellipsis_after_last
        if cur is not None:
            # "..., Australia and Karabagh": the gap after the closing "and" is a list item.
            last_item = max((i for i, g in enumerate(pending) if g.after_conj), default=-1)
            cur.unresolved.extend(Fragment(g.text, g.start, g.end) for g in pending[:last_item + 1])
            pending = pending[last_item + 1:]
            cur.edges.extend(Fragment(g.text, g.start, g.end) for g in pending)
            if at_end and pending:
                cur.truncated = True  # a partial word ends the text: "Venezu"
            if ellipsis_after_last and not last_after_conj:
                cur.truncated = True  # "Sweden, ..." -- the list goes on beyond the excerpt
            cur.at_end = at_end and not ellipsis_after_last
            runs.append(cur)
        cur, pending, seen, ellipsis_after_last = None, [], set(), False

    for el in elements:
        kind = el.kind
        if kind == "name":
            if cur is None:
                cur = CandidateList(start=el.start)
                if leading:
                    cur.edges.extend(Fragment(g.text, g.start, g.end) for g in leading)
                    leading = []
            else:
                if pending:
                    cur.unresolved.extend(Fragment(g.text, g.start, g.end) for g in pending)
                    pending = []
                if ellipsis_after_last:
                    cur.elided = True
                    ellipsis_after_last = False
            if el.iso3 in seen:
                if el.iso3 not in cur.duplicates:
                    cur.duplicates.append(el.iso3)
                cur.duplicate_fragments.append(Fragment(el.text, el.start, el.end))
            else:
                assert el.iso3 is not None and el.name is not None  # a name element is resolved
                seen.add(el.iso3)
                cur.signatories.append(Signatory(el.text, el.iso3, el.name, el.start, el.end, own_next))
            cur.end = el.end
            own_next = False
            last_after_conj = el.after_conj
        elif kind == "break":
            if cur is not None:
                close(False)
            leading, own_next = [], False
        elif kind == "gap":
            if cur is None:
                leading = (leading + [el])[-MAX_GAP:]
            else:
                pending.append(el)
                if len(pending) > MAX_GAP:
                    close(False)
        elif kind == "ellipsis":
            if cur is not None:
                ellipsis_after_last = True
        elif kind == "own":
            own_next = True
        # "connector" ("and the following 50 countries") neither adds nor closes
    close(True)
    return runs


def _mixed_codes(elements: list[_Element], runs: list[CandidateList]) -> list[_Element]:
    """Names written as ISO codes inside a run that also holds names written out.

    ISO codes count in running text only when the whole list is made of codes ("NOR, ISL,
    FRA"); in "Albania, NO, IS and FR" or upper-case prose ("IT IS ...") they are words.
    """
    named = [e for e in elements if e.kind == "name"]
    starts = [e.start for e in named]
    out: list[_Element] = []
    for run in runs:
        inside = named[bisect_left(starts, run.start):bisect_left(starts, run.end)]
        codes = [e for e in inside if e.code]
        if codes and len(codes) < len(inside):
            out.extend(codes)
    return out


def _find_lists(text: str, progress: Progress | None = None) -> list[CandidateList]:
    """Candidate lists of ``text``: runs of 2+ states, or the one name that is the whole text."""
    elements = _elements(text, progress)
    runs = _runs(elements)
    if any(e.code for e in elements):
        demoted = _mixed_codes(elements, runs)
        for e in demoted:
            e.kind, e.iso3, e.name, e.code = "gap", None, None, False
        if demoted:
            runs = _runs(elements)
    lists = [r for r in runs if r.size >= 2]
    if not lists and len(runs) == 1 and not any(e.kind in ("break", "gap") for e in elements):
        lists = runs
    return lists


def _pick(lists: list[CandidateList]) -> CandidateList | None:
    if not lists:
        return None
    return max(lists, key=lambda lst: (lst.size, not lst.truncated, -len(lst.unresolved), -lst.start))


# --- text preparation --------------------------------------------------------------------

_NEEDS_CLEANING = re.compile(f"[{names.INVISIBLE}{names.NO_BREAK_SPACES}]")
_NBSP_CHAIN = re.compile(rf"[^\W\d_]+(?:[{names.NO_BREAK_SPACES}][^\W\d_]+)+")


def _joins(left: str, right: str) -> bool:
    """Is a no-break space between ``left`` and ``right`` a stray one inside a word ("Nor|way")?"""
    words = names.vocabulary()
    joined = names.normalise(left + right)
    return joined in words and not (names.normalise(left) in words and names.normalise(right) in words)


@dataclass(slots=True)
class _OffsetMap:
    """Offsets of a prepared text back to the text as given, chunk by chunk.

    A chunk that needed no change is a plain shift; only changed chunks keep one offset
    per character, so a 50 MB text with one soft hyphen costs one chunk's worth of lists.
    """

    length: int                                                     # of the text as given
    clean_length: int = 0                                           # of the prepared text
    clean_starts: list[int] = field(default_factory=list)           # chunk starts in the prepared text
    # per chunk: (start in the text as given, starts and ends of its characters there, or None)
    chunks: list[tuple[int, list[int] | None, list[int] | None]] = field(default_factory=list)

    def _locate(self, i: int) -> tuple[int, int]:
        k = max(0, bisect_right(self.clean_starts, i) - 1)
        return k, i - self.clean_starts[k]

    def start(self, i: int) -> int:
        """Where the prepared text's character ``i`` starts in the text as given."""
        k, r = self._locate(i)
        base, starts, _ends = self.chunks[k]
        return base + (r if starts is None else starts[r])

    def end(self, i: int) -> int:
        """Where the prepared text's character ``i`` ends in the text as given."""
        k, r = self._locate(i)
        base, _starts, ends = self.chunks[k]
        return base + r + 1 if ends is None else base + ends[r]

    def span(self, s: int, e: int) -> tuple[int, int]:
        if e > s:
            return self.start(s), self.end(e - 1)
        at = self.start(s) if s < self.clean_length else self.length
        return at, at


_CHUNK = 1 << 16  # characters a chunk holds at least (cut after a new line)


def _prepare(text: str) -> tuple[str, _OffsetMap | None]:
    """(the text to parse, offset map): NFC, invisible characters dropped, a stray no-break
    space inside a word dropped ("Nor\\u00a0way"; one between words stays a space).

    The map (None when nothing changed) turns offsets in the prepared text into offsets in
    ``text``, so offsets reported are offsets in the text as given.
    """
    if unicodedata.is_normalized("NFC", text) and not _NEEDS_CLEANING.search(text):
        return text, None
    omap = _OffsetMap(length=len(text))
    pieces: list[str] = []
    clean_len = 0
    pos = 0
    while pos < len(text):
        cut = text.find("\n", pos + _CHUNK)
        cut = len(text) if cut < 0 else cut + 1
        chunk = text[pos:cut]
        if unicodedata.is_normalized("NFC", chunk) and not _NEEDS_CLEANING.search(chunk):
            clean, starts, ends = chunk, None, None
        else:
            clean, starts, ends = _prepare_chunk(chunk)
        omap.clean_starts.append(clean_len)
        omap.chunks.append((pos, starts, ends))
        pieces.append(clean)
        clean_len += len(clean)
        pos = cut
    omap.clean_length = clean_len
    return "".join(pieces), omap


def _prepare_chunk(text: str) -> tuple[str, list[int], list[int]]:
    """:func:`_prepare` of one chunk, with the span in ``text`` of each character kept."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    invisible = set(names.INVISIBLE)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in invisible):
            j += 1
        cluster = "".join(ch for ch in text[i:j] if ch not in invisible)
        for ch in unicodedata.normalize("NFC", cluster):
            chars.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    clean = "".join(chars)
    drop: set[int] = set()
    for m in _NBSP_CHAIN.finditer(clean):
        parts = re.split(f"([{names.NO_BREAK_SPACES}])", m.group(0))
        at = m.start()
        for k in range(0, len(parts) - 2, 2):
            at += len(parts[k])
            if _joins(parts[k], parts[k + 2]):
                drop.add(at)
            at += 1
    if drop:
        keep = [k for k in range(len(chars)) if k not in drop]
        clean = "".join(chars[k] for k in keep)
        starts, ends = [starts[k] for k in keep], [ends[k] for k in keep]
    return clean, starts, ends


def _remap(result: ParseResult, text: str, omap: _OffsetMap) -> None:
    """Turn the offsets of a parse of ``_prepare(text)`` into offsets (and texts) of ``text``."""
    span = omap.span

    for lst in result.lists:
        def fragment(f: Fragment) -> Fragment:
            a, b = span(f.start, f.end)
            return Fragment(text[a:b], a, b)

        lst.signatories = [replace(s, text=text[a:b], start=a, end=b)
                           for s in lst.signatories for a, b in [span(s.start, s.end)]]
        lst.unresolved = [fragment(f) for f in lst.unresolved]
        lst.edges = [fragment(f) for f in lst.edges]
        lst.duplicate_fragments = [fragment(f) for f in lst.duplicate_fragments]
        lst.start, lst.end = span(lst.start, lst.end)
    result.counts = [replace(c, text=text[a:b], start=a, end=b)
                     for c in result.counts for a, b in [span(c.start, c.end)]]


def _claimed(mentions: list[_counts.CountMention], primary: CandidateList | None, text: str) -> int | None:
    """The claimed count of ``primary``: a count that introduces it ("another 13 countries
    (Albania, ...)", "on behalf of 4 countries: ..."), else the first claim of the text."""
    if primary is not None:
        for c in mentions:
            if c.exact and c.end <= primary.start and _counts.INTRODUCES_LIST.fullmatch(text, c.end, primary.start):
                return c.total
    return next((c.total for c in mentions if c.claim), None)


def parse_signatories(text: str, *, progress: Progress | None = None) -> ParseResult:
    """Parse the signatory list of one text; never raises (non-text input gives an empty result).

    Returns a :class:`ParseResult`: ``claimed_count`` (the count that introduces
    the primary list, else the first count stated in a signatory context, or
    None), the primary list's ``signatories`` (distinct states in order),
    ``unresolved`` fragments inside it, ``duplicates``, ``count_matches``,
    ``complete``, and every candidate list in ``lists``. Offsets are offsets in
    ``text`` (invisible characters and NFC normalisation included).

    ``progress(done, total)``, if given, is called as characters are parsed
    (about every 64K) and once at the end with ``done == total == len(text)``.
    """
    if not isinstance(text, str):
        text = ""
    clean, omap = _prepare(text)
    report = None
    if progress is not None:
        report = progress if omap is None else (lambda done, _total: progress(omap.span(done, done)[0], len(text)))
    lists = _find_lists(clean, report)
    mentions = _counts.find_counts(clean)
    primary = _pick(lists)
    result = ParseResult(claimed_count=_claimed(mentions, primary, clean), primary=primary,
                         lists=lists, counts=mentions)
    if omap is not None:
        _remap(result, text, omap)
    if progress is not None:
        progress(len(text), len(text))
    return result


# --- input checks ---------------------------------------------------------------------------

BINARY_SHARE = 0.10  # control or replacement characters in a text beyond this share: not text
_SAMPLE = 1 << 16


def check_text(text: str, where: str) -> None:
    """Refuse input that is clearly not text; raises :class:`blocwatch.errors.InvalidInput`.

    Clearly binary: a NUL character anywhere, or more than :data:`BINARY_SHARE`
    of the first 64K characters (and at least 4) being control characters
    other than tab, newline, carriage return and form feed, U+FFFD
    replacement characters or undecodable bytes (lone surrogates). The
    message is one line naming ``where`` (a file name, or "standard input").
    """
    if not isinstance(text, str):
        raise InvalidInput(f"{where}: not text")
    if "\x00" in text:
        raise InvalidInput(f"{where}: binary data (NUL bytes), not text; give a UTF-8 text file")
    sample = text[:_SAMPLE]
    bad = sum(1 for ch in sample
              if (ch < " " and ch not in "\t\n\r\f") or ch == "\x7f" or ch == "\ufffd"
              or "\ud800" <= ch <= "\udfff")
    if bad >= 4 and bad > BINARY_SHARE * len(sample):
        raise InvalidInput(f"{where}: binary data ({bad / len(sample):.0%} control or undecodable "
                           "characters), not text; give a UTF-8 text file")


# --- raw evidence documents ------------------------------------------------------------------

_URL_LINE = re.compile(r"^\s*(?P<url>https?://\S+)(?P<label>.*)$")
_URL_LINE_ANYWHERE = re.compile(r"^[^\S\n]*https?://\S", re.MULTILINE)
_TRAILING_NOTE = re.compile(r"\s*\[(?P<note>[^\[\]]{4,})\]\s*$")
_CUT_NOTE = re.compile(r"\b(?:cut|truncated|ends here|could not be retrieved|not retrieved)\b", re.I)


@dataclass(slots=True)
class SourceBlock:
    """One quoted source of a raw evidence file.

    ``kind`` is ``header`` (the ``#`` lines before the first URL), ``source``
    (the quoted text under a URL line) or ``translation`` (a ``[translation:
    ...]`` note under a URL, parsed as its own block). ``notes`` holds the
    editor's bracketed and ``#`` notes, which are not parsed; ``cut`` is True
    when a note says the excerpt was cut.
    """

    url: str | None
    label: str
    kind: str
    text: str
    line: int
    notes: list[str] = field(default_factory=list)
    cut: bool = False

    def to_dict(self) -> dict:
        return {"url": self.url, "label": self.label, "kind": self.kind, "line": self.line,
                "notes": self.notes, "cut": self.cut}


def looks_like_document(text: str) -> bool:
    """True when ``text`` has URL lines heading quoted sources (the raw evidence format)."""
    return isinstance(text, str) and _URL_LINE_ANYWHERE.search(text) is not None


def split_document(text: str) -> list[SourceBlock]:
    """Split a raw evidence file into its header and source blocks (with translations apart)."""
    blocks: list[SourceBlock] = []
    header_lines: list[str] = []
    current: SourceBlock | None = None
    body: list[str] = []

    def flush() -> None:
        if current is not None:
            current.text = "\n".join(body).strip()
            blocks.append(current)

    for number, line in enumerate(text.splitlines(), 1):
        m = _URL_LINE.match(line)
        if m:
            flush()
            current = SourceBlock(m.group("url"), m.group("label").strip(), "source", "", number)
            body = []
            continue
        stripped = line.strip()
        if current is None:
            if stripped.startswith("#"):
                header_lines.append(stripped.lstrip("#").strip())
            continue
        if stripped.startswith("#"):
            current.notes.append(stripped.lstrip("#").strip())
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            note = stripped[1:-1].strip()
            if note.casefold().startswith("translation"):
                blocks.append(SourceBlock(current.url, current.label, "translation",
                                          note.split(":", 1)[-1].strip(), number))
            else:
                current.notes.append(note)
                current.cut |= bool(_CUT_NOTE.search(note))
            continue
        trailing = _TRAILING_NOTE.search(line)
        if trailing:
            current.notes.append(trailing.group("note").strip())
            current.cut |= bool(_CUT_NOTE.search(trailing.group("note")))
            line = line[:trailing.start()]
        body.append(line)
    flush()
    if header_lines:
        blocks.insert(0, SourceBlock(None, "header", "header", "\n".join(header_lines), 1))
    # translations were appended before their source block was flushed: restore file order
    blocks.sort(key=lambda b: b.line)
    return blocks


@dataclass(slots=True)
class DocumentResult(ParseResult):
    """A raw evidence file parsed: the primary answer plus every block's own result.

    The primary list is the largest list in any block (ties: a list not cut,
    a quoted source before a translation before the header, fewer unresolved
    fragments, earlier in the file). ``claimed_count`` is, in this order:
    the count the primary list's own block states; a count stated anywhere in
    the file that equals the primary list's size (lists of 5 or more); the
    header's count; the count stated most often. ``count_source`` names the
    block it came from; ``source_url`` the block of the primary list.
    """

    blocks: list[tuple[SourceBlock, ParseResult]] = field(default_factory=list)
    source: SourceBlock | None = None

    def to_dict(self) -> dict:
        out = ParseResult.to_dict(self)
        out["source_url"] = self.source.url if self.source else None
        out["lists"] = [
            {**lst.to_dict(), "source_url": block.url, "source_kind": block.kind,
             "block_claimed_count": res.claimed_count}
            for block, res in self.blocks for lst in res.lists
        ]
        out["counts"] = [
            {**c.to_dict(), "source_url": block.url, "source_kind": block.kind}
            for block, res in self.blocks for c in res.counts
        ]
        out["blocks"] = [{**block.to_dict(), "claimed_count": res.claimed_count,
                          "lists": [lst.size for lst in res.lists]} for block, res in self.blocks]
        return out


_KIND_RANK = {"source": 2, "translation": 1, "header": 0}


def parse_document(text: str, *, progress: Progress | None = None) -> DocumentResult:
    """Parse a raw evidence file: each block on its own, then the primary answer (see :class:`DocumentResult`).

    ``progress(done, total)`` as for :func:`parse_signatories` (``total`` is ``len(text)``).
    """
    if not isinstance(text, str):
        text = ""
    blocks = split_document(text)
    parsed: list[tuple[SourceBlock, ParseResult]] = []
    scale = len(text) / max(1, sum(len(b.text) for b in blocks))
    done = 0
    for block in blocks:
        report = None
        if progress is not None:
            def report(d: int, _t: int, base: int = done) -> None:
                progress(min(len(text), int((base + d) * scale)), len(text))
        res = parse_signatories(block.text, progress=report)
        done += len(block.text)
        if block.cut:
            for lst in res.lists:
                if lst.at_end:
                    lst.truncated = True
        parsed.append((block, res))
    best: tuple | None = None
    for index, (block, res) in enumerate(parsed):
        for lst in res.lists:
            key = (lst.size, not lst.truncated, _KIND_RANK[block.kind], -len(lst.unresolved), -index)
            if best is None or key > best[0]:
                best = (key, block, res, lst)
    all_counts = [(block, c) for block, res in parsed for c in res.counts if c.claim]
    claimed, count_source = None, None
    if best is not None:
        _, block, res, lst = best
        if res.claimed_count is not None:
            claimed, count_source = res.claimed_count, block.url or "header"
        elif lst.size >= 5:
            hit = next(((b, c) for b, c in all_counts if c.total == lst.size), None)
            if hit:
                claimed, count_source = hit[1].total, hit[0].url or "header"
    if claimed is None:
        header = next((res for b, res in parsed if b.kind == "header" and res.claimed_count), None)
        if header is not None:
            claimed, count_source = header.claimed_count, "header"
    if claimed is None and all_counts:
        tally = Counter(c.total for _, c in all_counts)
        top = max(tally.values())
        block, mention = next((b, c) for b, c in all_counts if tally[c.total] == top)
        claimed, count_source = mention.total, block.url or "header"
    if progress is not None:
        progress(len(text), len(text))
    return DocumentResult(
        claimed_count=claimed,
        primary=best[3] if best else None,
        lists=[lst for _, res in parsed for lst in res.lists],
        counts=[c for _, res in parsed for c in res.counts],
        count_source=count_source,
        blocks=parsed,
        source=best[1] if best else None,
    )


def parse_any(text: str, *, progress: Progress | None = None) -> ParseResult:
    """:func:`parse_document` for a raw evidence file (URL lines), else :func:`parse_signatories`."""
    if looks_like_document(text):
        return parse_document(text, progress=progress)
    return parse_signatories(text, progress=progress)
