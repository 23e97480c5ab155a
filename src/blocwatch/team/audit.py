"""The audit log: every change to stored data made through team mode, append-only.

An entry says who (the account, kept by name too), when (UTC), what
(``object_type`` and ``object_id``: an event id, an account name, a
campaign id), the action, the value before and after (JSON), the source
given for it, and — for an undo — which entry it reverts. Entries are never
updated or deleted; an undo is a new entry.

Entries about a campaign (:data:`PRIVATE`) hold what its members wrote,
which only they may read: :func:`recent`, :func:`entry` and :func:`history`
leave them out (:mod:`.campaigns` gives them to the members).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from blocwatch.errors import Forbidden, NotFound
from blocwatch.team.users import User, _t, now

PRIVATE = ("campaign",)  # object types whose entries only the object's members read (through their module)


def record(conn: Connection, user: User | None, action: str, object_type: str, object_id: str, *,
           before: Any = None, after: Any = None, source_url: str | None = None, reverts: int | None = None,
           note: str | None = None) -> int:
    """Write one entry (in the caller's transaction, with the change it describes); its id."""
    result = conn.execute(insert(_t("audit_log")).values(
        at=now(), user_id=user.id if user else None, username=user.username if user else None, action=action,
        object_type=object_type, object_id=str(object_id), before=before, after=after, source_url=source_url,
        reverts=reverts, note=note))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _dict(r) -> dict:
    return {"id": r.id, "at": r.at.isoformat(timespec="seconds"), "user": r.username, "action": r.action,
            "object_type": r.object_type, "object_id": r.object_id, "before": r.before, "after": r.after,
            "source_url": r.source_url, "reverts": r.reverts, "note": r.note}


def history(conn: Connection, object_type: str, object_id: str, *, include_private: bool = False) -> list[dict]:
    """Every entry about one object, oldest first (a campaign's only with ``include_private``, which
    :func:`blocwatch.team.campaigns.history` gives after checking membership)."""
    if object_type in PRIVATE and not include_private:
        raise Forbidden(f"the history of a {object_type} is read through the {object_type}, by its members")
    a = _t("audit_log").c
    return [_dict(r) for r in conn.execute(select(_t("audit_log")).where(a.object_type == object_type,
                                                                       a.object_id == str(object_id))
                                           .order_by(a.id))]


def entry(conn: Connection, entry_id: int) -> dict:
    a = _t("audit_log").c
    row = conn.execute(select(_t("audit_log")).where(a.id == entry_id)).first()
    if row is None or row.object_type in PRIVATE:
        raise NotFound(f"no audit-log entry {entry_id}")
    return _dict(row)


def recent(conn: Connection, limit: int = 100) -> list[dict]:
    a = _t("audit_log").c
    return [_dict(r) for r in conn.execute(select(_t("audit_log")).where(a.object_type.not_in(PRIVATE))
                                           .order_by(a.id.desc()).limit(limit))]
