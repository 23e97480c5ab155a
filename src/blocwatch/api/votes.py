"""``bw.votes`` and ``bw.hrc``: recorded votes of both forums: show, search, read from text, add, import.

A roll call is named by its symbol ("A/RES/ES-11/1", "A/HRC/RES/49/1", or the
end of one: "ES-11/1") or its id. Positions are yes, no, abstain,
not_voting (present, did not vote) and absent (a member that day without a
vote). Every write runs in one transaction and reports what it changed; a
roll call already stored from the same source with other values is refused
(:class:`~blocwatch.errors.Conflict`) unless ``replace``.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.api.options import TextSubject, VoteForum, choose_optional
from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.api.results import CouncilMembers, RollCallRecord, VoteImport, VoteSearch
    from blocwatch.votes.record import RollCall
    from blocwatch.votes.text import VoteText


def _day(value: date | str | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)") from None


class Votes:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def show(self, ref: str | int, *, forum: VoteForum | str | None = None) -> RollCallRecord:
        """One roll call in full (``votes show``)."""
        from blocwatch.api.results import RollCallRecord
        from blocwatch.votes import read

        chosen = choose_optional(VoteForum, forum, "--forum")
        with self._bw.engine.connect() as conn:
            rcid = read.find(conn, str(ref), chosen.value if chosen else None)
            return RollCallRecord.from_dict(read.show(conn, rcid))

    def search(self, *, forum: VoteForum | str | None = None, target: str | None = None,
               text: str | Sequence[str] | None = None, date_from: date | str | None = None,
               date_to: date | str | None = None, state: str | None = None,
               subject: TextSubject | str | None = None, limit: int | None = 100) -> VoteSearch:
        """Roll calls matching every filter, newest first (``votes search``).

        ``target``/``state``: codes or names (any language); ``text``: words
        that must all appear in the title; ``state``: give that state's
        position on each hit.
        """
        from blocwatch.api.results import VoteSearch
        from blocwatch.votes import read

        chosen = choose_optional(VoteForum, forum, "--forum")
        kind = choose_optional(TextSubject, subject, "--subject")
        start, end = _day(date_from, "--from"), _day(date_to, "--to")
        if start and end and start > end:
            raise InvalidInput(f"--from {start} is after --to {end}")
        if limit is not None and limit < 0:
            raise InvalidInput("--limit must be 0 (no limit) or more")
        words = text.split() if isinstance(text, str) else list(text or [])
        target_code = self._bw.countries.get(target, former=True).iso3 if target else None
        state_code = self._bw.countries.get(state, former=True).iso3 if state else None
        filters = {"forum": chosen.value if chosen else None, "target": target_code, "text": words,
                   "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
                   "state": state_code, "subject": kind.value if kind else None, "limit": limit}
        with self._bw.engine.connect() as conn:
            found = read.search(conn, forum=chosen.value if chosen else None, target=target_code, words=words,
                                date_from=start, date_to=end, state=state_code,
                                subject=kind.value if kind else None, limit=limit or None)
        return VoteSearch(filters=filters, total=found["total"], hits=found["hits"])

    def parse(self, text: str) -> VoteText:
        """Read a vote record ("In favour (17): ...; Against (19): ...") from text, in the six UN languages."""
        from blocwatch.votes.text import parse_vote_record

        return parse_vote_record(text)

    def record_from_text(self, text: str, *, forum: VoteForum | str, symbol: str, on: date | str, title: str,
                         target: str | None = None, yes_stance: str | None = None,
                         kind: str = "resolution") -> tuple[RollCall, VoteText]:
        """The roll call a vote record's text describes (not stored): refused when a name is unresolved or a
        state is in two lists."""
        import re

        from blocwatch.ga.classify import classify
        from blocwatch.ga.sessions import session_on
        from blocwatch.hrc.ohchr import session_name as hrc_session_name
        from blocwatch.votes.record import STANCES, SYMBOL_LENGTH, Note, RollCall

        chosen = choose_optional(VoteForum, forum, "--forum")
        if chosen is None:
            raise InvalidInput("--forum is required (ga or hrc)")
        day = _day(on, "--date")
        assert day is not None
        parsed = self.parse(text)
        if parsed.unresolved or parsed.duplicates:
            raise InvalidInput("the vote record has problems to fix first: " + "; ".join(parsed.problems))
        if not parsed.positions:
            raise InvalidInput("the vote record lists no state")
        if yes_stance is not None and yes_stance not in STANCES:
            raise InvalidInput(f"--yes-stance must be one of {', '.join(STANCES)}, not {yes_stance!r}")
        target_code = self._bw.countries.get(target, former=True).iso3 if target else None
        symbol = symbol.strip()
        if not symbol or len(symbol) > SYMBOL_LENGTH:
            raise InvalidInput(f"--symbol must have 1 to {SYMBOL_LENGTH} characters, not {symbol!r}")
        notes = tuple(Note("tally_mismatch", line) for line in parsed.count_mismatches)
        if chosen.value == "ga":
            session = session_on(day)
            special = re.match(r"^A/RES/((?:ES|S)-\d+)/", symbol.upper())
            session_name = special.group(1) if special else str(session)
        else:
            session = day.year
            try:
                session_name = hrc_session_name(symbol)
            except ValueError:  # not an A/HRC symbol (a motion, a draft named otherwise)
                session_name = f"HRC {day.year}"
        record = RollCall(
            forum=chosen.value, symbol=symbol, date=day, session=session, session_name=session_name, title=title,
            kind=kind, stated=parsed.stated, positions=dict(parsed.positions), names=dict(parsed.names),
            subject="country" if target_code else None, target=target_code, yes_stance=yes_stance,
            classified_by="given when added" if target_code or yes_stance else None, notes=notes,
            where="text")
        # GA: the title rules where no target was given; the Council: voters who were not members flagged
        record = classify(record) if chosen.value == "ga" else self._flag_non_members(record)
        return record, parsed

    def _flag_non_members(self, record: RollCall) -> RollCall:
        """A Council record with a ``not_a_member`` note for each voter the stored terms do not cover that day
        (refused when the stored membership does not reach the day)."""
        from blocwatch.hrc.membership import Term
        from blocwatch.hrc.read import flag_non_members
        from blocwatch.votes import read

        with self._bw.engine.connect() as conn:
            read.council_members(conn, record.date)  # raises when the day is outside the stored terms
            terms = tuple(Term(t["iso3"], date.fromisoformat(t["start"]),
                               date.fromisoformat(t["end"]) if t["end"] else None, t["note"] or "", "")
                          for t in read.terms(conn))
        return flag_non_members(record, terms)

    def add(self, text: str, *, forum: VoteForum | str, symbol: str, on: date | str, title: str, source_url: str,
            target: str | None = None, yes_stance: str | None = None, kind: str = "resolution",
            replace: bool = False, dry_run: bool = False) -> VoteImport:
        """Store one roll call read from a vote record's text, with its source (``votes add``)."""
        from blocwatch.api.results import VoteImport
        from blocwatch.store.db import session_scope
        from blocwatch.store.provenance import get_source
        from blocwatch.votes.write import VotesWritten, write_roll_calls

        if not source_url or not source_url.startswith(("http://", "https://")):
            raise InvalidInput(f"--source must be the http(s) address of the vote record, not {source_url!r}")
        record, parsed = self.record_from_text(text, forum=forum, symbol=symbol, on=on, title=title,
                                               target=target, yes_stance=yes_stance, kind=kind)
        written = VotesWritten()
        if not dry_run:
            with session_scope(self._bw.engine) as db:
                source = get_source(db, kind="web", url=source_url, title=None)
                written = write_roll_calls(db, [record], source.id, source_label=source_url, replace=replace,
                                           what="vote record added from text")
            self._bw.cache.clear()
        return VoteImport(files=[], roll_calls_read=1, duplicates=0, notes=list(parsed.problems)
                          + ([] if not dry_run else ["dry run: nothing stored"]), **written.to_dict())

    def import_dgacm(self, paths: Sequence[Path | str], *, replace: bool = False) -> VoteImport:
        """Import General Assembly resolutions and recorded votes from the UN's machine-readable files
        (DGACM JSON lines, as in ``shared/data/unga/dgacm``), in one transaction (``votes import-dgacm``)."""
        from datetime import datetime

        from blocwatch.api.results import VoteImport
        from blocwatch.ga.classify import classify
        from blocwatch.ga.dgacm import read_dgacm
        from blocwatch.store.db import session_scope
        from blocwatch.store.models import ImportLog
        from blocwatch.store.provenance import sha256_of
        from blocwatch.votes.load import dgacm_source
        from blocwatch.votes.write import write_roll_calls

        files = [Path(p) for p in paths]
        if not files:
            raise InvalidInput("give at least one DGACM .json file")
        for f in files:
            if f.is_dir():
                raise InvalidInput(f"{f} is a folder: give the DGACM .json files in it (e.g. {f}/*.json)")
            if not f.is_file():
                raise InvalidInput(f"{f}: no such file")
        read = read_dgacm(files)
        with session_scope(self._bw.engine) as db:
            source = dgacm_source(db)
            written = write_roll_calls(db, [classify(rc) for rc in read.roll_calls], source.id,
                                       source_label="the UN's resolutions (DGACM)",
                                       replace=replace, what="UN DGACM machine-readable resolution")
            for f in files:
                rows = sum(rc.where.startswith(f"{f.name}:") for rc in read.roll_calls)
                db.add(ImportLog(kind="dgacm", path=str(f), sha256=sha256_of(f), rows=rows,
                                 finished_at=datetime.now(), source_id=source.id))
        self._bw.cache.clear()
        return VoteImport(files=[str(f) for f in files], roll_calls_read=len(read.roll_calls),
                          duplicates=read.duplicates, notes=[], **written.to_dict())

    def forums(self) -> builtins.list[str]:
        """The forums with stored roll calls."""
        from blocwatch.votes.read import stored_forums

        return stored_forums(self._bw.engine)


