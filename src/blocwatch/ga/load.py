"""Bundled loader: put the curated 1946-2019 GA votes into a new database.

Runs once per database (kind ``bundled:unga``, see
:mod:`blocwatch.api.bundled`), in one transaction, with batched core
inserts (a few seconds for 870,000 votes).
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy.orm import Session

from blocwatch import registry
from blocwatch.ga.importers import UNVOTES_CITATION, Tables, write_tables
from blocwatch.store.provenance import get_source

KIND = "bundled:unga"


def curated_tables() -> Tables:
    """The shipped curated tables (``data/unga/*.csv.gz``) in the importers' canonical form."""
    with registry.data_path("unga/rollcalls.csv.gz").open("rb") as fh:
        rc = pd.read_csv(fh, compression="gzip", keep_default_na=False, na_values=[""],
                         dtype={"unres": object, "short": object, "descr": object, "issues": object})
    with registry.data_path("unga/votes.csv.gz").open("rb") as fh:
        dtypes: dict[str, str | type[object]] = {"rcid": "int64", "iso3": object, "vote": "int8"}
        votes = pd.read_csv(fh, compression="gzip", keep_default_na=False, dtype=dtypes)
    for flag in ("important", "amend", "para"):
        rc[flag] = rc[flag].astype("Int8")
    rc = rc.astype({"unres": object, "short": object, "descr": object}).replace({float("nan"): None})
    rc["issues"] = [json.dumps(v.split(";")) if isinstance(v, str) and v else "[]" for v in rc["issues"]]
    rc["undl_id"] = None
    return Tables(rc, votes)


def load_unga(db: Session, ga_sessions: tuple[int, ...] | None = None) -> int:
    """Store the curated GA roll calls and votes (only the GA sessions ``ga_sessions`` if given) in the
    transaction ``db``; return the number of votes."""
    source = get_source(
        db, kind="curation", title="blocwatch curated GA votes 1946-2019 (data/unga)",
        citation=UNVOTES_CITATION + " Curated by blocwatch.ga.curate (seat holders by date: data/unga/seats.csv).",
    )
    tables = curated_tables()
    if ga_sessions is not None:
        rc = tables.rollcalls[tables.rollcalls["session"].isin(ga_sessions)]
        tables = Tables(rc, tables.votes[tables.votes["rcid"].isin(rc["rcid"])])
    write_tables(db, tables, source.id)
    return len(tables.votes)
