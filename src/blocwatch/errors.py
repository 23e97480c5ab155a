"""One error hierarchy for everything a user can be at fault for.

Every error a user can cause (a bad name, a missing event, a malformed file, a
database that is not blocwatch's) is a :class:`BlocwatchError`. Each class
carries the CLI's exit status and the web app's HTTP status, so the CLI
handles them once (``blocwatch.cli.main``: one line on stderr, that exit
status) and a web layer can do the same. Anything else is a bug and shows its
traceback.

This module imports nothing from blocwatch: every layer may raise these.
"""

from __future__ import annotations

from collections.abc import Sequence


class BlocwatchError(Exception):
    """Base class: a problem the user can fix, reported as one clear line."""

    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str, *, close_matches: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.close_matches = tuple(close_matches)

    def __str__(self) -> str:
        return self.message


class InvalidInput(BlocwatchError, ValueError):
    """An argument, option or file the user gave is not what was expected."""

    exit_code = 2
    http_status = 400


class NotFound(InvalidInput, LookupError):
    """A name, id or symbol that matches nothing (``close_matches`` says what is near)."""

    http_status = 404


class ImportFailed(InvalidInput):
    """A file to import is malformed; nothing was changed (file and line in the message)."""

    http_status = 422


class DatabaseRefused(InvalidInput):
    """The database named is not one blocwatch may use (not blocwatch's, unreadable, bad URL)."""

    http_status = 400


class SchemaMismatch(BlocwatchError):
    """The database's schema is not the one this version of blocwatch knows."""

    exit_code = 1
    http_status = 500


class NoData(BlocwatchError, LookupError):
    """The question is valid but the store holds nothing to answer it (e.g. no votes imported)."""

    exit_code = 1
    http_status = 404


class Conflict(BlocwatchError):
    """A change would silently overwrite stored data; it was refused and nothing changed."""

    exit_code = 2
    http_status = 409


class NotSignedIn(BlocwatchError):
    """The action needs an account: sign in first (a wrong name or password says the same, nothing more)."""

    exit_code = 2
    http_status = 401


class Forbidden(BlocwatchError):
    """The account signed in may not do this (its role, or a campaign it is not a member of)."""

    exit_code = 2
    http_status = 403


class TooManyAttempts(BlocwatchError):
    """Too many failed sign-ins for this name or address: wait, then try again."""

    exit_code = 2
    http_status = 429


def with_matches(message: str, matches: Sequence[str]) -> str:
    """``message`` followed by ``; close matches: a, b, c`` when there are any."""
    return f"{message}; close matches: {', '.join(matches)}" if matches else message
