"""SQLAlchemy 2 models. Every stored fact points at a ``Source``.

Schema changes go through Alembic (``store/migrations``); never edit a
released migration, add a new one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Source(Base):
    """Where a fact comes from: a web page, a file in shared/data, a dataset."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # web | dataset | file | curation
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str | None] = mapped_column(Text)
    # web sources: un | government | ngo | news | mirror (statements.publishers, data/publishers.csv)
    publisher: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (UniqueConstraint("kind", "url", "title", name="uq_source"),)


class CountryRecord(Base):
    __tablename__ = "countries"
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str | None] = mapped_column(String(2))
    numeric: Mapped[str | None] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(Text)
    official_name: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # member | observer | former
    admitted: Mapped[date | None] = mapped_column(Date)
    ended: Mapped[date | None] = mapped_column(Date)
    regional_group: Mapped[str | None] = mapped_column(String(30))
    also_in: Mapped[list] = mapped_column(JSON, default=list)
    eu_since: Mapped[date | None] = mapped_column(Date)
    successors: Mapped[list] = mapped_column(JSON, default=list)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))


class EventRecord(Base):
    """A joint statement, joint letter, or (later) a recorded vote."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="statement")  # statement | letter | vote
    series: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text)
    forum: Mapped[str] = mapped_column(String(40))
    session: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date, index=True)
    date_precision: Mapped[str] = mapped_column(String(5), default="day")  # day | month
    delivered_by: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"))
    delivered_by_text: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"))
    lead_text: Mapped[str | None] = mapped_column(Text)
    stance: Mapped[str | None] = mapped_column(String(20))  # critical | supportive
    target: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    claimed_count: Mapped[int | None] = mapped_column(Integer)
    list_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    responds_to: Mapped[str | None] = mapped_column(ForeignKey("events.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    positions: Mapped[list[Position]] = relationship(back_populates="event", cascade="all, delete-orphan")
    sources: Mapped[list[EventSource]] = relationship(cascade="all, delete-orphan")


class EventSource(Base):
    __tablename__ = "event_sources"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    what: Mapped[str | None] = mapped_column(Text)
    ordinal: Mapped[int | None] = mapped_column(Integer)  # order of the sources as curated
    source: Mapped[Source] = relationship()


class Position(Base):
    """A state's position on an event: it signed (at delivery or later), or withdrew.

    Changes after delivery are kept as dated rows (``joined_on``,
    ``withdrew_on``), never as silent edits of the list.
    """

    __tablename__ = "positions"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    position: Mapped[str] = mapped_column(String(20), default="signed")  # signed | yes | no | abstain | non_voting
    joined_on: Mapped[date | None] = mapped_column(Date)
    withdrew_on: Mapped[date | None] = mapped_column(Date)
    ordinal: Mapped[int | None] = mapped_column(Integer)  # place in the source's list (0-based)
    name_in_source: Mapped[str | None] = mapped_column(Text)  # the name as the source wrote it
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    note: Mapped[str | None] = mapped_column(Text)
    event: Mapped[EventRecord] = relationship(back_populates="positions")
    __table_args__ = (UniqueConstraint("event_id", "iso3", name="uq_position"),)


class RollCall(Base):
    """A recorded vote of the General Assembly or the Human Rights Council (``forum``).

    ``session``: the GA session number (an emergency or special session's
    votes count in the regular session running that day, as in unvotes),
    or the Council's year. ``yes_count`` ... ``abstain_count``: the tally the
    source states (the lists are in ``votes``; a mismatch is a
    ``roll_call_notes`` row). ``subject``/``target``/``yes_stance``: the
    classification of the text (country or thematic; the state it is about;
    whether a yes is critical of it), ``classified_by`` the rule or override
    that decided. ``source_id`` is the first source; every source is in
    ``roll_call_sources``.
    """

    __tablename__ = "roll_calls"
    rcid: Mapped[int] = mapped_column(primary_key=True)
    forum: Mapped[str] = mapped_column(String(3), default="ga", server_default="ga")
    session: Mapped[int] = mapped_column(SmallInteger)
    session_name: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[date | None] = mapped_column(Date)
    symbol: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))  # resolution | decision | amendment | paragraph | motion
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    important: Mapped[bool | None] = mapped_column(Boolean)
    amend: Mapped[bool | None] = mapped_column(Boolean)
    para: Mapped[bool | None] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(Text)
    descr: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[list] = mapped_column(JSON, default=list)
    draft: Mapped[str | None] = mapped_column(String(60))
    agenda_item: Mapped[str | None] = mapped_column(Text)
    committee: Mapped[str | None] = mapped_column(Text)
    meeting: Mapped[str | None] = mapped_column(String(40))
    sponsors: Mapped[list | None] = mapped_column(JSON)
    sponsors_text: Mapped[list | None] = mapped_column(JSON)
    subjects: Mapped[list | None] = mapped_column(JSON)
    yes_count: Mapped[int | None] = mapped_column(SmallInteger)
    no_count: Mapped[int | None] = mapped_column(SmallInteger)
    abstain_count: Mapped[int | None] = mapped_column(SmallInteger)
    subject: Mapped[str | None] = mapped_column(String(10))  # country | thematic
    target: Mapped[str | None] = mapped_column(String(3), index=True)
    yes_stance: Mapped[str | None] = mapped_column(String(12))  # critical | supportive
    classified_by: Mapped[str | None] = mapped_column(Text)
    undl_id: Mapped[int | None] = mapped_column(Integer, unique=True)  # UN Digital Library record id
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    __table_args__ = (Index("ix_roll_calls_forum_session", "forum", "session"),)


class Vote(Base):
    """One state's vote on one roll call.

    ``vote`` uses Voeten's coding: 1 yes, 2 abstain, 3 no, 8 present but not
    voting (UN Digital Library ``X``, OHCHR ``NO_VOTE``). States absent from a
    roll call have no row, as in unvotes.
    """

    __tablename__ = "votes"
    rcid: Mapped[int] = mapped_column(ForeignKey("roll_calls.rcid"), primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), primary_key=True)
    vote: Mapped[int] = mapped_column(SmallInteger)
    # Clustered on (rcid, iso3) in SQLite: reading votes by roll call is a sequential scan.
    __table_args__ = (Index("ix_votes_iso3", "iso3"), {"sqlite_with_rowid": False})


class VoteState(Base):
    """A state's fixed position in the packed vote vectors (:class:`VoteVector`); append-only."""

    __tablename__ = "vote_states"
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), unique=True)


