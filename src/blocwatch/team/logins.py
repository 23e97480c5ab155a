"""Sign-in sessions: a random token in an HTTP-only cookie, a CSRF token for forms; only their SHA-256 is stored.

A session lasts :data:`LIFETIME` from sign-in. :func:`start` returns the two
tokens in clear (the only time they exist outside the browser);
:func:`find` gives the account behind a token, and :func:`check_csrf`
compares a form's token with the session's in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import Connection, delete, insert, select

from blocwatch.team.users import User, _t, by_id, now

LIFETIME = dt.timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(conn: Connection, user: User) -> tuple[str, str]:
    """A new session for ``user``: (cookie token, CSRF token). Expired sessions are swept on the way."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = now()
    table = _t("login_sessions")
    conn.execute(delete(table).where(table.c.expires_at < at))
    conn.execute(insert(table).values(token_hash=_hash(token), user_id=user.id, csrf_hash=_hash(csrf),
                                      created_at=at, expires_at=at + LIFETIME))
    return token, csrf


def find(conn: Connection, token: str | None) -> tuple[User, str] | None:
    """The (enabled) account behind a cookie token and its session's CSRF hash, or None."""
    if not token or len(token) > 200:
        return None
    s = _t("login_sessions").c
    row = conn.execute(select(s.user_id, s.csrf_hash, s.expires_at).where(s.token_hash == _hash(token))).first()
    if row is None or row.expires_at < now():
        return None
    user = by_id(conn, row.user_id)
    if user is None or user.disabled:
        return None
    return user, row.csrf_hash


def check_csrf(csrf_hash: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_hash, _hash(given or ""))


def end(conn: Connection, token: str | None) -> None:
    if token:
        table = _t("login_sessions")
        conn.execute(delete(table).where(table.c.token_hash == _hash(token)))
