"""Which registry entity held a General Assembly seat on a given day.

Sources name a seat, not always the state that held it: unvotes lists the
USSR's votes as "Russia" and the Republic of China's as "Taiwan"; the UN
Digital Library codes the votes by today's ISO code. Every vote is stored
under the entity that held the seat *on the day of the vote*, using the
curated table ``data/unga/seats.csv`` (seat, entity, first day, last day,
with the reason and source of each boundary). A seat not in that table is
held by the entity of the same code. A vote dated when nobody held the seat
(e.g. "Yugoslavia" between 23 September 1992 and 31 October 2000) is an error.

``data/unga/unvotes_names.csv`` maps the unvotes country names whose ISO
alpha-2 code is missing, retired or not a state's today (TW, YU, CS, DD, YD)
to their seat; all other unvotes rows map by ISO alpha-2 code, checked
against the name resolver.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np

from blocwatch import registry


@dataclass(frozen=True, slots=True)
class Tenure:
    seat: str
    entity: str
    start: date | None
    end: date | None
    note: str


def _read(name: str) -> list[dict[str, str]]:
    with registry.data_path(f"unga/{name}").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def tenures() -> dict[str, tuple[Tenure, ...]]:
    """seat code -> its holders in time order (validated against the registry)."""
    out: dict[str, list[Tenure]] = {}
    for row in _read("seats.csv"):
        for code in (row["seat"], row["entity"]):
            if not registry.exists(code):
                raise ValueError(f"data/unga/seats.csv: unknown registry code {code!r}")
        out.setdefault(row["seat"], []).append(Tenure(
            row["seat"], row["entity"],
            date.fromisoformat(row["start"]) if row["start"] else None,
            date.fromisoformat(row["end"]) if row["end"] else None, row["note"]))
    return {k: tuple(v) for k, v in out.items()}


@cache
def unvotes_names() -> dict[tuple[str, str], str]:
    """(unvotes country, country_code) -> seat code, for the names that need it."""
    out = {}
    for row in _read("unvotes_names.csv"):
        if not registry.exists(row["seat"]):
            raise ValueError(f"data/unga/unvotes_names.csv: unknown registry code {row['seat']!r}")
        out[(row["country"], row["country_code"])] = row["seat"]
    return out


def holders(seats: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The entity holding each seat on each day (object array; None where nobody did).

    ``seats``: array of seat codes; ``days``: datetime64 array of the same length.
    """
    seats = np.asarray(seats, dtype=object)
    days = np.asarray(days, dtype="datetime64[D]")
    out = seats.copy()
    table = tenures()
    for seat in set(seats.tolist()) & set(table):
        mask = seats == seat
        result = np.full(mask.sum(), None, dtype=object)
        d = days[mask]
        for t in table[seat]:
            ok = np.ones(len(d), dtype=bool)
            if t.start is not None:
                ok &= d >= np.datetime64(t.start, "D")
            if t.end is not None:
                ok &= d <= np.datetime64(t.end, "D")
            result[ok] = t.entity
        out[mask] = result
    return out


@cache
def lineage_map() -> dict[str, str]:
    """Former seat holder -> the state that continued the same seat.

    The pairs of ``data/unga/seats.csv`` that the registry also records as
    ``seat_successor``: ``SUN`` -> ``RUS``, ``ROC`` -> ``CHN``, ``FRG`` ->
    ``DEU``, ``YAR`` -> ``YEM``. Zanzibar (``ZZB``) is not merged into
    Tanzania: it voted beside Tanganyika before their union, so the two are
    different seats; nor is Yugoslavia (``YUG``) into Serbia, which was
    admitted as a new member in 2000.
    """
    out = {}
    for seat, held in tenures().items():
        for t in held:
            if t.entity != seat and registry.get(t.entity).seat_successor == seat:
                out[t.entity] = seat
    return out


def lineage(iso3: str) -> list[str]:
    """The entities that held ``iso3``'s seat, oldest first, ending with ``iso3``.

    ``lineage("RUS") == ["SUN", "RUS"]``, ``lineage("CHN") == ["ROC", "CHN"]``;
    a state with no predecessor in its seat gives ``[iso3]``.
    """
    iso3 = registry.get(iso3).iso3
    before = [t.entity for t in tenures().get(iso3, ()) if lineage_map().get(t.entity) == iso3]
    return [*before, iso3]
