"""Read stored roll calls of either forum: one vote in full (``votes show``), a search (``votes search``),
council terms and members (``hrc members``).

SQLAlchemy Core queries only (they run on SQLite and PostgreSQL). A state's
position is ``yes``, ``no``, ``abstain``, ``not_voting`` (present, did not
vote) or ``absent``: a member of the body that day with no recorded vote.
Membership: for the General Assembly the registry's admission and end dates
(the ``countries`` table); for the Council the stored terms
(``council_terms``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, Engine, Table, and_, func, or_, select

from blocwatch.errors import InvalidInput, NotFound
from blocwatch.votes.record import POSITION_NAMES

GROUP_ORDER = ("african", "asia_pacific", "eastern_european", "latin_american_caribbean", "weog", None)
POSITION_ORDER = ("yes", "no", "abstain", "not_voting", "absent")
FORUM_NAMES = {"ga": "General Assembly", "hrc": "Human Rights Council"}


CHUNK = 500  # ids per "IN (...)" query


def _t(name: str) -> Table:
    """A table of the store's schema. (Not :func:`blocwatch.ga.vectors.table`: that module imports pandas, which
    a ``votes show`` should not pay for.)"""
    from blocwatch.store.models import Base

    return Base.metadata.tables[name]


def _chunks(values: Sequence) -> Iterable[list]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# ---------------------------------------------------------------- finding a roll call

def _normal_symbol(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def find(conn: Connection, ref: str, forum: str | None = None) -> int:
    """The id of the roll call ``ref`` names: a roll-call id, a symbol ("A/RES/ES-11/1"), or the end of one
    ("ES-11/1", "HRC/RES/49/1"), in any case. Raises :class:`NotFound` with close matches, or
    :class:`InvalidInput` listing the candidates when several roll calls share the symbol."""
    r = _t("roll_calls").c
    text = ref.strip()
    if not text:
        raise InvalidInput("give a roll-call symbol (e.g. A/RES/ES-11/1) or id")
    scope = [r.forum == forum] if forum else []
    if text.isdigit() and len(text) <= 10:  # a roll-call id (a longer number cannot be one)
        found = conn.execute(select(r.rcid).where(r.rcid == int(text), *scope)).scalar()
        if found is not None:
            return int(found)
    key = _normal_symbol(text)
    stored = func.replace(func.upper(r.symbol), " ", "")  # "A/RES/75/254 A-C" is found as typed, or without spaces
    rows = conn.execute(select(r.rcid, r.symbol, r.forum, r.date, r.amend, r.para, r.title)
                        .where(stored == key, *scope).order_by(r.rcid)).all()
    if not rows:
        rows = conn.execute(select(r.rcid, r.symbol, r.forum, r.date, r.amend, r.para, r.title)
                            .where(stored.like(f"%/{key}", escape="\\"), *scope).order_by(r.rcid)).all()
    if not rows:
        raise NotFound(f"no roll call {ref!r}" + (f" in the {FORUM_NAMES[forum]}" if forum else ""),
                       close_matches=_close_symbols(conn, key, forum))
    whole = [row for row in rows if not row.amend and not row.para]
    if len(rows) > 1 and len(whole) == 1 and len({row.symbol for row in rows}) == 1:
        return int(whole[0].rcid)
    if len(rows) > 1:
        listed = "; ".join(f"{row.rcid}: {row.symbol} {row.forum} {_iso(row.date)}"
                           + (" (amendment)" if row.amend else " (paragraph)" if row.para else "")
                           for row in rows[:8])
        raise InvalidInput(f"{ref!r} names {len(rows)} roll calls; give one by its id: {listed}")
    return int(rows[0].rcid)


def _close_symbols(conn: Connection, key: str, forum: str | None) -> list[str]:
    from rapidfuzz import fuzz, process

    r = _t("roll_calls").c
    stmt = select(r.symbol).where(r.symbol.is_not(None)).distinct()
    if forum:
        stmt = stmt.where(r.forum == forum)
    symbols = [s for s in conn.execute(stmt).scalars()]
    hits = process.extract(key, [_normal_symbol(s) for s in symbols], scorer=fuzz.ratio, limit=5, score_cutoff=70)
    return [symbols[i] for _, _, i in hits]


# ---------------------------------------------------------------- membership

def _ga_members(conn: Connection, day: date) -> set[str]:
    c = _t("countries").c
    rows = conn.execute(select(c.iso3).where(c.status != "observer", c.admitted.is_not(None), c.admitted <= day,
                                             or_(c.ended.is_(None), c.ended >= day)))
    return set(rows.scalars())


def terms_known(conn: Connection, forum: str = "hrc") -> tuple[date, date] | None:
    """The span the stored terms of ``forum`` describe: from the first start to the last day known (the end of
    the last year a term starts or ends in: a term still running then has no end date). None without terms."""
    t = _t("council_terms").c
    first, last_start, last_end = conn.execute(
        select(func.min(t.start), func.max(t.start), func.max(t.end)).where(t.forum == forum)).one()
    if first is None:
        return None
    last_year = max(last_start.year, last_end.year if last_end else last_start.year)
    return first, date(last_year, 12, 31)


def council_members(conn: Connection, day: date, forum: str = "hrc") -> set[str]:
    """The members of the council on ``day``. Raises :class:`InvalidInput` for a day outside the span the
    stored terms describe (after it, a term without an end date is not known to still run)."""
    span = terms_known(conn, forum)
    if span is None or not span[0] <= day <= span[1]:
        known = f"the stored membership covers {span[0]} to {span[1]}" if span else "no membership is stored"
        raise InvalidInput(f"the Human Rights Council's members on {day} are not known ({known})")
    t = _t("council_terms").c
    return set(conn.execute(select(t.iso3).where(t.forum == forum, t.start <= day,
                                                 or_(t.end.is_(None), t.end >= day))).scalars())


def members_on(conn: Connection, forum: str, day: date) -> set[str]:
    return _ga_members(conn, day) if forum == "ga" else council_members(conn, day, forum)


def _members_or_none(conn: Connection, forum: str, day: date) -> set[str] | None:
    """The members of the body on ``day``, or None where the stored membership does not reach that day."""
    try:
        return members_on(conn, forum, day)
    except InvalidInput:
        return None


def _countries(conn: Connection, codes: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    c = _t("countries").c
    wanted = sorted(set(codes))
    out: dict[str, tuple[str, str | None]] = {}
    for part in (wanted[i:i + 500] for i in range(0, len(wanted), 500)):
        for iso3, name, group in conn.execute(select(c.iso3, c.name, c.regional_group).where(c.iso3.in_(part))):
            out[iso3] = (name, group)
    return out


# ---------------------------------------------------------------- one roll call

def _votes_of(conn: Connection, rcid: int) -> dict[str, int]:
    v = _t("votes").c
    return {iso3: int(vote) for iso3, vote in conn.execute(select(v.iso3, v.vote).where(v.rcid == rcid))}


def _sources(conn: Connection, rcid: int, first: int | None) -> list[dict]:
    s, rs = _t("sources").c, _t("roll_call_sources").c
    rows = [(first, None)] if first is not None else []
    rows += [(sid, what) for sid, what in conn.execute(select(rs.source_id, rs.what).where(rs.rcid == rcid)
                                                      .order_by(rs.source_id)) if sid != first]
    out = []
    for sid, what in rows:
        src = conn.execute(select(s.kind, s.title, s.url, s.citation).where(s.id == sid)).first()
        if src is not None:
            out.append({"kind": src.kind, "title": src.title, "url": src.url, "citation": src.citation,
                        "what": what})
    return out


def _tally(codes: Iterable[int]) -> dict[str, int]:
    values = list(codes)
    return {name: values.count(code) for code, name in POSITION_NAMES.items()}


def show(conn: Connection, rcid: int) -> dict:
    """Everything stored about one roll call: fields, stated and counted tallies, each state's position
    (members of the body that day without a vote are ``absent``), grouped by regional group, the sponsors,
    notes and sources. The dict of ``votes show --json``."""
    r, n = _t("roll_calls").c, _t("roll_call_notes").c
    row = conn.execute(select(_t("roll_calls")).where(r.rcid == rcid)).mappings().first()
    if row is None:
        raise NotFound(f"no roll call with id {rcid}")
    votes = _votes_of(conn, rcid)
    day = row["date"]
    # Without any per-state vote (a tally stated, no lists) no member can be called absent: positions unknown.
    members = _members_or_none(conn, row["forum"], day) if day and votes else None
    absent = sorted(members - votes.keys()) if members is not None else []
    info = _countries(conn, [*votes, *absent, *(row["sponsors"] or []), *([row["target"]] if row["target"] else [])])
    positions = [{"iso3": iso3, "name": info.get(iso3, (iso3, None))[0], "group": info.get(iso3, (iso3, None))[1],
                  "position": POSITION_NAMES[code]} for iso3, code in votes.items()]
    positions += [{"iso3": iso3, "name": info.get(iso3, (iso3, None))[0], "group": info.get(iso3, (iso3, None))[1],
                   "position": "absent"} for iso3 in absent]
    positions.sort(key=lambda p: (GROUP_ORDER.index(p["group"]) if p["group"] in GROUP_ORDER else 9,
                                  POSITION_ORDER.index(p["position"]), p["name"]))
    by_group: dict[str, dict[str, int]] = {}
    for p in positions:
        counts = by_group.setdefault(p["group"] or "none", dict.fromkeys(POSITION_ORDER, 0))
        counts[str(p["position"])] += 1
    counted = {**_tally(votes.values()), "absent": len(absent)}
    stated = None if row["yes_count"] is None else {"yes": row["yes_count"], "no": row["no_count"],
                                                    "abstain": row["abstain_count"]}
    notes = [{"kind": k, "iso3": i, "detail": d} for k, i, d in conn.execute(
        select(n.kind, n.iso3, n.detail).where(n.rcid == rcid).order_by(n.kind, n.iso3, n.id))]
    kind = row["kind"] or ("amendment" if row["amend"] else "paragraph" if row["para"] else None)
    return {
        "rcid": rcid, "forum": row["forum"], "forum_name": FORUM_NAMES.get(row["forum"], row["forum"]),
        "symbol": row["symbol"], "date": _iso(day), "session": row["session"], "session_name": row["session_name"],
        "title": row["title"], "kind": kind, "adopted": row["adopted"], "draft": row["draft"],
        "agenda_item": row["agenda_item"], "committee": row["committee"], "meeting": row["meeting"],
        "subject": row["subject"], "target": row["target"],
        "target_name": info.get(row["target"], (row["target"], None))[0] if row["target"] else None,
        "yes_stance": row["yes_stance"], "classified_by": row["classified_by"],
        "stated": stated, "counted": counted, "lists": bool(votes),
        "tally_matches": None if stated is None or not votes else all(stated[k] == counted[k] for k in stated),
        "by_group": by_group, "positions": positions,
        "sponsors": [{"iso3": s, "name": info.get(s, (s, None))[0]} for s in (row["sponsors"] or [])],
        "sponsors_text": list(row["sponsors_text"] or []), "subjects": list(row["subjects"] or []),
        "issues": list(row["issues"] or []), "notes": notes, "sources": _sources(conn, rcid, row["source_id"]),
    }


# ---------------------------------------------------------------- search

def _counts(conn: Connection, rcids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Counted yes/no/abstain/not voting of each roll call, from the packed vectors (one byte per state)."""
    vv = _t("vote_vectors").c
    out: dict[int, dict[str, int]] = {}
    codes = {name: bytes([code]) for code, name in POSITION_NAMES.items()}
    for part in _chunks(rcids):
        for rcid, blob in conn.execute(select(vv.rcid, vv.votes).where(vv.rcid.in_(part))):
            out[rcid] = {name: blob.count(code) for name, code in codes.items()}
    return out


