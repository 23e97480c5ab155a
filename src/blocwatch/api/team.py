"""``bw.users`` and ``bw.audit``: accounts, sign-in and the audit log (team mode, :mod:`blocwatch.team`).

Every change runs in one transaction with its audit-log entry. ``by`` is
the account making a change (None: the command line, run by whoever owns
the database file or server; its entries have no account name).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from blocwatch.errors import Forbidden

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.team.users import User


def require(user: User | None, role: str) -> None:
    """Refuse (:class:`Forbidden`; :class:`NotSignedIn` without an account) unless ``user`` has ``role``."""
    from blocwatch.errors import NotSignedIn

    if user is None:
        raise NotSignedIn(f"sign in as {'an' if role[0] in 'aeiou' else 'a'} {role} to do this")
    if not user.can(role):
        raise Forbidden(f"the account {user.username!r} ({user.role}) may not do this: it needs the {role} role")


def csrf_ok(csrf_hash: str | None, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of the session whose hash :meth:`Users.session` returned (compared in
    constant time; nothing given, or no session, is never right)."""
    from blocwatch.team.logins import check_csrf

    return bool(csrf_hash) and check_csrf(csrf_hash or "", given)


class Users:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def list(self) -> builtins.list[User]:
        from blocwatch.team import users

        with self._bw.engine.connect() as conn:
            return users.all_users(conn)

    def get(self, username: str) -> User:
        from blocwatch.team import users

        with self._bw.engine.connect() as conn:
            return users.get(conn, username)

    def add(self, username: str, password: str, role: str = "viewer", *, by: User | None = None) -> User:
        """A new account (``users add``); refused if the name is taken."""
        from blocwatch.team import audit, users

        if by is not None:
            require(by, "admin")
        with self._bw.engine.begin() as conn:
            user = users.add(conn, username, password, role)
            audit.record(conn, by, "add", "user", username, after={"role": role})
        return user

    def remove(self, username: str, *, by: User | None = None) -> User:
        """Disable an account and end its sign-ins (``users remove``; the audit log keeps its name)."""
        from blocwatch.team import audit, users

        if by is not None:
            require(by, "admin")
        with self._bw.engine.begin() as conn:
            before = users.get(conn, username)
            user = users.remove(conn, username)
            audit.record(conn, by, "remove", "user", username, before={"role": before.role, "disabled":
                                                                         before.disabled}, after={"disabled": True})
        return user

    def set_role(self, username: str, role: str, *, by: User | None = None) -> User:
        from blocwatch.team import audit, users

        if by is not None:
            require(by, "admin")
        with self._bw.engine.begin() as conn:
            before, after = users.set_role(conn, username, role)
            audit.record(conn, by, "set-role", "user", username, before={"role": before.role},
                         after={"role": after.role})
        return after

    def set_password(self, username: str, password: str, *, by: User | None = None) -> User:
        from blocwatch.team import audit, users

        if by is not None and by.username != username:
            require(by, "admin")
        with self._bw.engine.begin() as conn:
            user = users.set_password(conn, username, password)
            audit.record(conn, by, "set-password", "user", username)
        return user

    def sign_in(self, username: str, password: str, *, address: str | None = None) -> tuple[User, str, str]:
        """Check the password and start a session: (account, cookie token, CSRF token). Failures are counted
        (:class:`~blocwatch.errors.TooManyAttempts` after too many)."""
        from blocwatch.errors import BlocwatchError
        from blocwatch.team import logins, users

        with self._bw.engine.begin() as conn:
            try:
                user = users.authenticate(conn, username, password, address=address)
            except BlocwatchError as exc:
                failure = exc
            else:
                token, csrf = logins.start(conn, user)
                return user, token, csrf
        raise failure  # after the commit: the failed attempt stays counted

    def session(self, token: str | None) -> tuple[User, str] | None:
        """The account signed in with this cookie token and its session's CSRF hash (None: nobody)."""
        from blocwatch.team import logins

        with self._bw.engine.connect() as conn:
            return logins.find(conn, token)

    def sign_out(self, token: str | None) -> None:
        from blocwatch.team import logins

        with self._bw.engine.begin() as conn:
            logins.end(conn, token)


class Audit:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def history(self, object_type: str, object_id: str) -> builtins.list[dict]:
        """Every change to one object, oldest first (an event's history: ``history("event", id)``)."""
        from blocwatch.team import audit

        with self._bw.engine.connect() as conn:
            return audit.history(conn, object_type, object_id)

    def recent(self, limit: int = 100) -> builtins.list[dict]:
        from blocwatch.team import audit

        with self._bw.engine.connect() as conn:
            return audit.recent(conn, limit)

    def entry(self, entry_id: int) -> dict:
        from blocwatch.team import audit

        with self._bw.engine.connect() as conn:
            return audit.entry(conn, entry_id)
