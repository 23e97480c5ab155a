"""The root ``blocwatch`` command: ``--db``, ``--version`` and the handling of every user error.

Errors a user can cause (:class:`blocwatch.errors.BlocwatchError`, a bad
option, a file that cannot be read or written) are handled once, in
:class:`BlocwatchGroup`: one line on stderr and their exit status (2 for bad
input). Anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

# A file the user named that cannot be read or written: one line, exit status 1.
_USER_FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError)


class BlocwatchGroup(TyperGroup):
    """The root command: handles every user error once, as one line on stderr and its exit status."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        from blocwatch.errors import BlocwatchError

        if args is None:
            args = sys.argv[1:]
        if not list(args):
            args = ["--help"]
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers, not at exit
        except BlocwatchError as exc:
            _error(str(exc))
            code = exc.exit_code
        except NoArgsIsHelpError as exc:
            typer.echo(exc.format_message())
            code = 0
        except UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "blocwatch"
            _error(f"{exc.format_message().replace('Value error, ', '')} (see {command} --help)")
            code = 2
        except typer.Exit as exc:
            code = exc.exit_code
        except typer.Abort:
            _error("aborted")
            code = 130
        except BrokenPipeError:  # the reader went away (| head): stop quietly, status 1 as click and typer do
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 1
        except _USER_FILE_ERRORS as exc:
            if not exc.filename:  # not a path the user named: a bug, keep its traceback
                raise
            _error(f"{exc.strerror or exc}: {exc.filename}")
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=BlocwatchGroup,
    name="blocwatch",
    help="Record, analyse and forecast how UN member states line up on human-rights situations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from blocwatch import __version__

        typer.echo(f"blocwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="BLOCWATCH_DB", metavar="URL|FILE",
        help="Database URL or SQLite file path (default: a SQLite file in the user data directory).",
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    from blocwatch.api import Blocwatch

    def filling(loader) -> None:
        from blocwatch.cli.output import err_console

        err_console.print(f"first use of {bw_obj.url}: loading {loader.description} ({loader.kind})",
                          markup=False, highlight=False)

    bw_obj = Blocwatch(db, on_fill=filling)
    ctx.obj = bw_obj
    ctx.call_on_close(bw_obj.close)


def _error(message: str) -> None:
    from rich.markup import escape

    from blocwatch.cli.output import err_console

    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
