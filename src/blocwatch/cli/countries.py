"""``blocwatch countries``: list the registry, resolve names."""

from __future__ import annotations

import typer
from rich.table import Table

from blocwatch import registry
from blocwatch.cli import app
from blocwatch.cli.output import JSON_OPTION, console, fail, print_json

countries_app = typer.Typer(help="The registry of UN member and observer states.", no_args_is_help=True)
app.add_typer(countries_app, name="countries")


@countries_app.command("list")
def list_countries(
    group: str | None = typer.Option(None, "--group", "-g", help=f"Only one regional group: {', '.join(registry.GROUPS)}."),
    former: bool = typer.Option(False, "--former", help="Include former states (USSR, Yugoslavia, ...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List member and observer states with their regional group."""
    try:
        found = registry.countries(group, include_former=former)
    except ValueError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json([
            {**c.to_dict(), "un_member": c.un_member, "regional_group": c.regional_group, "also_in": list(c.also_in)}
            for c in found
        ])
        return
    table = Table(title=f"{len(found)} states" + (f" in {registry.GROUPS[group]}" if group else ""))
    for col in ("ISO3", "Name", "Status", "Group", "Also in", "Admitted", "EU"):
        table.add_column(col)
    for c in found:
        table.add_row(c.iso3, c.name, c.status, c.regional_group or "—", ", ".join(c.also_in),
                      c.admitted.isoformat() if c.admitted else "", "EU" if c.eu_member else "")
    console.print(table)
