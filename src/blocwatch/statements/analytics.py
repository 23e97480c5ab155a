"""Coalition analytics on joint statements: plain functions returning JSON-ready dicts.

Every function takes a :class:`~blocwatch.statements.dataset.Dataset` or an
engine (the events are then read from the store) and an event reference (id
or unique prefix).

Definitions used throughout:

* *signatories* of an event: the named states whose signature stands (named
  at delivery or joined later, not withdrawn), in source order;
  *known_count* is their number, *claimed_count* the number the deliverer
  announced.
* An event's list is *partial* when it is not complete or names fewer states
  than claimed. Conclusions that depend on who is *absent* from a partial
  list are never stated as facts: they go to ``*_uncertain`` keys and the
  ``caveats`` list says why.
* *Earlier* means on a certainly earlier day (an event dated only by month
  spans the month). Comparisons stay within a series; "same stance" means
  the same side (critical or supportive).
"""

from __future__ import annotations

from collections import Counter

from blocwatch import registry
from blocwatch.statements.dataset import FORUMS, Dataset, Event
from blocwatch.statements.load import dataset as _ds

GROUP_KEYS = tuple(registry.GROUPS)
NO_GROUP = "none"
OPPOSITE = {"critical": "supportive", "supportive": "critical"}


def _note_source(note: str | None) -> str | None:
    """The source address a change's note ends with ("... (https://...)")."""
    if not note or not note.rstrip().endswith(")"):
        return None
    url = note.rstrip()[:-1].rsplit("(", 1)[-1]
    return url if url.startswith(("http://", "https://")) else None


def by_group(iso3s) -> dict[str, int]:
    """Counts by regional group (every group key present; states without a group under ``none``)."""
    counts = Counter(registry.group_of(c) or NO_GROUP for c in iso3s)
    out = {g: counts.get(g, 0) for g in GROUP_KEYS}
    if counts.get(NO_GROUP):
        out[NO_GROUP] = counts[NO_GROUP]
    return out


def groups_covered(iso3s) -> int:
    """Number of the five regional groups with at least one of ``iso3s``."""
    return sum(1 for g, n in by_group(iso3s).items() if g != NO_GROUP and n)


def _earlier(ds: Dataset, e: Event, *, stance: str | None = None, forum: str | None = None) -> list[Event]:
    return [x for x in ds if x.series == e.series and x.before(e)
            and (stance is None or x.stance == stance) and (forum is None or x.forum == forum)]


def previous(ds: Dataset, e: Event) -> Event | None:
    """The latest earlier event of the same series, stance and forum (None if there is none)."""
    found = _earlier(ds, e, stance=e.stance, forum=e.forum)
    return found[-1] if found else None


def counters(ds: Dataset, e: Event) -> list[dict]:
    """Opposite-stance events tied to ``e``: by ``responds_to`` (either way), else the same forum and session.

    Each item: ``{id, tie}`` with ``tie`` ``responds_to`` or ``same_session``; explicit ties first,
    then by date distance.
    """
    out = []
    for x in ds:
        if x.series != e.series or x.stance == e.stance:
            continue
        if x.responds_to == e.id or e.responds_to == x.id:
            out.append((0, abs((x.date - e.date).days), x.id, "responds_to"))
        elif x.forum == e.forum and x.session and x.session == e.session:
            out.append((1, abs((x.date - e.date).days), x.id, "same_session"))
    return [{"id": i, "tie": tie} for _, _, i, tie in sorted(out)]


def _counter_dict(e: Event, c: Event | None, tie: str | None) -> dict | None:
    """The ``counter`` item of :func:`event_summary`: ``c``, the first of :func:`counters`, tied by ``tie``."""
    if c is None:
        return None
    return {"id": c.id, "tie": tie, "delivered_by": c.delivered_by,
            "delivered_by_text": c.delivered_by_text, "claimed_count": c.claimed_count,
            "known_count": c.known_count, "list_complete": c.list_complete, "partial": c.partial,
            "date": c.date_text, "stance": c.stance, "kind": c.kind,
            # "answers": this event answers c; "answered_by": c answers this event; None: same session only
            "direction": ("answers" if e.responds_to == c.id else "answered_by" if c.responds_to == e.id else None)}


