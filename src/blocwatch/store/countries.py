"""Load the registry into the ``countries`` table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from blocwatch import registry
from blocwatch.store.models import CountryRecord
from blocwatch.store.provenance import get_source


def load_countries(session: Session) -> int:
    source = get_source(
        session, kind="curation", title="blocwatch registry (data/countries.csv)",
        citation="Built by blocwatch.curate.registry from shared/data/un/regional_groups.csv, "
                 "pycountry and curation/*.csv; per-row sources in the table's 'sources' column.",
    )
    rows = 0
    for c in registry.all_entities():
        session.merge(CountryRecord(
            iso3=c.iso3, iso2=c.iso2, numeric=c.numeric, name=c.name,
            official_name=c.official_name, status=c.status, admitted=c.admitted,
            ended=c.ended, regional_group=c.regional_group, also_in=list(c.also_in),
            eu_since=c.eu_since, successors=list(c.successors), source_id=source.id,
        ))
        rows += 1
    return rows
