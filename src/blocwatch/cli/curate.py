"""``blocwatch curate``: rebuild the shipped data tables from their sources."""

from __future__ import annotations

from pathlib import Path

import typer

from blocwatch.cli import app
from blocwatch.cli.output import console

curate_app = typer.Typer(help="Rebuild the curated data shipped in the package (for maintainers).", no_args_is_help=True)
app.add_typer(curate_app, name="curate")

SHARED = typer.Option(Path("../shared/data"), "--shared", help="The raw data folder (shared/data).")
REPO = typer.Option(Path("."), "--repo", help="The blocwatch checkout.")


@curate_app.command("registry")
def curate_registry(shared: Path = SHARED, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/countries.csv."""
    from blocwatch.curate.registry import build

    out = repo / "src" / "blocwatch" / "data" / "countries.csv"
    n = build(shared, repo / "curation", out)
    console.print(f"wrote {n} entities to {out}")


@curate_app.command("statements")
def curate_statements(shared: Path = SHARED, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/events/*.yaml from shared/data/statements."""
    from blocwatch.statements.curate import build

    out = repo / "src" / "blocwatch" / "data" / "events"
    ids = build(shared / "statements", out)
    console.print(f"wrote {len(ids)} events to {out}")


@curate_app.command("unga")
def curate_unga(shared: Path = SHARED, repo: Path = REPO) -> None:
    """Rebuild src/blocwatch/data/unga/*.csv.gz (GA votes 1946-2019) from shared/data/unga."""
    from blocwatch.ga.curate import build

    out = repo / "src" / "blocwatch" / "data" / "unga"
    manifest = build(shared, out)
    rows = {o["file"]: o["rows"] for o in manifest["outputs"]}
    console.print(f"wrote {rows['rollcalls.csv.gz']} roll calls and {rows['votes.csv.gz']} votes to {out}")
