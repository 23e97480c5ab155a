"""Store the curated events and read them back as a :class:`Dataset`.

The store is the one path the analytics read from: :func:`load_statements`
writes ``events``, ``positions`` (one row per named signatory, changes after
delivery as ``joined_on``/``withdrew_on``), ``sources`` and ``event_sources``;
:func:`dataset` reads them back.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from blocwatch.statements.dataset import Dataset, Event, Signer, SourceRef, read_curated
from blocwatch.store.models import EventRecord, EventSource, Position, Source
from blocwatch.store.provenance import get_source

KIND = "bundled:statements"
BASIS_MARK = "responds_to: "


def _web(session: Session, cache: dict, url: str | None, publisher: str | None = None) -> Source | None:
    if not url:
        return None
    if url not in cache:
        cache[url] = get_source(session, kind="web", url=url)
    if publisher and cache[url].publisher != publisher:
        cache[url].publisher = publisher
    return cache[url]


def _filled(value: str | None, what: str) -> str:
    """A column that curated statements always fill (the store allows null for other kinds of events)."""
    assert value is not None, f"stored statement without {what}"
    return value


def store_events(session: Session, events: list[Event]) -> int:
    """Write ``events`` (replacing stored events with the same ids); return the rows written."""
    cache: dict[str, Source] = {}
    rows = 0
    # responds_to is a foreign key: insert every event first, then link.
    for e in events:
        old = session.get(EventRecord, e.id)
        if old is not None:
            session.delete(old)
            session.flush()
        event = EventRecord(
            id=e.id, kind=e.kind, series=e.series, title=e.title, forum=e.forum, session=e.session,
            date=e.date, date_precision=e.date_precision, delivered_by=e.delivered_by,
            delivered_by_text=e.delivered_by_text, lead=e.lead, lead_text=e.lead_text, stance=e.stance,
            target=e.target, topics=list(e.topics), claimed_count=e.claimed_count,
            list_complete=e.list_complete, responds_to=None, notes=e.notes,
        )
        whats: dict[str, str | None] = {}
        publishers: dict[str, str | None] = {}
        for ref in e.sources:
            whats.setdefault(ref.url, ref.what)
            publishers.setdefault(ref.url, ref.publisher)
        basis = e.responds_to_basis
        if basis:  # kept on the source row: "<what> | responds_to: <quote>"
            tie = f"{BASIS_MARK}{basis.what or ''}"
            whats[basis.url] = f"{whats[basis.url]} | {tie}" if whats.get(basis.url) else tie
        for i, (url, what) in enumerate(whats.items()):
            web = _web(session, cache, url, publishers.get(url))
            assert web is not None                  # every source of a curated event has a url
            event.sources.append(EventSource(source_id=web.id, what=what, ordinal=i))
        for s in e.signers:
            src = _web(session, cache, s.source)
            event.positions.append(Position(
                iso3=s.iso3, position="signed", joined_on=s.joined_on, withdrew_on=s.withdrew_on,
                ordinal=s.ordinal, name_in_source=s.name, source_id=src.id if src else None, note=s.note,
            ))
        session.add(event)
        rows += 1 + len(e.signers)
    session.flush()
    for e in events:
        if e.responds_to:
            stored = session.get(EventRecord, e.id)
            assert stored is not None               # added above
            stored.responds_to = e.responds_to
    return rows


def load_statements(session: Session) -> int:
    """Bundled loader: the package's curated events into the store."""
    return store_events(session, read_curated())


def dataset(source: Engine | Dataset) -> Dataset:
    """The events in the store as a :class:`Dataset` (a Dataset is passed through)."""
    if isinstance(source, Dataset):
        return source
    with Session(source) as session:
        events = session.scalars(
            select(EventRecord).where(EventRecord.kind.in_(("statement", "letter")))
            .options(selectinload(EventRecord.positions),
                     selectinload(EventRecord.sources).selectinload(EventSource.source))
        ).all()
        urls = dict(session.execute(select(Source.id, Source.url)).all())
        out = []
        for ev in events:
            positions = sorted(ev.positions, key=lambda p: (p.ordinal is None, p.ordinal or 0, p.iso3))
            refs, basis = [], None
            for es in sorted(ev.sources, key=lambda es: (es.ordinal is None, es.ordinal or 0)):
                what = es.what or ""
                if BASIS_MARK in what:
                    what, quote = what.split(BASIS_MARK, 1)
                    basis = SourceRef(_filled(es.source.url, "source url"), quote, es.source.publisher)
                    what = what.removesuffix(" | ")
                    if not what:
                        continue
                refs.append(SourceRef(_filled(es.source.url, "source url"), what or None, es.source.publisher))
            out.append(Event(
                id=ev.id, series=ev.series, kind=ev.kind, title=ev.title, forum=ev.forum, session=ev.session,
                date=ev.date, date_precision=ev.date_precision, delivered_by=ev.delivered_by,
                delivered_by_text=ev.delivered_by_text, lead=ev.lead, lead_text=ev.lead_text,
                stance=_filled(ev.stance, "stance"), target=_filled(ev.target, "target"), topics=tuple(ev.topics or ()),
                claimed_count=ev.claimed_count, list_complete=ev.list_complete, responds_to=ev.responds_to,
                signers=tuple(Signer(iso3=p.iso3, name=p.name_in_source, ordinal=p.ordinal,
                                     joined_on=p.joined_on, withdrew_on=p.withdrew_on,
                                     source=None if p.source_id is None else urls.get(p.source_id),
                                     note=p.note) for p in positions),
                sources=tuple(refs), notes=ev.notes,
                responds_to_basis=basis,
            ))
    return Dataset(out)