def event_row(e: Event, alias: str | None = None) -> dict:
    """The ``events list`` fields of one event (``alias``: its short alias in the dataset)."""
    return {
        "id": e.id, "alias": alias, "series": e.series, "date": e.date_text, "date_precision": e.date_precision,
        "forum": e.forum, "session": e.session, "kind": e.kind, "stance": e.stance, "target": e.target,
        "delivered_by": e.delivered_by, "delivered_by_text": e.delivered_by_text,
        "claimed_count": e.claimed_count, "known_count": e.known_count, "list_complete": e.list_complete,
        "partial": e.partial, "responds_to": e.responds_to, "topics": list(e.topics), "title": e.title,
    }


def list_events(source, series: str | None = None) -> list[dict]:
    """Every event (optionally one series), by date: see :func:`event_row`."""
    ds = _ds(source)
    return [event_row(e, ds.aliases.get(e.id)) for e in ds.series(series)]


def _first_all_groups(ds: Dataset, e: Event) -> tuple[bool, list[str], bool]:
    """(first known to cover all five groups, earlier partial events that could change it, covers all)."""
    covers = groups_covered(e.signatories) == len(GROUP_KEYS)
    if not covers:
        return False, [], False
    caveats = []
    for x in _earlier(ds, e, stance=e.stance):
        if groups_covered(x.signatories) == len(GROUP_KEYS):
            return False, [], True
        if x.partial:
            caveats.append(x.id)
    return True, caveats, True


