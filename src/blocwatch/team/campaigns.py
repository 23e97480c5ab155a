"""Stored campaigns: a planned statement or text on a target, private to its members.

A campaign has a name, a target (the state the statement or text is
critical of), a forum (``hrc`` or ``ga``), its members (accounts), the
status of each state (:data:`STATUSES`; a state never set is
``not_contacted``) and dated notes, on one state or on the whole campaign.
The unsaved "who do we call next" ranking is :mod:`blocwatch.forecast.campaign`;
the API puts the two together.

Privacy is enforced here, not only in the routes: every function but
:func:`create` and :func:`list_for` starts with :func:`_open`, which reads
the acting account again from the database and the campaign only through
the account's membership. Reading needs membership; writing needs
membership and the editor role (:class:`~blocwatch.errors.Forbidden`
otherwise). Anyone else — viewers, editors and admins who are not members
alike — gets :class:`~blocwatch.errors.NotFound` with the same words as for
an id that does not exist, so the answer does not tell that a campaign
exists. Only members add members.

Each state's status row carries a version (0 for a state never set): a
change names the version it started from and is refused with
:class:`~blocwatch.errors.Conflict` — naming who changed the row and when —
when another change came first (optimistic locking; the update itself is a
compare-and-set, so two changes racing in two processes cannot both win).

Every change writes an audit-log entry (object type ``campaign``, the
campaign's id) in the caller's transaction; :mod:`.audit` keeps these
entries out of the general log, and :func:`history` gives them to members.
Times are UTC without a time zone (:func:`blocwatch.team.users.now`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from blocwatch import registry
from blocwatch.errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn
from blocwatch.team import audit
from blocwatch.team.users import User, _t, by_id, get, now

STATUSES = ("not_contacted", "contacted", "considering", "committed", "declined")
FORUMS = ("hrc", "ga")
MAX_NAME = 200
MAX_NOTE = 10_000
_MAX_ID = 2**31 - 1  # an INTEGER key on PostgreSQL


def _time(value) -> str:
    return value.isoformat(timespec="seconds")


def _account(conn: Connection, user: User | None) -> User:
    """The acting account as stored now (its role and whether it is disabled), whatever the caller holds."""
    if user is None:
        raise NotSignedIn("sign in to work with campaigns")
    stored = by_id(conn, user.id)
    if stored is None or stored.username != user.username:
        raise NotSignedIn(f"no account named {user.username!r}")
    if stored.disabled:
        raise Forbidden(f"the account {stored.username!r} is disabled")
    return stored


def _missing(campaign_id: int | str) -> NotFound:
    """The one answer for an id that does not exist and for a campaign the account is not a member of."""
    return NotFound(f"no campaign {str(campaign_id).strip()[:40]} that you are a member of")


def key(campaign_id: int | str) -> int:
    """A campaign id as an int; anything else is an id that does not exist."""
    try:
        value = int(str(campaign_id).strip())
    except ValueError:
        raise _missing(campaign_id) from None
    if not 1 <= value <= _MAX_ID:
        raise _missing(campaign_id)
    return value


def _open(conn: Connection, campaign_id: int | str, user: User | None, *, write: bool) -> tuple[Any, User]:
    """The campaign's row, read through the acting account's membership, and that account.

    NotFound — the same words whether or not the id exists — unless the
    account is a member; Forbidden for a write by a member without the editor role.
    """
    acting = _account(conn, user)
    wanted = key(campaign_id)
    c, m = _t("campaigns"), _t("campaign_members")
    row = conn.execute(select(c).join(m, m.c.campaign_id == c.c.id)
                       .where(c.c.id == wanted, m.c.user_id == acting.id)).first()
    if row is None:
        raise _missing(campaign_id)
    if write and not acting.can("editor"):
        raise Forbidden(f"the account {acting.username!r} ({acting.role}) may read this campaign but not change "
                        "it: that needs the editor role")
    return row, acting


def _state(iso3: str, what: str = "state") -> str:
    code = str(iso3).strip().upper()
    if not registry.exists(code) or not registry.get(code).current:
        raise InvalidInput(f"{what} {iso3!r}: not the code of a member or observer state")
    return code


def _text(value: str, what: str, limit: int) -> str:
    text = str(value).strip()
    if not text:
        raise InvalidInput(f"the {what} is empty")
    if len(text) > limit:
        raise InvalidInput(f"the {what} has {len(text)} characters; at most {limit} are kept")
    if "\x00" in text:
        raise InvalidInput(f"the {what} contains a NUL character")
    return text


def _names(conn: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    u = _t("users").c
    return {r.id: r.username for r in conn.execute(select(u.id, u.username).where(u.id.in_(ids)))}


# ---------------------------------------------------------------------------------------------------- changes


def create(conn: Connection, name: str, target: str, forum: str, creator: User) -> int:
    """A new campaign on ``target`` (an ISO3 code) in ``forum``; ``creator`` (an editor) is its first member.
    Its id."""
    acting = _account(conn, creator)
    if not acting.can("editor"):
        raise Forbidden(f"the account {acting.username!r} ({acting.role}) may not start a campaign: that needs the "
                        "editor role")
    name = _text(name, "campaign's name", MAX_NAME)
    target = _state(target, "target")
    if forum not in FORUMS:
        raise InvalidInput(f"forum {forum!r}: expected one of {', '.join(FORUMS)}")
    result = conn.execute(insert(_t("campaigns")).values(name=name, target=target, forum=forum,
                                                         created_by=acting.id, created_at=now(), version=1))
    pk = result.inserted_primary_key
    assert pk is not None
    campaign_id = int(pk[0])
    conn.execute(insert(_t("campaign_members")).values(campaign_id=campaign_id, user_id=acting.id))
    audit.record(conn, acting, "create", "campaign", str(campaign_id),
                 after={"name": name, "target": target, "forum": forum, "members": [acting.username]})
    return campaign_id


def _members(conn: Connection, campaign_id: int) -> list[dict]:
    m, u = _t("campaign_members"), _t("users")
    return [{"username": r.username, "role": r.role, "disabled": bool(r.disabled)}
            for r in conn.execute(select(u.c.username, u.c.role, u.c.disabled).join(m, m.c.user_id == u.c.id)
                                  .where(m.c.campaign_id == campaign_id).order_by(u.c.username))]


def add_member(conn: Connection, campaign_id: int | str, username: str, user: User) -> list[dict]:
    """Make the account ``username`` a member (only a member who is an editor may); the members after."""
    row, acting = _open(conn, campaign_id, user, write=True)
    member = get(conn, username)
    if member.disabled:
        raise InvalidInput(f"the account {member.username!r} is disabled")
    m = _t("campaign_members")
    if conn.execute(select(m.c.user_id).where(m.c.campaign_id == row.id, m.c.user_id == member.id)).first():
        raise Conflict(f"{member.username} is already a member of campaign {row.id}; nothing was changed")
    conn.execute(insert(m).values(campaign_id=row.id, user_id=member.id))
    audit.record(conn, acting, "add-member", "campaign", str(row.id), after={"member": member.username,
                                                                             "role": member.role})
    return _members(conn, row.id)


def remove_member(conn: Connection, campaign_id: int | str, username: str, user: User) -> list[dict]:
    """End the membership of ``username`` (a member may leave too; the last member stays); the members after."""
    row, acting = _open(conn, campaign_id, user, write=True)
    member = get(conn, username)
    m = _t("campaign_members")
    ids = set(conn.execute(select(m.c.user_id).where(m.c.campaign_id == row.id)).scalars())
    if member.id not in ids:
        raise NotFound(f"{member.username} is not a member of campaign {row.id}")
    if ids == {member.id}:
        raise InvalidInput(f"{member.username} is the last member of campaign {row.id}: without members nobody "
                           "could read it; nothing was changed")
    conn.execute(delete(m).where(m.c.campaign_id == row.id, m.c.user_id == member.id))
    audit.record(conn, acting, "remove-member", "campaign", str(row.id), before={"member": member.username})
    return _members(conn, row.id)


def set_status(conn: Connection, campaign_id: int | str, iso3: str, status: str, user: User,
               expected_version: int | None) -> dict:
    """Set a state's status; its row as :func:`read` gives it, with the campaign's id and ``changed`` (False when
    the state already had that status: nothing is written).

    ``expected_version``: the version of the state's row the change started
    from (0 for a state never set), from :func:`read`; refused with
    :class:`Conflict` when the row has moved on since. None: no check
    (whatever the row holds is replaced; the command line without ``--version``).
    """
    row, acting = _open(conn, campaign_id, user, write=True)
    code = _state(iso3)
    if code == row.target:
        raise InvalidInput(f"{registry.get(code).name} ({code}) is the target of campaign {row.id}")
    if status not in STATUSES:
        raise InvalidInput(f"status {status!r}: expected one of {', '.join(STATUSES)}")
    s = _t("campaign_states")
    where = (s.c.campaign_id == row.id, s.c.iso3 == code)
    current = conn.execute(select(s).where(*where)).first()
    version = current.version if current is not None else 0
    if expected_version is not None and expected_version != version:
        raise Conflict(_stale(conn, code, current, expected_version))
    before = current.status if current is not None else "not_contacted"
    if status == before:
        names = _names(conn, {current.updated_by} if current is not None and current.updated_by else set())
        return {"campaign": row.id, **_state_row(code, current, names), "changed": False}
    at = now()
    if current is None:
        try:
            conn.execute(insert(s).values(campaign_id=row.id, iso3=code, status=status, updated_at=at,
                                          updated_by=acting.id, version=1))
        except IntegrityError:  # another process inserted the row first (the transaction is lost on PostgreSQL)
            raise Conflict(f"{registry.get(code).name} ({code}): another change to its status was saved at the same "
                           "moment; nothing was changed: reload and try again") from None
    else:
        done = conn.execute(update(s).where(*where, s.c.version == version)
                            .values(status=status, updated_at=at, updated_by=acting.id, version=version + 1))
        if done.rowcount != 1:
            raise Conflict(_stale(conn, code, conn.execute(select(s).where(*where)).first(), version))
    audit.record(conn, acting, "set-status", "campaign", str(row.id),
                 before={"iso3": code, "status": before, "version": version},
                 after={"iso3": code, "status": status, "version": version + 1})
    return {"campaign": row.id, **_state_row(code, conn.execute(select(s).where(*where)).one(),
                                             {acting.id: acting.username}), "changed": True}


def _stale(conn: Connection, iso3: str, current, expected: int) -> str:
    state = f"{registry.get(iso3).name} ({iso3})"
    if current is None:
        return (f"{state} has no saved status yet (version 0) but the change started from version {expected}; "
                "nothing was changed: reload and try again")
    who = _names(conn, {current.updated_by}).get(current.updated_by, "an unknown account") \
        if current.updated_by is not None else "an unknown account"
    return (f"{state} was changed by {who} at {_time(current.updated_at)} UTC (now {current.status}, version "
            f"{current.version}) after the version {expected} this change started from; nothing was changed: "
            "reload and try again")


def add_note(conn: Connection, campaign_id: int | str, iso3: str | None, text: str, user: User) -> dict:
    """A dated note on one state (``iso3``) or on the whole campaign (None); the note as :func:`read` gives it,
    with the campaign's id."""
    row, acting = _open(conn, campaign_id, user, write=True)
    code = _state(iso3) if iso3 is not None else None
    body = _text(text, "note", MAX_NOTE)
    at = now()
    result = conn.execute(insert(_t("campaign_notes")).values(campaign_id=row.id, iso3=code, at=at,
                                                              user_id=acting.id, text=body))
    pk = result.inserted_primary_key
    assert pk is not None
    note_id = int(pk[0])
    audit.record(conn, acting, "add-note", "campaign", str(row.id), after={"note": note_id, "iso3": code,
                                                                           "text": body})
    return {"campaign": row.id, **_note(note_id, at, acting.username, code, body)}


