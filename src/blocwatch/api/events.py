"""``bw.events``: the joint statements and letters, their analytics, briefs and exports."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.api.options import ExportFormat, Forum, IdealDynamics, Stance, choose, choose_optional

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.api.results import (
        AddedEvent,
        Alignment,
        BriefFacts,
        EventDiff,
        EventMatrix,
        EventRow,
        EventSummary,
        ExportReport,
        SeriesSummary,
    )
    from blocwatch.statements.dataset import Event
    from blocwatch.team.edits import EditResult
    from blocwatch.team.users import User

# The source a preview cites when none is given yet (never stored: storing needs the real one).
PREVIEW_SOURCE = "https://example.org/source-not-given-yet"


def _series(ds, series: str | None) -> str | None:
    """The stored series named ``series`` (any case); NotFound naming the known series otherwise."""
    from blocwatch.errors import NotFound

    if series is None:
        return None
    known = sorted({e.series for e in ds})
    for name in known:
        if name == series.strip().lower():
            return name
    raise NotFound(f"no series {series!r}; known series: {', '.join(known)}", close_matches=known)


class Events:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def get(self, ref: str) -> Event:
        """The event with this id or unique id prefix (:class:`~blocwatch.errors.NotFound` with close ids)."""
        return self._bw.dataset().get(ref)

    def list(self, series: str | None = None, *, state: str | None = None, forum: Forum | str | None = None,
             stance: Stance | str | None = None, since: date | None = None,
             until: date | None = None) -> builtins.list[EventRow]:
        """Events by date, optionally one series, forum or stance, those naming ``state``, or a date range.

        ``state`` (a code or a name in any UN language) keeps the events on
        which the state is a standing signatory.
        """
        from blocwatch.api.results import EventRow
        from blocwatch.statements.analytics import event_row

        ds = self._bw.dataset()
        series = _series(ds, series)
        chosen_forum = choose_optional(Forum, forum, "--forum")
        chosen_stance = choose_optional(Stance, stance, "--stance")
        iso3 = self._bw.countries.get(state).iso3 if state else None
        rows = []
        for e in ds.series(series):
            if chosen_forum and e.forum != chosen_forum.value:
                continue
            if chosen_stance and e.stance != chosen_stance.value:
                continue
            if iso3 and iso3 not in e.signatories:
                continue
            if since and e.date < since or until and e.date > until:
                continue
            rows.append(EventRow.from_dict(event_row(e, ds.aliases.get(e.id))))
        return rows

    def show(self, ref: str, against: str | None = None) -> EventSummary:
        """Everything about one event: groups, first-time signers, joined/left, switchers, counter (``events show``)."""
        from blocwatch.api.results import EventSummary
        from blocwatch.statements.analytics import event_summary

        return EventSummary.from_dict(event_summary(self._bw.dataset(), ref, against))

    def diff(self, a: str, b: str) -> EventDiff:
        """Who joined, left and stayed between two events (``diff``)."""
        from blocwatch.api.results import EventDiff
        from blocwatch.statements.analytics import diff

        return EventDiff.from_dict(diff(self._bw.dataset(), a, b))

    def series(self, name: str = "xinjiang") -> SeriesSummary:
        """Counts over time by stance and regional group (``events series``)."""
        from blocwatch.api.results import SeriesSummary
        from blocwatch.statements.analytics import series_summary

        ds = self._bw.dataset()
        name = _series(ds, name) or name
        return SeriesSummary.from_dict(series_summary(ds, name))

    def matrix(self, series: str | None = None) -> EventMatrix:
        """Every current member and observer state's status on every event (``events matrix``).

        Statuses: signed, joined_later, withdrew, absent (a complete list
        without it), not_named (a partial list: unknown), other_side (signed
        the counter-statement).
        """
        from blocwatch.api.results import EventMatrix
        from blocwatch.statements.analytics import event_matrix

        ds = self._bw.dataset()
        series = _series(ds, series)
        return EventMatrix.from_dict(event_matrix(ds, series))

    def latest(self, stance: Stance | str = "critical", series: str = "xinjiang") -> str | None:
        """The id of the most recent event of a stance in a series."""
        from blocwatch.statements.analytics import latest_event

        return latest_event(self._bw.dataset(), choose(Stance, stance, "--stance").value, series)

    def alignment(self, ref: str, *, dynamics: IdealDynamics | str = "static",
                  session: int | None = None) -> Alignment:
        """GA voting of the signatories vs. the counter-statement and the rest (``events alignment``).

        Raises :class:`~blocwatch.errors.NoData` when the store has no GA votes.
        """
        from blocwatch.api.results import Alignment
        from blocwatch.statements.alignment import event_alignment

        chosen = choose(IdealDynamics, dynamics, "--model")
        bw = self._bw
        return Alignment.from_dict(event_alignment(bw.engine, ref, ds=bw.dataset(), model=chosen.value,
                                                   session=session, cache=bw.cache))

    def brief(self, ref: str) -> BriefFacts:
        """A factual brief of one event, every fact linked to its source; ``.render("md"|"html"|"json")``."""
        from blocwatch.api.results import BriefFacts
        from blocwatch.statements.brief import brief_facts

        bw = self._bw
        return BriefFacts.from_dict(brief_facts(bw.dataset(), ref, engine=bw.engine, cache=bw.cache))

    def export(self, fmt: ExportFormat | str, out: Path | str, *, replace: bool = False) -> ExportReport:
        """Write events, positions, countries and sources with a data dictionary (``export``).

        ``csv`` and ``parquet`` write a folder; ``json`` and ``sqlite`` a file.
        An existing file, or a folder that holds files, is overwritten only with
        ``replace`` (the report says so); nothing is written otherwise.
        """
        from blocwatch.api.results import ExportReport
        from blocwatch.statements.export import export

        chosen = choose(ExportFormat, fmt, "--format")
        return ExportReport.from_dict(export(self._bw.dataset(), chosen.value, Path(out), replace=replace))

    def add(self, text: str, *, source: str | None, day: date, forum: Forum | str, stance: Stance | str,
            event_id: str | None = None, title: str | None = None, delivered_by: str | None = None,
            session: str | None = None, series: str = "xinjiang", target: str = "CHN",
            claimed_count: int | None = None, publisher: str | None = None, store: bool = False,
            where: str = "input", by: User | None = None) -> AddedEvent:
        """A new event from the text of a statement (``events add``); stored only with ``store=True``.

        The list is parsed from ``text``, every check of a curated file
        applies, and an id already stored is refused
        (:class:`~blocwatch.errors.Conflict`). Without ``store`` nothing is
        written: the result is the preview (``source`` may then be None: a
        placeholder is cited). Storing needs ``source`` and writes the event
        and its audit-log entry (after = the event as stored) in one
        transaction; ``by``: the editor's account (None: the command line).
        """
        from blocwatch.api.results import AddedEvent
        from blocwatch.errors import InvalidInput
        from blocwatch.statements import add
        from blocwatch.store.db import session_scope
        from blocwatch.team import edits

        if by is not None:
            from blocwatch.api.team import require

            require(by, "editor")
        if not (source or "").strip():
            if store:
                raise InvalidInput("give the source URL of the text before saving the event; nothing was saved")
            source, publisher = PREVIEW_SOURCE, publisher or "ngo"
        assert source is not None
        deliverer = self._bw.countries.get(delivered_by).iso3 if delivered_by else None
        new = add.draft(text, source_url=source.strip(), day=day, forum=choose(Forum, forum, "--forum").value,
                        stance=choose(Stance, stance, "--stance").value, event_id=event_id, title=title,
                        delivered_by=deliverer, session=session, series=series,
                        target=self._bw.countries.get(target).iso3, claimed_count=claimed_count,
                        publisher=publisher, where=where)
        if store:
            with session_scope(self._bw.engine) as db_session:
                conn = db_session.connection()
                if by is not None:
                    edits.acting(conn, by, "editor")
                add.store(db_session, new)
                db_session.flush()
                edits.record_added(conn, by, new.event.id, source.strip())
        elif new.event.id in self._bw.dataset().ids():
            from blocwatch.errors import Conflict

            raise Conflict(f"event {new.event.id!r} is already stored; choose another id with --id "
                           "(an event is never overwritten)")
        e, parsed = new.event, new.parsed
        return AddedEvent(id=e.id, stored=store, date=e.date_text, forum=e.forum, stance=e.stance,
                          claimed_count=e.claimed_count, found_count=len(parsed.signatories),
                          list_complete=e.list_complete,
                          signatories=[{"iso3": s.iso3, "name": s.name, "text": s.text} for s in parsed.signatories],
                          unresolved=[f.text for f in parsed.unresolved], problems=list(parsed.problems),
                          yaml=new.yaml)

    # ------------------------------------------------------------------ editing (team mode)

    def version(self, ref: str) -> int:
        """The event's version: how many saved changes it has had, plus one (an edit form carries it)."""
        from blocwatch.team import edits

        event_id = self.get(ref).id
        with self._bw.engine.connect() as conn:
            return edits.version(conn, event_id)

    def history(self, ref: str) -> builtins.list[dict]:
        """The event's audit-log entries, oldest first (:func:`blocwatch.team.edits.history`: each with
        ``changes``, lines saying what changed, and ``reverted_by``)."""
        from blocwatch.team import edits

        event_id = self.get(ref).id
        with self._bw.engine.connect() as conn:
            return edits.history(conn, event_id)

    def _states(self, names: Sequence[str]) -> builtins.list[str]:
        return [self._bw.countries.get(n.strip()).iso3 for n in names if n and n.strip()]

    def edit_signers(self, ref: str, *, version: int, add: Sequence[str] = (), remove: Sequence[str] = (),
                     source: str | None, note: str | None, by: User | None) -> EditResult:
        """Correct an event's list: ``add`` (names or codes) become signatories, ``remove`` are taken off,
        citing ``source`` with a ``note``; ``version``: the one the editor loaded (a stale one is refused with
        :class:`~blocwatch.errors.Conflict`). Needs an editor's account (``by``); one transaction with its
        audit-log entry."""
        from blocwatch.api.team import require
        from blocwatch.store.db import session_scope
        from blocwatch.team import edits

        require(by, "editor")
        event_id = self.get(ref).id
        added, removed = self._states(add), self._states(remove)
        with session_scope(self._bw.engine) as db_session:
            return edits.edit_signers(db_session.connection(), by, event_id, version=version, add=added,
                                      remove=removed, source_url=source, note=note)

    def record_change(self, ref: str, state: str, change: str, *, day: date | str, version: int,
                      source: str | None, note: str | None = None, by: User | None) -> EditResult:
        """Record that ``state`` joined the event's list after delivery (``change="joined"``) or withdrew from
        it (``"withdrew"``) on ``day``, citing ``source``; version-checked like :meth:`edit_signers`."""
        from blocwatch.api.team import require
        from blocwatch.errors import InvalidInput
        from blocwatch.store.db import session_scope
        from blocwatch.team import edits

        require(by, "editor")
        event_id = self.get(ref).id
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                raise InvalidInput(f"date {day!r}: expected YYYY-MM-DD") from None
        iso3s = self._states([state])
        if not iso3s:
            raise InvalidInput("name the state that joined or withdrew")
        with session_scope(self._bw.engine) as db_session:
            return edits.record_change(db_session.connection(), by, event_id, iso3s[0], change, day,
                                       version=version, source_url=source, note=note)

    def revert(self, entry_id: int, *, version: int, note: str | None = None, by: User | None) -> EditResult:
        """Undo a change to an event (an admin's act): the event as it was before audit-log entry
        ``entry_id``, saved as a new entry that ``reverts`` it; refused if the event changed after that entry
        or its ``version`` is not the one given."""
        from blocwatch.api.team import require
        from blocwatch.store.db import session_scope
        from blocwatch.team import edits

        require(by, "admin")
        with session_scope(self._bw.engine) as db_session:
            return edits.revert(db_session.connection(), by, entry_id, version=version, note=note)
