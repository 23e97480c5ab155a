"""Read the OHCHR voting records scraped by tsujamin/unhrc-nominate (commit 9c7d142) into roll calls.

Source: ``hrc/ohchr_votes.sqlite3`` -- every recorded vote of the Human Rights
Council from 29 June 2006 to 11 October 2024 as the OHCHR library's voting
records give it. Tables ``resolutions(name, vote_date, summary, agenda, passed,
type)``, ``votes(resolution_name, country_short, vote)`` and
``countries(country_short, country_long, category)``. Opened read-only.

Mapping: ``symbol`` is ``name`` as the record gives it, three slips
corrected (:func:`normal_symbol`; ``where`` keeps the record's form) (``A/HRC/RES/40/2``,
``A/HRC/DEC/..``; an amendment or other draft is voted as its L-document,
``A/HRC/45/L.15``); ``date`` from ``vote_date``; ``session`` the calendar year
(the Council's membership year); ``session_name`` ``HRC40`` or ``HRC S-33``
from the symbol; ``title`` the summary before `` :resolution /adopted ...``
(or `` :amendment /...``), spaces folded; ``kind`` the ``type`` column;
``adopted`` from ``passed``; ``agenda_item`` the agenda text as given, spaces
folded; positions YES/NO/ABSTAIN/NO_VOTE -> 1/3/2/8 and names from
``countries``. Limits (README): rejected drafts are mostly missing, and 8 texts
have no per-state rows (their roll calls have no positions).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

from blocwatch import registry
from blocwatch.errors import ImportFailed
from blocwatch.votes.record import ABSTAIN, NO, NOT_VOTING, YES, RollCall

FORUM = "hrc"
VOTE_CODES = {"YES": YES, "NO": NO, "ABSTAIN": ABSTAIN, "NO_VOTE": NOT_VOTING}
KIND_OF_TYPE = {"resolution": "resolution", "decision": "decision", "amendment": "amendment"}
_SESSION = re.compile(r"^A/HRC/(?:RES/|DEC/)?(S-)?(\d+)/")
_TAIL = re.compile(r"\s*:\s*(resolution|decision|amendment)\s*/.*$", re.IGNORECASE | re.DOTALL)
SOURCE = "OHCHR library voting records, as scraped by tsujamin/unhrc-nominate (commit 9c7d142)"


def session_name(symbol: str) -> str:
    """``HRC40`` for a regular session's text, ``HRC S-33`` for a special session's."""
    m = _SESSION.match(symbol)
    if not m:
        raise ValueError(f"no session number in symbol {symbol!r}")
    return f"HRC S-{int(m.group(2))}" if m.group(1) else f"HRC{int(m.group(2))}"


def normal_symbol(name: str) -> str:
    """The symbol as the UN writes it: the record's slips ``A/HRC/DEC22/117``, ``A/HRC/RES/56/L.31`` and
    ``A/HRC/50/L.37 as orally revised`` become ``A/HRC/DEC/22/117``, ``A/HRC/56/L.31`` and ``A/HRC/50/L.37``."""
    symbol = re.sub(r"\s+as orally revised$", "", name.strip())
    symbol = re.sub(r"^A/HRC/DEC(?=\d)", "A/HRC/DEC/", symbol)
    return re.sub(r"^A/HRC/RES/((?:S-)?\d+/L\.)", r"A/HRC/\1", symbol)


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def title_of(summary: str) -> str:
    """The summary without its `` :resolution /adopted by ...`` tail."""
    return clean(_TAIL.sub("", summary or ""))


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)


def read_ohchr(path: Path) -> list[RollCall]:
    """Every roll call of ``path`` (``ohchr_votes.sqlite3``), in the database's order."""
    path = Path(path)
    con = _connect(path)
    try:
        names = dict(con.execute("SELECT country_short, country_long FROM countries").fetchall())
        positions: dict[str, dict[str, int]] = {}
        for res, iso3, vote in con.execute("SELECT resolution_name, country_short, vote FROM votes"):
            if not registry.exists(iso3 or ""):
                raise ImportFailed(f"{path}: table votes, resolution {res}: unknown country code {iso3!r}")
            if vote not in VOTE_CODES:
                raise ImportFailed(f"{path}: table votes, resolution {res}, {iso3}: unknown vote {vote!r}")
            positions.setdefault(res, {})[iso3.upper()] = VOTE_CODES[vote]
        rows = con.execute("SELECT name, vote_date, summary, agenda, passed, type FROM resolutions").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"{path}: not the OHCHR votes database ({exc})") from None
    finally:
        con.close()
    known = {r[0] for r in rows}
    orphans = sorted(set(positions) - known)
    if orphans:
        raise ImportFailed(f"{path}: table votes names resolution(s) missing from table resolutions: {orphans[:5]}")
    out: list[RollCall] = []
    seen: dict[str, str] = {}
    for name, vote_date, summary, agenda, passed, kind in rows:
        where = f"{path.name}: table resolutions, resolution {name}"
        try:
            day = date.fromisoformat(vote_date.replace("/", "-"))
            sname = session_name(normal_symbol(name))
        except (ValueError, AttributeError) as exc:
            raise ImportFailed(f"{where}: {exc}") from None
        if kind not in KIND_OF_TYPE:
            raise ImportFailed(f"{where}: unknown type {kind!r}")
        symbol = normal_symbol(name)
        if symbol in seen:
            raise ImportFailed(f"{where}: symbol {symbol} again (also {seen[symbol]})")
        seen[symbol] = name
        pos = positions.get(name, {})
        missing = sorted(c for c in pos if c not in names)
        if missing:
            raise ImportFailed(f"{where}: country code(s) {missing} missing from table countries")
        out.append(RollCall(
            forum=FORUM, symbol=symbol, date=day, session=day.year, session_name=sname, title=title_of(summary),
            kind=KIND_OF_TYPE[kind], adopted=None if passed is None else bool(passed),
            agenda_item=clean(agenda) or None, positions=pos, names={c: names[c] for c in pos},
            where=where,
        ))
    return out
