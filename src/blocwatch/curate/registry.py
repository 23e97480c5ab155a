"""Build the country registry (``data/countries.csv``) from its sources.

Inputs: the UN regional-group table ``un/regional_groups.csv`` of a sources folder
(``curation/sources``, a copy of ``shared/data``),
pycountry's ISO 3166 data, and the hand-kept tables in ``curation/``
(admission dates, historical states, EU membership). The output is one
reviewable CSV that :mod:`blocwatch.registry` loads at run time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pycountry

COLUMNS = [
    "iso3", "iso2", "numeric", "name", "official_name", "status", "un_member",
    "admitted", "observer_since", "ended", "regional_group", "also_in",
    "group_note", "eu_since", "successors", "seat_successor", "votes_as",
    "code_source", "sources",
]

# Observer states: date they became non-member observer States.
OBSERVERS = {
    "VAT": ("1964-04-06", "Holy See: permanent observer since 6 April 1964 (UN, 'Non-member States')"),
    "PSE": ("2012-11-29", "State of Palestine: non-member observer State by GA resolution 67/19 of 29 November 2012"),
}
# Groups a state takes part in beyond the one it is counted in.
ALSO_IN = {"TUR": ["asia_pacific"]}
GROUPS_SOURCE = ("shared/data/un/regional_groups.csv (UN DGACM 'Regional groups of Member States'"
                 " and sources in regional_groups_sources.txt)")
ADMISSION_SOURCE = "curation/un_admissions.csv (UN 'Member States' list)"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build_rows(shared_data: Path, curation: Path) -> list[dict[str, str]]:
    groups = _read(shared_data / "un" / "regional_groups.csv")
    admitted = {r["iso3"]: r["admitted"] for r in _read(curation / "un_admissions.csv")}
    eu = {r["iso3"]: r["eu_since"] for r in _read(curation / "eu_members.csv")}
    historical = _read(curation / "historical_states.csv")

    rows: list[dict[str, str]] = []
    for g in groups:
        iso3 = g["iso3"]
        country = pycountry.countries.get(alpha_3=iso3)
        if country is None:
            raise ValueError(f"regional_groups.csv: {iso3} is not an ISO 3166-1 alpha-3 code")
        member = g["un_member"] == "True"
        if member and iso3 not in admitted:
            raise ValueError(f"un_admissions.csv has no admission date for {iso3}")
        observer_since, observer_source = OBSERVERS.get(iso3, ("", ""))
        sources = [GROUPS_SOURCE, "pycountry (ISO 3166-1 codes)"]
        sources.append(ADMISSION_SOURCE if member else observer_source)
        if iso3 in eu:
            sources.append("curation/eu_members.csv")
        rows.append({
            "iso3": iso3,
            "iso2": country.alpha_2,
            "numeric": country.numeric,
            "name": g["name"],
            "official_name": getattr(country, "official_name", "") or "",
            "status": "member" if member else "observer",
            "un_member": "true" if member else "false",
            "admitted": admitted.get(iso3, ""),
            "observer_since": observer_since,
            "ended": "",
            "regional_group": g["regional_group"],
            "also_in": ";".join(ALSO_IN.get(iso3, [])),
            "group_note": g["notes"],
            "eu_since": eu.get(iso3, ""),
            "successors": "",
            "seat_successor": "",
            "votes_as": "",
            "code_source": "ISO 3166-1",
            "sources": " | ".join(sources),
        })
    missing = set(admitted) - {r["iso3"] for r in rows}
    if missing:
        raise ValueError(f"un_admissions.csv lists states missing from regional_groups.csv: {sorted(missing)}")
    for h in historical:
        rows.append({
            "iso3": h["code"], "iso2": "", "numeric": "", "name": h["name"],
            "official_name": "", "status": "former", "un_member": "false",
            "admitted": h["start"], "observer_since": "", "ended": h["end"],
            "regional_group": "", "also_in": "", "group_note": h["notes"],
            "eu_since": "", "successors": h["successors"],
            "seat_successor": h["seat_successor"], "votes_as": h["votes_as"],
            "code_source": h["code_source"],
            "sources": "curation/historical_states.csv",
        })
    rows.sort(key=lambda r: (r["status"] == "former", r["iso3"]))
    return rows


def render(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build(shared_data: Path, curation: Path, out: Path) -> int:
    rows = build_rows(shared_data, curation)
    out.write_text(render(rows), encoding="utf-8")
    return len(rows)