# ---------------------------------------------------------------------------------------------------- reading


def _state_row(iso3: str, stored, names: dict[int, str]) -> dict:
    country = registry.get(iso3)
    return {"iso3": iso3, "name": country.name, "group": country.regional_group,
           "status": stored.status if stored is not None else "not_contacted",
           "version": stored.version if stored is not None else 0,
           "updated_at": _time(stored.updated_at) if stored is not None else None,
           "updated_by": names.get(stored.updated_by) if stored is not None and stored.updated_by else None}


def _note(note_id: int, at, username: str | None, iso3: str | None, text: str) -> dict:
    return {"id": note_id, "at": _time(at), "user": username, "iso3": iso3,
            "state": registry.get(iso3).name if iso3 else None, "text": text}


def coverage(committed: list[str]) -> dict:
    """The regional spread of the committed states: how many per UN regional group, the groups with none, and
    the committed states counted in no group (the Holy See)."""
    by_group = {g: 0 for g in registry.GROUPS}
    no_group = []
    for iso3 in committed:
        group = registry.group_of(iso3)
        if group in by_group:
            by_group[group] += 1
        else:
            no_group.append(iso3)
    return {"committed": len(committed), "by_group": by_group,
            "groups_without": [g for g, n in by_group.items() if not n], "no_group": sorted(no_group)}


