"""``blocwatch db copy``, ``backup`` and ``restore``: whole databases (:mod:`blocwatch.api.database`)."""

from __future__ import annotations

from pathlib import Path

import typer

from blocwatch.cli.output import JSON_OPTION, bw, emit_table, err_console, print_json
from blocwatch.cli.root import app

db_app = typer.Typer(help="Whole databases: copy one to another (SQLite and PostgreSQL, either way).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


def _rows_table(tables: dict[str, int]) -> None:
    emit_table(["Table", "Rows"], [(name, f"{n:,}") for name, n in tables.items()], numeric=["Rows"])


def _done(text: str) -> None:
    err_console.print(text, markup=False, highlight=False)


@db_app.command("copy")
def copy_command(
    src: str = typer.Argument(..., metavar="SRC", help="The blocwatch database to copy: a SQLite file or a URL."),
    dst: str = typer.Argument(..., metavar="DST",
                              help="The database to copy into (a new file, or an empty database: "
                                   "postgresql://USER@HOST/NAME)."),
    replace: bool = typer.Option(False, "--replace", help="Delete DST's rows first if it holds any."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Copy a whole blocwatch database to another, losslessly (e.g. a SQLite file to a PostgreSQL server).

    DST gets the schema by the migrations, then every table's rows in one transaction; a DST that holds rows is
    refused unless --replace. --db is not used.
    """
    from blocwatch.api import database

    done = database.copy(src, dst, replace=replace)
    if as_json:
        print_json(done.to_json())
        return
    _rows_table(done.tables)
    _done(f"copied {done.rows:,} rows of {len(done.tables)} tables from {done.source} to {done.destination} "
          f"(schema revision {done.schema_revision}{'; its rows replaced' if done.replaced else ''})")


@app.command("backup")
def backup_command(
    out: Path = typer.Option(..., "--out", "-o", metavar="FILE",
                             help="The backup file to write (gzip'd JSON lines; e.g. blocwatch-backup.jsonl.gz)."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite FILE if it exists."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Back up every row of the database to one portable file (either backend; restore with blocwatch restore)."""
    from blocwatch.api import database

    done = database.backup(bw(), out, replace=replace)
    if as_json:
        print_json(done.to_json())
        return
    _rows_table(done.tables)
    _done(f"backed up {done.rows:,} rows of {len(done.tables)} tables from {done.database} to {done.file} "
          f"({done.bytes:,} bytes, schema revision {done.schema_revision}, SHA-256 {done.sha256})")


@app.command("restore")
def restore_command(
    file: Path = typer.Argument(..., metavar="FILE", help="A file written by blocwatch backup."),
    replace: bool = typer.Option(False, "--replace", help="Delete the database's rows first if it holds any."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Restore a backup into the database (--db), which must be empty: a new file or an empty PostgreSQL database.

    The whole file is checked first (format, schema revision, SHA-256); nothing is written if anything is wrong.
    """
    from blocwatch.api import database

    done = database.restore(bw(), file, replace=replace)
    if as_json:
        print_json(done.to_json())
        return
    _rows_table(done.tables)
    _done(f"restored {done.rows:,} rows of {len(done.tables)} tables from {done.file} into {done.database} "
          f"(schema revision {done.schema_revision}{'; its rows replaced' if done.replaced else ''})")
