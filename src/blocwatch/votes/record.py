"""The forum-neutral vote model: a roll call and the positions of the states on it.

Position codes are Voeten's, as stored for the General Assembly since
1946: ``1`` yes, ``2`` abstain, ``3`` no, ``8`` present but not voting (UN
Digital Library ``X``, OHCHR ``NO_VOTE``). A state absent from a roll call
(or not a member then) has no position; readers report it as ``absent``
when it was a member of the body on that day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

YES, ABSTAIN, NO, NOT_VOTING = 1, 2, 3, 8
POSITION_NAMES: dict[int, str] = {YES: "yes", ABSTAIN: "abstain", NO: "no", NOT_VOTING: "not_voting"}
POSITION_CODES: dict[str, int] = {v: k for k, v in POSITION_NAMES.items()}

FORUMS = ("ga", "hrc")
SYMBOL_LENGTH = 40  # the store's roll_calls.symbol
KINDS = ("resolution", "decision", "amendment", "paragraph", "motion", "draft")
SUBJECTS = ("country", "thematic")  # a text on one country's situation, or on a theme
STANCES = ("critical", "supportive")  # what a yes vote means for the target

# The kinds of a note on a roll call (stored in roll_call_notes, shown by ``votes show``).
NOTE_KINDS = (
    "tally_mismatch",       # the stated tally differs from the lists
    "no_lists",             # a tally is stated but no per-state lists
    "source_disagreement",  # two sources give a state different votes
    "not_a_member",         # a voter who was not a member of the body that day
    "checked_override",     # a checked list replaced the scraped one for this state
    "duplicate_line",       # the source holds the same roll call more than once
)


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int

    def to_dict(self) -> dict:
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain}


@dataclass(frozen=True)
class Note:
    """Something a reader must know about a roll call: a mismatch, a disagreement, a flag."""

    kind: str
    detail: str
    iso3: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:
            raise ValueError(f"note kind must be one of {', '.join(NOTE_KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class RollCall:
    """One recorded vote on one text, as an importer reads it (before it is stored).

    ``session``: the General Assembly session number (an emergency or special
    session's votes count in the regular session running on that day, as in
    unvotes), or for the Council its year (membership runs by calendar year).
    ``session_name``: as the body names it ("74", "ES-11", "S-32"; "HRC40",
    "HRC S-33"). ``positions``: ISO3 -> position code (see the module doc);
    ``names``: ISO3 -> the name as the source wrote it. ``sponsors``: the
    sponsors that are states (ISO3, in the source's order);
    ``sponsors_text``: the rest, as written. ``stated``: the tally the source
    states (None if it states none). ``where``: file and line it came from.
    """

    forum: str
    symbol: str
    date: date
    session: int
    session_name: str
    title: str
    kind: str = "resolution"
    adopted: bool | None = None
    draft: str | None = None
    agenda_item: str | None = None
    committee: str | None = None
    meeting: str | None = None
    sponsors: tuple[str, ...] = ()
    sponsors_text: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    stated: Tally | None = None
    positions: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    subject: str | None = None       # "country" | "thematic" (see SUBJECTS); None: not classified
    target: str | None = None        # ISO3 of the state a country text is about
    yes_stance: str | None = None    # "critical" | "supportive": what yes means for the target
    classified_by: str | None = None  # the rule or override that classified it, in words
    notes: tuple[Note, ...] = ()
    where: str = ""

    def __post_init__(self) -> None:
        if self.forum not in FORUMS:
            raise ValueError(f"forum must be one of {', '.join(FORUMS)}, not {self.forum!r}")
        if not self.symbol or len(self.symbol) > SYMBOL_LENGTH:
            raise ValueError(f"a symbol has 1 to {SYMBOL_LENGTH} characters, not {self.symbol!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        bad = {c for c in self.positions.values() if c not in POSITION_NAMES}
        if bad:
            raise ValueError(f"position codes must be {sorted(POSITION_NAMES)}, not {sorted(bad)}")

    def counted(self) -> Tally:
        """The tally of the per-state lists."""
        values = list(self.positions.values())
        return Tally(values.count(YES), values.count(NO), values.count(ABSTAIN))

    def to_dict(self) -> dict:
        """A JSON-ready dict (the curated bundle's line format; :meth:`from_dict` reads it back)."""
        return {
            "forum": self.forum, "symbol": self.symbol, "date": self.date.isoformat(), "session": self.session,
            "session_name": self.session_name, "title": self.title, "kind": self.kind, "adopted": self.adopted,
            "draft": self.draft, "agenda_item": self.agenda_item, "committee": self.committee,
            "meeting": self.meeting, "sponsors": list(self.sponsors), "sponsors_text": list(self.sponsors_text),
            "subjects": list(self.subjects), "stated": self.stated.to_dict() if self.stated else None,
            "positions": {k: POSITION_NAMES[v] for k, v in sorted(self.positions.items())},
            "names": dict(sorted(self.names.items())), "subject": self.subject, "target": self.target,
            "yes_stance": self.yes_stance, "classified_by": self.classified_by,
            "notes": [{"kind": n.kind, "detail": n.detail, "iso3": n.iso3} for n in self.notes],
            "where": self.where,
        }

    @classmethod
    def from_dict(cls, d: dict) -> RollCall:
        stated = d.get("stated")
        return cls(
            forum=d["forum"], symbol=d["symbol"], date=date.fromisoformat(d["date"]), session=int(d["session"]),
            session_name=d["session_name"], title=d["title"], kind=d.get("kind", "resolution"),
            adopted=d.get("adopted"), draft=d.get("draft"), agenda_item=d.get("agenda_item"),
            committee=d.get("committee"), meeting=d.get("meeting"), sponsors=tuple(d.get("sponsors", ())),
            sponsors_text=tuple(d.get("sponsors_text", ())), subjects=tuple(d.get("subjects", ())),
            stated=Tally(**stated) if stated else None,
            positions={k: POSITION_CODES[v] for k, v in d.get("positions", {}).items()},
            names=dict(d.get("names", {})), subject=d.get("subject"), target=d.get("target"),
            yes_stance=d.get("yes_stance"), classified_by=d.get("classified_by"),
            notes=tuple(Note(n["kind"], n["detail"], n.get("iso3")) for n in d.get("notes", ())),
            where=d.get("where", ""),
        )
