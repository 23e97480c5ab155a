"""Editing stored events in team mode: add one, correct its list, record a late joiner or a withdrawal, revert.

Every change runs in the caller's transaction, in this order:

1. the account is read again and must hold the role (``editor``; ``admin`` to
   revert): a role taken away or an account disabled a second ago counts;
2. the version guard: ``UPDATE events SET version = version + 1 WHERE id = ?
   AND version = ?``. A save names the version its form was loaded with; when
   another save came first nothing matches and the save is refused
   (:class:`~blocwatch.errors.Conflict`, naming who changed the event and
   when): never a silent overwrite. Taking the write first also makes a
   second writer on SQLite wait for the first instead of failing;
3. the event as it was (:func:`snapshot`, JSON), the change, the event as it
   is, and the audit-log entry with both.

Any error on the way rolls the whole transaction back: no partial state.
A revert restores the event as it was before an entry, exactly (event
fields, sources, every position with its dates, source and note), and is
refused if the event changed after that entry (revert the later changes
first); reverting the addition of an event removes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from blocwatch.errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn
from blocwatch.team import audit
from blocwatch.team.users import User, _t, by_id

URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+\S*$")
MAX_NOTE = 2000
MAX_STATES = 250
CHANGES = ("joined", "withdrew")
EDITABLE_KINDS = ("statement", "letter")
EVENT_FIELDS = ("kind", "series", "title", "forum", "session", "date", "date_precision", "delivered_by",
                "delivered_by_text", "lead", "lead_text", "stance", "target", "topics", "claimed_count",
                "list_complete", "responds_to", "notes")
POSITION_FIELDS = ("iso3", "position", "joined_on", "withdrew_on", "ordinal", "name_in_source", "note")
DATE_FIELDS = ("date", "joined_on", "withdrew_on")
ACTIONS = {"add": "added the event", "correct-list": "corrected the list", "late-joiner": "recorded a late joiner",
           "withdrawal": "recorded a withdrawal", "revert": "reverted a change"}


@dataclass(frozen=True)
class EditResult:
    """One saved change to an event: its audit-log entry, the event's version after it (None: the event was
    removed by reverting its addition), and the event before and after (:func:`snapshot`)."""

    event_id: str
    action: str
    entry_id: int
    version: int | None
    by: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "action": self.action, "entry_id": self.entry_id,
                "version": self.version, "by": self.by, "before": self.before, "after": self.after}

    def to_json(self) -> dict[str, Any]:
        return self.to_dict()


# --------------------------------------------------------------------------- checks


def acting(conn: Connection, by: User | None, role: str) -> User:
    """The account making a change, read again inside the transaction; refused unless it holds ``role``."""
    if by is None:
        raise NotSignedIn(f"sign in as {'an' if role[0] in 'aeiou' else 'a'} {role} to do this")
    fresh = by_id(conn, by.id)
    if fresh is None or fresh.disabled:
        raise NotSignedIn(f"the account {by.username!r} is disabled; sign in with another")
    if not fresh.can(role):
        raise Forbidden(f"the account {fresh.username!r} ({fresh.role}) may not do this: it needs the {role} role")
    return fresh


def check_source(url: str | None) -> str:
    url = (url or "").strip()
    if not URL.match(url) or len(url) > 2000:
        raise InvalidInput("give the source: the http(s) address of the text that shows this change"
                           + (f" ({url[:80]!r} is not one)" if url else ""))
    return url


def check_note(note: str | None, *, required: bool) -> str | None:
    note = " ".join((note or "").split())
    if not note:
        if required:
            raise InvalidInput("give a note: what the source says about this change")
        return None
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"the note has {len(note)} characters; at most {MAX_NOTE}")
    return note


def _check_states(conn: Connection, iso3s: Iterable[str], what: str) -> list[str]:
    out = list(dict.fromkeys(s.strip().upper() for s in iso3s if s and s.strip()))
    if len(out) > MAX_STATES:
        raise InvalidInput(f"{what}: {len(out)} states; at most {MAX_STATES} at once")
    c = _t("countries").c
    known = set(conn.execute(select(c.iso3).where(c.iso3.in_(out))).scalars()) if out else set()
    unknown = [s for s in out if s not in known]
    if unknown:
        raise InvalidInput(f"{what}: no state with the code {', '.join(unknown)}")
    return out


# --------------------------------------------------------------------------- snapshots


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def snapshot(conn: Connection, event_id: str) -> dict[str, Any] | None:
    """The stored event as JSON: its fields, ``version``, ``sources`` ([{url, what, ordinal}]) and ``positions``
    ([{iso3, position, joined_on, withdrew_on, ordinal, name_in_source, note, source}] in list order); None if
    there is no such event."""
    e = _t("events").c
    row = conn.execute(select(_t("events")).where(e.id == event_id)).mappings().first()
    if row is None:
        return None
    out: dict[str, Any] = {"id": row["id"], **{f: _iso(row[f]) for f in EVENT_FIELDS}, "version": row["version"]}
    out["topics"] = list(row["topics"] or [])
    s, es = _t("sources").c, _t("event_sources").c
    out["sources"] = [{"url": r.url, "what": r.what, "ordinal": r.ordinal} for r in conn.execute(
        select(s.url, es.what, es.ordinal).join_from(_t("event_sources"), _t("sources"), es.source_id == s.id)
        .where(es.event_id == event_id))]
    out["sources"].sort(key=lambda r: (r["ordinal"] is None, r["ordinal"] or 0, r["url"] or ""))
    p = _t("positions").c
    positions = []
    for r in conn.execute(select(_t("positions"), s.url.label("source_url"))
                          .outerjoin_from(_t("positions"), _t("sources"), p.source_id == s.id)
                          .where(p.event_id == event_id)).mappings():
        positions.append({**{f: _iso(r[f]) for f in POSITION_FIELDS}, "source": r["source_url"]})
    positions.sort(key=lambda r: (r["ordinal"] is None, r["ordinal"] or 0, r["iso3"]))
    out["positions"] = positions
    return out


def _comparable(snap: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if snap is None else {k: v for k, v in snap.items() if k != "version"}


def describe(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """What changed between two snapshots, one short line each (for an event's history)."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [f"added with {len(after['positions'])} named signatories"]
    if after is None:
        return ["removed (its addition was reverted)"]
    old = {p["iso3"]: p for p in before["positions"]}
    new = {p["iso3"]: p for p in after["positions"]}
    lines = []
    if added := [s for s in new if s not in old]:
        lines.append("added to the list: " + ", ".join(added))
    if removed := [s for s in old if s not in new]:
        lines.append("removed from the list: " + ", ".join(removed))
    for iso3 in new:
        if iso3 in old:
            for key, verb in (("joined_on", "joined on"), ("withdrew_on", "withdrew on")):
                if old[iso3][key] != new[iso3][key]:
                    lines.append(f"{iso3} {verb} {new[iso3][key]}" if new[iso3][key]
                                 else f"{iso3}: no longer {verb} {old[iso3][key]}")
    for field in EVENT_FIELDS:
        if before.get(field) != after.get(field):
            lines.append(f"{field.replace('_', ' ')}: {before.get(field)!r} → {after.get(field)!r}")
    if [r["url"] for r in before["sources"]] != [r["url"] for r in after["sources"]]:
        gained = [r["url"] for r in after["sources"] if r["url"] not in {x["url"] for x in before["sources"]}]
        if gained:
            lines.append("source added: " + ", ".join(gained))
    return lines


# --------------------------------------------------------------------------- the version guard


def _last_change(conn: Connection, event_id: str) -> str:
    a = _t("audit_log").c
    row = conn.execute(select(a.username, a.at, a.action).where(a.object_type == "event", a.object_id == event_id)
                       .order_by(a.id.desc()).limit(1)).first()
    if row is None:
        return "someone"
    who = row.username or "the command line"
    return f"{who} ({ACTIONS.get(row.action, row.action)} at {row.at:%Y-%m-%d %H:%M} UTC)"


def claim(conn: Connection, event_id: str, version: int) -> int:
    """Take the event for a change if it is still at ``version``; its new version. :class:`Conflict` naming the
    last change when another save came first; :class:`NotFound` for an unknown event."""
    e = _t("events").c
    done = conn.execute(update(_t("events")).where(e.id == event_id, e.version == version)
                        .values(version=e.version + 1))
    if done.rowcount == 1:
        return version + 1
    row = conn.execute(select(e.version, e.kind).where(e.id == event_id)).first()
    if row is None:
        raise NotFound(f"no event {event_id!r}")
    raise Conflict(f"event {event_id} was changed by {_last_change(conn, event_id)} after you loaded it "
                   f"(version {version}, now {row.version}); nothing was saved: reload it and make your change "
                   "again")


def _editable(conn: Connection, event_id: str) -> None:
    e = _t("events").c
    kind = conn.execute(select(e.kind).where(e.id == event_id)).scalar()
    if kind is None:
        raise NotFound(f"no event {event_id!r}")
    if kind not in EDITABLE_KINDS:
        raise InvalidInput(f"event {event_id} is a {kind}; only statements and letters are edited here")


# --------------------------------------------------------------------------- writing


def _source_id(conn: Connection, url: str) -> int:
    """The stored web source with this address (added, with its publisher kind when known, if new)."""
    s = _t("sources").c
    found = conn.execute(select(s.id).where(s.kind == "web", s.url == url, s.title.is_(None))
                         .order_by(s.id).limit(1)).scalar()
    if found is not None:
        return int(found)
    from blocwatch.errors import NotFound as Unknown
    from blocwatch.statements.publishers import publisher_of

    try:
        publisher: str | None = publisher_of(url)
    except Unknown:
        publisher = None
    key = conn.execute(insert(_t("sources")).values(kind="web", url=url, title=None, citation=None,
                                                    publisher=publisher)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _cite(conn: Connection, event_id: str, url: str, what: str) -> int:
    """Make ``url`` one of the event's sources (last, saying ``what`` it supports); its source id."""
    source_id = _source_id(conn, url)
    es = _t("event_sources").c
    if conn.execute(select(es.source_id).where(es.event_id == event_id, es.source_id == source_id)).first() is None:
        last = conn.execute(select(func.max(es.ordinal)).where(es.event_id == event_id)).scalar()
        conn.execute(insert(_t("event_sources")).values(event_id=event_id, source_id=source_id, what=what,
                                                       ordinal=(last + 1) if last is not None else 0))
    return source_id


def _positions(conn: Connection, event_id: str) -> dict[str, Any]:
    p = _t("positions").c
    return {r.iso3: r for r in conn.execute(select(p.id, p.iso3, p.joined_on, p.withdrew_on, p.note)
                                            .where(p.event_id == event_id))}


def _save(conn: Connection, user: User, event_id: str, action: str, before: dict[str, Any],
          source_url: str | None, note: str | None, *, reverts: int | None = None) -> EditResult:
    after = snapshot(conn, event_id)
    entry = audit.record(conn, user, action, "event", event_id, before=before, after=after,
                         source_url=source_url, reverts=reverts, note=note)
    return EditResult(event_id, action, entry, after["version"] if after else None, user.username, before, after)


def _before(conn: Connection, event_id: str, version: int) -> dict[str, Any]:
    """The event as the editor loaded it (read after the guard: only its version has changed yet)."""
    before = snapshot(conn, event_id)
    assert before is not None
    return {**before, "version": version}


def edit_signers(conn: Connection, by: User | None, event_id: str, *, version: int, add: Sequence[str] = (),
                 remove: Sequence[str] = (), source_url: str | None, note: str | None) -> EditResult:
    """Correct an event's list: name ``add`` as signatories, take ``remove`` off it, citing ``source_url``."""
    user = acting(conn, by, "editor")
    url = check_source(source_url)
    text = check_note(note, required=True)
    added, removed = _check_states(conn, add, "add"), _check_states(conn, remove, "remove")
    if not added and not removed:
        raise InvalidInput("name at least one state to add to the list or to remove from it")
    if both := sorted(set(added) & set(removed)):
        raise InvalidInput(f"{', '.join(both)}: both added and removed; choose one")
    _editable(conn, event_id)
    claim(conn, event_id, version)
    before = _before(conn, event_id, version)
    current = _positions(conn, event_id)
    if already := [s for s in added if s in current]:
        raise InvalidInput(f"{', '.join(already)} already on the list of {event_id}; nothing was saved")
    if missing := [s for s in removed if s not in current]:
        raise InvalidInput(f"{', '.join(missing)} not on the list of {event_id}; nothing was saved")
    source_id = _cite(conn, event_id, url, "correction of the list of signatories")
    p = _t("positions")
    if removed:
        conn.execute(delete(p).where(p.c.event_id == event_id, p.c.iso3.in_(removed)))
    for iso3 in added:
        conn.execute(insert(p).values(event_id=event_id, iso3=iso3, position="signed", ordinal=None,
                                      name_in_source=None, source_id=source_id,
                                      note=f'added in a correction: "{text}" ({url})'))
    return _save(conn, user, event_id, "correct-list", before, url, text)


def record_change(conn: Connection, by: User | None, event_id: str, iso3: str, change: str, day: dt.date, *,
                  version: int, source_url: str | None, note: str | None) -> EditResult:
    """Record that ``iso3`` joined the list after delivery, or withdrew from it, on ``day``."""
    user = acting(conn, by, "editor")
    if change not in CHANGES:
        raise InvalidInput(f"change {change!r}: expected one of {', '.join(CHANGES)}")
    url = check_source(source_url)
    text = check_note(note, required=False)
    states = _check_states(conn, [iso3], "state")
    if not states:
        raise InvalidInput("name the state that joined or withdrew")
    state = states[0]
    if day > dt.date.today():
        raise InvalidInput(f"date {day.isoformat()}: is in the future")
    _editable(conn, event_id)
    e = _t("events").c
    delivered = conn.execute(select(e.date).where(e.id == event_id)).scalar_one()
    if day < delivered:
        raise InvalidInput(f"date {day.isoformat()}: before the event ({delivered.isoformat()})")
    claim(conn, event_id, version)
    before = _before(conn, event_id, version)
    current = _positions(conn, event_id)
    evidence = f'{change} on {day.isoformat()}: "{text or ""}" ({url})'
    p = _t("positions")
    if change == "joined":
        if state in current:
            raise InvalidInput(f"{state} is already on the list of {event_id}; nothing was saved")
        source_id = _cite(conn, event_id, url, "a state joined after delivery")
        conn.execute(insert(p).values(event_id=event_id, iso3=state, position="signed", ordinal=None,
                                      joined_on=day, name_in_source=None, source_id=source_id, note=evidence))
        action = "late-joiner"
    else:
        row = current.get(state)
        if row is None:
            raise InvalidInput(f"{state} is not on the list of {event_id}: it cannot withdraw; nothing was saved")
        if row.withdrew_on is not None:
            raise InvalidInput(f"{state} already withdrew from {event_id} on {row.withdrew_on.isoformat()}; "
                               "nothing was saved")
        if row.joined_on is not None and day < row.joined_on:
            raise InvalidInput(f"date {day.isoformat()}: before {state} joined ({row.joined_on.isoformat()})")
        _cite(conn, event_id, url, "a state withdrew after delivery")
        conn.execute(update(p).where(p.c.id == row.id).values(
            withdrew_on=day, note=f"{row.note}; {evidence}" if row.note else evidence))
        action = "withdrawal"
    return _save(conn, user, event_id, action, before, url, text)


def record_added(conn: Connection, by: User | None, event_id: str, source_url: str) -> int:
    """The audit-log entry of a new event (just written in this transaction): after = the event as stored."""
    return audit.record(conn, by, "add", "event", event_id, after=snapshot(conn, event_id), source_url=source_url)


def _restore(conn: Connection, event_id: str, snap: dict[str, Any]) -> None:
    """Make the stored event exactly ``snap`` (fields, sources, positions); its version is left alone."""
    values = {f: _day(snap[f]) if f in DATE_FIELDS else snap[f] for f in EVENT_FIELDS}
    conn.execute(update(_t("events")).where(_t("events").c.id == event_id).values(**values))
    conn.execute(delete(_t("event_sources")).where(_t("event_sources").c.event_id == event_id))
    for r in snap["sources"]:
        conn.execute(insert(_t("event_sources")).values(event_id=event_id, source_id=_source_id(conn, r["url"]),
                                                       what=r["what"], ordinal=r["ordinal"]))
    conn.execute(delete(_t("positions")).where(_t("positions").c.event_id == event_id))
    for r in snap["positions"]:
        conn.execute(insert(_t("positions")).values(
            event_id=event_id, **{f: _day(r[f]) if f in DATE_FIELDS else r[f] for f in POSITION_FIELDS},
            source_id=_source_id(conn, r["source"]) if r["source"] else None))


def _remove(conn: Connection, event_id: str) -> None:
    e = _t("events").c
    if later := list(conn.execute(select(e.id).where(e.responds_to == event_id)).scalars()):
        raise Conflict(f"event {event_id} cannot be removed: {', '.join(later)} responds to it")
    conn.execute(delete(_t("positions")).where(_t("positions").c.event_id == event_id))
    conn.execute(delete(_t("event_sources")).where(_t("event_sources").c.event_id == event_id))
    conn.execute(delete(_t("events")).where(e.id == event_id))


def revert(conn: Connection, by: User | None, entry_id: int, *, version: int, note: str | None = None) -> EditResult:
    """Undo audit-log entry ``entry_id`` (an admin's act): the event as it was before it, as a new entry."""
    user = acting(conn, by, "admin")
    text = check_note(note, required=False)
    entry = audit.entry(conn, entry_id)
    if entry["object_type"] != "event" or (entry["after"] is None and entry["before"] is None):
        raise InvalidInput(f"audit-log entry {entry_id} is not a change to an event; nothing to revert")
    if entry["after"] is None:
        raise InvalidInput(f"audit-log entry {entry_id} removed the event {entry['object_id']}; add it again "
                           "instead of reverting")
    event_id = entry["object_id"]
    a = _t("audit_log").c
    done = conn.execute(select(a.id).where(a.reverts == entry_id).limit(1)).scalar()
    if done is not None:
        raise Conflict(f"entry {entry_id} was already reverted (entry {done}); nothing was saved")
    claim(conn, event_id, version)
    before = _before(conn, event_id, version)
    if _comparable(before) != _comparable(entry["after"]):
        raise Conflict(f"event {event_id} changed after entry {entry_id} (last: {_last_change(conn, event_id)}); "
                       "revert the later changes first; nothing was saved")
    if entry["before"] is None:
        _remove(conn, event_id)
    else:
        _restore(conn, event_id, entry["before"])
    return _save(conn, user, event_id, "revert", before, None,
                 text or f"reverts entry {entry_id} ({ACTIONS.get(entry['action'], entry['action'])})",
                 reverts=entry_id)


def version(conn: Connection, event_id: str) -> int:
    e = _t("events").c
    found = conn.execute(select(e.version).where(e.id == event_id)).scalar()
    if found is None:
        raise NotFound(f"no event {event_id!r}")
    return int(found)


def history(conn: Connection, event_id: str) -> list[dict[str, Any]]:
    """The event's audit-log entries, oldest first, each with ``what`` (the action in words), ``changes``
    (:func:`describe`) and ``reverted_by`` (the entry that undid it, if any)."""
    entries = audit.history(conn, "event", event_id)
    undone = {e["reverts"]: e["id"] for e in entries if e["reverts"] is not None}
    return [{**e, "what": ACTIONS.get(e["action"], e["action"]), "changes": describe(e["before"], e["after"]),
             "reverted_by": undone.get(e["id"])} for e in entries]