def event_summary(source, ref: str, against: str | None = None) -> dict:
    """Everything the tool can say about one event, with what each conclusion rests on.

    Keys (the ``events show --json`` contract; others may be added):
    ``signatories`` (standing, source order), ``by_group``, ``groups_covered``;
    ``first_all_groups`` -- true when the named signatories cover all five
    groups and no earlier event of the same series and stance is known to;
    ``first_all_groups_caveats`` -- earlier partial events of that stance
    whose unnamed signatories could have covered all five first (so the
    answer is "first known");
    ``first_time`` -- signatories named in no earlier event of the same
    series and stance; ``returning`` -- the others (named in an earlier one);
    ``joined``/``left`` -- against ``compared_with`` (the previous event of
    the same series, stance and forum, or ``against``): only changes the
    lists can prove; ``joined_uncertain``/``left_uncertain`` hold the rest;
    ``switchers`` -- signatories named earlier on the opposite side;
    ``both_sides`` -- signatories also named on an opposite-stance event of
    the same session and forum; ``neither_side`` -- UN members (on the day)
    named on neither this event nor its counter; ``counter``;
    ``sources`` (each with its ``publisher``: un, government, ngo, news or
    mirror), ``publishers`` (how many sources of each), ``mirror_only``
    (every source is a mirror or blog) and ``list_mirror_only`` (the list of
    signatories comes only from mirrors or blogs); ``changes`` after delivery
    with their ``source`` and its ``publisher`` (a change resting only on a
    mirror gets a caveat).
    """
    ds = _ds(source)
    e = ds.get(ref)
    sig = e.signatories
    sig_set = set(sig)
    caveats: list[str] = []

    first, first_caveats, covers = _first_all_groups(ds, e)

    same_before = _earlier(ds, e, stance=e.stance)
    named_before: set[str] = set().union(*(x.ever_signed for x in same_before)) if same_before else set()
    first_time = [c for c in sig if c not in named_before]
    returning = [c for c in sig if c in named_before]
    first_time_caveats = [x.id for x in same_before if x.partial]
    if first_time and first_time_caveats:
        caveats.append(f"{len(first_time)} first-time signatories are first *known*: "
                       f"{len(first_time_caveats)} earlier {e.stance} events have partial lists "
                       f"({', '.join(first_time_caveats)}) in which they may have been unnamed signatories.")

    other = ds.get(against) if against else previous(ds, e)
    if other is not None and other.stance != e.stance:
        caveats.append(f"compared with {other.id}, which takes the opposite stance ({other.stance}): 'joined' "
                       "and 'left' then mean moving between the two sides' lists, not joining or leaving a side.")
    joined: list[str] = []
    left: list[str] = []
    joined_unc: list[str] = []
    left_unc: list[str] = []
    stayed: list[str] = []
    if other is not None:
        other_set = set(other.signatories)
        new = [c for c in sig if c not in other_set]
        gone = [c for c in other.signatories if c not in sig_set]
        stayed = [c for c in sig if c in other_set]
        joined, joined_unc = (new, []) if not other.partial else ([], new)
        left, left_unc = (gone, []) if not e.partial else ([], gone)
        if other.partial and new:
            caveats.append(f"'joined' cannot be established against {other.id}: its list is partial, so the "
                           f"{len(new)} states named here but not there may have been unnamed signatories there.")
        if e.partial and gone:
            caveats.append(f"'left' cannot be established: this event's list is partial, so the {len(gone)} "
                           f"states named in {other.id} but not here may be unnamed signatories here.")

    opposite_before = _earlier(ds, e, stance=OPPOSITE[e.stance])
    opposite_named = set().union(*(x.ever_signed for x in opposite_before)) if opposite_before else set()
    switchers = [c for c in sig if c in opposite_named]
    switcher_caveats = [x.id for x in opposite_before if x.partial]
    if switcher_caveats:
        caveats.append(f"switchers are those *named* on the other side before; {len(switcher_caveats)} earlier "
                       f"{OPPOSITE[e.stance]} events have partial lists, so there may be more.")

    tied = counters(ds, e)
    tied_events = [ds.get(t["id"]) for t in tied]
    other_side = {c for x in tied_events if x.session == e.session and x.forum == e.forum for c in x.signatories}
    both_sides = [c for c in sig if c in other_side]

    counter_event = tied_events[0] if tied_events else None
    counter = _counter_dict(e, counter_event, tied[0]["tie"] if tied else None)
    on_day = e.date_range[0]
    members = [c.iso3 for c in registry.members() if c.member_on(on_day)]
    named_either = sig_set | (set(counter_event.signatories) if counter_event else set())
    neither = [c for c in members if c not in named_either]
    neither_certain = not e.partial and counter_event is not None and not counter_event.partial
    if not neither_certain:
        caveats.append("'neither_side' lists UN members *not named* on either side; "
                       + ("there is no counter-statement in the data" if counter_event is None
                          else "at least one of the two lists is partial") + ", so some of them may have signed.")
    if e.partial:
        unnamed = (e.claimed_count - e.known_count) if e.claimed_count else None
        caveats.insert(0, f"the list is partial: {e.known_count} of "
                          f"{e.claimed_count if e.claimed_count else 'an unstated number of'} signatories are named"
                          + (f" ({unnamed} unnamed)" if unnamed and unnamed > 0 else "")
                          + "; group counts and coverage are lower bounds.")
    publisher = {ref.url: ref.publisher for ref in e.sources}
    changes = [{"iso3": sg.iso3, "change": change, "date": on.isoformat(), "note": sg.note,
                "source": _note_source(sg.note), "publisher": publisher.get(_note_source(sg.note) or "")}
               for change, signers in (("joined", e.joined_later), ("withdrew", e.withdrawn))
               for sg in signers
               for on in [sg.joined_on if change == "joined" else sg.withdrew_on] if on is not None]
    mirror_only = bool(e.sources) and all(ref.publisher == "mirror" for ref in e.sources)
    if mirror_only:
        caveats.append("every source of this event is a mirror or blog (a repost of what others published): "
                       "check the facts against an original before citing them.")
    list_publishers = {publisher.get(sg.source or "") for sg in e.signers if sg.standing}
    list_mirror_only = bool(list_publishers) and list_publishers <= {"mirror"}
    if list_mirror_only and not mirror_only:
        caveats.append("the list of signatories comes only from mirrors or blogs ("
                       + ", ".join(sorted({sg.source for sg in e.signers if sg.standing and sg.source}))
                       + "), which repost what others published: check it against an original before citing it.")
    for c in changes:
        if c["publisher"] == "mirror":
            caveats.append(f"{c['iso3']} {c['change']} on {c['date']}: this rests only on a mirror or blog "
                           f"({c['source']}), not on the original statement.")
    if e.withdrawn or e.joined_later:
        caveats.append("the list changed after delivery: "
                       + "; ".join([f"{s.iso3} joined on {s.joined_on}" for s in e.joined_later]
                                   + [f"{s.iso3} withdrew on {s.withdrew_on}" for s in e.withdrawn]) + ".")

    return {
        **event_row(e, ds.aliases.get(e.id)),
        "forum_name": FORUMS[e.forum],
        "lead": e.lead, "lead_text": e.lead_text,
        "signatories": sig,
        "signed_at_delivery": e.at_delivery,
        "changes": changes,
        "unnamed_count": (max(e.claimed_count - e.known_count, 0) if e.claimed_count else None),
        "by_group": by_group(sig),
        "groups_covered": groups_covered(sig),
        "covers_all_groups": covers,
        "first_all_groups": first,
        "first_all_groups_caveats": first_caveats,
        "first_time": first_time,
        "first_time_caveats": first_time_caveats,
        "earlier_same_stance": len(same_before),
        "returning": returning,
        "compared_with": other.id if other else None,
        "joined": joined, "left": left, "stayed": stayed,
        "joined_uncertain": joined_unc, "left_uncertain": left_unc,
        "switchers": switchers,
        "switchers_caveats": switcher_caveats,
        "both_sides": both_sides,
        "neither_side": neither,
        "neither_side_certain": neither_certain,
        "counter": counter,
        "counters": tied,
        "sources": [ref.to_dict() for ref in e.sources],
        "publishers": dict(Counter(ref.publisher or "unclassified" for ref in e.sources)),
        "mirror_only": mirror_only,
        "list_mirror_only": list_mirror_only,
        "signatory_sources": {s.iso3: s.source for s in e.signers},
        "responds_to_basis": e.responds_to_basis.to_dict() if e.responds_to_basis else None,
        "caveats": caveats,
    }


