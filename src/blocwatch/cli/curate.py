"""``blocwatch curate``: rebuild the shipped data tables from their sources.

The raw inputs are read from the copies kept in the checkout
(``curation/sources``, the layout of ``shared/data``); ``--sources DIR``
reads another folder, and ``blocwatch curate sources --from DIR`` refreshes
the copies from a ``shared/data`` folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from blocwatch.cli.output import say
from blocwatch.cli.root import app
from blocwatch.errors import BlocwatchError

curate_app = typer.Typer(help="Rebuild the curated data shipped in the package (for maintainers).",
                         no_args_is_help=True)
app.add_typer(curate_app, name="curate")

SOURCES = typer.Option(None, "--sources", "--shared",
                       help="The raw inputs, laid out as shared/data [default: REPO/curation/sources].")
REPO = typer.Option(Path("."), "--repo", help="The blocwatch checkout.")


def _sources(sources: Path | None, repo: Path) -> Path:
    from blocwatch.curate.sources import default_sources

    folder = sources or default_sources(repo)
    if not folder.is_dir():
        raise BlocwatchError(f"sources folder not found: {folder} (run from the checkout, or pass --repo or "
                             "--sources)")
    return folder


def _data(repo: Path) -> Path:
    return repo / "src" / "blocwatch" / "data"


def _registry(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.curate.registry import build

    out = _data(repo) / "countries.csv"
    n = build(sources, repo / "curation", out)
    return f"wrote {n} entities to {out}", [out]


def _statements(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.statements.curate import build

    out = _data(repo) / "events"
    ids = build(sources / "statements", out)
    return f"wrote {len(ids)} events to {out}", [out / f"{i}.yaml" for i in ids]


def _unga(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.ga.curate import build

    out = _data(repo) / "unga"
    manifest = build(sources, out)
    rows = {o["file"]: o["rows"] for o in manifest["outputs"]}
    files = [out / o["file"] for o in manifest["outputs"]] + [out / "manifest.json"]
    return f"wrote {rows['rollcalls.csv.gz']} roll calls and {rows['votes.csv.gz']} votes to {out}", files


# (name, builder, the files it owns: a glob under the data folder) in the order `curate all` runs them.
STEPS: list[tuple[str, Callable[[Path, Path], tuple[str, list[Path]]], str]] = [
    ("registry", _registry, "countries.csv"),
    ("statements", _statements, "events/*.yaml"),
    ("unga", _unga, "unga/*"),
]


def _run(name: str, sources: Path | None, repo: Path) -> bool:
    """Run one step; print what it wrote and which files changed. True when something changed."""
    from blocwatch.curate import digests

    builder, pattern = next((b, p) for n, b, p in STEPS if n == name)
    folder = _sources(sources, repo)
    before = digests(_data(repo), pattern)
    message, _ = builder(folder, repo)
    after = digests(_data(repo), pattern)
    changed = sorted({p for p in before.keys() | after.keys() if before.get(p) != after.get(p)})
    say(f"{name}: {message}")
    if not changed:
        say(f"{name}: unchanged")
    for p in changed:
        what = "added" if p not in before else "removed" if p not in after else "changed"
        say(f"{name}: {what} {p}")
    return bool(changed)


@curate_app.command("registry")
def curate_registry(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/countries.csv."""
    _run("registry", sources, repo)


@curate_app.command("statements")
def curate_statements(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/events/*.yaml from SOURCES/statements."""
    _run("statements", sources, repo)


@curate_app.command("unga")
def curate_unga(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/unga/*.csv.gz (GA votes 1946-2019) from SOURCES/unga."""
    _run("unga", sources, repo)


@curate_app.command("all")
def curate_all(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild every curated table: registry, statements, unga, in that order."""
    changed = [name for name, _, _ in STEPS if _run(name, sources, repo)]
    say(f"changed: {', '.join(changed)}" if changed else "all curated data unchanged")


@curate_app.command("sources")
def curate_sources(
    origin: Path = typer.Option(..., "--from", help="A shared/data folder to copy the raw inputs from."),
    repo: Path = REPO,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would change."),
) -> None:
    """Refresh the in-repository copies of the raw inputs (curation/sources) from a shared/data folder.

    Prints every file added, changed or removed, and rewrites curation/sources/SHA256SUMS.
    """
    from blocwatch.curate.sources import SourcesError, default_sources, refresh

    copies = default_sources(repo)
    try:
        changes = refresh(origin, copies, dry_run=dry_run)
    except SourcesError as exc:
        raise BlocwatchError(str(exc)) from None
    for line in changes.lines():
        say(("would be " if dry_run else "") + line)
    verb = "would change" if dry_run else "changed"
    say(f"{copies}: {len(changes.lines())} file(s) {verb}, {changes.unchanged} unchanged"
                  + ("; run `blocwatch curate all` and review the diff" if changes.any and not dry_run else ""))