def search(conn: Connection, *, forum: str | None = None, target: str | None = None,
           words: Sequence[str] = (), date_from: date | None = None, date_to: date | None = None,
           state: str | None = None, subject: str | None = None, limit: int | None = 100) -> dict:
    """Roll calls matching every filter, newest first: ``{"total", "hits": [...]}``; each hit has its tally and,
    with ``state``, that state's position (``absent`` when it was a member without a vote, ``not_member``
    when it was not a member, ``unknown`` when the vote has no per-state lists or the stored membership does
    not reach its day). ``words``: every word must appear in the title (any case)."""
    r = _t("roll_calls").c
    where = []
    if forum:
        where.append(r.forum == forum)
    if target:
        where.append(r.target == target)
    if subject:
        where.append(r.subject == subject)
    if date_from:
        where.append(r.date >= date_from)
    if date_to:
        where.append(r.date <= date_to)
    for word in words:
        where.append(func.lower(r.title).contains(word.lower(), autoescape=True))
    stmt = select(r.rcid, r.forum, r.symbol, r.date, r.title, r.kind, r.amend, r.para, r.adopted, r.subject,
                  r.target, r.yes_stance).where(and_(True, *where)).order_by(r.date.desc(), r.rcid.desc())
    rows = conn.execute(stmt).all()
    total = len(rows)
    rows = rows[:limit] if limit else rows
    counts = _counts(conn, [row.rcid for row in rows])
    mine: dict[int, int] = {}
    if state and rows:
        v = _t("votes").c
        for part in _chunks([row.rcid for row in rows]):
            mine.update({rcid: int(code) for rcid, code in conn.execute(
                select(v.rcid, v.vote).where(v.iso3 == state, v.rcid.in_(part)))})
    hits = []
    member_cache: dict[tuple[str, date], set[str] | None] = {}
    for row in rows:
        hit = {"rcid": row.rcid, "forum": row.forum, "symbol": row.symbol, "date": _iso(row.date),
               "title": row.title, "kind": row.kind or ("amendment" if row.amend else "paragraph" if row.para
                                                        else None),
               "adopted": row.adopted, "subject": row.subject, "target": row.target, "yes_stance": row.yes_stance,
               "tally": counts.get(row.rcid, dict.fromkeys(POSITION_NAMES.values(), 0))}
        if state:
            counted = hit["tally"]
            if row.rcid in mine:
                hit["position"] = POSITION_NAMES[mine[row.rcid]]
            elif not any(counted.values()):
                hit["position"] = "unknown"  # no per-state lists for this vote
            else:
                key = (row.forum, row.date)
                if key not in member_cache:
                    member_cache[key] = _members_or_none(conn, row.forum, row.date) if row.date else None
                members = member_cache[key]
                hit["position"] = ("unknown" if members is None else "absent" if state in members
                                   else "not_member")
        hits.append(hit)
    return {"total": total, "hits": hits}