def diff(source, a: str, b: str) -> dict:
    """Who joined (named in B, not A), left (named in A, not B) and stayed between two events.

    ``joined`` is certain only when A's list is complete and ``left`` only
    when B's is; otherwise the states go to ``joined_uncertain`` /
    ``left_uncertain`` and ``caveats`` explains.
    """
    ds = _ds(source)
    ea, eb = ds.get(a), ds.get(b)
    sa, sb = set(ea.signatories), set(eb.signatories)
    new = [c for c in eb.signatories if c not in sa]
    gone = [c for c in ea.signatories if c not in sb]
    caveats = []
    if ea.partial and new:
        caveats.append(f"{ea.id} has a partial list: states named only in {eb.id} may have signed {ea.id} unnamed.")
    if eb.partial and gone:
        caveats.append(f"{eb.id} has a partial list: states named only in {ea.id} may have signed {eb.id} unnamed.")
    if ea.stance != eb.stance:
        caveats.append(f"the two events take opposite stances ({ea.stance} vs {eb.stance}).")
    return {
        "a": ea.id, "b": eb.id,
        "joined": [] if ea.partial else new, "left": [] if eb.partial else gone,
        "stayed": [c for c in eb.signatories if c in sa],
        "joined_uncertain": new if ea.partial else [], "left_uncertain": gone if eb.partial else [],
        "a_partial": ea.partial, "b_partial": eb.partial,
        "caveats": caveats,
    }


def country_history(source, iso3: str, series: str | None = None) -> dict:
    """One state's record across events: where it is named, and where a partial list leaves it unknown.

    ``events``: one item per event with ``status`` ``signed``, ``joined_later``,
    ``withdrew``, ``not_named`` (the list is partial: unknown), ``absent``
    (the list is complete and the state is not on it) or ``did_not_exist``
    (a former state that had ended before the event).
    """
    ds = _ds(source)
    country = registry.get(iso3)
    rows = []
    for e in ds.series(series):
        signer = next((s for s in e.signers if s.iso3 == country.iso3), None)
        if signer is None and country.ended is not None and country.ended < e.date_range[0]:
            status = "did_not_exist"  # a former state, gone before the event: not a choice not to sign
        elif signer is None:
            status = "not_named" if e.partial else "absent"
        elif not signer.standing:
            status = "withdrew"
        elif not signer.at_delivery:
            status = "joined_later"
        else:
            status = "signed"
        changed = (signer.withdrew_on or signer.joined_on) if signer else None
        rows.append({"id": e.id, "date": e.date_text, "forum": e.forum, "session": e.session,
                     "stance": e.stance, "status": status, "list_complete": e.list_complete,
                     "source": signer.source if signer else None,
                     "change_date": changed.isoformat() if changed else None})
    signed = [r for r in rows if r["status"] in ("signed", "joined_later")]
    return {
        "iso3": country.iso3, "name": country.name, "regional_group": country.regional_group,
        "signed": {s: sum(r["stance"] == s for r in signed) for s in OPPOSITE},
        "withdrew": [r["id"] for r in rows if r["status"] == "withdrew"],
        "both_sides": len({r["stance"] for r in signed}) == 2,
        "events": rows,
    }


