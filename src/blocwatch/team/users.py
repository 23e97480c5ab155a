"""Accounts: a name, an argon2id password hash, a role.

Roles, each allowed what the one before it is: ``viewer`` reads (and, on a
private site, is needed to read at all), ``editor`` also adds and corrects
events and votes and works in the campaigns it is a member of, ``admin``
also manages accounts and reverts changes.

Sign-in failures are counted per name and per address in
``login_attempts`` (shared by every server process): after
:data:`MAX_FAILURES` within :data:`WINDOW` further attempts are refused
until the window has passed, whether or not the password is right.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from blocwatch.errors import Conflict, InvalidInput, NotFound, NotSignedIn, TooManyAttempts

ROLES = ("viewer", "editor", "admin")
NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
_hasher = PasswordHasher()


def _t(name: str):
    from blocwatch.store.models import Base

    return Base.metadata.tables[name]


def now() -> dt.datetime:
    """The time stored with every row of team mode: UTC, without a time zone (the same on both backends)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    created_at: dt.datetime
    disabled: bool = False

    def can(self, role: str) -> bool:
        """Whether this account has ``role`` or a higher one."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)

    def to_dict(self) -> dict:
        return {"id": self.id, "username": self.username, "role": self.role,
                "created_at": self.created_at.isoformat(timespec="seconds"), "disabled": self.disabled}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters (this one has "
                           f"{len(password)})")
    return password


def _row(r) -> User:
    return User(r.id, r.username, r.role, r.created_at, bool(r.disabled))


def get(conn: Connection, username: str) -> User:
    u = _t("users").c
    row = conn.execute(select(u.id, u.username, u.role, u.created_at, u.disabled).where(u.username == username)).first()
    if row is None:
        names = list(conn.execute(select(u.username).order_by(u.username)).scalars())
        import difflib

        from blocwatch.errors import with_matches

        matches = difflib.get_close_matches(username, names)
        raise NotFound(with_matches(f"no account named {username!r}", matches), close_matches=matches)
    return _row(row)


def by_id(conn: Connection, user_id: int) -> User | None:
    u = _t("users").c
    row = conn.execute(select(u.id, u.username, u.role, u.created_at, u.disabled).where(u.id == user_id)).first()
    return _row(row) if row else None


def all_users(conn: Connection) -> list[User]:
    u = _t("users").c
    return [_row(r) for r in conn.execute(select(u.id, u.username, u.role, u.created_at, u.disabled)
                                          .order_by(u.username))]


def add(conn: Connection, username: str, password: str, role: str) -> User:
    if not NAME.match(username):
        raise InvalidInput(f"account name {username!r}: expected 2 to 80 letters, digits or . _ @ -")
    check_role(role)
    check_password(password)
    u = _t("users").c
    if conn.execute(select(u.id).where(u.username == username)).first() is not None:
        raise Conflict(f"an account named {username!r} exists; nothing was changed")
    created = now()
    conn.execute(insert(_t("users")).values(username=username, password_hash=_hasher.hash(password), role=role,
                                            created_at=created, disabled=False))
    return get(conn, username)


def remove(conn: Connection, username: str) -> User:
    """Disable the account and end its sign-ins (the row stays: the audit log names it)."""
    user = get(conn, username)
    conn.execute(update(_t("users")).where(_t("users").c.id == user.id).values(disabled=True))
    conn.execute(delete(_t("login_sessions")).where(_t("login_sessions").c.user_id == user.id))
    return get(conn, username)


def set_role(conn: Connection, username: str, role: str) -> tuple[User, User]:
    before = get(conn, username)
    check_role(role)
    conn.execute(update(_t("users")).where(_t("users").c.id == before.id).values(role=role))
    return before, get(conn, username)


def set_password(conn: Connection, username: str, password: str) -> User:
    user = get(conn, username)
    check_password(password)
    conn.execute(update(_t("users")).where(_t("users").c.id == user.id)
                 .values(password_hash=_hasher.hash(password)))
    conn.execute(delete(_t("login_sessions")).where(_t("login_sessions").c.user_id == user.id))
    return user


def _failures(conn: Connection, key: str, since: dt.datetime) -> int:
    a = _t("login_attempts").c
    return int(conn.execute(select(func.count()).where(a.key == key, a.at >= since, a.ok.is_(False))).scalar_one())


def authenticate(conn: Connection, username: str, password: str, *, address: str | None = None) -> User:
    """The account if the password is right; :class:`NotSignedIn` (the same words whatever was wrong), or
    :class:`TooManyAttempts` after too many failures for this name or address. Every attempt is counted."""
    at = now()
    keys = [f"user:{username[:80]}"] + ([f"addr:{address[:100]}"] if address else [])
    if any(_failures(conn, key, at - WINDOW) >= MAX_FAILURES for key in keys):
        raise TooManyAttempts(f"too many failed sign-ins; try again in {int(WINDOW.total_seconds() // 60)} minutes")
    u = _t("users").c
    row = conn.execute(select(u.id, u.username, u.role, u.created_at, u.disabled, u.password_hash)
                       .where(u.username == username)).first()
    ok = False
    if row is not None and not row.disabled and len(password) <= MAX_PASSWORD:
        try:
            ok = _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash("x" * MIN_PASSWORD)  # the same work either way: the answer's time does not tell a name exists
    conn.execute(insert(_t("login_attempts")), [{"key": key, "at": at, "ok": ok} for key in keys])
    if not ok or row is None:
        raise NotSignedIn("wrong account name or password")
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(update(_t("users")).where(u.id == row.id).values(password_hash=_hasher.hash(password)))
    return _row(row)
