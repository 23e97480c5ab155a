"""``blocwatch countries``: list the registry, resolve names.

Thin layer over :func:`blocwatch.registry.countries` and
:func:`blocwatch.names.try_resolve`.
"""

from __future__ import annotations

import typer
from rich.table import Table

from blocwatch import registry
from blocwatch.cli import app
from blocwatch.cli.output import JSON_OPTION, console, err_console, fail, print_json

countries_app = typer.Typer(help="The registry of UN member and observer states.", no_args_is_help=True)
app.add_typer(countries_app, name="countries")

# Exit status when a name does not resolve or an option value is bad.
EXIT_UNRESOLVED = 2


@countries_app.command("list")
def list_countries(
    group: str | None = typer.Option(
        None, "--group", "-g", help=f"Only one regional group: {', '.join(registry.GROUPS)}."),
    former: bool = typer.Option(False, "--former", help="Include former states (USSR, Yugoslavia, ...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List member and observer states with their regional group.

    --group keeps the states counted in the group and those that also take
    part in it (Türkiye is counted in weog and also sits in asia_pacific).
    """
    try:
        found = registry.countries(group, include_former=former)
    except ValueError as exc:
        fail(str(exc), EXIT_UNRESOLVED)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    title = f"{len(found)} states" + (f" in {registry.GROUPS[group]}" if group else "")
    table = Table(title=title)
    for col in ("ISO3", "Name", "Status", "Group", "Also in", "Admitted", "EU"):
        table.add_column(col)
    for c in found:
        table.add_row(c.iso3, c.name, c.status, c.regional_group or "—", ", ".join(c.also_in),
                      c.admitted.isoformat() if c.admitted else "", "EU" if c.eu_member else "")
    console.print(table)


@countries_app.command("resolve")
def resolve_names(
    names_: list[str] = typer.Argument(..., metavar="NAME...", help="Names to resolve, in any UN language."),
    former: bool = typer.Option(False, "--former", help="Also resolve former states (USSR, Yugoslavia, ...)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Say which state each name denotes; exit status 2 if any name does not resolve.

    Confidence: 1.0 an exact known name or ISO code, 0.95 after dropping a
    leading "Republic of"-style word, 0.9 a checked country_converter pattern.
    """
    from blocwatch import names

    results = names.resolve_many(names_, include_former=former)
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        table = Table()
        for col in ("Input", "ISO3", "Name", "Confidence", "How"):
            table.add_column(col)
        for r in results:
            how = r.method if r.resolved else f"[red]{r.reason}[/]"
            table.add_row(r.input, r.iso3 or "—", r.name or "—", f"{r.confidence:.2f}", how)
        console.print(table)
    unresolved = [r for r in results if not r.resolved]
    for r in unresolved:
        err_console.print(f"[bold red]error:[/] {r.reason}: {r.message}", highlight=False)
    if unresolved:
        raise typer.Exit(EXIT_UNRESOLVED)
