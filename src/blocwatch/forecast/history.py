"""The evidence a forecast may use, cut at a day: :func:`load` once, then ``history.before(day)``.

No peeking is enforced here, in the data access, not by the callers'
care: a :class:`Cut` holds only what was known before its day. Every
array of roll calls is sorted by date and a cut keeps the rows dated
strictly before the day; a joint statement counts only when it certainly
happened before the day (a month-dated one: its month ended before), and a
state that joined it later, or withdrew, counts as of the day. The feature
code (:mod:`blocwatch.forecast.features`) receives cuts, never a
:class:`History`.

What is held, per forum (``hrc`` or ``ga``):

``texts``
    the forum's recorded votes on country texts whose stance is known
    (``subject`` country, ``yes_stance`` critical or supportive): date,
    target, symbol, title, and every state's vote *oriented* so that
    ``YES`` always means the critical side (on a supportive text a no is
    the critical vote);
``ga``
    every General Assembly roll call since 2000 (the agreement window
    reaches three years back from a Council vote of 2006);
``statements``
    the joint statements, each with its signers' dated changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from blocwatch.statements.dataset import Event

#: Oriented classes: index into probability vectors (``p[YES]`` is the chance of the critical vote).
YES, ABSTAIN, NO = 0, 1, 2
CLASSES = ("yes", "abstain", "no")
#: Voeten codes (1 yes, 2 abstain, 3 no) to oriented class on a critical text, and on a supportive one.
_CRITICAL = {1: YES, 2: ABSTAIN, 3: NO}
_SUPPORTIVE = {1: NO, 2: ABSTAIN, 3: YES}
MISSING = -1  # absent, present but not voting, or not a member
GA_FROM = dt.date(2000, 1, 1)


def _day(value: dt.date) -> np.datetime64:
    return np.datetime64(value, "D")


@dataclass(frozen=True)
class Texts:
    """Recorded votes on country texts, sorted by date: one row per roll call, one column per state."""

    rcid: np.ndarray       # int64
    date: np.ndarray       # datetime64[D]
    target: np.ndarray     # object: ISO3
    critical: np.ndarray   # bool: a yes was the critical vote
    symbol: tuple[str, ...]
    title: tuple[str, ...]
    votes: np.ndarray      # int8, oriented class or MISSING

    def upto(self, n: int) -> Texts:
        return Texts(self.rcid[:n], self.date[:n], self.target[:n], self.critical[:n], self.symbol[:n],
                     self.title[:n], self.votes[:n])

    def __len__(self) -> int:
        return len(self.rcid)


@dataclass(frozen=True)
class GAVotes:
    """General Assembly roll calls, sorted by date: Voeten codes (0 = no vote), one column per state."""

    date: np.ndarray   # datetime64[D]
    votes: np.ndarray  # int8

    def window(self, start: np.datetime64, end: np.datetime64) -> np.ndarray:
        lo, hi = np.searchsorted(self.date, [start, end], side="left")
        return self.votes[lo:hi]


@dataclass(frozen=True)
class Statement:
    """A joint statement as a forecast sees it: its signers known on a given day."""

    id: str
    date: dt.date        # the last day it can have happened on
    stance: str
    target: str
    title: str
    signers: frozenset[str]
    complete: bool       # the list names every signer (not partial)
    when: str = ""       # its date as recorded, for quoting: the day, or the month (YYYY-MM) when only that is known


class History:
    """Everything a forecast may draw on, for one forum, before any cut. Make with :func:`load`."""

    def __init__(self, forum: str, states: list[str], texts: Texts, ga: GAVotes, events: list[Event]) -> None:
        self.forum = forum
        self.states = states
        self.index = {s: i for i, s in enumerate(states)}
        self.groups = [_group(s) for s in states]
        self._texts = texts
        self._ga = ga
        self._events = sorted(events, key=lambda e: (e.date_range[1], e.id))

    @property
    def last_day(self) -> dt.date | None:
        """The day of the latest stored country-text vote (None without any)."""
        return self._texts.date[-1].astype(dt.date) if len(self._texts) else None

    def vote_days(self, start: dt.date | None = None) -> list[dt.date]:
        """The days with a country-text vote, from ``start``: the days a backtest forecasts."""
        days = np.unique(self._texts.date)
        if start is not None:
            days = days[days >= _day(start)]
        return [d.astype(dt.date) for d in days]

    def texts_on(self, day: dt.date) -> Texts:
        """The country-text votes held on ``day`` (what a backtest scores; never given to the features)."""
        lo, hi = np.searchsorted(self._texts.date, [_day(day), _day(day + dt.timedelta(days=1))])
        t = self._texts
        return Texts(t.rcid[lo:hi], t.date[lo:hi], t.target[lo:hi], t.critical[lo:hi], t.symbol[lo:hi],
                     t.title[lo:hi], t.votes[lo:hi])

    def before(self, day: dt.date) -> Cut:
        """What was known before ``day``: roll calls dated earlier, statements certainly earlier."""
        cut = _day(day)
        n = int(np.searchsorted(self._texts.date, cut, side="left"))
        m = int(np.searchsorted(self._ga.date, cut, side="left"))
        ga = GAVotes(self._ga.date[:m], self._ga.votes[:m])
        statements = tuple(_as_of(e, day) for e in self._events if e.date_range[1] < day)
        return Cut(self.forum, day, self.states, self.index, self._texts.upto(n), ga, statements, self.groups)


def _group(iso3: str) -> str | None:
    from blocwatch import registry

    return registry.group_of(iso3) if registry.exists(iso3) else None


def _as_of(event: Event, day: dt.date) -> Statement:
    signers = frozenset(s.iso3 for s in event.signers if (s.joined_on is None or s.joined_on < day)
                        and (s.withdrew_on is None or s.withdrew_on >= day))
    return Statement(event.id, event.date_range[1], event.stance, event.target, event.title, signers,
                     not event.partial, event.date_text)


@dataclass(frozen=True)
class Cut:
    """The history as known on the morning of ``day``: nothing dated on or after it."""

    forum: str
    day: dt.date
    states: list[str]
    index: dict[str, int]
    texts: Texts
    ga: GAVotes
    statements: tuple[Statement, ...]
    groups: list[str | None]  # the regional group of each state (``states``' order)

    def __post_init__(self) -> None:
        cut = _day(self.day)
        if (len(self.texts) and self.texts.date[-1] >= cut) or (len(self.ga.date) and self.ga.date[-1] >= cut) \
                or any(s.date >= self.day for s in self.statements):
            raise AssertionError(f"a cut at {self.day} holds a later record")  # the guarantee, checked once more

    @cached_property
    def about(self) -> dict[str, np.ndarray]:
        """Row numbers of the country texts per target."""
        out: dict[str, list[int]] = {}
        for i, t in enumerate(self.texts.target.tolist()):
            out.setdefault(t, []).append(i)
        return {t: np.asarray(rows, dtype=np.int64) for t, rows in out.items()}

    def latest_statement(self, stance: str, target: str | None = None, complete: bool = False) -> Statement | None:
        """The latest statement of ``stance`` on ``target`` (any target: None) before the day; with ``complete``,
        the latest whose list names every signer (so that a state not on it did not sign)."""
        found = [s for s in self.statements if s.stance == stance and (target is None or s.target == target)
                 and (s.complete or not complete)]
        return found[-1] if found else None


def load(conn, forum: str, events: list[Event]) -> History:
    """Read the stored votes and take the statements: the whole history of ``forum`` (``hrc`` or ``ga``)."""
    from sqlalchemy import select

    from blocwatch.ga.vectors import read_matrix, table

    r = table("roll_calls").c
    rows = conn.execute(
        select(r.rcid, r.date, r.target, r.yes_stance, r.symbol, r.title)
        .where(r.forum == forum, r.subject == "country", r.yes_stance.in_(("critical", "supportive")),
               r.target.is_not(None), r.date.is_not(None))).all()
    own = read_matrix(conn, forum=forum)
    ga = own if forum == "ga" else read_matrix(conn, forum="ga")
    states = sorted(set(own.labels) | set(ga.labels))
    column = {s: i for i, s in enumerate(states)}

    def widen(matrix, labels) -> np.ndarray:
        out = np.zeros((matrix.shape[0], len(states)), dtype=np.int8)
        out[:, [column[s] for s in labels]] = matrix
        return out

    row_of = {int(rcid): i for i, rcid in enumerate(own.call_rcid.tolist())}
    rows = sorted(rows, key=lambda x: (x[1], x[0]))
    raw = widen(own.matrix[[row_of[int(x[0])] for x in rows]], own.labels) if rows else \
        np.zeros((0, len(states)), np.int8)
    critical = np.array([x[3] == "critical" for x in rows], dtype=bool)
    votes = np.full(raw.shape, MISSING, dtype=np.int8)
    for code in (1, 2, 3):
        votes[(raw == code) & critical[:, None]] = _CRITICAL[code]
        votes[(raw == code) & ~critical[:, None]] = _SUPPORTIVE[code]
    texts = Texts(np.array([x[0] for x in rows], dtype=np.int64),
                  np.array([x[1] for x in rows], dtype="datetime64[D]"),
                  np.array([x[2] for x in rows], dtype=object), critical,
                  tuple(x[4] or "" for x in rows), tuple(x[5] or "" for x in rows), votes)
    keep = ga.call_date >= _day(GA_FROM)
    order = np.argsort(ga.call_date[keep], kind="stable")
    ga_votes = GAVotes(ga.call_date[keep][order], widen(ga.matrix[keep][order], ga.labels))
    return History(forum, states, texts, ga_votes, list(events))


def completed_session(conn, day: dt.date) -> tuple[int, dt.date, dt.date] | None:
    """The latest General Assembly session over before ``day`` (the one before the session running that day, by
    the calendar of :mod:`blocwatch.ga.sessions`), with its first and last stored vote dates; a session with a
    stored vote on or after ``day`` is passed over. None when no such session is stored."""
    from sqlalchemy import func, select

    from blocwatch.ga.sessions import session_on
    from blocwatch.ga.vectors import table

    r = table("roll_calls").c
    session = session_on(day) - 1
    while session >= 1:
        first, last = conn.execute(select(func.min(r.date), func.max(r.date))
                                   .where(r.forum == "ga", r.session == session)).one()
        if first is not None and last < day:
            return session, first, last
        session -= 1
    return None
