"""Export the statements as tidy tables: events, positions, countries, sources.

Formats: ``csv`` and ``parquet`` (a folder: one file per table), ``json`` (one
file: ``{"tables": {...}, "data_dictionary": [...], "about": {...}}``) and
``sqlite`` (one database of plain tables -- TEXT/INTEGER columns, primary
keys, no custom types -- that opens as it is in Datasette or any SQLite
client). Every export carries the data dictionary and the licence and
provenance notes (``data_dictionary`` and ``about`` tables, or
``data_dictionary.csv`` and ``ABOUT.md`` beside the files).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from blocwatch import registry
from blocwatch.errors import InvalidInput
from blocwatch.statements.dataset import Dataset
from blocwatch.statements.load import dataset as _dataset

FORMATS = ("csv", "json", "parquet", "sqlite")

ABOUT = {
    "title": "blocwatch: joint statements and letters on Xinjiang at the UN, 2019-2025",
    "licence": "Code MIT. The tables are compiled facts (who signed what, when) from the public sources "
               "cited row by row in `sources` / `positions.source_url`; quote those sources when you reuse them.",
    "provenance": "Built by blocwatch from shared/data/statements (raw YAML + raw/<id>.txt evidence) with "
                  "`blocwatch curate statements` (names resolved to ISO3 by blocwatch.names); regional groups "
                  "from the blocwatch registry (UN regional groups, shared/data/un/regional_groups.csv).",
    "caveats": "Lists marked list_complete = 0 are partial: most statements supporting China were delivered "
               "'on behalf of N countries' without a published list. claimed_count is the number announced; "
               "known_count the states named. Changes after delivery are rows with joined_on / withdrew_on.",
}

DICTIONARY = [
    ("events", "id", "text", "Event id: date, session, stance (primary key)."),
    ("events", "series", "text", "Series of related events (xinjiang)."),
    ("events", "kind", "text", "statement or letter."),
    ("events", "title", "text", "Descriptive title."),
    ("events", "forum", "text", "hrc, ga_third_committee or letter_hrc_president."),
    ("events", "session", "text", "Session, e.g. HRC50, GA77."),
    ("events", "date", "text", "ISO date (YYYY-MM when only the month is known)."),
    ("events", "date_precision", "text", "day or month."),
    ("events", "stance", "text", "critical or supportive (toward the target)."),
    ("events", "target", "text", "ISO3 of the state the event concerns (CHN)."),
    ("events", "delivered_by", "text", "ISO3 of the state that delivered it; empty when not stated."),
    ("events", "delivered_by_text", "text", "The deliverer as the source gives it."),
    ("events", "lead", "text", "ISO3 of the lead state; empty when not stated."),
    ("events", "lead_text", "text", "The lead as the source gives it."),
    ("events", "topics", "text", "Topics, separated by ';'."),
    ("events", "claimed_count", "integer", "Number of countries announced (empty when none was stated)."),
    ("events", "known_count", "integer", "Number of named signatories whose signature stands."),
    ("events", "list_complete", "integer", "1 when the named list is the full list, else 0."),
    ("events", "responds_to", "text", "Id of the event this counter-statement answers (where a source ties them)."),
    ("events", "notes", "text", "Curator's notes from the raw file."),
    ("positions", "event_id", "text", "Event id (events.id)."),
    ("positions", "iso3", "text", "ISO3 of the signatory (countries.iso3)."),
    ("positions", "ordinal", "integer", "Place in the source's list, from 0; empty when not in it."),
    ("positions", "name_in_source", "text", "The name as the source wrote it."),
    ("positions", "signed_at_delivery", "integer", "1 when it signed at delivery, 0 when it joined later."),
    ("positions", "joined_on", "text", "Date it joined after delivery (ISO), else empty."),
    ("positions", "withdrew_on", "text", "Date it withdrew (ISO), else empty; its signature no longer stands."),
    ("positions", "source_url", "text", "The source naming it."),
    ("positions", "note", "text", "Evidence for a change after delivery."),
    ("countries", "iso3", "text", "ISO 3166-1 alpha-3 code (primary key)."),
    ("countries", "name", "text", "Name."),
    ("countries", "status", "text", "member or observer."),
    ("countries", "regional_group", "text", "UN regional group the state is counted in."),
    ("sources", "event_id", "text", "Event id."),
    ("sources", "ordinal", "integer", "Order of the source for the event."),
    ("sources", "url", "text", "Address of the source."),
    ("sources", "what", "text", "What the source supports."),
    ("sources", "publisher", "text", "Kind of publisher: un (UN document), government, ngo, news, or mirror "
                                     "(a blog, forum, aggregator or content farm reposting others)."),
]


def tables(source) -> dict[str, pd.DataFrame]:
    """The four tidy tables as DataFrames (from the store or a Dataset)."""
    ds: Dataset = _dataset(source)
    events, positions, sources = [], [], []
    for e in ds:
        events.append({
            "id": e.id, "series": e.series, "kind": e.kind, "title": e.title, "forum": e.forum,
            "session": e.session, "date": e.date_text, "date_precision": e.date_precision, "stance": e.stance,
            "target": e.target, "delivered_by": e.delivered_by, "delivered_by_text": e.delivered_by_text,
            "lead": e.lead, "lead_text": e.lead_text, "topics": ";".join(e.topics),
            "claimed_count": e.claimed_count, "known_count": e.known_count,
            "list_complete": int(e.list_complete), "responds_to": e.responds_to, "notes": e.notes,
        })
        for s in e.signers:
            positions.append({
                "event_id": e.id, "iso3": s.iso3, "ordinal": s.ordinal, "name_in_source": s.name,
                "signed_at_delivery": int(s.at_delivery),
                "joined_on": s.joined_on.isoformat() if s.joined_on else None,
                "withdrew_on": s.withdrew_on.isoformat() if s.withdrew_on else None,
                "source_url": s.source, "note": s.note,
            })
        for i, ref in enumerate(e.sources):
            sources.append({"event_id": e.id, "ordinal": i, "url": ref.url, "what": ref.what,
                            "publisher": ref.publisher})
    countries = [{"iso3": c.iso3, "name": c.name, "status": c.status, "regional_group": c.regional_group}
                 for c in registry.countries()]
    out = {"events": pd.DataFrame(events), "positions": pd.DataFrame(positions),
           "countries": pd.DataFrame(countries), "sources": pd.DataFrame(sources)}
    for name in ("claimed_count", "ordinal"):
        for df in out.values():
            if name in df:
                df[name] = df[name].astype("Int64")
    return out


def _dictionary() -> pd.DataFrame:
    return pd.DataFrame(DICTIONARY, columns=["table", "column", "type", "description"])


def _about() -> dict:
    return {**ABOUT, "exported_at": datetime.now(UTC).isoformat(timespec="seconds")}


_KEYS = {"events": ["id"], "positions": ["event_id", "iso3"], "countries": ["iso3"],
         "sources": ["event_id", "ordinal"], "data_dictionary": ["table", "column"], "about": ["key"]}


def _write_sqlite(frames: dict[str, pd.DataFrame], path: Path) -> None:
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        for name, df in frames.items():
            cols = []
            for col in df.columns:
                kind = "INTEGER" if pd.api.types.is_integer_dtype(df[col]) else "TEXT"
                cols.append(f'"{col}" {kind}')
            keys = ", ".join(f'"{k}"' for k in _KEYS[name])
            con.execute(f'CREATE TABLE "{name}" ({", ".join(cols)}, PRIMARY KEY ({keys}))')
            rows = [tuple(None if pd.isna(v) else int(v) if pd.api.types.is_integer(v) else v for v in row)
                    for row in df.itertuples(index=False, name=None)]
            con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(df.columns))})', rows)
        con.commit()
    finally:
        con.close()


def export(source, fmt: str, out: Path, *, replace: bool = False) -> dict:
    """Write the tables in ``fmt`` to ``out``; return ``{format, path, tables: {name: rows}, replaced}``.

    An existing file, or a folder that holds files, is overwritten only with
    ``replace`` (``replaced`` then says so); the folder it goes in must exist.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    from blocwatch.files import check_output

    out = Path(out)
    replaced = check_output(out, folder=fmt in ("csv", "parquet"), replace=replace)
    frames = tables(source)
    about = _about()
    counts = {k: len(v) for k, v in frames.items()}
    if fmt == "json":
        payload = {"about": about, "data_dictionary": _dictionary().to_dict(orient="records"),
                   "tables": {k: json.loads(v.to_json(orient="records")) for k, v in frames.items()}}
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "sqlite":
        _write_sqlite({**frames, "data_dictionary": _dictionary(),
                       "about": pd.DataFrame({"key": list(about), "value": list(about.values())})}, out)
    else:
        out.mkdir(exist_ok=True)
        for name, df in frames.items():
            if fmt == "csv":
                df.to_csv(out / f"{name}.csv", index=False)
            else:
                df.to_parquet(out / f"{name}.parquet", index=False)
        _dictionary().to_csv(out / "data_dictionary.csv", index=False)
        (out / "ABOUT.md").write_text("\n\n".join(f"**{k}**: {v}" for k, v in about.items()) + "\n",
                                      encoding="utf-8")
    return {"format": fmt, "path": str(out), "tables": counts, "replaced": replaced}
