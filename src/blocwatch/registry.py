"""The country registry: UN member states, observer states and former states.

Loaded from the shipped table ``data/countries.csv`` (built by
:mod:`blocwatch.curate.registry`). Everything here is read-only and cached.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

GROUPS: dict[str, str] = {
    "african": "African States",
    "asia_pacific": "Asia-Pacific States",
    "eastern_european": "Eastern European States",
    "latin_american_caribbean": "Latin American and Caribbean States",
    "weog": "Western European and Others",
}


@dataclass(frozen=True, slots=True)
class Country:
    """One entity of the registry.

    ``status`` is ``member`` (one of the 193 UN member states), ``observer``
    (Holy See, State of Palestine) or ``former`` (a state that no longer
    exists but appears in UN voting data; ``iso3`` is then its ISO 3166-3
    or project code, see ``code_source``).
    """

    iso3: str
    iso2: str | None
    numeric: str | None
    name: str
    official_name: str | None
    status: str
    admitted: date | None
    observer_since: date | None
    ended: date | None
    regional_group: str | None
    also_in: tuple[str, ...]
    group_note: str | None
    eu_since: date | None
    successors: tuple[str, ...]
    seat_successor: str | None
    votes_as: str | None
    code_source: str
    sources: tuple[str, ...]

    @property
    def un_member(self) -> bool:
        return self.status == "member"

    @property
    def current(self) -> bool:
        """A member or observer state today (not a former state)."""
        return self.status != "former"

    @property
    def eu_member(self) -> bool:
        return self.eu_since is not None

    def member_on(self, day: date) -> bool:
        """Was this entity a UN member on ``day``?"""
        if self.status == "observer" or self.admitted is None:
            return False
        return self.admitted <= day and (self.ended is None or day <= self.ended)

    def to_dict(self) -> dict:
        return {
            "iso3": self.iso3,
            "iso2": self.iso2,
            "numeric": self.numeric,
            "name": self.name,
            "official_name": self.official_name,
            "status": self.status,
            "un_member": self.un_member,
            "admitted": self.admitted.isoformat() if self.admitted else None,
            "observer_since": self.observer_since.isoformat() if self.observer_since else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "regional_group": self.regional_group,
            "also_in": list(self.also_in),
            "group_note": self.group_note,
            "eu_member": self.eu_member,
            "successors": list(self.successors),
            "code_source": self.code_source,
        }


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _split(text: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _row_to_country(row: dict[str, str]) -> Country:
    return Country(
        iso3=row["iso3"],
        iso2=row["iso2"] or None,
        numeric=row["numeric"] or None,
        name=row["name"],
        official_name=row["official_name"] or None,
        status=row["status"],
        admitted=_date(row["admitted"]),
        observer_since=_date(row["observer_since"]),
        ended=_date(row["ended"]),
        regional_group=row["regional_group"] or None,
        also_in=_split(row["also_in"]),
        group_note=row["group_note"] or None,
        eu_since=_date(row["eu_since"]),
        successors=_split(row["successors"]),
        seat_successor=row["seat_successor"] or None,
        votes_as=row["votes_as"] or None,
        code_source=row["code_source"],
        sources=_split(row["sources"], "|"),
    )


def data_path(name: str):
    """A file shipped in ``blocwatch/data``."""
    return resources.files("blocwatch") / "data" / name


@cache
def _all() -> dict[str, Country]:
    with data_path("countries.csv").open(encoding="utf-8", newline="") as fh:
        countries = [_row_to_country(row) for row in csv.DictReader(fh)]
    return {c.iso3: c for c in countries}


def all_entities() -> list[Country]:
    """Every entity, former states included."""
    return list(_all().values())


def countries(group: str | None = None, *, include_former: bool = False) -> list[Country]:
    """Member and observer states (sorted by name), optionally one regional group.

    ``group`` matches the group a state is counted in or also takes part in
    (Türkiye is counted in ``weog`` and listed under ``asia_pacific`` too).
    """
    if group is not None and group not in GROUPS:
        raise ValueError(f"unknown regional group {group!r}; expected one of {', '.join(GROUPS)}")
    found = [
        c for c in _all().values()
        if (include_former or c.current)
        and (group is None or c.regional_group == group or group in c.also_in)
    ]
    return sorted(found, key=lambda c: c.name)


def members() -> list[Country]:
    """The UN member states."""
    return [c for c in countries() if c.un_member]


def get(iso3: str) -> Country:
    """The entity with this code; :class:`~blocwatch.errors.NotFound` naming the code if there is none."""
    try:
        return _all()[iso3.upper()]
    except KeyError:
        from blocwatch.errors import NotFound

        raise NotFound(f"no country with code {iso3!r} in the registry") from None


def exists(iso3: str) -> bool:
    return iso3.upper() in _all()


def group_of(iso3: str) -> str | None:
    """The regional group a state is counted in (None for the Holy See and former states)."""
    return get(iso3).regional_group


def summary() -> dict:
    """Counts for the registry summary that ``make run`` prints."""
    current = countries()
    by_group: dict[str, int] = {g: 0 for g in GROUPS}
    for c in current:
        if c.regional_group and c.un_member:
            by_group[c.regional_group] += 1
    return {
        "members": sum(c.un_member for c in current),
        "observers": sum(c.status == "observer" for c in current),
        "former": sum(c.status == "former" for c in all_entities()),
        "members_by_group": by_group,
        "no_group": [c.iso3 for c in current if c.regional_group is None],
        "eu_members": sum(c.eu_member for c in current),
    }
