"""Build the curated Council bundle shipped in ``blocwatch/data/hrc`` and read it back.

Input: ``sources/hrc/`` of a sources folder (``curation/sources``, a copy of
``shared/data``). Output, in ``out_dir``:

* ``rollcalls.jsonl.gz`` -- one :meth:`RollCall.to_dict` JSON object per line
  (sorted keys, UTF-8), in :func:`~blocwatch.hrc.read.read_hrc` order;
* ``sources.json`` -- the checked votes' sources and how each was checked, per symbol;
* ``terms.csv`` -- the membership terms (``iso3,start,end,note,source``);
* ``manifest.json`` -- inputs with SHA-256, outputs with rows and SHA-256, citations.

Written deterministically (gzip without timestamp or file name), so a rebuild
from the same input gives identical bytes.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from blocwatch import registry
from blocwatch.hrc.membership import parse_terms, write_terms
from blocwatch.hrc.read import HrcRead, assemble, read_hrc
from blocwatch.store.provenance import sha256_of
from blocwatch.votes.record import RollCall

CITATION = ("OHCHR library voting records (searchlibrary.ohchr.org), as scraped by the public repository"
            " tsujamin/unhrc-nominate, commit 9c7d142 (hrc/ohchr_votes.sqlite3); membership from UN press"
            " releases and news excerpts in hrc/raw; checked country-situation votes 2019-2024 with their own"
            " sources (sources.json)")


def _inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def build(sources: Path, out_dir: Path) -> dict:
    """Rebuild the bundle from ``sources/hrc`` into ``out_dir``; return the manifest.

    The reviewed classification overrides are read from ``out_dir`` (the
    checkout's ``data/hrc/classification_overrides.csv``, an input kept next to
    the outputs), so a build for another checkout uses that checkout's file.
    """
    folder = Path(sources) / "hrc"
    out_dir = Path(out_dir)
    overrides = out_dir / "classification_overrides.csv"
    read = read_hrc(folder, overrides_path=overrides if overrides.is_file() else None)
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(rc.to_dict(), sort_keys=True, ensure_ascii=False) + "\n" for rc in read.roll_calls)
    with open(out_dir / "rollcalls.jsonl.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(lines.encode("utf-8"))
    checked = {s: {"sources": list(read.sources[s]), "verification": read.verification.get(s, "")}
               for s in read.sources}
    (out_dir / "sources.json").write_text(json.dumps(checked, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                          encoding="utf-8")
    write_terms(read.terms, out_dir / "terms.csv")
    manifest = {
        "built_by": "blocwatch.hrc.curate.build",
        "citation": CITATION,
        "checked_sources": sorted({u for urls in read.sources.values() for u in urls}),
        "inputs": [{"file": str(p.relative_to(folder.parent)), "sha256": sha256_of(p)} for p in _inputs(folder)]
        + ([{"file": "data/hrc/classification_overrides.csv", "sha256": sha256_of(overrides)}]
           if overrides.is_file() else []),
        "outputs": [{"file": name, "rows": rows, "sha256": sha256_of(out_dir / name)} for name, rows in
                    (("rollcalls.jsonl.gz", len(read.roll_calls)), ("sources.json", len(checked)),
                     ("terms.csv", len(read.terms)))],
        "counts": read.counts,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_bundle(folder) -> HrcRead:
    """Read a bundle written by :func:`build` (a :class:`~pathlib.Path` or an importlib Traversable)."""
    with (folder / "rollcalls.jsonl.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        roll_calls = [RollCall.from_dict(json.loads(line)) for line in fh if line.strip()]
    checked = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    terms = parse_terms((folder / "terms.csv").read_text(encoding="utf-8"), "hrc/terms.csv")
    return assemble(roll_calls, terms, {s: tuple(v["sources"]) for s, v in checked.items()},
                    {s: v["verification"] for s, v in checked.items()})


@cache
def bundled() -> HrcRead:
    """The bundle shipped in ``blocwatch/data/hrc``."""
    return read_bundle(registry.data_path("hrc"))