def read(conn: Connection, campaign_id: int | str, user: User) -> dict:
    """Everything about one campaign, for a member: its members, every state's status (every member and observer
    state but the target, by name), the count per status, the coverage of the committed states, the notes
    (newest first)."""
    row, _ = _open(conn, campaign_id, user, write=False)
    s, n = _t("campaign_states"), _t("campaign_notes")
    stored = {r.iso3: r for r in conn.execute(select(s).where(s.c.campaign_id == row.id))}
    notes = list(conn.execute(select(n).where(n.c.campaign_id == row.id).order_by(n.c.at.desc(), n.c.id.desc())))
    names = _names(conn, {r.updated_by for r in stored.values() if r.updated_by} | {r.user_id for r in notes}
                   | {row.created_by})
    codes = {c.iso3 for c in registry.countries()} | set(stored)
    codes.discard(row.target)
    states = sorted((_state_row(code, stored.get(code), names) for code in codes), key=lambda d: d["name"])
    counts = {status: 0 for status in STATUSES}
    for st in states:
        counts[st["status"]] += 1
    return {**_summary(row, names), "members": _members(conn, row.id), "states": states, "counts": counts,
            "coverage": coverage([st["iso3"] for st in states if st["status"] == "committed"]),
            "notes": [_note(r.id, r.at, names.get(r.user_id), r.iso3, r.text) for r in notes]}


