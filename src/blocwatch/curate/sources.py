"""The raw inputs of ``blocwatch curate``, kept in the repository under ``curation/sources``.

A fresh clone has no ``shared/data`` folder beside it, so the files the
curation (and the tests that check it) read are copied, unchanged, into
``curation/sources/`` with the same layout as ``shared/data``. Their SHA-256
sums are listed in ``curation/sources/SHA256SUMS`` (``sha256sum -c`` reads
it). :func:`refresh` brings the copies up to date from a ``shared/data``
folder and says, file by file, what it added, changed or removed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from blocwatch.store.provenance import sha256_of

# What the curation reads, as paths or globs relative to a shared/data folder.
PATTERNS = (
    "un/regional_groups.csv",
    "un/regional_groups_sources.txt",
    "statements/*.yaml",
    "statements/raw/*.txt",
    "unga/un_votes.csv.gz",
    "unga/un_roll_calls.csv.gz",
    "unga/un_roll_call_issues.csv",
    "unga/dgacm/*.json",
    "unga/dgacm/README.md",
    "unga/dgacm/SOURCE_README.md",
    "unga/dgacm/SHA256SUMS",
    "hrc/membership.csv",
    "hrc/membership_changes.csv",
    "hrc/ohchr_votes.sqlite3",
    "hrc/votes/*.csv",
    "hrc/raw/*",
    "geo/countries-50m.json",
    "geo/countries-110m.json",
    "geo/LICENSE",
)
MANIFEST = "SHA256SUMS"


class SourcesError(ValueError):
    """A sources folder that lacks what the curation needs; the message names the folder and file."""


def default_sources(repo: Path) -> Path:
    """The in-repository copies of the raw inputs of a checkout."""
    return Path(repo) / "curation" / "sources"


def source_files(root: Path) -> list[str]:
    """The curation inputs present under ``root`` (relative POSIX paths, sorted).

    Raises :class:`SourcesError` when a pattern matches nothing: a sources
    folder must hold every input.
    """
    root = Path(root)
    if not root.is_dir():
        raise SourcesError(f"sources folder not found: {root}")
    found: set[str] = set()
    for pattern in PATTERNS:
        hits = [p for p in root.glob(pattern) if p.is_file()]
        if not hits:
            raise SourcesError(f"{root}: no {pattern}")
        found.update(p.relative_to(root).as_posix() for p in hits)
    return sorted(found)


def hashes(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of the curation inputs under ``root``."""
    return {rel: sha256_of(Path(root) / rel) for rel in source_files(root)}


def render_manifest(sums: dict[str, str]) -> str:
    return "".join(f"{digest}  {rel}\n" for rel, digest in sorted(sums.items()))


def read_manifest(root: Path) -> dict[str, str]:
    """The sums recorded in ``root/SHA256SUMS``."""
    sums: dict[str, str] = {}
    for line in (Path(root) / MANIFEST).read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            sums[rel.lstrip("*")] = digest
    return sums


def check_manifest(root: Path) -> list[str]:
    """Problems with ``root`` against its manifest (empty when every copy is as recorded)."""
    recorded = read_manifest(root)
    actual = hashes(root)
    problems = [f"{rel}: not in {MANIFEST}" for rel in sorted(set(actual) - set(recorded))]
    problems += [f"{rel}: listed in {MANIFEST} but missing" for rel in sorted(set(recorded) - set(actual))]
    problems += [f"{rel}: SHA-256 differs from {MANIFEST}" for rel in sorted(set(actual) & set(recorded))
                 if actual[rel] != recorded[rel]]
    return problems


@dataclass
class Changes:
    """What a refresh does (or would do) to the copies, as relative paths."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        """One line per added, changed or removed file."""
        return ([f"added    {p}" for p in self.added] + [f"changed  {p}" for p in self.changed]
                + [f"removed  {p}" for p in self.removed])


def compare(origin: Path, copies: Path) -> Changes:
    """How the copies in ``copies`` differ from the files in ``origin`` (a shared/data folder)."""
    new = hashes(origin)
    old = {rel: sha256_of(Path(copies) / rel) for rel in _present(copies)}
    return Changes(
        added=sorted(set(new) - set(old)),
        changed=sorted(rel for rel in set(new) & set(old) if new[rel] != old[rel]),
        removed=sorted(set(old) - set(new)),
        unchanged=sum(1 for rel in set(new) & set(old) if new[rel] == old[rel]),
    )


def refresh(origin: Path, copies: Path, dry_run: bool = False) -> Changes:
    """Make ``copies`` equal to the curation inputs in ``origin`` and rewrite its manifest.

    Returns what changed; with ``dry_run`` nothing is written. Files under
    ``copies`` that the patterns do not cover (a README) are left alone.
    """
    origin, copies = Path(origin), Path(copies)
    changes = compare(origin, copies)
    if dry_run:
        return changes
    for rel in changes.added + changes.changed:
        (copies / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin / rel, copies / rel)
    for rel in changes.removed:
        (copies / rel).unlink()
    manifest = render_manifest(hashes(copies))
    path = copies / MANIFEST
    if not path.exists() or path.read_text(encoding="utf-8") != manifest:
        path.write_text(manifest, encoding="utf-8")
    return changes


def _present(root: Path) -> list[str]:
    """The inputs under ``root`` without requiring each pattern to match (a first refresh has none)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted({p.relative_to(root).as_posix() for pattern in PATTERNS for p in root.glob(pattern) if p.is_file()})
