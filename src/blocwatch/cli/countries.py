"""``blocwatch countries``: list the registry, resolve names (``bw.countries``)."""

from __future__ import annotations

import typer

from blocwatch.api.options import Group
from blocwatch.cli.output import CSV_OPTION, JSON_OPTION, bw, emit_table, err_console, one_format, print_json, say
from blocwatch.cli.root import app

countries_app = typer.Typer(help="The registry of UN member and observer states.", no_args_is_help=True)
app.add_typer(countries_app, name="countries")

FORMER_OPTION = typer.Option(False, "--former", help="Also former states (USSR, Yugoslavia, ...).")


@countries_app.command("list")
def list_countries(
    group: Group | None = typer.Option(None, "--group", "-g", case_sensitive=False, help="Only one regional group."),
    former: bool = FORMER_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """List member and observer states with their regional group.

    --group keeps the states counted in the group and those that also take
    part in it (Türkiye is counted in weog and also sits in asia_pacific).
    """
    from blocwatch import registry

    one_format(as_json, as_csv)
    found = bw().countries.list(group, former=former)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    title = f"{len(found)} states" + (f" in {registry.GROUPS[group.value]}" if group else "")
    emit_table(("ISO3", "Name", "Status", "Group", "Also in", "Admitted", "EU"),
               [(c.iso3, c.name, c.status, c.regional_group, ", ".join(c.also_in),
                 c.admitted.isoformat() if c.admitted else "", "EU" if c.eu_member else "") for c in found],
               as_csv=as_csv, title=title, wrap=("Name",))


@countries_app.command("resolve")
def resolve_names(
    names_: list[str] = typer.Argument(..., metavar="NAME...", help="Names to resolve, in any UN language."),
    former: bool = FORMER_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Say which state each name denotes; exit status 2 if any name does not resolve.

    Confidence: 1.0 an exact known name or ISO code, 0.95 after dropping a
    leading "Republic of"-style word, 0.9 a checked country_converter pattern.
    """
    one_format(as_json, as_csv)
    results = bw().countries.resolve(names_, former=former)
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        emit_table(("Input", "ISO3", "Name", "Confidence", "How"),
                   [(r.input, r.iso3, r.name, f"{r.confidence:.2f}", r.method if r.resolved else r.reason)
                    for r in results], as_csv=as_csv, numeric=("Confidence",))
        for r in results:
            if r.resolved and r.message:  # a historical name of a current seat says so
                say(f"{r.input}: {r.message}")
    unresolved = [r for r in results if not r.resolved]
    for r in unresolved:
        err_console.print(f"error: {r.reason}: {r.message}", markup=False, highlight=False)
    if unresolved:
        raise typer.Exit(2)
