"""``blocwatch agreement`` and ``blocwatch import``: General Assembly roll calls (``bw.ga``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from blocwatch.api.options import Issue, Overlap, VoteForum
from blocwatch.cli.output import (
    CSV_OPTION,
    JSON_OPTION,
    REPLACE_OUT_OPTION,
    bw,
    emit_table,
    one_format,
    print_json,
    say,
)
from blocwatch.cli.root import app
from blocwatch.errors import InvalidInput

import_app = typer.Typer(help="Import General Assembly roll-call votes into the database.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@app.command("agreement")
def agreement_command(
    year: int | None = typer.Option(None, "--year", "-y", help="Calendar year of the votes."),
    session: int | None = typer.Option(None, "--session", "-s", help="GA session (1 = 1946) instead of a year."),
    country: str | None = typer.Option(None, "--country", "-c", metavar="STATE",
                                       help="Only pairs with this state (code or name)."),
    with_: str | None = typer.Option(None, "--with", "-w", metavar="STATE", help="Only the pair --country / --with."),
    issue: Issue | None = typer.Option(None, "--issue", case_sensitive=False,
                                       help="Only roll calls on one issue: me Palestinian conflict, nu nuclear, "
                                            "di disarmament, co colonialism, hr human rights, ec economic."),
    important: bool = typer.Option(False, "--important", help="Only the US State Department's 'important votes'."),
    forum: VoteForum = typer.Option(VoteForum.ga, "--forum", "-f", case_sensitive=False,
                                    help="ga (General Assembly) or hrc (Human Rights Council; its sessions are "
                                         "years)."),
    lineage: bool = typer.Option(False, "--lineage", help="Count a former seat holder's votes under its successor "
                                                          "(USSR as RUS, Republic of China as CHN, ...)."),
    all_: bool = typer.Option(False, "--all", help="Every pair of states and every year (or only --year / "
                                                  "--session); needs --out."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                    help="Write every row to FILE (.csv, .csv.gz or .parquet)."),
    replace: bool = REPLACE_OUT_OPTION,
    limit: int = typer.Option(20, "--limit", "-n", help="Rows shown in the table (JSON and CSV give all)."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Agreement between states in GA roll calls: Voeten agreement and US voting coincidence.

    agree = joint votes with the same choice (yes/abstain/no) / joint votes;
    coincidence = identical yes/no votes / (identical + opposite yes/no votes),
    abstentions and absences left out (US State Department, votes only).
    """
    from blocwatch.files import check_output, suffix_of
    from blocwatch.ga.seats import lineage as lineage_of

    one_format(as_json, as_csv)
    if all_ and out is None:
        raise InvalidInput("--all needs --out FILE (.csv, .csv.gz or .parquet)")
    if out is not None:
        suffix_of(out, (".csv", ".csv.gz", ".parquet"))
        check_output(out, replace=replace)
    if not all_ and out is None and year is None and session is None:
        raise InvalidInput("give --year Y or --session N (or --all --out FILE for every year)")
    scores = bw().ga.agreement(year=year, session=session, country=country, with_=with_, issue=issue,
                               important=important, lineage=lineage, forum=forum)
    if out is not None:
        summary = scores.write(out, replace=replace)
        if as_json:
            print_json(summary)
        else:
            say(f"wrote {summary['rows']:,} dyad-{scores.by} rows ({summary['pairs']:,} pairs) to {out}")
        return
    if as_json:
        print_json(scores.to_json())
        return
    frame = scores.frame
    if as_csv:
        emit_table(list(frame.columns), frame.itertuples(index=False, name=None), as_csv=True)  # type: ignore[arg-type]
        return
    what = (f" on issue {scores.issue}" if scores.issue else "") + (" (important votes)" if important else "")
    n = len(frame)
    # Any: pandas-stubs types itertuples fields as a union of every scalar type.
    records: list[Any] = list(frame.head(limit).itertuples(index=False))
    emit_table(("A", "B", "joint votes", "agree", "agree ½", "coincidence"),
               [(str(r.a), str(r.b), r.n, f"{r.agree:.3f}", f"{r.agree_half:.3f}",
                 None if r.coincidence != r.coincidence else f"{r.coincidence:.3f}")
                for r in records],
               title=f"{'Human Rights Council' if scores.forum == 'hrc' else 'GA'} agreement, "
                     f"{scores.by} {scores.period}{what}: {n:,} pair{'' if n == 1 else 's'}"
                     + (f", top {limit}" if n > limit else ""),
               numeric=("joint votes", "agree", "agree ½", "coincidence"))
    if not n:
        say("no pair co-voted in that period (check the year, or import newer votes)")
        for name in (country, with_) if not lineage else ():
            code = bw().countries.get(name, former=True).iso3 if name else None
            chain = lineage_of(code) if code else []
            if len(chain) > 1:
                say(f"note: {code}'s seat was held before by {', '.join(chain[:-1])}; "
                    "use --lineage to count those votes as its own, or name the former state")


def _run_import(kind: str, path: Path, as_json: bool, replace: bool, overlap: Overlap = Overlap.skip) -> None:
    result = bw().ga.import_votes(kind, path, overlap=overlap, replace=replace, progress=not as_json)
    if as_json:
        print_json(result.to_dict())
        return
    if result.already_imported:
        say(f"{path}: already imported; nothing changed")
        return
    say(f"{path}: {result.rollcalls:,} roll calls and {result.votes:,} votes read; "
        f"{result.rollcalls_added:,} roll calls and {result.votes_added:,} votes added, "
        f"{result.rollcalls_changed:,} roll calls and {result.votes_changed:,} votes changed")
    for note in result.notes:
        say(f"note: {note}")


PATH_ARG = typer.Argument(..., metavar="PATH", help="The file (or folder of files) to import.")
REPLACE_OPTION = typer.Option(False, "--replace", help="Overwrite roll calls already stored with other values "
                                                     "(each change is listed); without it they are refused.")


@import_app.command("unvotes")
def import_unvotes(path: Path = PATH_ARG, replace: bool = REPLACE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The unvotes CSV tables (un_votes, un_roll_calls, un_roll_call_issues; .csv or .csv.gz)."""
    _run_import("unvotes", path, as_json, replace)


@import_app.command("rda")
def import_rda(path: Path = PATH_ARG, replace: bool = REPLACE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The unvotes R data files (.rda with objects un_votes, un_roll_calls, un_roll_call_issues)."""
    _run_import("rda", path, as_json, replace)


@import_app.command("undl")
def import_undl(
    path: Path = PATH_ARG,
    overlap: Overlap = typer.Option(Overlap.skip, "--overlap", case_sensitive=False,
                                    help="skip: leave out sessions already stored from unvotes (no vote counted "
                                         "twice); keep: import them too."),
    replace: bool = REPLACE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A UN Digital Library bulk voting CSV, or a folder of them (2025 or 2026 header; ms_vote Y/N/A/X)."""
    _run_import("undl", path, as_json, replace, overlap)
