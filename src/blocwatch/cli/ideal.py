"""``blocwatch ideal``: one-dimensional ideal points of states in the General Assembly (``bw.ga.ideal``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from blocwatch.api.options import VoteForum
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


@app.command("ideal")
def ideal_command(
    session: int | None = typer.Option(None, "--session", "-s", help="One General Assembly session."),
    all_sessions: bool = typer.Option(False, "--all", help="Every stored session (with --out, --csv or --json)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                    help="Write the table to FILE (.csv or .parquet)."),
    replace: bool = REPLACE_OUT_OPTION,
    dynamic: bool = typer.Option(False, "--dynamic", help="Random-walk model linking all sessions (comparable "
                                                          "over time); --session then reports one session of it."),
    forum: VoteForum = typer.Option(VoteForum.ga, "--forum", "-f", case_sensitive=False,
                                    help="ga (General Assembly) or hrc (Human Rights Council: --session is a year)."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Ideal points (United States positive) with standard errors, per state and session."""
    from blocwatch.files import table_writer

    one_format(as_json, as_csv)
    if (session is None) == (not all_sessions):
        raise InvalidInput("give exactly one of --session N or --all")
    if all_sessions and out is None and not (as_json or as_csv):
        raise InvalidInput("--all gives about 10,000 rows: add --out FILE (.csv or .parquet), --csv or --json")
    write = table_writer(out, (".csv", ".parquet"), replace=replace) if out is not None else None
    result = bw().ga.ideal(None if all_sessions else session, dynamics="dynamic" if dynamic else "static",
                         forum=forum)
    frame = result.positions
    if write is not None:
        write(frame)
        if not as_json:
            say(f"wrote {len(frame)} rows ({frame['session'].nunique()} sessions) to {out}")
    if as_json:
        print_json(result.to_json())
        return
    if out is not None:
        return
    rows: list[Any] = list(frame.itertuples(index=False))  # pandas types row fields loosely
    emit_table(("ISO3", "Session", "Ideal", "SE", "Votes") if as_csv else ("ISO3", "Ideal", "SE", "Votes"),
               [((r.iso3, int(r.session), r.ideal, r.se, int(r.n_votes)) if as_csv
                 else (r.iso3, f"{r.ideal:+.3f}", f"{r.se:.3f}", int(r.n_votes)))
                for r in rows],
               as_csv=as_csv, numeric=("Ideal", "SE", "Votes"),
               title=f"Ideal points, {'Human Rights Council year' if forum == 'hrc' else 'GA session'} {session} "
                     f"({'dynamic' if dynamic else 'static'} model; US positive)")