class HRC:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def members(self, *, year: int | None = None, on: date | str | None = None) -> CouncilMembers:
        """The Council's members on a day (``on``), or on 31 December of ``year`` (``hrc members``)."""
        from blocwatch.api.results import CouncilMembers
        from blocwatch.votes import read

        day = _day(on, "--on")
        if year is not None and not 1945 <= year <= 9999:
            raise InvalidInput(f"--year {year} is not a year the Council can have had members in")
        if day is None:
            if year is None:
                raise InvalidInput("give --year or --on")
            day = date(year, 12, 31)
        elif year is not None and day.year != year:
            raise InvalidInput(f"--on {day} is not in --year {year}")
        with self._bw.engine.connect() as conn:
            members = read.members(conn, day)
            if not members:
                first = read.terms(conn)
                span = f" (terms stored from {first[0]['start']})" if first else " (no terms stored)"
                raise InvalidInput(f"no Human Rights Council members on {day}{span}")
        by_group: dict[str, int] = {}
        for m in members:
            by_group[m["group"] or "none"] = by_group.get(m["group"] or "none", 0) + 1
        return CouncilMembers(forum="hrc", on=day.isoformat(), members=members, by_group=by_group)

    def terms(self, state: str | None = None) -> builtins.list[dict]:
        """Council terms (of one state, or all), oldest first."""
        from blocwatch.votes import read

        code = self._bw.countries.get(state, former=True).iso3 if state else None
        with self._bw.engine.connect() as conn:
            return read.terms(conn, iso3=code)

    def span(self) -> tuple[date, date] | None:
        """The days the stored membership describes: the first term's start and the last day known (the end
        of the last year a term starts or ends in); None when no term is stored. Council members (and so
        ``bw.forecast(..., forum="hrc")`` without ``members``) are known only on these days."""
        from blocwatch.votes import read

        with self._bw.engine.connect() as conn:
            return read.terms_known(conn)
