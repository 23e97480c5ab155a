"""The ``blocwatch`` command line: a thin layer over the Python API.

Each command group lives in its own module and registers itself on ``app``.
Every command takes ``--json`` for machine-readable output.
"""

from __future__ import annotations

import typer

from blocwatch.cli import state

app = typer.Typer(
    name="blocwatch",
    help="Record, analyse and forecast how UN member states line up on human-rights situations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    db: str | None = typer.Option(
        None, "--db", envvar="BLOCWATCH_DB",
        help="Database URL or SQLite file path (default: a SQLite file in the user data directory).",
    ),
) -> None:
    state.DB_URL = db


def _register() -> None:
    from blocwatch.cli import countries, curate, events, ga, ideal, parse, run  # noqa: F401


_register()


def main() -> None:
    """Run the CLI; a file that cannot be read or written is a clear error, not a traceback."""
    try:
        app()
    except OSError as exc:
        from rich.markup import escape

        from blocwatch.cli.output import err_console

        where = f": {exc.filename}" if exc.filename else ""
        err_console.print(f"[bold red]error:[/] {escape(f'{exc.strerror or exc}{where}')}", highlight=False)
        raise SystemExit(1) from None
