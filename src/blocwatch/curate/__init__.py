"""Code that builds the project's curated data tables from raw sources."""

from __future__ import annotations

from pathlib import Path


def digests(root: Path, pattern: str) -> dict[Path, str]:
    """``{file: SHA-256}`` of the files under ``root`` matching ``pattern`` (to tell what a rebuild changed)."""
    from blocwatch.store.provenance import sha256_of

    return {p: sha256_of(p) for p in sorted(Path(root).glob(pattern)) if p.is_file()}