MATRIX_STATUSES = ("signed", "joined_later", "withdrew", "absent", "not_named", "other_side")


def event_matrix(source, series: str | None = None) -> dict:
    """The state x event table: for every current member and observer state, its status on each event.

    ``signed`` / ``joined_later`` / ``withdrew`` as in :func:`country_history`;
    ``other_side``: not on this event's list but a signatory of a counter-statement
    tied to it (:func:`counters`, same session); ``absent``: the list is
    complete and the state is not on it; ``not_named``: the list is partial,
    so whether the state signed is unknown.
    """
    ds = _ds(source)
    events = ds.series(series)
    other_side = {e.id: {c for t in counters(ds, e) for c in ds.get(t["id"]).signatories} for e in events}
    rows = []
    for country in registry.countries():
        cells = {}
        for e in events:
            signer = next((s for s in e.signers if s.iso3 == country.iso3), None)
            if signer is not None:
                status = "withdrew" if not signer.standing else "joined_later" if not signer.at_delivery else "signed"
            elif country.iso3 in other_side[e.id]:
                status = "other_side"
            else:
                status = "not_named" if e.partial else "absent"
            cells[e.id] = status
        rows.append({"iso3": country.iso3, "name": country.name, "regional_group": country.regional_group,
                     "status": country.status, "cells": cells})
    return {"series": series, "events": [e.id for e in events],
            "aliases": {e.id: ds.aliases.get(e.id) for e in events},
            "statuses": list(MATRIX_STATUSES), "states": rows}


def series_summary(source, series: str = "xinjiang") -> dict:
    """Counts over time by stance and regional group, and each named state's history.

    ``timeline``: one item per event (claimed, known, by_group of named
    signatories, partial). ``states``: iso3 -> {critical, supportive} counts
    of events it is named on (standing signatures). ``totals``: distinct
    states ever named per stance and the states named on both sides.
    """
    ds = _ds(source)
    events = ds.series(series)
    timeline = [{"id": e.id, "date": e.date_text, "forum": e.forum, "session": e.session, "stance": e.stance,
                 "claimed_count": e.claimed_count, "known_count": e.known_count, "partial": e.partial,
                 "by_group": by_group(e.signatories), "groups_covered": groups_covered(e.signatories)}
                for e in events]
    states: dict[str, dict[str, int]] = {}
    for e in events:
        for c in e.signatories:
            states.setdefault(c, {"critical": 0, "supportive": 0})[e.stance] += 1
    named = {s: sorted(c for c, v in states.items() if v[s]) for s in OPPOSITE}
    latest = {s: next((e.id for e in reversed(events) if e.stance == s), None) for s in OPPOSITE}
    return {
        "series": series,
        "events": len(events),
        "by_stance": {s: sum(e.stance == s for e in events) for s in OPPOSITE},
        "partial_events": [e.id for e in events if e.partial],
        "timeline": timeline,
        "states": dict(sorted(states.items())),
        "totals": {"critical_named": len(named["critical"]), "supportive_named": len(named["supportive"]),
                   "both_sides": sorted(set(named["critical"]) & set(named["supportive"]))},
        "latest": latest,
        "max_claimed": {s: max((e.claimed_count or 0 for e in events if e.stance == s), default=0) for s in OPPOSITE},
    }


def latest_event(source, stance: str = "critical", series: str = "xinjiang") -> str | None:
    """Id of the most recent event of a stance in a series."""
    found = [e for e in _ds(source).series(series) if e.stance == stance]
    return found[-1].id if found else None
