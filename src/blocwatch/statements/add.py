"""Add a joint statement from its text: parse the list, validate like a curated file, store it once.

:func:`draft` turns the text of a statement (or a press release quoting it)
and a few facts given by the user into the curated YAML form, runs it through
the same validation as the package's curated files
(:func:`blocwatch.statements.dataset.parse_event`), and reports what the
parser found: the states, the fragments it could not resolve, the claimed
count against the count found. :func:`store` writes a validated draft in one
transaction and logs the import; an event id that is already stored is
refused (:class:`~blocwatch.errors.Conflict`), never overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from blocwatch.errors import Conflict, InvalidInput
from blocwatch.signatories import ParseResult, check_text, parse_any
from blocwatch.statements.dataset import Event, parse_event

IMPORT_KIND = "events:add"


@dataclass(frozen=True)
class Draft:
    """A new event ready to store: the validated statement, its YAML text and what the parser found."""

    event: Event
    yaml: str
    parsed: ParseResult


def _event_id(day: date, session: str | None, forum: str, stance: str) -> str:
    place = re.sub(r"[^a-z0-9]+", "-", (session or forum).lower()).strip("-")
    return f"{day.isoformat()}-{place}-{stance}"


def draft(text: str, *, source_url: str, day: date, forum: str, stance: str, event_id: str | None = None,
          title: str | None = None, delivered_by: str | None = None, session: str | None = None,
          series: str = "xinjiang", target: str = "CHN", kind: str = "statement",
          claimed_count: int | None = None, publisher: str | None = None, where: str = "input") -> Draft:
    """Parse ``text`` and build the new event; :class:`InvalidInput` naming the field on any problem.

    The signatories are the parser's list, in order, each citing ``source_url``,
    whose ``publisher`` kind comes from ``data/publishers.csv`` unless given;
    ``claimed_count`` defaults to the count the text states; the list is
    complete when the parser says so (the count stated matches the states found).
    """
    check_text(text, where)
    if day > date.today():
        raise InvalidInput(f"--date {day.isoformat()}: is in the future; give the day the statement was delivered")
    if not re.match(r"^https?://\S+$", source_url or ""):
        raise InvalidInput(f"--source {source_url!r}: expected the http(s) address of the text")
    from blocwatch.statements.publishers import PUBLISHERS, publisher_of

    if publisher is not None and publisher not in PUBLISHERS:
        raise InvalidInput(f"--publisher {publisher!r}: expected one of {', '.join(PUBLISHERS)}")
    publisher = publisher or publisher_of(source_url)
    parsed = parse_any(text)
    if not parsed.signatories:
        raise InvalidInput(f"{where}: no list of states found; nothing to add "
                           "(check the text with: blocwatch parse FILE)")
    event_id = event_id or _event_id(day, session, forum, stance)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", event_id):
        raise InvalidInput(f"--id {event_id!r}: expected lower-case letters, digits and hyphens")
    claimed = claimed_count if claimed_count is not None else parsed.claimed_count
    data = {
        "id": event_id, "series": series, "kind": kind,
        "title": title or f"Joint statement ({stance}) of {day.isoformat()}"
                          + (f" delivered by {delivered_by}" if delivered_by else ""),
        "forum": forum, "session": session, "date": day.isoformat(),
        "delivered_by": delivered_by, "delivered_by_text": delivered_by, "lead": delivered_by,
        "lead_text": delivered_by, "stance": stance, "target": target, "topics": [series],
        "claimed_count": claimed, "list_complete": parsed.complete is True and claimed == len(parsed.signatories),
        "signatories": [{"iso3": s.iso3, "name": s.text, "source": source_url} for s in parsed.signatories],
        "notes": "Added with `blocwatch events add` from the text at the source; "
                 + (f"unresolved in the list: {', '.join(repr(f.text) for f in parsed.unresolved)}."
                    if parsed.unresolved else "every name in the list resolved."),
        "sources": [{"url": source_url, "what": "text of the statement (list of signatories)",
                     "publisher": publisher}],
    }
    text_yaml = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return Draft(parse_event(Path(f"{event_id}.yaml"), text_yaml), text_yaml, parsed)


def store(session: Session, new: Draft) -> int:
    """Write a draft in the caller's transaction; :class:`Conflict` if its id is stored; return rows written."""
    from blocwatch.statements.load import store_events
    from blocwatch.store.models import EventRecord
    from blocwatch.store.provenance import get_source, log_import

    if session.get(EventRecord, new.event.id) is not None:
        raise Conflict(f"event {new.event.id!r} is already stored; choose another id with --id "
                       "(an event is never overwritten)")
    rows = store_events(session, [new.event])
    source = get_source(session, kind="web", url=new.event.sources[0].url)
    log_import(session, kind=IMPORT_KIND, rows=rows, source=source)
    return rows