def _summary(row, names: dict[int, str]) -> dict:
    return {"id": row.id, "name": row.name, "target": row.target, "target_name": registry.get(row.target).name,
            "forum": row.forum, "created_at": _time(row.created_at), "created_by": names.get(row.created_by)}


def list_for(conn: Connection, user: User) -> list[dict]:
    """The campaigns ``user`` is a member of (and no other), oldest first, each with its number of members and of
    committed states."""
    acting = _account(conn, user)
    c, m, s = _t("campaigns"), _t("campaign_members"), _t("campaign_states")
    rows = list(conn.execute(select(c).join(m, m.c.campaign_id == c.c.id).where(m.c.user_id == acting.id)
                             .order_by(c.c.id)))
    ids = [r.id for r in rows]
    if not ids:
        return []
    members = {r[0]: r[1] for r in conn.execute(select(m.c.campaign_id, func.count())
                                                 .where(m.c.campaign_id.in_(ids)).group_by(m.c.campaign_id))}
    committed = {r[0]: r[1] for r in conn.execute(select(s.c.campaign_id, func.count())
                                                   .where(s.c.campaign_id.in_(ids), s.c.status == "committed")
                                                   .group_by(s.c.campaign_id))}
    names = _names(conn, {r.created_by for r in rows})
    return [{**_summary(r, names), "members": int(members.get(r.id, 0)), "committed": int(committed.get(r.id, 0))}
            for r in rows]


def history(conn: Connection, campaign_id: int | str, user: User) -> list[dict]:
    """Every change to the campaign (its audit-log entries), oldest first, for a member."""
    row, _ = _open(conn, campaign_id, user, write=False)
    return audit.history(conn, "campaign", str(row.id), include_private=True)