# ---------------------------------------------------------------- council terms

def terms(conn: Connection, *, iso3: str | None = None, forum: str = "hrc") -> list[dict]:
    t = _t("council_terms").c
    stmt = select(t.iso3, t.start, t.end, t.note).where(t.forum == forum).order_by(t.start, t.iso3)
    if iso3:
        stmt = stmt.where(t.iso3 == iso3)
    return [{"iso3": a, "start": _iso(s), "end": _iso(e), "note": note} for a, s, e, note in conn.execute(stmt)]


def members(conn: Connection, day: date, forum: str = "hrc") -> list[dict]:
    """The members of the council on ``day``, by regional group then name."""
    codes = council_members(conn, day, forum)
    info = _countries(conn, codes)
    rows = [{"iso3": c, "name": info.get(c, (c, None))[0], "group": info.get(c, (c, None))[1]} for c in codes]
    rows.sort(key=lambda m: (GROUP_ORDER.index(m["group"]) if m["group"] in GROUP_ORDER else 9, m["name"]))
    return rows


def stored_forums(engine: Engine) -> list[str]:
    r = _t("roll_calls").c
    with engine.connect() as conn:
        return sorted(conn.execute(select(r.forum).distinct()).scalars())


def summary(conn: Connection) -> dict:
    """Per forum: recorded votes, their date span, and the notes a reader must know about (by kind)."""
    rt, nt = _t("roll_calls"), _t("roll_call_notes")
    r, n = rt.c, nt.c
    out: dict = {}
    for forum, count, first, last in conn.execute(select(r.forum, func.count(), func.min(r.date), func.max(r.date))
                                                  .group_by(r.forum).order_by(r.forum)):
        out[forum] = {"name": FORUM_NAMES.get(forum, forum), "roll_calls": count, "first": _iso(first),
                      "last": _iso(last), "notes": {}}
    for forum, kind, count in conn.execute(select(r.forum, n.kind, func.count(func.distinct(n.rcid)))
                                           .select_from(nt.join(rt, r.rcid == n.rcid)).group_by(r.forum, n.kind)
                                           .order_by(r.forum, n.kind)):
        out.setdefault(forum, {"notes": {}})["notes"][kind] = count
    return out