class VoteVector(Base):
    """Derived from ``votes`` (the source of truth), for fast reading: one roll call's votes packed.

    ``votes``: byte ``i`` is the Voeten code of the state at position ``i``
    of ``vote_states`` (0 = no row). Rewritten by every vote writer in the
    same transaction as the votes (:mod:`blocwatch.ga.vectors`).
    """

    __tablename__ = "vote_vectors"
    rcid: Mapped[int] = mapped_column(ForeignKey("roll_calls.rcid"), primary_key=True, autoincrement=False)
    votes: Mapped[bytes] = mapped_column(LargeBinary)


class RollCallSource(Base):
    """A source of a roll call: a vote held by two sources is stored once, with both."""

    __tablename__ = "roll_call_sources"
    rcid: Mapped[int] = mapped_column(ForeignKey("roll_calls.rcid"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    what: Mapped[str | None] = mapped_column(Text)


class RollCallNote(Base):
    """What a reader must know about a roll call (kinds: :data:`blocwatch.votes.record.NOTE_KINDS`)."""

    __tablename__ = "roll_call_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    rcid: Mapped[int] = mapped_column(ForeignKey("roll_calls.rcid"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    iso3: Mapped[str | None] = mapped_column(String(3))
    detail: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    __table_args__ = (UniqueConstraint("rcid", "kind", "iso3", "detail", name="uq_roll_call_note"),)


class CouncilTerm(Base):
    """A state's term on a council (``forum`` ``hrc``): from ``start`` to ``end`` (inclusive; None: ongoing)."""

    __tablename__ = "council_terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    forum: Mapped[str] = mapped_column(String(3))
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    __table_args__ = (UniqueConstraint("forum", "iso3", "start", name="uq_council_term"),)


class ImportLog(Base):
    """One completed import: what file, when, how many rows (provenance)."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
