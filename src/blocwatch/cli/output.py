"""Shared output helpers: JSON and CSV for machines, Rich tables for people, the database handle.

Commands get the :class:`~blocwatch.api.Blocwatch` object with :func:`bw`
(made by the root callback from ``--db``) and print with :func:`emit_table`,
which honours ``--json`` / ``--csv``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    from blocwatch.api import Blocwatch


class _StreamConsole:
    """A Rich console on whatever ``sys.stdout`` / ``sys.stderr`` is now (tests swap them).

    Output to a file or a pipe is not cut to 80 columns (URLs and headers stay
    whole); a terminal keeps its own width.
    """

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._made: tuple[object, Console] | None = None

    def _console(self) -> Console:
        stream = sys.stderr if self._stderr else sys.stdout
        if self._made is None or self._made[0] is not stream:
            tty = stream.isatty()
            self._made = (stream, Console(file=stream, soft_wrap=True, width=None if tty else 240))
        return self._made[1]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console(), name)

    # Rich's Live (progress bars) enters its console as a context; special methods skip __getattr__.
    def __enter__(self) -> Console:
        return self._console().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._console().__exit__(*exc)


console: Console = _StreamConsole()  # type: ignore[assignment]
err_console: Console = _StreamConsole(stderr=True)  # type: ignore[assignment]

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")
CSV_OPTION = typer.Option(False, "--csv", help="Print the table as CSV.")
REPLACE_OUT_OPTION = typer.Option(False, "--replace", help="Overwrite the --out file (or folder) if it exists.")


def bw() -> Blocwatch:
    """The Blocwatch object of this invocation (opened by the root callback from --db)."""
    from typer._click.globals import get_current_context

    obj = get_current_context().find_root().obj
    assert obj is not None, "the root callback opens the database handle"
    return obj


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise InvalidInput("give --json or --csv, not both")


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)


def emit_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, as_csv: bool = False,
               title: str | None = None, caption: str | None = None, numeric: Sequence[str] = (),
               wrap: Sequence[str] = (), show: Callable[[Any], str] = str) -> None:
    """Print ``rows`` as a Rich table (or CSV with ``as_csv``: raw values, no title).

    Columns in ``numeric`` are right-aligned; every column keeps at least its
    header's width (no "A…" headers on a narrow terminal); columns in
    ``wrap`` may fold, the rest never wrap.
    """
    if as_csv:
        write_csv(columns, rows)
        return
    table = Table(title=title, caption=caption, title_justify="left")
    for col in columns:
        table.add_column(col, justify="right" if col in numeric else "left", min_width=len(col),
                         no_wrap=col not in wrap, overflow="fold")
    for row in rows:
        table.add_row(*["—" if v is None else show(v) for v in row])
    console.print(table)


def say(text: str) -> None:
    """A line of plain text (no markup, no highlighting, never cut)."""
    console.print(text, markup=False, highlight=False)
