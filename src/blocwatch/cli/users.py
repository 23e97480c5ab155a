"""``blocwatch users ...``: the team server's accounts (``bw.users``)."""

from __future__ import annotations

import sys

import typer

from blocwatch.api.options import Role
from blocwatch.cli.output import JSON_OPTION, bw, emit_table, err_console, print_json, say
from blocwatch.cli.root import app

users_app = typer.Typer(help="Accounts of a team server: viewer, editor, admin.", no_args_is_help=True)
app.add_typer(users_app, name="users")

ROLE = typer.Option(Role.viewer, "--role", "-r", case_sensitive=False,
                    help="viewer (reads), editor (also edits), admin (also manages accounts and reverts changes).")
PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from standard input (first line) instead of a prompt.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


@users_app.command("add")
def add_command(
    name: str = typer.Argument(..., metavar="NAME", help="The account name (letters, digits, . _ @ -)."),
    role: Role = ROLE,
    password_stdin: bool = PASSWORD_STDIN,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add an account (the password is asked for, or read with --password-stdin); refused if NAME exists."""
    user = bw().users.add(name, _password(password_stdin), role.value)
    if as_json:
        print_json(user.to_dict())
        return
    err_console.print(f"added {user.username} ({user.role})", markup=False, highlight=False)


@users_app.command("remove")
def remove_command(name: str = typer.Argument(..., metavar="NAME", help="The account to disable.")) -> None:
    """Disable an account and end its sign-ins (the audit log keeps its name)."""
    user = bw().users.remove(name)
    err_console.print(f"disabled {user.username}; its sign-ins ended", markup=False, highlight=False)


@users_app.command("set-role")
def set_role_command(
    name: str = typer.Argument(..., metavar="NAME", help="The account."),
    role: Role = typer.Argument(..., metavar="ROLE", case_sensitive=False, help="viewer, editor or admin."),
) -> None:
    """Change an account's role."""
    user = bw().users.set_role(name, role.value)
    err_console.print(f"{user.username} is now {user.role}", markup=False, highlight=False)


@users_app.command("set-password")
def set_password_command(
    name: str = typer.Argument(..., metavar="NAME", help="The account."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set an account's password (its sign-ins end)."""
    user = bw().users.set_password(name, _password(password_stdin))
    err_console.print(f"password of {user.username} changed; its sign-ins ended", markup=False, highlight=False)


@users_app.command("list")
def list_command(as_json: bool = JSON_OPTION) -> None:
    """Every account, with its role."""
    accounts = bw().users.list()
    if as_json:
        print_json([u.to_dict() for u in accounts])
        return
    if not accounts:
        say("No accounts yet: add one with blocwatch users add NAME --role admin")
        return
    emit_table(["Name", "Role", "Created (UTC)", "Disabled"],
               [(u.username, u.role, u.created_at.isoformat(timespec="seconds"), "yes" if u.disabled else "")
                for u in accounts])
