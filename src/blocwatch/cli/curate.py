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


def _dgacm(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.ga.dgacm import build

    out = _data(repo) / "dgacm"
    manifest = build(sources, out)
    files = [out / o["file"] for o in manifest["outputs"]] + [out / "manifest.json"]
    return (f"wrote {manifest['outputs'][0]['rows']} roll calls (sessions {', '.join(manifest['sessions'])}) "
            f"to {out}"), files


def _hrc(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.hrc.curate import build

    out = _data(repo) / "hrc"
    manifest = build(sources, out)
    rows = {o["file"]: o["rows"] for o in manifest["outputs"]}
    files = [out / o["file"] for o in manifest["outputs"]] + [out / "manifest.json"]
    return (f"wrote {rows['rollcalls.jsonl.gz']} roll calls, {rows['sources.json']} checked votes' sources and "
            f"{rows['terms.csv']} membership terms to {out}"), files


def _geo(sources: Path, repo: Path) -> tuple[str, list[Path]]:
    from blocwatch.web.geo import build

    out = _data(repo) / "geo"
    manifest = build(sources, out)
    files = [out / o["file"] for o in manifest["outputs"]] + [out / "manifest.json"]
    return f"wrote the world map's shapes and small-state markers ({len(files)} files) to {out}", files


# (name, builder, the files it owns: globs under the data folder) in the order `curate all` runs them.
# data/hrc/classification_overrides.csv is a hand-reviewed input of the hrc step, not one of its outputs.
STEPS: list[tuple[str, Callable[[Path, Path], tuple[str, list[Path]]], tuple[str, ...]]] = [
    ("registry", _registry, ("countries.csv",)),
    ("statements", _statements, ("events/*.yaml",)),
    ("unga", _unga, ("unga/*",)),
    ("dgacm", _dgacm, ("dgacm/*",)),
    ("hrc", _hrc, ("hrc/rollcalls.jsonl.gz", "hrc/sources.json", "hrc/terms.csv", "hrc/manifest.json")),
    ("geo", _geo, ("geo/*",)),
]


def _digests(data: Path, patterns: tuple[str, ...]) -> dict[Path, str]:
    from blocwatch.curate import digests

    return {p: d for pattern in patterns for p, d in digests(data, pattern).items()}


def _run(name: str, sources: Path | None, repo: Path) -> bool:
    """Run one step; print what it wrote and which files changed. True when something changed."""
    builder, patterns = next((b, p) for n, b, p in STEPS if n == name)
    folder = _sources(sources, repo)
    before = _digests(_data(repo), patterns)
    message, _ = builder(folder, repo)
    after = _digests(_data(repo), patterns)
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


@curate_app.command("dgacm")
def curate_dgacm(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/dgacm/* (the UN's GA resolutions 2019-2026) from SOURCES/unga/dgacm."""
    _run("dgacm", sources, repo)


@curate_app.command("hrc")
def curate_hrc(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/hrc/* (Human Rights Council membership and votes) from SOURCES/hrc.

    data/hrc/classification_overrides.csv is read (the reviewed overrides), never written.
    """
    _run("hrc", sources, repo)


@curate_app.command("geo")
def curate_geo(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/geo/* (the world map's shapes and small-state markers) from SOURCES/geo."""
    _run("geo", sources, repo)


@curate_app.command("all")
def curate_all(sources: Path | None = SOURCES, repo: Path = REPO) -> None:
    """Rebuild every curated table: registry, statements, unga, dgacm, hrc, geo, in that order."""
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
