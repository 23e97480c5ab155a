"""Store roll calls of either forum (:class:`blocwatch.votes.record.RollCall`) with their votes and notes.

One function, :func:`write_roll_calls`, in the caller's transaction:

* A roll call is identified by forum and symbol (for the General Assembly
  only whole-text votes match: not unvotes' votes on amendments or
  paragraphs). A new one gets the next free id from :data:`FIRST_RCID` (above
  unvotes' ids and the UN Digital Library's ``10,000,000 + record id``).
* Already stored **from this source** (its first source): identical -> nothing changes; different
  (a field or a vote) -> :class:`blocwatch.errors.Conflict` naming the
  differences, before anything is written, unless ``replace``: then the
  differences are overwritten and listed in the result.
* Already stored **from another source** (session 74: unvotes and the UN's
  own resolutions): stored once, and a second load of that source changes
  nothing. The new source is added to the roll call's
  sources; fields the stored row lacks (draft, sponsors, agenda item...) are
  filled; a member's vote that differs is *not* changed: a
  ``source_disagreement`` note names both values and the sources.
* The record's notes (tally mismatches, lists missing, not-a-member flags,
  checked overrides) are stored once each.

The packed vote vectors (:mod:`blocwatch.ga.vectors`) are refreshed in the
same transaction, so readers never see votes without their vectors; a write
that changed anything is logged in ``imports`` (so the data version, and every
cache keyed on it, changes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from blocwatch.errors import Conflict
from blocwatch.ga import vectors
from blocwatch.store.bulk import foreign_keys_checked_once
from blocwatch.votes.record import POSITION_NAMES, RollCall

FIRST_RCID = 1_100_000_000  # unvotes < 10,000,000 <= UN Digital Library ids < 1,010,000,000
MAX_LISTED = 20

# RollCall field -> roll_calls column (the rest are written from the record by _row()).
FIELDS = ("session", "session_name", "date", "title", "kind", "adopted", "draft", "agenda_item", "committee",
          "meeting", "sponsors", "sponsors_text", "subjects", "yes_count", "no_count", "abstain_count",
          "subject", "target", "yes_stance", "classified_by")
# Fields another source may fill where the stored row has nothing; it never overwrites them.
FILLABLE = ("session_name", "kind", "adopted", "draft", "agenda_item", "committee", "meeting", "sponsors",
            "sponsors_text", "subjects", "yes_count", "no_count", "abstain_count", "subject", "target",
            "yes_stance", "classified_by")


@dataclass
class VotesWritten:
    """What :func:`write_roll_calls` changed: counts, and one line per change a user must be told about."""

    roll_calls_added: int = 0
    roll_calls_merged: int = 0      # stored from another source: this source added to it
    roll_calls_replaced: int = 0
    roll_calls_unchanged: int = 0
    votes_added: int = 0
    votes_changed: int = 0
    notes_added: int = 0
    disagreements: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.roll_calls_added or self.roll_calls_merged or self.roll_calls_replaced
                    or self.votes_added or self.votes_changed or self.notes_added)

    def to_dict(self) -> dict:
        return {"roll_calls_added": self.roll_calls_added, "roll_calls_merged": self.roll_calls_merged,
                "roll_calls_replaced": self.roll_calls_replaced, "roll_calls_unchanged": self.roll_calls_unchanged,
                "votes_added": self.votes_added, "votes_changed": self.votes_changed,
                "notes_added": self.notes_added, "disagreements": list(self.disagreements),
                "changes": list(self.changes)}


def _row(rc: RollCall) -> dict:
    stated = rc.stated
    return {
        "forum": rc.forum, "symbol": rc.symbol, "session": rc.session, "session_name": rc.session_name,
        "date": rc.date, "title": rc.title, "kind": rc.kind, "adopted": rc.adopted, "draft": rc.draft,
        "agenda_item": rc.agenda_item, "committee": rc.committee, "meeting": rc.meeting,
        "sponsors": list(rc.sponsors), "sponsors_text": list(rc.sponsors_text), "subjects": list(rc.subjects),
        "yes_count": stated.yes if stated else None, "no_count": stated.no if stated else None,
        "abstain_count": stated.abstain if stated else None, "subject": rc.subject, "target": rc.target,
        "yes_stance": rc.yes_stance, "classified_by": rc.classified_by,
    }


def _empty(value) -> bool:
    return value is None or value == [] or value == ""


def _existing(conn: Connection, forum: str, symbols: list[str]) -> dict[str, dict]:
    """Stored whole-text roll calls of ``forum`` with these symbols: symbol -> row (with its source ids)."""
    r, s = vectors.table("roll_calls"), vectors.table("roll_call_sources")
    out: dict[str, dict] = {}
    wanted = sorted(set(symbols))
    for part in (wanted[i:i + vectors.CHUNK] for i in range(0, len(wanted), vectors.CHUNK)):
        stmt = select(r).where(r.c.forum == forum, r.c.symbol.in_(part),
                               r.c.amend.is_not(True), r.c.para.is_not(True))
        for found in conn.execute(stmt).mappings():
            if found["symbol"] in out:
                raise Conflict(f"{forum} roll call {found['symbol']} is stored twice (ids "
                               f"{out[found['symbol']]['rcid']} and {found['rcid']}); cannot tell which one to update")
            out[found["symbol"]] = dict(found)
    if out:
        by_rcid = {row["rcid"]: row for row in out.values()}
        for row in by_rcid.values():
            row["sources"] = {row["source_id"]}
        for ids in vectors._chunks(sorted(by_rcid)):
            for rcid, source_id in conn.execute(select(s.c.rcid, s.c.source_id).where(s.c.rcid.in_(ids))):
                by_rcid[rcid]["sources"].add(source_id)
    return out


def _next_rcid(conn: Connection) -> int:
    r = vectors.table("roll_calls")
    top = conn.execute(select(func.max(r.c.rcid)).where(r.c.rcid >= FIRST_RCID)).scalar()
    return FIRST_RCID if top is None else int(top) + 1


def _stored_votes(conn: Connection, rcid: int) -> dict[str, int]:
    v = vectors.table("votes")
    return {iso3: int(vote) for iso3, vote in conn.execute(select(v.c.iso3, v.c.vote).where(v.c.rcid == rcid))}


def _plain(value):
    """Empty lists and strings count as missing; everything else (False, 0) is compared as it is."""
    return None if value == [] or value == "" else value


def _differences(stored: dict, new: dict) -> list[str]:
    out = []
    for name in FIELDS:
        old, value = _plain(stored.get(name)), _plain(new[name])
        if old != value or type(old) is not type(value):
            out.append(f"{name} {old!r} -> {value!r}")
    return out


def _vote_differences(old: dict[str, int], new: dict[str, int]) -> list[tuple[str, int | None, int | None]]:
    return [(iso3, old.get(iso3), new.get(iso3)) for iso3 in sorted(old.keys() | new.keys())
            if old.get(iso3) != new.get(iso3)]


def _name(code: int | None) -> str:
    return "no row" if code is None else POSITION_NAMES[code]


def write_roll_calls(session: Session, roll_calls: Sequence[RollCall], source_id: int, *, source_label: str,
                     replace: bool = False, what: str | None = None,
                     progress: Callable[[int], None] | None = None, log: bool = True) -> VotesWritten:
    """Store ``roll_calls`` from the source ``source_id`` (``source_label`` names it in notes and messages).

    See the module docstring for what happens to a roll call already stored.
    Raises :class:`Conflict` (nothing written) when a roll call stored from
    this same source differs, unless ``replace``. ``log``: record a write that changed anything in
    ``imports`` (the bundled loaders pass False: their runner logs them).
    """
    conn = session.connection()
    r, v = vectors.table("roll_calls"), vectors.table("votes")
    out = VotesWritten()
    plans: list[tuple[RollCall, dict | None]] = []
    conflicts: list[str] = []
    for forum in sorted({rc.forum for rc in roll_calls}):
        mine = [rc for rc in roll_calls if rc.forum == forum]
        stored = _existing(conn, forum, [rc.symbol for rc in mine])
        for rc in mine:
            row = stored.get(rc.symbol)
            plans.append((rc, row))
            if row is not None and row["source_id"] == source_id:
                diffs = _differences(row, _row(rc))
                votes = _vote_differences(_stored_votes(conn, row["rcid"]), rc.positions)
                diffs += [f"{iso3} {_name(a)} -> {_name(b)}" for iso3, a, b in votes]
                if diffs:
                    conflicts.append(f"{rc.symbol} ({rc.where or source_label}): " + "; ".join(diffs[:5])
                                     + (f"; ... {len(diffs) - 5} more" if len(diffs) > 5 else ""))
    if conflicts and not replace:
        raise Conflict(f"{len(conflicts)} roll call(s) already stored from {source_label} with other values: "
                       f"{' | '.join(conflicts[:3])}{' | ...' if len(conflicts) > 3 else ''}; "
                       "overwrite them with --replace (replace=True)")
    next_rcid = _next_rcid(conn)
    touched: set[int] = set()
    vote_rows: list[tuple[int, str, int]] = []
    note_rows: list[dict] = []
    for done, (rc, row) in enumerate(plans, 1):
        values = _row(rc)
        if row is None:
            rcid = next_rcid
            next_rcid += 1
            conn.execute(insert(r), [{**values, "rcid": rcid, "issues": [], "source_id": source_id}])
            vote_rows += [(rcid, iso3, code) for iso3, code in sorted(rc.positions.items())]
            out.roll_calls_added += 1
            out.votes_added += len(rc.positions)
            touched.add(rcid)
        elif row["source_id"] == source_id:
            rcid = row["rcid"]
            old = _stored_votes(conn, rcid)
            diffs = _differences(row, values)
            votes = _vote_differences(old, rc.positions)
            if not diffs and not votes:
                out.roll_calls_unchanged += 1
            else:
                conn.execute(update(r).where(r.c.rcid == rcid).values(**values))
                # this source's notes are replaced by the record's (a corrected file drops a stale mismatch)
                notes_table = vectors.table("roll_call_notes")
                conn.execute(notes_table.delete().where(notes_table.c.rcid == rcid,
                                                        notes_table.c.source_id == source_id))
                for iso3, before, after in votes:
                    if after is None:
                        conn.execute(v.delete().where(v.c.rcid == rcid, v.c.iso3 == iso3))
                    elif before is None:
                        vote_rows.append((rcid, iso3, after))
                        out.votes_added += 1
                    else:
                        conn.execute(update(v).where(v.c.rcid == rcid, v.c.iso3 == iso3).values(vote=after))
                        out.votes_changed += 1
                out.roll_calls_replaced += 1
                out.changes.append(f"replaced {rc.symbol}: " + "; ".join(
                    diffs + [f"{iso3} {_name(a)} -> {_name(b)}" for iso3, a, b in votes]))
                touched.add(rcid)
        else:
            rcid = row["rcid"]
            fill = {name: values[name] for name in FILLABLE if _empty(row.get(name)) and not _empty(values[name])}
            if fill:
                conn.execute(update(r).where(r.c.rcid == rcid).values(**fill))
            linked = source_id in row["sources"]
            if not linked:
                conn.execute(insert(vectors.table("roll_call_sources")),
                             [{"rcid": rcid, "source_id": source_id, "what": what}])
            old = _stored_votes(conn, rcid)
            for iso3, before, after in _vote_differences(old, rc.positions):
                detail = (f"{iso3}: {_name(before)} in the stored source, {_name(after)} in {source_label}; "
                          "the stored vote is kept")
                note_rows.append({"rcid": rcid, "kind": "source_disagreement", "iso3": iso3, "detail": detail,
                                  "source_id": source_id})
                if not linked:
                    out.disagreements.append(f"{rc.symbol}: {detail}")
            if linked and not fill:
                out.roll_calls_unchanged += 1
            else:
                out.roll_calls_merged += 1
        note_rows += [{"rcid": rcid, "kind": n.kind, "iso3": n.iso3, "detail": n.detail, "source_id": source_id}
                      for n in rc.notes]
        if progress:
            progress(done)
    if vote_rows:
        with foreign_keys_checked_once(conn, ["votes"], rows=len(vote_rows)):
            vectors.executemany(conn, insert(v), ["rcid", "iso3", "vote"], vote_rows)
    out.notes_added = _add_notes(conn, note_rows)
    touched |= {rcid for rcid, *_ in vote_rows}
    if touched:
        vectors.refresh(conn, touched)
    if log and out.changed_anything:
        # logged (a bundled loader is logged by its runner instead), so the data version (the newest import)
        # changes with any change to the votes
        conn.execute(insert(vectors.table("imports")), [{
            "kind": "votes", "path": source_label[:500], "sha256": None, "source_id": source_id,
            "rows": out.votes_added + out.votes_changed, "finished_at": datetime.now()}])
    return out


def _add_notes(conn: Connection, rows: list[dict]) -> int:
    """Insert the notes not stored yet (a note is its roll call, kind, state and words); return how many."""
    if not rows:
        return 0
    n = vectors.table("roll_call_notes")
    seen: set[tuple] = set()
    for part in vectors._chunks(sorted({r["rcid"] for r in rows})):
        seen |= {tuple(row) for row in conn.execute(
            select(n.c.rcid, n.c.kind, n.c.iso3, n.c.detail).where(n.c.rcid.in_(part)))}
    new = []
    for row in rows:
        key = (row["rcid"], row["kind"], row["iso3"], row["detail"])
        if key not in seen:
            seen.add(key)
            new.append(row)
    if new:
        conn.execute(insert(n), new)
    return len(new)


def write_terms(session: Session, forum: str, terms: Sequence, source_id: int) -> int:
    """Store council terms (objects with ``iso3``, ``start``, ``end``, ``note``) of ``forum``; return how many
    were added. A term already stored (same state and start) with another end or note is updated and
    counted."""
    conn = session.connection()
    t = vectors.table("council_terms")
    stored = {(row.iso3, row.start): row for row in conn.execute(select(t).where(t.c.forum == forum))}
    changed = 0
    for term in terms:
        old = stored.get((term.iso3, term.start))
        if old is None:
            conn.execute(insert(t), [{"forum": forum, "iso3": term.iso3, "start": term.start, "end": term.end,
                                      "note": term.note or None, "source_id": source_id}])
            changed += 1
        elif (old.end, old.note) != (term.end, term.note or None):
            conn.execute(update(t).where(t.c.id == old.id).values(end=term.end, note=term.note or None))
            changed += 1
    return changed
