"""``blocwatch agreement`` and ``blocwatch import``: General Assembly roll calls.

Thin layer over :func:`blocwatch.ga.agreement.agreement` and
:func:`blocwatch.ga.importers.import_votes`.
"""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from blocwatch.cli import app, state
from blocwatch.cli.output import JSON_OPTION, console, fail, print_json

EXIT_BAD_INPUT = 2

import_app = typer.Typer(help="Import General Assembly roll-call votes into the database.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _code(name: str | None, option: str) -> str | None:
    if name is None:
        return None
    from blocwatch import names

    resolution = names.try_resolve(name, include_former=True)
    if not resolution.resolved:
        fail(escape(f"{option} {name!r}: {resolution.message}"), EXIT_BAD_INPUT)
    return resolution.iso3


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


@app.command("agreement")
def agreement_command(
    year: int | None = typer.Option(None, "--year", "-y", help="Calendar year of the votes."),
    session: int | None = typer.Option(None, "--session", "-s", help="GA session (1 = 1946) instead of a year."),
    country: str | None = typer.Option(None, "--country", "-c", help="Only pairs with this state (code or name)."),
    with_: str | None = typer.Option(None, "--with", "-w", help="Only the pair --country / --with."),
    issue: str | None = typer.Option(None, "--issue", help="Only roll calls on one issue: me, nu, di, co, hr, ec."),
    important: bool = typer.Option(False, "--important", help="Only the US State Department's 'important votes'."),
    lineage: bool = typer.Option(False, "--lineage", help="Count a former seat holder's votes under its successor "
                                                          "(USSR as RUS, Republic of China as CHN, ...)."),
    all_: bool = typer.Option(False, "--all", help="Every pair of states and every year (or only --year / "
                                                  "--session); needs --out."),
    out: Path | None = typer.Option(None, "--out", "-o", help="With --all: write CSV (.csv, .csv.gz) or Parquet "
                                                              "(.parquet)."),
    limit: int = typer.Option(20, "--limit", "-n", help="Rows shown in the table (JSON gives all)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Agreement between states in GA roll calls: Voeten agreement and US voting coincidence.

    agree = joint votes with the same choice (yes/abstain/no) / joint votes;
    coincidence = identical yes/no votes / (identical + opposite yes/no votes),
    abstentions and absences left out (US State Department, votes only).
    """
    from blocwatch.ga.agreement import agreement, for_country
    from blocwatch.ga.seats import lineage as lineage_of

    if all_:
        if out is None:
            fail("--all needs --out FILE (.csv, .csv.gz or .parquet)", EXIT_BAD_INPUT)
        suffixes = "".join(out.suffixes[-2:]).lower()
        if not (suffixes.endswith(".csv") or suffixes.endswith(".csv.gz") or suffixes.endswith(".parquet")):
            fail(f"--out {out}: expected a .csv, .csv.gz or .parquet file name", EXIT_BAD_INPUT)
    elif year is None and session is None:
        fail("give --year Y or --session N (or --all --out FILE for every year)", EXIT_BAD_INPUT)
    if with_ and not country:
        fail("--with needs --country", EXIT_BAD_INPUT)
    a, b = _code(country, "--country"), _code(with_, "--with")
    by = "session" if session is not None else "year"
    try:
        scores = agreement(state.engine(), by=by, issue=issue, important=important, lineage=lineage,
                           years=[year] if year is not None else None,
                           sessions=[session] if session is not None else None)
    except ValueError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    if a:
        scores = for_country(scores, a, b)
    if all_:
        if str(out).lower().endswith(".parquet"):
            scores.to_parquet(out, index=False)
        else:
            scores.to_csv(out, index=False)
        summary = {"out": str(out), "rows": len(scores), "pairs": int(scores[["a", "b"]].drop_duplicates().shape[0]),
                   by + "s": [int(scores[by].min()), int(scores[by].max())] if len(scores) else []}
        if as_json:
            print_json(summary)
        else:
            console.print(f"wrote {summary['rows']:,} dyad-{by} rows ({summary['pairs']:,} pairs) to {out}")
        return
    scores = scores.sort_values(["agree", "n"], ascending=[False, False], kind="stable")
    if as_json:
        print_json([{"a": r.a, "b": r.b, by: int(getattr(r, by)), "n": int(r.n), "agree": _num(r.agree),
                     "coincidence": _num(r.coincidence)} for r in scores.itertuples(index=False)])
        return
    period = f"{by} {year if year is not None else session}"
    what = f" on issue {issue}" if issue else ""
    what += " (important votes)" if important else ""
    table = Table(title=f"GA agreement, {period}{what}: {len(scores):,} pair{'' if len(scores) == 1 else 's'}"
                        + (f", top {limit}" if len(scores) > limit else ""))
    for col in ("A", "B", "joint votes", "agree", "agree ½", "coincidence"):
        table.add_column(col, justify="right" if col not in ("A", "B") else "left")
    for r in scores.head(limit).itertuples(index=False):
        coin = "—" if _num(r.coincidence) is None else f"{r.coincidence:.3f}"
        table.add_row(str(r.a), str(r.b), str(r.n), f"{r.agree:.3f}", f"{r.agree_half:.3f}", coin)
    console.print(table)
    if not len(scores):
        console.print("no pair co-voted in that period (check the year, or import newer votes)")
        earlier = [c for c in (a, b) if c and len(lineage_of(c)) > 1] if not lineage else []
        for code in earlier:
            console.print(f"note: {code}'s seat was held before by {', '.join(lineage_of(code)[:-1])}; "
                          "use --lineage to count those votes as its own, or name the former state")


def _run_import(kind: str, path: Path, as_json: bool, overlap: str = "skip") -> None:
    from blocwatch.ga.importers import GAImportError, import_votes

    try:
        result = import_votes(state.engine(), kind, path, progress=not as_json, overlap=overlap)
    except GAImportError as exc:
        fail(escape(str(exc)), EXIT_BAD_INPUT)
    if as_json:
        print_json(result.to_dict())
        return
    if result.already_imported:
        console.print(f"{path}: already imported; nothing changed")
        return
    console.print(f"{path}: {result.rollcalls:,} roll calls and {result.votes:,} votes read; "
                  f"{result.rollcalls_added:,} roll calls and {result.votes_added:,} votes added, "
                  f"{result.votes_changed:,} votes changed")
    for note in result.notes:
        console.print(f"note: {note}")


PATH_ARG = typer.Argument(..., help="The file (or folder) to import.")


@import_app.command("unvotes")
def import_unvotes(path: Path = PATH_ARG, as_json: bool = JSON_OPTION) -> None:
    """The unvotes CSV tables (un_votes, un_roll_calls, un_roll_call_issues; .csv or .csv.gz)."""
    _run_import("unvotes", path, as_json)


@import_app.command("rda")
def import_rda(path: Path = PATH_ARG, as_json: bool = JSON_OPTION) -> None:
    """The unvotes R data files (.rda with objects un_votes, un_roll_calls, un_roll_call_issues)."""
    _run_import("rda", path, as_json)


@import_app.command("undl")
def import_undl(
    path: Path = PATH_ARG,
    overlap: str = typer.Option("skip", "--overlap", help="skip: leave out sessions already stored from unvotes "
                                                          "(no vote counted twice); keep: import them too."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A UN Digital Library bulk voting CSV (2025 or 2026 header; ms_vote Y/N/A/X)."""
    if overlap not in ("skip", "keep"):
        fail(f"--overlap must be skip or keep, not {overlap!r}", EXIT_BAD_INPUT)
    _run_import("undl", path, as_json, overlap)
