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
    # Saved changes so far: a save names the version it started from (optimistic locking, blocwatch.team.audit).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
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


# ---------------------------------------------------------------- team mode (migration 0004)

class User(Base):
    """An account: ``role`` viewer (reads), editor (also edits events and votes), admin (also manages accounts
    and reverts changes). ``password_hash``: argon2id (argon2-cffi)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class LoginSession(Base):
    """A login: the SHA-256 of its cookie token and of its CSRF token (neither is stored in clear), its expiry."""

    __tablename__ = "login_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginAttempt(Base):
    """A login attempt, for rate limiting shared by every server process (``key``: the name or the address)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)


class AuditEntry(Base):
    """One change to stored data, append-only: who, when, what (``object_type``/``object_id``), the value
    before and after (JSON), its source; ``reverts``: the entry this change undid."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    source_url: Mapped[str | None] = mapped_column(Text)
    reverts: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


class Campaign(Base):
    """A planned statement or text on ``target``, private to its members (``campaign_members``)."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(ForeignKey("countries.iso3"))
    forum: Mapped[str] = mapped_column(String(3))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class CampaignMember(Base):
    __tablename__ = "campaign_members"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class CampaignState(Base):
    """A state's status in a campaign: not_contacted, contacted, considering, committed or declined."""

    __tablename__ = "campaign_states"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class CampaignNote(Base):
    """A dated note in a campaign (on one state, or on the whole campaign: ``iso3`` None)."""

    __tablename__ = "campaign_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    iso3: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"))
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
