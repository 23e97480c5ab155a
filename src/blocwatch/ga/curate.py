"""Build the curated copy of the 1946-2019 GA votes shipped in the package.

Input: the unvotes tables in ``unga/`` of a sources folder (``curation/sources``,
a copy of ``shared/data``: Erik Voeten's data as packaged by the R package unvotes).
Output, in ``src/blocwatch/data/unga``:

* ``rollcalls.csv.gz`` -- ``rcid,session,date,unres,important,amend,para,short,descr,issues``
  (flags 0/1/empty; ``issues`` is a ``;``-separated list of issue codes);
* ``votes.csv.gz`` -- ``rcid,iso3,vote``: registry code of the entity that
  held the seat on the day (see :mod:`blocwatch.ga.seats`), Voeten's vote code;
* ``manifest.json`` -- SHA-256 and row counts of inputs and outputs.

The files are written deterministically (gzip without a timestamp), so a
rebuild from the same input gives identical bytes.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd

from blocwatch.ga.importers import read_unvotes
from blocwatch.store.provenance import sha256_of

ROLLCALL_COLUMNS = ["rcid", "session", "date", "unres", "important", "amend", "para", "short", "descr", "issues"]


def _write_gz(frame: pd.DataFrame, path: Path) -> None:
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(data)


def build(shared: Path, out_dir: Path) -> dict:
    """Rebuild the curated GA tables from ``shared/unga`` (a sources folder); return the manifest."""
    tables, inputs = read_unvotes(Path(shared) / "unga")
    out_dir.mkdir(parents=True, exist_ok=True)
    rc = tables.rollcalls[ROLLCALL_COLUMNS].copy()
    rc["issues"] = [";".join(json.loads(v)) for v in rc["issues"]]
    votes = tables.votes.sort_values(["rcid", "iso3"], ignore_index=True)
    _write_gz(rc, out_dir / "rollcalls.csv.gz")
    _write_gz(votes, out_dir / "votes.csv.gz")
    manifest = {
        "built_by": "blocwatch curate unga (blocwatch.ga.curate.build)",
        "source": "Erik Voeten, 'United Nations General Assembly Voting Data', Harvard Dataverse, hdl:1902.1/12379;"
                  " as packaged in the R package unvotes (David Robinson); shared/data/unga",
        "inputs": [{"file": p.name, "sha256": sha256_of(p)} for p in inputs],
        "outputs": [
            {"file": "rollcalls.csv.gz", "rows": len(rc), "sha256": sha256_of(out_dir / "rollcalls.csv.gz")},
            {"file": "votes.csv.gz", "rows": len(votes), "sha256": sha256_of(out_dir / "votes.csv.gz")},
        ],
        "entities": int(votes["iso3"].nunique()),
        "sessions": [int(rc["session"].min()), int(rc["session"].max())],
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
