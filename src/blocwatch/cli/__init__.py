"""The ``blocwatch`` command line: a thin layer over the Python API (:func:`blocwatch.open`).

The root command is :data:`blocwatch.cli.root.app`; each command group lives
in its own module and registers itself on it. Every command that prints a
result takes ``--json`` (the API result's ``to_dict()``), and every table
command ``--csv``.
"""

from __future__ import annotations

from blocwatch.cli import (  # noqa: F401  (register the commands)
    campaigns,
    countries,
    curate,
    db,
    events,
    forecast,
    ga,
    ideal,
    parse,
    run,
    serve,
    users,
    votes,
)
from blocwatch.cli.root import app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """The console script: run the CLI (errors are handled by :class:`BlocwatchGroup`)."""
    app(args=argv)
