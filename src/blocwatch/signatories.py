"""Signatory lists: which states does a statement, press release or news item name?

:func:`parse_signatories` reads one text; :func:`parse_document` reads a raw
evidence file (``statements/raw/*.txt``: several quoted sources, each under
its URL line) and picks a primary answer.

How a list is found in prose
----------------------------
1. The text is cut into *fragments* at list punctuation (``,`` ``;`` ``、``
   ``،`` ``，``), newlines, bullets, spaced dashes, colons, sentence ends and
   ellipses.
2. Each fragment is resolved whole through :func:`blocwatch.names.try_resolve`
   (never a fuzzy nearest hit). If it does not resolve, it is segmented into
   words (characters for Chinese) and covered by the segmentation that
   resolves the most words: names, conjunctions between them
   ("and", "et", "y", "и", "و", "和", "以及", "as well as", "and of course"),
   and unresolved words. This reads "Croatia Czech Republic" as two states,
   keeps "Bosnia and Herzegovina" whole, and trims prose at either end
   ("signed by 39 countries including Albania" -> Albania; "the State of
   Palestine to the United Nations Office at Geneva" -> State of Palestine).
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
   speaker (``own_country``); "and the following 50 countries:" after it
   does not close the list, so "on behalf of my country, Canada, and the
   following 50 countries: Albania, ..." is one list of 51.
5. The *primary* list of a text is the one naming the most distinct states
   (ties: fewer unresolved fragments, then the earlier one); every list is
   in ``lists``. A run of a single name is a list only when the whole text
   is that name.

Counts: ``claimed_count`` is the first exact total stated in the text
(:mod:`blocwatch.counts`: "38 countries joined Germany" is 39; approximate
and "N other" phrases are never a claimed count). ``count_matches`` compares
it with the number of *distinct* states in the primary list. ``complete`` is
True when the count matches and the list has no unresolved fragment, no
elision and no cut; False when a count is stated and not met, or the list is
cut or elided, or no list was found although a count was stated; None when
the text states no count and nothing shows the list is partial.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from blocwatch import counts as _counts
from blocwatch import names, registry

MAX_NAME_WORDS = 10   # "the United Kingdom of Great Britain and Northern Ireland" has 9
MAX_NAME_CHARS_CJK = 16
MAX_GAP = 2           # unresolved name-like fragments in a row that a list may hold
MAX_GAP_WORDS = 4

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")

_SEPARATORS = re.compile(
    r"(?P<ellipsis>\s*(?:\.{3,}|…)\s*)"
    r"|(?P<colon>\s*[:：]\s*)"
    r"|(?P<sentence>(?<=[^\W\d_]{4})[.!?][\"”»]?(?=\s|$)\s*|\s*[。！？]\s*)"
    r"|(?P<list>\s*[,;，；、،؛]\s*|\s*\n\s*|\s*[•▪●◦‣∙]\s*|\s+[–—-]\s+)"
)
_QUOTES = "\"'“”„«»‘’`()[]{}*•·-–— \t"
_OWN_COUNTRY = re.compile(
    r"(?:^|\s)(?:(?:and|et|y|и)\s+)?(?:of\s+course\s+)?"
    r"(?:(?:on\s+behalf\s+of|au\s+nom\s+de|en\s+nombre\s+de|от\s+имени)\s+)?"
    r"(?:my|our|mon|ma|notre|mi|nuestro|nuestra|моей|моя|мою|нашей|наша)\s+"
    r"(?:own\s+|propre\s+|propio\s+|propia\s+|собственной\s+)?"
    r"(?:country|nation|delegation|government|pays|délégation|gouvernement|país|delegación|"
    r"gobierno|страны|страна|страну|делегации|делегация)$",
    re.IGNORECASE,
)
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
    raw = re.sub(r"[.\s]", "", text)
    if raw.isascii() and raw.isupper() and 2 <= len(raw) <= 3:
        return True  # an ISO code
    key = names.normalise(text)
    if not key:
        return False
    if _CJK_RE.search(key):
        return key in cjk or names._ZH_FORMS.sub("", key) in cjk
    return all(w in words for w in re.findall(r"\w+", key))


@cache
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
    return all(w in words for w in re.findall(r"\w+", names.normalise(word)))


def _resolve(text: str) -> names.Resolution | None:
    """The resolution of ``text`` when it names exactly one current state, else None."""
    text = text.strip()
    if not text or re.search(r"['’]s$", text):
        return None  # possessive ("China's"): prose, not a list item
    try:
        res = names.try_resolve(text)
    except Exception:  # noqa: BLE001 -- the parser never raises on odd text
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


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _QUOTES:
        start += 1
    while end > start and text[end - 1] in _QUOTES + ".":
        if text[end - 1] in ")]" and ("(" if text[end - 1] == ")" else "[") in text[start:end - 1]:
            break  # "Bolivia (Plurinational State of)", "Congo (Brazzaville)"
        if text[end - 1] == "." and end - start >= 2 and text[end - 2].isupper() and \
                (end - start == 2 or not text[end - 3].isalpha() or text[end - 3] == "."):
            break  # keep the dot of "U.K." / "U.S." (the resolver folds it)
        end -= 1
    return start, end


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word tokens (Chinese: single characters; Arabic "و" prefix split off) as offsets."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(rf"[{_CJK}]|[^\s{_CJK}]+", text[start:end]):
        s, e = m.start() + start, m.end() + start
        word = text[s:e]
        if len(word) > 3 and word[0] == "و" and "\u0621" <= word[1] <= "\u064a":
            out.append((s, s + 1))
            out.append((s + 1, e))
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
    if not text or re.search(r"\d", text):
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


def _analyse_fragment(text: str, start: int, end: int) -> list[_Element]:
    """The elements of one fragment: names, gaps, breaks, own-country and connector marks."""
    start, end = _clean_span(text, start, end)
    if start >= end:
        return []
    frag = text[start:end]
    if re.fullmatch(r"[.…\s]+", frag):
        return [_Element("ellipsis", start, end, frag)]
    if _OWN_COUNTRY.search(frag):
        m = _OWN_COUNTRY.search(frag)
        before = frag[:m.start()].strip()
        return ([_Element("break", start, start + m.start())] if before else []) + \
            [_Element("own", start + m.start(), end, frag[m.start():])]
    if _CONNECTOR.match(frag):
        return [_Element("connector", start, end, frag)]
    toks = _tokens(text, start, end)
    cjk = bool(_CJK_RE.search(frag))
    limit = MAX_NAME_CHARS_CJK if cjk else MAX_NAME_WORDS
    words = [text[s:e] for s, e in toks]
    folded = [w.casefold().strip(".,") for w in words]
    conj = _conjunction_lengths(words)
    if len(toks) <= limit and _plausible(frag):
        res = _resolve(frag)
        # A regular-expression hit across a conjunction ("U.K. and Türkiye") is two names.
        if res and not (res.method == "country_converter" and any(conj[1:len(toks)])):
            return [_Element("name", start, end, frag, res.iso3, res.name)]
    n = len(toks)
    # reach[i]: spans starting at i may end at most here (every word a known name word).
    ok = [_word_plausible(w) for w in words]
    reach = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        reach[i] = i if not ok[i] else reach[i + 1]
    # best[i] = (covered tokens, -names) for toks[i:]; choice[i] = (kind, j, iso3, name)
    best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    choice: list[tuple] = [None] * (n + 1)  # type: ignore[list-item]
    for i in range(n - 1, -1, -1):
        cand = (best[i + 1], ("junk", i + 1, None, None))
        c = conj[i]
        if c and (best[i + c], ("conj", i + c, None, None))[0] >= cand[0]:
            cand = (best[i + c], ("conj", i + c, None, None))
        if not c:
            for j in range(min(reach[i], i + limit), i, -1):
                if conj[j - 1] or folded[i] in _NEVER_FIRST or folded[j - 1] in _NEVER_LAST:
                    continue
                span = text[toks[i][0]:toks[j - 1][1]]
                if not _plausible(span):
                    continue
                res = _resolve(span)
                if not res:
                    continue
                if res.method == "country_converter" and any(conj[i:j]):
                    # A regular-expression hit on "Zimbabwe and the State" is the first name
                    # and prose, not one name: across a conjunction only exact names count.
                    continue
                score = (best[j][0] + (j - i), best[j][1] - 1)
                if score > cand[0]:
                    cand = (score, ("name", j, res.iso3, res.name))
        best[i], choice[i] = cand
    items: list[tuple[str, int, int, str | None, str | None]] = []
    i = 0
    while i < n:
        kind, j, iso3, name = choice[i]
        items.append((kind, i, j, iso3, name))
        i = j
    if not any(k == "name" for k, *_ in items):
        return [_Element("gap" if _name_like(frag) else "break", start, end, frag,
                         after_conj=bool(conj[0]))]
    out: list[_Element] = []
    first_name = next(idx for idx, it in enumerate(items) if it[0] == "name")
    last_name = max(idx for idx, it in enumerate(items) if it[0] == "name")
    idx = 0
    while idx < len(items):
        kind, i, j, iso3, name = items[idx]
        if kind == "name":
            s, e = toks[i][0], toks[j - 1][1]
            s, e = _clean_span(text, s, e)
            out.append(_Element("name", s, e, text[s:e], iso3, name,
                                after_conj=idx > 0 and items[idx - 1][0] == "conj"))
            idx += 1
            continue
        if kind == "conj":
            idx += 1
            continue
        # a stretch of junk tokens
        k = idx
        while k < len(items) and items[k][0] == "junk":
            k += 1
        s, e = toks[items[idx][1]][0], toks[items[k - 1][2] - 1][1]
        piece = text[s:e]
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
        out.append(_Element("gap" if gap else "break", s, e, piece,
                            after_conj=idx > 0 and items[idx - 1][0] == "conj"))
        idx = k
    return out


def _elements(text: str) -> list[_Element]:
    out: list[_Element] = []
    pos = 0
    for m in _SEPARATORS.finditer(text):
        out.extend(_analyse_fragment(text, pos, m.start()))
        kind = m.lastgroup
        if kind == "ellipsis":
            out.append(_Element("ellipsis", m.start(), m.end(), m.group(0)))
        elif kind == "sentence":
            out.append(_Element("break", m.start(), m.end()))
        elif kind == "colon":
            if not (out and out[-1].kind == "connector"):
                out.append(_Element("break", m.start(), m.end()))
        pos = m.end()
    out.extend(_analyse_fragment(text, pos, len(text)))
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
        if el.kind == "name":
            if cur is None:
                cur = CandidateList(start=el.start)
                cur.edges.extend(Fragment(g.text, g.start, g.end) for g in leading)
            else:
                cur.unresolved.extend(Fragment(g.text, g.start, g.end) for g in pending)
                if ellipsis_after_last:
                    cur.elided = True
            pending, leading, ellipsis_after_last = [], [], False
            if el.iso3 in seen:
                if el.iso3 not in cur.duplicates:
                    cur.duplicates.append(el.iso3)
                cur.duplicate_fragments.append(Fragment(el.text, el.start, el.end))
            else:
                seen.add(el.iso3)
                cur.signatories.append(Signatory(el.text, el.iso3, el.name, el.start, el.end, own_next))
            cur.end = el.end
            own_next = False
            last_after_conj = el.after_conj
        elif el.kind == "gap":
            if cur is None:
                leading = (leading + [el])[-MAX_GAP:]
            else:
                pending.append(el)
                if len(pending) > MAX_GAP:
                    close(False)
        elif el.kind == "ellipsis":
            if cur is not None:
                ellipsis_after_last = True
        elif el.kind == "own":
            own_next = True
        elif el.kind == "break":
            close(False)
            leading, own_next = [], False
        # "connector" ("and the following 50 countries") neither adds nor closes
    close(True)
    return runs


def _find_lists(text: str) -> list[CandidateList]:
    """Candidate lists of ``text``: runs of 2+ states, or the one name that is the whole text."""
    elements = _elements(text)
    runs = _runs(elements)
    lists = [r for r in runs if r.size >= 2]
    if not lists and len(runs) == 1 and not any(e.kind in ("break", "gap") for e in elements):
        lists = runs
    return lists


def _pick(lists: list[CandidateList]) -> CandidateList | None:
    if not lists:
        return None
    return max(lists, key=lambda lst: (lst.size, not lst.truncated, -len(lst.unresolved), -lst.start))


def parse_signatories(text: str) -> ParseResult:
    """Parse the signatory list of one text; never raises (non-text input gives an empty result).

    Returns a :class:`ParseResult`: ``claimed_count`` (first exact count stated,
    or None), the primary list's ``signatories`` (distinct states in order),
    ``unresolved`` fragments inside it, ``duplicates``, ``count_matches``,
    ``complete``, and every candidate list in ``lists``.
    """
    if not isinstance(text, str):
        text = ""
    text = unicodedata.normalize("NFC", text)
    lists = _find_lists(text)
    mentions = _counts.find_counts(text)
    claimed = next((c.total for c in mentions if c.exact), None)
    return ParseResult(claimed_count=claimed, primary=_pick(lists), lists=lists, counts=mentions)


# --- raw evidence documents ------------------------------------------------------------------

_URL_LINE = re.compile(r"^\s*(?P<url>https?://\S+)(?P<label>.*)$")
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
    return isinstance(text, str) and any(_URL_LINE.match(line) for line in text.splitlines())


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


def parse_document(text: str) -> DocumentResult:
    """Parse a raw evidence file: each block on its own, then the primary answer (see :class:`DocumentResult`)."""
    if not isinstance(text, str):
        text = ""
    blocks = split_document(text)
    parsed: list[tuple[SourceBlock, ParseResult]] = []
    for block in blocks:
        res = parse_signatories(block.text)
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
    all_counts = [(block, c) for block, res in parsed for c in res.counts if c.exact]
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
    return DocumentResult(
        claimed_count=claimed,
        primary=best[3] if best else None,
        lists=[lst for _, res in parsed for lst in res.lists],
        counts=[c for _, res in parsed for c in res.counts],
        count_source=count_source,
        blocks=parsed,
        source=best[1] if best else None,
    )


def parse_any(text: str) -> ParseResult:
    """:func:`parse_document` for a raw evidence file (URL lines), else :func:`parse_signatories`."""
    return parse_document(text) if looks_like_document(text) else parse_signatories(text)
