"""``blocwatch ideal``: one-dimensional ideal points of states in the General Assembly."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from blocwatch.cli import app, state
from blocwatch.cli.output import JSON_OPTION, console, fail, print_json


@app.command("ideal")
def ideal_command(
    session: int | None = typer.Option(None, "--session", "-s", help="One General Assembly session (1-74 in the bundled data)."),
    all_sessions: bool = typer.Option(False, "--all", help="Every session (use with --out)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the table to FILE (.csv or .parquet)."),
    dynamic: bool = typer.Option(False, "--dynamic", help="Random-walk model linking sessions (comparable over time)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ideal points (United States positive) with standard errors, per state and session."""
    from blocwatch.ga import ideal, ideal_dynamic

    if (session is None) == (not all_sessions):
        fail("give exactly one of --session N or --all", 2)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        fail(f"--out {out}: expected a .csv or .parquet file name", 2)
    sessions = None if all_sessions else [session]
    engine = state.engine()
    with Progress(console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task("estimating ideal points", total=None)
        if dynamic:
            frame = ideal_dynamic.dynamic_ideal_points(engine, sessions, progress=lambda k: bar.update(task, completed=k))
        else:
            frame = ideal.ideal_points(engine, sessions, progress=lambda k: bar.update(task, completed=k))
    if frame.empty:
        fail(f"no recorded votes for session {session}" if session is not None
             else "no General Assembly votes in the database (import them first)", 1)
    if out is not None:
        if out.suffix.lower() == ".csv":
            frame.to_csv(out, index=False)
        else:
            frame.to_parquet(out, index=False)
        if not as_json:
            console.print(f"wrote {len(frame)} rows ({frame['session'].nunique()} sessions) to {out}")
    if as_json:
        print_json([{"iso3": r.iso3, "session": int(r.session), "ideal": float(r.ideal), "se": float(r.se),
                     "n_votes": int(r.n_votes)} for r in frame.itertuples(index=False)])
        return
    if out is not None:
        return
    table = Table(title=f"Ideal points, session {session} ({'dynamic' if dynamic else 'static'} model; US positive)")
    for col in ("ISO3", "Ideal", "SE", "Votes"):
        table.add_column(col, justify="left" if col == "ISO3" else "right")
    for r in frame.itertuples(index=False):
        table.add_row(r.iso3, f"{r.ideal:+.3f}", f"{r.se:.3f}", str(r.n_votes))
    console.print(table)
