"""Claimed counts: "on behalf of 43 countries", "au nom de 44 pays", "forty-three".

:func:`find_counts` finds every statement of how many states stand behind a
text, in the six UN languages: numbers in any script's digits (43, ٤٣) or
in words (forty-three, quarante-trois, cuarenta y tres, сорок три,
ثلاث وأربعون, 四十三), followed by a noun for states (countries, nations,
States, member states, delegations, signatories, ambassadors; pays, États,
délégations; países, Estados; стран, государств; دولة, دول, بلدا; 个国家, 国).

Each :class:`CountMention` keeps the number as written (``number``) and the
number of states on the list it implies (``total``, speaker included):

- "on behalf of 43 countries", "the 39-strong group": ``total`` = number;
- "38 countries joined Germany", "the UK and 50 other countries",
  "my country, Canada, and the following 50 countries": ``total`` = number + 1
  (the named state is not among the number);
- "47 other nations", "the other 38 countries" (how many are named besides
  is not fixed by the phrase), "another 13 countries", "out of 54":
  ``total`` is None;
- "another 13 countries (Albania, ...)", "13 more countries: ...": the list that
  follows has ``total`` = number (kind ``additional_list``); it is that list's
  count, not a claim about the whole text;
- "more than 40", "nearly 70", "30多个国家": ``approximate`` is True and
  ``total`` is None -- an approximate figure is never a claimed count.

A plain count is a *claim* only in a signatory context: "on behalf of 43
countries", "signed by", "a group of", "joint statement by 22 states",
"43 countries signed / issued / co-signed / voiced ...", "the 39-strong
group", "43 signatories", "au nom de", "en nombre de", "от имени",
"نيابة عن", "代表" ... Elsewhere ("27 member states were consulted") it is
kind ``prose``: its number is kept but it claims nothing.

:func:`claimed_count` is the first claim in a text (:attr:`CountMention.claim`).
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

MAX_COUNT = 250  # more states than exist: a year or a document number, not a count

# --- number words -------------------------------------------------------------

_EN = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
_FR = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
}
_ES = {
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
    "quince": 15, "dieciséis": 16, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiún": 21, "veintiuna": 21,
    "veintidós": 22, "veintidos": 22, "veintitrés": 23, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
    "cien": 100, "ciento": 100,
}
_RU = {
    "один": 1, "одна": 1, "одного": 1, "одной": 1, "два": 2, "две": 2, "двух": 2,
    "три": 3, "трех": 3, "трёх": 3, "четыре": 4, "четырех": 4, "четырёх": 4,
    "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8,
    "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10,
    "одиннадцать": 11, "одиннадцати": 11, "двенадцать": 12, "двенадцати": 12,
    "тринадцать": 13, "тринадцати": 13, "четырнадцать": 14, "четырнадцати": 14,
    "пятнадцать": 15, "пятнадцати": 15, "шестнадцать": 16, "шестнадцати": 16,
    "семнадцать": 17, "семнадцати": 17, "восемнадцать": 18, "восемнадцати": 18,
    "девятнадцать": 19, "девятнадцати": 19, "двадцать": 20, "двадцати": 20,
    "тридцать": 30, "тридцати": 30, "сорок": 40, "сорока": 40, "пятьдесят": 50,
    "пятидесяти": 50, "шестьдесят": 60, "шестидесяти": 60, "семьдесят": 70,
    "семидесяти": 70, "восемьдесят": 80, "восьмидесяти": 80, "девяносто": 90,
    "девяноста": 90, "сто": 100, "ста": 100,
}
_AR = {
    "واحد": 1, "واحدة": 1, "أحد": 1, "إحدى": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2,
    "اثنتين": 2, "اثنا": 2, "اثنتا": 2, "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4,
    "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثمان": 8, "ثماني": 8,
    "ثمانية": 8, "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10, "عشرون": 20, "عشرين": 20,
    "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40, "خمسون": 50, "خمسين": 50,
    "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80,
    "تسعون": 90, "تسعين": 90, "مائة": 100, "مئة": 100,
}
_WORD_VALUES: dict[str, int] = {}
for _table in (_AR, _RU, _ES, _FR, _EN):
    _WORD_VALUES.update(_table)
# "once" (Spanish 11) and "cent" are English words too; they only count next to a count noun.

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMWORD = rf"(?:{_alternation(_WORD_VALUES)})"
_JOIN = r"(?:[-\s]+(?:(?:and|et|y)[-\s]+)?|\s*و\s*)"
_NUMBER = rf"(?:(?<!\d)\d+|(?<!\w){_NUMWORD}(?:{_JOIN}{_NUMWORD})*(?!\w))"
_ZH_NUMBER = r"(?:[零〇一二两兩三四五六七八九十百]+)"


def parse_number(text: str) -> int | None:
    """The integer a number written in digits (any script) or in words denotes, or None.

    Words in English, French, Spanish, Russian, Arabic and Chinese:
    "forty-three", "quarante-trois", "quatre-vingt-dix", "cuarenta y tres",
    "сорок три", "ثلاث وأربعون", "四十三" all give 43 / 90 / 43 / 43 / 43 / 43.
    """
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if re.fullmatch(_ZH_NUMBER, text):
        return _parse_zh(text)
    tokens = [t for t in re.split(r"[-\s]+|(?<=\s)و|^و", text.casefold()) if t]
    tokens = [t[1:] if t.startswith("و") and t[1:] in _WORD_VALUES else t for t in tokens]
    total = 0
    current = 0
    previous = None
    seen = False
    for token in tokens:
        if token in ("and", "et", "y", "و"):
            continue
        if token not in _WORD_VALUES:
            return None
        value = _WORD_VALUES[token]
        seen = True
        if token in ("hundred", "cent", "cents") and current:
            current *= 100
        elif token in ("vingt", "vingts") and previous == "quatre":
            current += 80 - 4  # quatre-vingt(s) = 80
        else:
            current += value
        previous = token
    total += current
    return total if seen else None


def _parse_zh(text: str) -> int | None:
    total = 0
    digit = None
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            return None
    if digit is not None:
        total += digit
    return total


# --- count phrases --------------------------------------------------------------

_NOUNS = (
    r"countries|nations|states|member[-\s]states|member\s+countries|delegations|"
    r"signatories|ambassadors|governments|"
    r"pays|[ée]tats|nations|d[ée]l[ée]gations|signataires|"
    r"pa[íi]ses|estados|naciones|delegaciones|"
    r"стран[аыу]?|странами|странах|государств[ао]?|государствами|делегаци[йия]|"
    r"دولة|دول|بلدا|بلدًا|بلدان|بلد"
)
# Words that may stand between the number and the noun ("50 other countries",
# "Fifty United Nations member countries", "6 Gulf states").
_BETWEEN = (
    r"(?:(?:other|more|additional|new|further|UN|U\.N\.|United\s+Nations|member|"
    r"European|African|Arab|Muslim|Islamic|Western|Gulf|Latin\s+American|Asian|Pacific|"
    r"like-minded|cross-regional|EU|OIC|autres|otros|otras|других|другие|أخرى|عربية)\s+){0,3}"
)
_APPROX_BEFORE = (
    r"(?:more\s+than|over|nearly|almost|about|around|some|at\s+least|up\s+to|roughly|"
    r"approximately|close\s+to|upwards\s+of|in\s+excess\s+of|fewer\s+than|less\s+than|under|"
    r"plus\s+de|pr[èe]s\s+de|environ|quelque|au\s+moins|moins\s+de|"
    r"m[áa]s\s+de|cerca\s+de|casi|unos|unas|alrededor\s+de|al\s+menos|menos\s+de|"
    r"более\s+чем|более|свыше|почти|около|порядка|примерно|менее|"
    r"أكثر\s+من|نحو|حوالي|حوالى|قرابة|ما\s+يقرب\s+من|أقل\s+من)"
)
_ADDITIONAL_BEFORE = (r"(?:another|an\s+additional|a\s+further|further|additional|the\s+other|other|"
                      r"otros|otras|ещё|еще)")
_OTHER_AFTER = r"(?:other|autres|otros|otras|других|другие|أخرى)"
# "3 دول أخرى", "3 pays supplémentaires": the word for "other" / "more" after the noun.
_OTHER_WORD = r"(?:أخرى|اخرى|supplémentaires|supplementaires|de\s+plus|más|mas|adicionales|more|additional)"
_OTHER_AFTER_NOUN = re.compile(rf"\s*{_OTHER_WORD}(?!\w)", re.IGNORECASE)
# The count introduces a list that follows: "another 13 countries (A, B, ...)", "13 more: A, B".
_LIST_FOLLOWS = re.compile(r"\s*[(:：（]")
#: What may stand between a count phrase and the list it introduces (the parser's test).
INTRODUCES_LIST = re.compile(rf"(?:\s*{_OTHER_WORD}(?!\w))?\s*[(:：（]\s*", re.IGNORECASE)

_PHRASE = re.compile(
    rf"(?P<approx>{_APPROX_BEFORE}\s+)?(?P<pre>{_ADDITIONAL_BEFORE}\s+)?"
    rf"(?P<num>{_NUMBER})(?P<strong>-(?:strong|nation|country|member|state)\b)?"
    rf"(?(strong)|\s+(?P<between>{_BETWEEN})(?P<noun>{_NOUNS})(?!\w))",
    re.IGNORECASE,
)
# Where a count phrase can end: its noun (the last word of _NOUNS' forms), or "-strong". The
# phrase itself is matched only at the word starts shortly before each: scanning the whole
# text with _PHRASE, which has long case-insensitive alternations, costs microseconds per
# character. Anchors are found in a lower-cased copy of the text (same length: "İ" is the one
# character whose lower case is longer) with plain alternations of literal words, one per
# script, run only when the text has that script.
def _literals(words: str) -> re.Pattern:
    alternation = "|".join(re.escape(w) for w in sorted(set(words.split()), key=len, reverse=True))
    return re.compile(rf"(?:{alternation})(?!\w)")


_ANCHORS = (
    (None, _literals("countries nations states delegations signatories ambassadors governments "
                     "pays états etats délégations délegations delégations signataires "
                     "países paises estados naciones delegaciones")),
    (None, re.compile(r"-(?:strong|nation|country|member|state)\b")),
    (re.compile(r"[\u0400-\u04ff]"), _literals(
        "страна страны страну стран странами странах государства государство государств "
        "государствами делегаций делегация делегации")),
    (re.compile(r"[\u0600-\u06ff]"), _literals("دولة دول بلدا بلدًا بلدان بلد")),
)


def _anchors(lower: str):
    """Every anchor of a count phrase in ``lower`` (the lower-cased text), in text order."""
    found = [p.finditer(lower) for script, p in _ANCHORS if script is None or script.search(lower)]
    return heapq.merge(*found, key=lambda m: m.start())


# First words of the approximate and "another" phrases before a number (see _APPROX_BEFORE,
# _ADDITIONAL_BEFORE): with the number words and digits, the only places a phrase can start.
_STARTERS = frozenset((
    "more", "over", "nearly", "almost", "about", "around", "some", "at", "up", "roughly",
    "approximately", "close", "upwards", "in", "fewer", "less", "under", "another", "an", "a",
    "further", "additional", "the", "other", "otros", "otras", "ещё", "еще", "plus", "près", "pres",
    "environ", "quelque", "au", "moins", "más", "mas", "cerca", "casi", "unos", "unas", "alrededor",
    "al", "menos", "более", "свыше", "почти", "около", "порядка", "примерно", "менее", "أكثر", "نحو",
    "حوالي", "حوالى", "قرابة", "ما", "أقل",
))
_ZH_ANCHOR = re.compile(r"成员国|成員國|国家|國家|国|國")
WINDOW = 120      # characters before a noun where its number and the words before it may start
_ZH_WINDOW = 16

# --- signatory context: a plain count claims a list only here ---------------------
_FILLER = (r"(?:(?:a|an|the|all|some|these|those|its|their|total|group|of|un|une|le|la|les|"
           r"des|de|d'|el|los|las|unos|unas|grupo|del|группы|группа|из|общей|сложности)\s+){0,4}")
_CONTEXT_BEFORE = re.compile(
    r"(?:^|[\s(\"“«])(?:"
    r"(?:on|in)\s+behalf\s+of|behalf\s+of|in\s+the\s+name\s+of|representing|for|by|with|from|"
    r"claim(?:ed|s|ing)?|count(?:ed|s)?|total(?:led|ed|s)?|signed|co-?signed|"
    r"(?:statement|letter|declaration|group|coalition|list|bloc|alliance|support|approval|"
    r"backing|signatures|names)\s+of|"
    r"au\s+nom\s+d[eu]s?|par|pour|avec|(?:d[ée]claration|lettre|groupe|coalition|liste|soutien)\s+d[eu]s?|"
    r"en\s+nombre\s+de|por|para|con|(?:declaraci[óo]n|carta|grupo|coalici[óo]n|lista|apoyo)\s+de|"
    r"от\s+имени|имени|заявлени[еия]|письм[оа]|групп[аыу]|коалици[яи]|поддержк[аиу]|"
    r"подписали|поддержали|присоединились|"
    r"نيابة\s+عن|بالنيابة\s+عن|باسم|عن|مع|وقعت|وقعته|أيدت|ايدت|دعمت|انضمت|أصدرت|اصدرت|مجموعة\s+من"
    r")\s+" + _FILLER + r"$",
    re.IGNORECASE,
)
_CONTEXT_AFTER = re.compile(
    r"^['’]?s?(?:\s+(?:from|of)\s+[^.;:!?]{1,40}?)?\s*,?\s*(?:(?:have|has|had|also|all|jointly|together|today|yesterday|then|which|that|who|"
    r"now|since|so\s+far|publicly|later|ont|avaient|han|habían|также|تقريبا)\s+){0,3}"
    r"(?:(?:co-?)?sign|join|support|endorse|back|issu|deliver|made\b|make\b|sent\b|send\b|wr[io]te|"
    r"pen|submit|call|urg|express|voic|condemn|criticis|criticiz|defend|prais|oppos|"
    r"compos|forming|making\s+up|that\s+make\s+up|put\s+their|added\s+their|spoke\b|speak|read\b|in\s+(?:a|the)\s+(?:joint\s+)?"
    r"(?:statement|letter|declaration)|(?:joint\s+)?(?:statement|letter|declaration)\b|"
    r"(?:ont\s+)?(?:sign|soutenu|appuy|exprim|appel|condamn|d[ée]nonc|adopt)|"
    r"(?:han\s+)?(?:firm|apoy|suscrib|respald|expres|conden|denunci)|"
    r"подписал|поддержал|присоединил|выступил|осудил|призвал|выразил|направил|"
    r"وقع|أيد|ايد|دعم|انضم|أصدر|اصدر|عبر|أعرب)",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 64  # a context phrase and its filler words end this close to the number
_ZH_CONTEXT_BEFORE = re.compile(r"(?:代表|由|共有|共|等|联合|聯合|包括)\s*$")
_ZH_CONTEXT_AFTER = re.compile(r"^[^。！？]{0,12}(?:签署|簽署|联署|聯署|联名|聯名|共同|联合|聯合|发言|發言|"
                               r"声明|聲明|支持|致函|信)")

_ZH_PHRASE = re.compile(
    rf"(?P<approx>近|约|約|超过|超過|逾|大约|大約)?(?P<num>\d+|{_ZH_NUMBER})\s*"
    r"(?P<more>多|余|餘)?\s*(?:个|個)?\s*(?:成员国|成員國|国家|國家|国|國)"
)
_NAME_BEFORE_AND = re.compile(
    r"(?P<name>(?:the\s+|la\s+|le\s+|l'|el\s+)?[A-ZÀ-ÖØ-ÞА-Я][\w.'’-]*(?:\s+(?:of\s+|the\s+|and\s+)?"
    r"[A-ZÀ-ÖØ-ÞА-Я][\w.'’-]*){0,4})\s+(?:and|et|y|и)\s+$"
)
_MY_COUNTRY_BEFORE = re.compile(
    r"(?:my|our)\s+(?:own\s+)?country,\s*(?P<name>[^,:;]{1,60}?),?\s+and\s+(?:the\s+)?(?:following\s+)?$",
    re.IGNORECASE,
)
_JOINED_BY_BEFORE = re.compile(
    r"(?P<name>(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}),?\s+(?:was\s+|were\s+)?joined\s+by\s+$"
)
_JOINED_AFTER = re.compile(
    r"\s+(?:have\s+|has\s+)?joined\s+(?P<name>(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
)


@dataclass(frozen=True, slots=True)
class CountMention:
    """One statement of a number of states.

    ``number`` is the number as stated; ``total`` the number of states the
    phrase says are on the list, speaker included (None when the phrase does
    not fix it, or is approximate); ``kind`` is ``count``, ``joined``
    ("38 countries joined Germany"), ``plus_named`` ("the UK and 50 other
    countries", "my country, Canada, and the following 50"), ``others``
    ("47 other nations"), ``additional`` ("another 13 countries"),
    ``additional_list`` ("another 13 countries (A, B, ...)": the count of the
    list that follows), ``part_of`` ("out of 54"), ``approximate`` or ``prose``
    (a count outside a signatory context: ``total`` is the number, but it is
    no :attr:`claim`).
    """

    text: str
    start: int
    end: int
    number: int
    total: int | None
    kind: str
    approximate: bool = False

    @property
    def exact(self) -> bool:
        """True when the mention fixes the number of states on the list."""
        return self.total is not None

    @property
    def claim(self) -> bool:
        """True when the mention claims the text's signatory count (not ``prose``, not one list's)."""
        return self.total is not None and self.kind not in ("prose", "additional_list")

    def to_dict(self) -> dict:
        return {"text": self.text, "number": self.number, "total": self.total,
                "kind": self.kind, "approximate": self.approximate,
                "start": self.start, "end": self.end}


def _resolves(name: str) -> bool:
    from blocwatch.names import try_resolve

    name = name.strip()
    return bool(name) and try_resolve(name).resolved


def _ends_with_state(words: str) -> bool:
    """True when some trailing run of ``words`` names a state ("said the UK" ends with the UK)."""
    parts = words.split()
    return any(_resolves(" ".join(parts[i:])) for i in range(len(parts)))


_PART_OF = re.compile(r"(?:out\s+of|sur|de\s+los|из)\s+$", re.IGNORECASE)
_OTHER_IN_BETWEEN = re.compile(rf"\b{_OTHER_AFTER}\b", re.IGNORECASE)
_MORE_IN_BETWEEN = re.compile(r"\b(?:more|additional|new|further)\b")


def _classify(text: str, m: re.Match, number: int) -> tuple[str, int | None]:
    before = text[max(0, m.start() - 80):m.start()]
    after = text[m.end():m.end() + 60]
    if _PART_OF.search(before, max(0, len(before) - 16)):
        return "part_of", None
    pre = (m.groupdict().get("pre") or "").strip().casefold()
    between = (m.groupdict().get("between") or "").casefold()
    other_after = _OTHER_AFTER_NOUN.match(after)
    list_follows = bool(_LIST_FOLLOWS.match(after, other_after.end() if other_after else 0))
    has_other = bool(_OTHER_IN_BETWEEN.search(between)) or \
        pre in ("the other", "other") or bool(other_after)
    if pre.startswith(("another", "an additional", "a further", "further", "additional",
                       "otros", "otras", "ещё", "еще")) or \
            _MORE_IN_BETWEEN.search(between):
        if list_follows:
            return "additional_list", number  # "another 13 countries (A, B, ...)"
        return "additional", None
    my_country = _MY_COUNTRY_BEFORE.search(before) if "ountry" in before else None
    if my_country and _resolves(my_country.group("name")):
        return "plus_named", number + 1
    if has_other:
        named = _NAME_BEFORE_AND.search(before)
        # Only one name before "and": "the UK and 50 other countries".
        if (named and not re.search(r"[,;،、]\s*$", before[: named.start()])
                and _ends_with_state(named.group("name"))):
            return "plus_named", number + 1
        if list_follows:
            return "additional_list", number  # "3 autres pays (A, B, C)"
        return "others", None
    joined_by = _JOINED_BY_BEFORE.search(before) if "joined" in before else None
    if joined_by and _ends_with_state(joined_by.group("name")):
        return "plus_named", number + 1
    joined = _JOINED_AFTER.match(after)
    if joined:
        words = joined.group("name").split()
        for j in range(len(words), 0, -1):
            if _resolves(" ".join(words[:j])):
                return "joined", number + 1
    if _signatory_context(text, m):
        return "count", number
    return "prose", number


def _signatory_context(text: str, m: re.Match) -> bool:
    """Is the count phrase ``m`` about who stands behind a statement (see the module docstring)?"""
    if m.group("strong") or re.match(r"(?:signatories|signataires|firmantes|подписант)",
                                     m.group("noun") or "", re.IGNORECASE):
        return True
    start = m.start("pre") if m.group("pre") else m.start("num")
    sentence_start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start), start - _CONTEXT_CHARS)
    if _CONTEXT_BEFORE.search(text, max(0, sentence_start), start):
        return True
    return bool(_CONTEXT_AFTER.match(text[m.end():m.end() + 60]))


def find_counts(text: str) -> list[CountMention]:
    """Every count phrase in ``text``, in order (see the module docstring for the fields)."""
    if not isinstance(text, str) or not text:
        return []
    found: list[CountMention] = []
    for m in _phrases(text):
        number = parse_number(m.group("num"))
        if number is None or not 2 <= number <= MAX_COUNT:
            continue
        if m.group("approx"):
            found.append(CountMention(m.group(0), m.start(), m.end(), number, None, "approximate", True))
            continue
        kind, total = _classify(text, m, number)
        found.append(CountMention(m.group(0), m.start(), m.end(), number, total, kind))
    for m in _zh_phrases(text):
        raw = m.group("num")
        number = int(raw) if raw.isdigit() else _parse_zh(raw)
        if number is None or not 2 <= number <= MAX_COUNT:
            continue
        approx = bool(m.group("approx") or m.group("more"))
        before = text[max(0, m.start() - 3):m.start()]
        if approx:
            found.append(CountMention(m.group(0), m.start(), m.end(), number, None, "approximate", True))
        elif re.search(r"(另外|另有|其他|其它)$", before):
            if _LIST_FOLLOWS.match(text, m.end()):
                found.append(CountMention(m.group(0), m.start(), m.end(), number, number, "additional_list"))
            else:
                found.append(CountMention(m.group(0), m.start(), m.end(), number, None, "additional"))
        else:
            context = (_ZH_CONTEXT_BEFORE.search(text[max(0, m.start() - 6):m.start()])
                       or _ZH_CONTEXT_AFTER.match(text[m.end():m.end() + 16]))
            found.append(CountMention(m.group(0), m.start(), m.end(), number, number,
                                      "count" if context else "prose"))
    found.sort(key=lambda c: c.start)
    return found


_STARTER_WORDS = 6  # "in excess of", "an additional", "ما يقرب من": words before the number
# Every word of the approximate and "another" phrases (_APPROX_BEFORE, _ADDITIONAL_BEFORE).
_PHRASE_WORDS = _STARTERS | frozenset((
    "than", "least", "to", "of", "excess", "de", "que", "чем", "من", "يقرب",
))
_BETWEEN_WORDS = frozenset((
    "other", "more", "additional", "new", "further", "un", "u.n", "u.n.", "united", "nations", "member",
    "european", "african", "arab", "muslim", "islamic", "western", "gulf", "latin", "american",
    "asian", "pacific", "like-minded", "cross-regional", "eu", "oic", "autres", "otros", "otras",
    "других", "другие", "أخرى", "عربية",
))
_JOINERS = frozenset(("and", "et", "y", "و"))
_TRAILING_DIGITS = re.compile(r"(?<!\d)\d+$")
_EDGE_PUNCT = "\"'“”«»‘’()[]{}*,;:!?"


def _is_number_word(word: str) -> bool:
    return bool(word) and (word[0].isdigit() or word in _WORD_VALUES
                           or (word[0] == "و" and word[1:] in _WORD_VALUES))


def _phrases(text: str):
    """The matches of :data:`_PHRASE` in ``text``, left to right, without overlaps.

    Linear in the text: each match ends at an anchor (a count noun or "-strong") and is
    tried, leftmost first, at the word starts in the :data:`WINDOW` characters before it.
    """
    done = 0
    lower = text.replace("\u0130", "i").lower()
    for a in _anchors(lower):
        for start in _candidate_starts(lower, max(done, a.start() - WINDOW), a.start()):
            m = _PHRASE.match(text, start, a.end())
            if m and m.end() == a.end():
                done = m.end()
                yield m
                break


def _backwards(lower: str, lo: int, end: int):
    """(offset, word) for the space-separated words of ``lower[lo:end]``, last first
    (punctuation around a word left out of it)."""
    window = lower[lo:end]
    pos = len(window)
    for chunk in reversed(window.split()):
        pos = window.rfind(chunk, 0, pos)
        word = chunk.strip(_EDGE_PUNCT)
        digits = _TRAILING_DIGITS.search(word) if word[-1:].isdigit() else None
        if digits and digits.start():  # "missing-48", "A/HRC/47": the number alone
            yield lo + pos + chunk.find(word) + digits.start(), digits.group(0)
            return  # nothing before it belongs to the phrase
        yield (lo + pos + chunk.find(word[0]) if word else lo + pos), word


def _candidate_starts(lower: str, lo: int, end: int) -> list[int]:
    """Where a count phrase ending at ``end`` may start, leftmost first.

    Walking back from the noun: up to six words that may stand between number and
    noun ("other", "member", "United Nations"), the number (digits or number words,
    "forty-three", "cuarenta y tres"), and up to six words before it that may start an
    approximate or "another" phrase ("more than", "another", "plus de").
    """
    back = _backwards(lower, lo, end)
    words: list[tuple[int, str]] = []

    def word(k: int) -> str | None:
        """The k-th word back (read lazily: most nouns have no number before them)."""
        while len(words) <= k:
            step = next(back, None)
            if step is None:
                return None
            words.append(step)
        return words[k][1]

    i = 0
    while i < 6 and word(i) in _BETWEEN_WORDS:
        i += 1
    found: list[int] = []
    while (w := word(i)) is not None:
        if _is_number_word(w.split("-", 1)[0]):
            found.append(words[i][0])
        elif not (w in _JOINERS and (nxt := word(i + 1)) is not None and _is_number_word(nxt.split("-", 1)[0])):
            break
        i += 1
    if not found:
        return []  # "states" in prose: no number before it
    for k in range(i, i + _STARTER_WORDS):  # "more than", "in excess of", "an additional"
        w = word(k)
        if w not in _PHRASE_WORDS:
            break
        if w in _STARTERS:
            found.append(words[k][0])
    return sorted(found)


def _zh_phrases(text: str):
    """The matches of :data:`_ZH_PHRASE` (Chinese has no word starts: a short window scan)."""
    done = 0
    for a in _ZH_ANCHOR.finditer(text):
        for m in _ZH_PHRASE.finditer(text, max(done, a.start() - _ZH_WINDOW), a.end()):
            if m.end() == a.end():
                done = m.end()
                yield m
                break


def claimed_count(text: str) -> int | None:
    """The first claim in ``text`` (see :attr:`CountMention.claim`), or None."""
    for mention in find_counts(text):
        if mention.claim:
            return mention.total
    return None
