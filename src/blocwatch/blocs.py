"""Bloc memberships with dates: the European Union, the OIC and the Arab League.

Read from the reviewable table ``data/blocs.csv`` (``bloc,iso3,start,end,source,note``),
one row per uninterrupted membership: ISO dates, ``end`` inclusive and empty
while the membership lasts, ``start`` empty only for a state that joined before
1990. A suspension ends a row (and a readmission starts another), so a state
appears more than once in a bloc only with rows that do not overlap. Where the
table knows only the year a state joined, ``start`` is 1 January of that year
and the note says ``year only``.

The table is meant for dates from 1990 on: memberships and suspensions that
began and ended before 1990 are not recorded.

The file is checked when it is read (known bloc, registry code, ISO dates,
``end`` not before ``start``, no overlapping rows for one state in one bloc);
a problem is an :class:`~blocwatch.errors.InvalidInput` naming the file and line.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path

from blocwatch import registry
from blocwatch.errors import InvalidInput, NotFound, with_matches

BLOCS: dict[str, str] = {
    "eu": "European Union",
    "oic": "Organisation of Islamic Cooperation",
    "arab_league": "League of Arab States",
}

COLUMNS = ("bloc", "iso3", "start", "end", "source", "note")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Membership:
    """One row of ``data/blocs.csv``: ``iso3`` belonged to ``bloc`` from ``start`` to ``end`` (both inclusive).

    ``start`` is None when the state joined before 1990, ``end`` None while the membership lasts.
    """

    bloc: str
    iso3: str
    start: date | None
    end: date | None
    source: str
    note: str | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def _close(word: str, choices: list[str] | tuple[str, ...]) -> list[str]:
    """Up to three of ``choices`` near ``word`` (case aside): ``ue`` finds ``eu``."""
    by_folded = {c.casefold(): c for c in choices}
    return [by_folded[m] for m in difflib.get_close_matches(word.casefold(), list(by_folded), n=3, cutoff=0.5)]


def _date(text: str, column: str, where: str) -> date | None:
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{where}: {column} {text!r}: expected an ISO date (YYYY-MM-DD) or nothing") from None


def _membership(row: dict[str | None, str | None], where: str) -> Membership:
    if None in row or any(value is None for value in row.values()):
        found = len([v for k, v in row.items() if k is not None and v is not None]) + len(row.get(None) or [])
        raise InvalidInput(f"{where}: {found} fields: expected {len(COLUMNS)} ({','.join(COLUMNS)})")
    values = {str(k): (v or "").strip() for k, v in row.items()}
    bloc, iso3 = values["bloc"], values["iso3"]
    if bloc not in BLOCS:
        raise InvalidInput(with_matches(f"{where}: bloc {bloc!r}: expected one of {', '.join(BLOCS)}",
                                        _close(bloc, tuple(BLOCS))))
    if iso3 != iso3.upper() or not registry.exists(iso3):
        codes = [c.iso3 for c in registry.all_entities()]
        raise InvalidInput(with_matches(f"{where}: iso3 {iso3!r}: expected a code of the registry (data/countries.csv)",
                                        _close(iso3.upper(), codes)))
    start = _date(values["start"], "start", where)
    end = _date(values["end"], "end", where)
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{where}: end {end.isoformat()} is before start {start.isoformat()}: "
                           "expected an end on or after the start")
    if not values["source"]:
        raise InvalidInput(f"{where}: source is empty: expected where the membership is documented")
    return Membership(bloc=bloc, iso3=iso3, start=start, end=end, source=values["source"],
                      note=values["note"] or None)


def read(path: Path | Traversable) -> list[Membership]:
    """Every row of the bloc table at ``path``, checked; InvalidInput naming the file and line otherwise."""
    label = str(path)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    header = tuple(reader.fieldnames or ())
    if header != COLUMNS:
        raise InvalidInput(f"{label}:1: columns {','.join(header) or '(none)'}: expected {','.join(COLUMNS)}")
    found: list[tuple[int, Membership]] = []
    for row in reader:
        found.append((reader.line_num, _membership(row, f"{label}:{reader.line_num}")))
    _check_overlaps(found, label)
    return [m for _, m in found]


def _check_overlaps(found: list[tuple[int, Membership]], label: str) -> None:
    by_state: dict[tuple[str, str], list[tuple[int, Membership]]] = {}
    for line, m in found:
        by_state.setdefault((m.bloc, m.iso3), []).append((line, m))
    for (bloc, iso3), spans in by_state.items():
        spans.sort(key=lambda s: s[1].start or date.min)
        for (line_a, a), (line_b, b) in zip(spans, spans[1:], strict=False):
            if a.end is None or b.start is None or b.start <= a.end:
                raise InvalidInput(f"{label}:{line_b}: {bloc} {iso3} from {b.start or 'before 1990'} "
                                   f"overlaps line {line_a} (from {a.start or 'before 1990'} to {a.end or 'now'}): "
                                   "expected rows for one state and bloc that do not overlap")


@lru_cache(maxsize=1)
def _shipped() -> tuple[Membership, ...]:
    return tuple(read(registry.data_path("blocs.csv")))


def rows() -> list[Membership]:
    """Every row of the shipped table, in file order (by bloc, then state, then start)."""
    return list(_shipped())


def _bloc(bloc: str) -> str:
    if bloc not in BLOCS:
        matches = _close(bloc, tuple(BLOCS))
        raise NotFound(with_matches(f"unknown bloc {bloc!r}; expected one of {', '.join(BLOCS)}", matches),
                       close_matches=matches)
    return bloc


def members(bloc: str, on: date) -> frozenset[str]:
    """The ISO3 codes of the states in ``bloc`` on the day ``on``."""
    _bloc(bloc)
    return frozenset(m.iso3 for m in _shipped() if m.bloc == bloc and m.covers(on))


def of(iso3: str, on: date) -> tuple[str, ...]:
    """The blocs (keys of :data:`BLOCS`, in that order) ``iso3`` belonged to on ``on``.

    NotFound if ``iso3`` is not in the registry.
    """
    code = registry.get(iso3).iso3
    mine = {m.bloc for m in _shipped() if m.iso3 == code and m.covers(on)}
    return tuple(b for b in BLOCS if b in mine)
