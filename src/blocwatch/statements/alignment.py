"""Link joint statements to General Assembly voting: where each event's signatories stand.

For an event, every state on one of three *sides* gets its General Assembly
numbers: the event's named *signatories*, the named signatories of its
*counter*-statement (:func:`blocwatch.statements.analytics.counters`, the
first tie), and the UN members (on the event's day) named on *neither* side.
A state named on both the event and its counter is in both groups.

Which GA votes: the *session* is the regular session running on the event's
date (:func:`session_on`: session ``N`` opens in September of year
``1945 + N`` and runs until the next opens), or, when the store has no votes
of that session, the nearest stored session before it. Ideal points and
agreement both rest on that session's recorded votes (its roll calls dated
from its opening into the next year, emergency special sessions held during
it included). ``session=`` chooses another. Every output names the session,
the year it opened (``year``), the dates of its first and last stored votes,
and how many sessions (years) the event's own session is after it
(``years_after_data``: 0 when the event's own session is used).

Numbers per state (``states`` rows and :func:`state_scores`):

``ideal``, ``ideal_se``, ``n_votes``
    the state's one-dimensional ideal point in that session, United States
    positive, with its standard error and the yes/abstain/no votes it rests
    on. ``model="static"`` (the default): :func:`blocwatch.ga.ideal.ideal_points`
    (ordered probit fitted on the one session; standardised to mean 0 and
    sd 1 over the states voting in it, so comparable only between events
    scored on the same session). ``model="dynamic"``:
    :func:`blocwatch.ga.ideal.dynamic_ideal_points` over all stored
    sessions (random-walk model, one scale for all sessions; a full fit takes
    about 20 s, kept in memory per database and data version).
``agree_chn``, ``agree_usa``
    agreement with China / the United States on the roll calls of the session:
    the share of joint votes (both cast yes, abstain or no) on which both cast
    the same choice (:func:`blocwatch.ga.agreement.agreement`, column
    ``agree``; an abstention agrees only with an abstention).
    ``agree_half_chn``/``agree_half_usa``: Voeten's index (abstain against
    yes or no counts half).
``coincidence_chn``, ``coincidence_usa``
    the US State Department's voting coincidence, "votes only": identical
    yes/no votes over identical plus opposite ones (abstentions left out).
``n_chn``, ``n_usa``
    joint votes with China / the United States in the session.
``no_score``
    why a state has no ideal point: an observer state (Holy See, State of
    Palestine: observers do not vote in the Assembly) or a member that cast
    no yes/abstain/no vote in the session. Such states are listed under
    ``without_score`` of their group, never dropped. China's agreement with
    China and the US's with the US are left empty (``null``) and out of the
    group statistics.

Group statistics (``groups.<side>``): ``iso3`` (the states, in order), ``named`` (their number),
``scored`` (with an ideal point), ``without_score`` (``[{iso3, name,
reason}]``), and for each of ``ideal``, ``agree_chn``, ``coincidence_chn``,
``agree_usa``, ``coincidence_usa`` a summary ``{n, mean, median, sd, min,
q25, q75, max}`` over the states that have the number (``sd`` the sample
standard deviation, ``null`` below two values; quartiles by linear
interpolation); ``closer_to_usa`` / ``closer_to_chn`` / ``equally_close``:
how many states agreed more often with the US than with China in the session
(by ``agree``) and the converse; ``ideal_histogram``: counts of ideal points
in the bins ``ideal_bins`` (shared by the three groups, half-unit bins over
every state scored in the session). ``partial``/``claimed_count`` say
whether a group is the named part of a longer list; ``certain`` (neither
side only) is false when a partial list means some of those states may have
signed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from blocwatch import registry
from blocwatch.cache import Cache
from blocwatch.errors import InvalidInput, NoData, NotFound
from blocwatch.ga.sessions import OPENINGS
from blocwatch.ga.votes import stored_sessions
from blocwatch.statements import analytics
from blocwatch.statements.dataset import Dataset, Event
from blocwatch.statements.load import dataset as _dataset
from blocwatch.store.db import data_version

MODELS = ("static", "dynamic")
# The static per-session model is the default: a brief stays around a second, and
# each event is scored on its own session's scale (static positions compare only
# between events of the same session, as the model_scale caveat says); the dynamic
# fit of all sessions puts them on one scale but takes ~20 s on 2 cores (once per
# process and data version).
DEFAULT_MODEL = "static"
PARTNERS = ("CHN", "USA")
SIDES = ("signatories", "counter", "neither_side")
SIDE_COLUMN = {"signatories": "signatory", "counter": "counter", "neither_side": "neither_side"}
STAT_KEYS = ("ideal", "agree_chn", "coincidence_chn", "agree_usa", "coincidence_usa")
SCORE_COLUMNS = ["iso3", "name", "regional_group", "status", "signatory", "counter", "neither_side",
                 "ideal", "ideal_se", "n_votes",
                 "agree_chn", "agree_half_chn", "coincidence_chn", "n_chn",
                 "agree_usa", "agree_half_usa", "coincidence_usa", "n_usa", "no_score"]
BIN_WIDTH = 0.5


class NoVotes(NoData):
    """The store holds no General Assembly votes to link to."""


def session_year(session: int) -> int:
    """The calendar year in which GA session ``session`` opened (session 74: 2019)."""
    return 1945 + int(session)


def session_on(on: date | int) -> int:
    """The GA regular session running on ``on``: a date, or a year (the session that opened in it).

    Session ``N`` opens in September of year ``1945 + N`` and runs until session ``N + 1`` opens; the
    opening days are those of :mod:`blocwatch.ga.sessions` (recorded for sessions 74-80, by rule before),
    the calendar the stored votes use.
    """
    from blocwatch.ga.sessions import session_on as running_on

    if isinstance(on, int):
        return on - 1945
    return running_on(on)


def source_url(url: str | None, citation: str | None) -> str | None:
    """An address for a stored source: its URL, else one its citation gives.

    In order: a Handle (``hdl:1902.1/12379`` -> ``https://hdl.handle.net/1902.1/12379``), the first
    ``http(s)://`` address, the first bare web address (``searchlibrary.ohchr.org`` -> ``https://...``);
    ``None`` when the citation names none.
    """
    if url:
        return url
    if not citation:
        return None
    m = re.search(r"hdl:(\S+?)[;,.]?(?:\s|$)", citation)
    if m:
        return f"https://hdl.handle.net/{m.group(1)}"
    m = re.search(r"https?://[^\s()<>;,]+[^\s()<>;,.]", citation)
    if m:
        return m.group(0)
    m = re.search(r"\b((?:[a-z0-9-]+\.)+(?:org|int|net|com|gov|edu))\b(?![./\w])", citation)
    return f"https://{m.group(1)}" if m else None


@dataclass
class Basis:
    """The GA numbers one event is linked to: one session's ideal points and agreement.

    ``ideal``: DataFrame indexed by iso3 (``ideal``, ``se``, ``n_votes``);
    ``agree``: partner iso3 -> DataFrame indexed by the other state's iso3
    (``n``, ``agree``, ``agree_half``, ``coincidence``).
    """

    session: int
    year: int
    model: str
    latest_session: int
    latest_vote_date: str
    ideal: pd.DataFrame
    agree: dict[str, pd.DataFrame]
    model_info: dict
    sources: list[dict] = field(default_factory=list)
    n_rollcalls: int = 0
    first_vote_date: str | None = None
    last_vote_date: str | None = None

    def describe(self) -> dict:
        """The JSON ``ga`` block: which votes, which model, which sources."""
        latest = self.session == self.latest_session
        votes = "recorded vote" + ("" if self.n_rollcalls == 1 else "s")
        span = (f"{self.n_rollcalls} {votes}, {self.first_vote_date} to {self.last_vote_date}"
                if self.n_rollcalls else "no recorded votes")
        return {
            "session": self.session, "year": self.year, "model": self.model, "model_info": self.model_info,
            "latest_session": self.latest_session, "latest_year": session_year(self.latest_session),
            "latest_vote_date": self.latest_vote_date, "is_latest_session": latest,
            "n_rollcalls": self.n_rollcalls, "first_vote_date": self.first_vote_date,
            "last_vote_date": self.last_vote_date,
            "label": (f"ideal points and agreement from GA session {self.session} ({self.year}-{self.year + 1}: "
                      f"{span}{'; the latest session in the data' if latest else ''})"),
            "sources": self.sources,
        }


def _fetch(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).all())


def _ga_sources(engine: Engine, session: int) -> list[dict]:
    """The stored sources of the session's GA roll calls (each roll call's own and the further sources merged
    into it), with an address where the citation gives one (:func:`source_url`)."""
    where = f"r.forum = 'ga' AND r.session = {int(session)}"
    rows = _fetch(engine, "SELECT s.id, s.title, s.url, s.citation FROM sources s WHERE s.id IN ("
                          f"SELECT r.source_id FROM roll_calls r WHERE {where} UNION "
                          f"SELECT rs.source_id FROM roll_call_sources rs JOIN roll_calls r ON r.rcid = rs.rcid "
                          f"WHERE {where}) ORDER BY s.id")
    return [{"title": title, "url": source_url(url, citation), "citation": citation}
            for _, title, url, citation in rows]


def _data_key(engine: Engine) -> tuple:
    """Which database and which data: the URL and :func:`blocwatch.store.db.data_version`."""
    return (engine.url.render_as_string(hide_password=False), data_version(engine))


def _dynamic_panel(engine: Engine, cache: Cache | None) -> pd.DataFrame:
    """All sessions' dynamic ideal points (kept in ``cache`` per database and data version)."""
    from blocwatch.ga.ideal import dynamic_ideal_points

    if cache is None:
        return dynamic_ideal_points(engine)
    return cache.get(("dynamic_panel", *_data_key(engine)), lambda: dynamic_ideal_points(engine))


def choose_session(engine: Engine, on: date | int) -> tuple[int, int, str]:
    """(session to use for an event on ``on`` (a date or year), latest stored session, last GA vote date).

    The session running on ``on`` (:func:`session_on`) when the store holds its votes, else the nearest
    stored session before it. Raises :class:`NoVotes` when the store has no GA roll calls (or none that early).
    """
    own = session_on(on)
    sessions = stored_sessions(engine)
    if not sessions:
        raise NoVotes("no General Assembly votes in the database (import them first: blocwatch import --help)")
    usable = [s for s in sessions if s <= own]
    if not usable:
        raise NoVotes(f"no General Assembly session in the database up to session {own} "
                      f"(opened {session_year(own)})")
    last = _fetch(engine, "SELECT max(date) FROM roll_calls WHERE forum = 'ga'")[0][0]
    return usable[-1], sessions[-1], str(last)


def session_votes(engine: Engine, session: int) -> tuple[int, str | None, str | None]:
    """(number of stored GA roll calls of ``session``, date of the first, date of the last)."""
    n, first, last = _fetch(engine, "SELECT count(*), min(date), max(date) FROM roll_calls "
                                    f"WHERE forum = 'ga' AND session = {int(session)}")[0]
    return int(n), None if first is None else str(first), None if last is None else str(last)


def ga_basis(engine: Engine, on: date | int, *, model: str = DEFAULT_MODEL, session: int | None = None,
             cache: Cache | None = None) -> Basis:
    """The GA numbers for an event on ``on``: see the module docstring for the choice of session and year.

    ``session`` overrides the choice (it must be in the store). With a
    ``cache`` (the :class:`~blocwatch.api.Blocwatch` object's), results are
    kept per database, GA data version, session and model, so a dashboard or
    a batch of briefs fits each session once.
    """
    if model not in MODELS:
        raise InvalidInput(f"unknown ideal-point model {model!r}: expected one of {', '.join(MODELS)}")
    chosen, latest, last_date = choose_session(engine, on)
    if session is not None:
        have = stored_sessions(engine)
        if int(session) not in have:
            raise NotFound(f"GA session {session} is not in the database (sessions {min(have)}-{max(have)})")
        chosen = int(session)
    if cache is None:
        return _compute_basis(engine, chosen, latest, last_date, model, None)
    return cache.get(("basis", *_data_key(engine), chosen, model),
                     lambda: _compute_basis(engine, chosen, latest, last_date, model, cache))


def _compute_basis(engine: Engine, chosen: int, latest: int, last_date: str, model: str,
                   cache: Cache | None) -> Basis:
    from blocwatch.ga.agreement import agreement, for_country

    year = session_year(chosen)
    if model == "static":
        from blocwatch.ga.ideal import ideal_points

        frame = ideal_points(engine, [chosen])
        fits = frame.attrs.get("fits", {}).get(chosen, {})
        info = {"name": "static ordered probit, one session (blocwatch.ga.ideal)",
                "scale": f"mean 0, sd 1 over the states voting in session {chosen}; United States positive",
                "comparable": f"only between events scored on session {chosen}",
                "converged": fits.get("converged"), "n_rollcalls": fits.get("n_rollcalls")}
    else:
        panel = _dynamic_panel(engine, cache)
        frame = panel[panel["session"] == chosen]
        info = {"name": "dynamic ordered probit, random walk over all sessions (blocwatch.ga.ideal.dynamic)",
                "scale": "one scale for all sessions (mean 0, sd 1 over all state-sessions); United States positive",
                "comparable": "across sessions", "converged": panel.attrs.get("converged"),
                "iterations": panel.attrs.get("iterations"), "omega": panel.attrs.get("omega")}
    ideal = frame.set_index("iso3")[["ideal", "se", "n_votes"]]
    scores = agreement(engine, by="session", sessions=[chosen])
    agree = {}
    for partner in PARTNERS:
        rows = for_country(scores, partner)
        agree[partner] = rows.set_index("b")[["n", "agree", "agree_half", "coincidence"]]
    n, first, last = session_votes(engine, chosen)
    return Basis(chosen, year, model, latest, last_date, ideal, agree, info, _ga_sources(engine, chosen),
                 n, first, last)


def _no_score(iso3: str, basis: Basis) -> str | None:
    if iso3 in basis.ideal.index:
        return None
    c = registry.get(iso3)
    if c.status == "observer":
        return "observer state: observers do not vote in the General Assembly"
    if c.status == "former":
        return f"former state: no seat in GA session {basis.session}"
    return f"cast no yes, abstain or no vote in GA session {basis.session}"


def state_scores(basis: Basis, sides: dict[str, list[str]]) -> pd.DataFrame:
    """One row per state on any side (columns :data:`SCORE_COLUMNS`, numbers as in the module docstring).

    ``sides`` maps each of :data:`SIDES` to a list of iso3 codes; the boolean
    columns ``signatory``, ``counter``, ``neither_side`` say where a state is.
    Order: signatories, then counter signatories, then the rest, each in the
    order given.
    """
    order: list[str] = []
    for side in SIDES:
        order += [c for c in sides.get(side, []) if c not in order]
    rows = []
    for iso3 in order:
        c = registry.get(iso3)
        row: dict[str, Any] = {"iso3": iso3, "name": c.name, "regional_group": c.regional_group, "status": c.status,
               **{SIDE_COLUMN[side]: iso3 in set(sides.get(side, [])) for side in SIDES}}
        if iso3 in basis.ideal.index:
            r: Any = basis.ideal.loc[iso3]            # one row (iso3 is the index); Any: pandas-stubs' loc union
            row.update(ideal=float(r["ideal"]), ideal_se=float(r["se"]), n_votes=int(r["n_votes"]))
        else:
            row.update(ideal=None, ideal_se=None, n_votes=0)
        for partner in PARTNERS:
            suffix = partner.lower()
            table = basis.agree[partner]
            if iso3 != partner and iso3 in table.index:
                a: Any = table.loc[iso3]                  # one row, as above
                row.update({f"agree_{suffix}": float(a["agree"]), f"agree_half_{suffix}": float(a["agree_half"]),
                            f"coincidence_{suffix}": None if pd.isna(a["coincidence"]) else float(a["coincidence"]),
                            f"n_{suffix}": int(a["n"])})
            else:
                row.update({f"agree_{suffix}": None, f"agree_half_{suffix}": None,
                            f"coincidence_{suffix}": None, f"n_{suffix}": 0})
        row["no_score"] = _no_score(iso3, basis)
        rows.append(row)
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _plain(v):
    """A frame cell as a JSON value: NaN/None -> None, numpy scalars -> Python."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


def summary(values) -> dict:
    """``{n, mean, median, sd, min, q25, q75, max}`` of the non-missing ``values`` (None where undefined)."""
    v = np.asarray([x for x in values if x is not None and not pd.isna(x)], dtype=float)
    if not len(v):
        return {"n": 0, "mean": None, "median": None, "sd": None, "min": None, "q25": None, "q75": None, "max": None}
    q25, median, q75 = np.quantile(v, [0.25, 0.5, 0.75])
    return {"n": int(len(v)), "mean": float(v.mean()), "median": float(median),
            "sd": float(v.std(ddof=1)) if len(v) > 1 else None,
            "min": float(v.min()), "q25": float(q25), "q75": float(q75), "max": float(v.max())}


def _bins(basis: Basis) -> list[float]:
    x = basis.ideal["ideal"].to_numpy()
    if not len(x):
        return []
    lo = math.floor(x.min() / BIN_WIDTH) * BIN_WIDTH
    hi = math.ceil(x.max() / BIN_WIDTH) * BIN_WIDTH
    if hi <= lo:
        hi = lo + BIN_WIDTH
    return [round(lo + k * BIN_WIDTH, 6) for k in range(int(round((hi - lo) / BIN_WIDTH)) + 1)]


def _group(frame: pd.DataFrame, edges: list[float]) -> dict:
    out = {"iso3": frame["iso3"].tolist(), "named": int(len(frame)), "scored": int(frame["ideal"].notna().sum()),
           "without_score": [{"iso3": r.iso3, "name": r.name, "reason": r.no_score}
                             for r in frame.itertuples() if isinstance(r.no_score, str)]}
    for key in STAT_KEYS:
        out[key] = summary(frame[key].tolist())
    both = frame.dropna(subset=["agree_chn", "agree_usa"])
    out["closer_to_usa"] = int((both["agree_usa"] > both["agree_chn"]).sum())
    out["closer_to_chn"] = int((both["agree_chn"] > both["agree_usa"]).sum())
    out["equally_close"] = int((both["agree_chn"] == both["agree_usa"]).sum())
    ideals = frame["ideal"].dropna().to_numpy(dtype=float)
    out["ideal_histogram"] = np.histogram(ideals, bins=edges)[0].tolist() if len(edges) > 1 else []
    return out


def _side_lists(ds: Dataset, ref: str) -> tuple[dict, dict, Event | None]:
    s = analytics.event_summary(ds, ref)
    counter_event = ds.get(s["counter"]["id"]) if s["counter"] else None
    sides = {"signatories": list(s["signatories"]),
             "counter": list(counter_event.signatories) if counter_event else [],
             "neither_side": list(s["neither_side"])}
    return s, sides, counter_event


# Below this many roll calls a session's ideal points rest on few votes (the caveat ``few_rollcalls``).
FEW_ROLLCALLS = 30


def _caveats(s: dict, counter_event, basis: Basis, event_session: int, groups: dict) -> list[dict]:
    """``[{key, text}]``: key one of time_gap, session_boundary, few_rollcalls, partial_event, partial_counter,
    neither_uncertain, without_score, model_scale, not_converged."""
    out = []

    def add(key: str, text: str) -> None:
        out.append({"key": key, "text": text})

    gap = event_session - basis.session
    if gap > 0:
        add("time_gap", f"the event is from {s['date'][:4]}, in GA session {event_session}, "
                        f"{gap} year{'s' if gap != 1 else ''} after the GA votes used (session {basis.session}, "
                        f"{basis.year}-{basis.year + 1}); states may have moved since.")
    elif gap < 0:
        add("time_gap", f"the GA votes used (session {basis.session}, {basis.year}-{basis.year + 1}) are "
                        f"{-gap} year{'s' if gap != -1 else ''} later than the event's own session "
                        f"({event_session}).")
    if s["date"][5:7] == "09" and basis.session == event_session and event_session not in OPENINGS:
        add("session_boundary", f"the event is from September, when GA session {event_session} opens: it is "
                                f"counted in session {event_session} by the usual opening day, which this "
                                "session's may not have kept.")
    if basis.n_rollcalls < FEW_ROLLCALLS:
        add("few_rollcalls", f"GA session {basis.session} has only {basis.n_rollcalls} recorded "
                             f"vote{'s' if basis.n_rollcalls != 1 else ''} in the data (to "
                             f"{basis.last_vote_date}): its ideal points and agreement rest on few votes.")
    if s["partial"]:
        claimed = s["claimed_count"]
        add("partial_event", f"the event's list is partial ({s['known_count']} of "
                             f"{claimed if claimed else 'an unstated number of'} signatories named): the signatories' "
                             "figures describe the named states only.")
    if counter_event is not None and counter_event.partial:
        claimed = counter_event.claimed_count
        add("partial_counter", f"the counter-statement's list is partial ({counter_event.known_count} of "
                               f"{claimed if claimed else 'an unstated number of'} named): its figures describe the "
                               "named states only.")
    if not s["neither_side_certain"]:
        add("neither_uncertain", "'neither side' means not *named* on either side: "
            + ("there is no counter-statement in the data" if counter_event is None
               else "a partial list means some of these states may have signed") + ".")
    missing = sorted({w["iso3"] for g in groups.values() if g for w in g["without_score"]})
    if missing:
        add("without_score", f"without an ideal point in session {basis.session}: {', '.join(missing)} "
                             "(listed, not counted in the statistics).")
    if basis.model == "static":
        add("model_scale", f"static ideal points are on session {basis.session}'s own scale (mean 0, sd 1 over the "
                           "states voting in it): compare them only with events scored on the same session.")
    elif basis.model_info.get("converged") is False:
        add("not_converged", "the dynamic ideal-point fit stopped before meeting its convergence tolerance "
                             f"({basis.model_info.get('iterations')} iterations).")
    return out


def event_alignment(engine: Engine, ref: str, *, ds: Dataset | None = None, model: str = DEFAULT_MODEL,
                    session: int | None = None, basis: Basis | None = None, cache: Cache | None = None) -> dict:
    """GA voting of an event's signatories, its counter's named signatories and the states on neither side.

    ``engine``: the store (GA votes; events too unless ``ds`` is given).
    Returns a JSON-ready dict:

    * ``event``: ``{id, date, stance, claimed_count, known_count, partial}``;
      ``counter``: the same for the counter-statement, or ``None``;
    * ``ga``: :meth:`Basis.describe` -- ``session``, ``year``, ``model``,
      ``model_info``, ``latest_session``, ``latest_year``,
      ``latest_vote_date``, ``n_rollcalls``, ``first_vote_date``,
      ``last_vote_date`` (the session's stored votes), ``label`` (a phrase
      naming them), ``sources``; plus ``event_session`` (the session running
      on the event's date, :func:`session_on`) and ``years_after_data``
      (``event_session`` minus ``session``, at least 0: 0 when the event's
      own session is used);
    * ``reference``: ``{CHN: {ideal, ideal_se}, USA: {...}}`` (the two
      states' own positions in the session);
    * ``ideal_bins``: histogram bin edges shared by the groups;
    * ``groups``: ``signatories``, ``counter`` (``None`` without a counter),
      ``neither_side``: the group statistics of the module docstring;
    * ``states``: one dict per state (:func:`state_scores` columns);
    * ``caveats``: ``[{key, text}]`` on the time gap, a September event,
      a session with few votes, partial lists, states without a score and
      the model's scale (keys in :func:`_caveats`).

    Raises :class:`NoVotes` when the store has no GA votes.
    """
    ds = ds if ds is not None else _dataset(engine)
    s, sides, counter_event = _side_lists(ds, ref)
    event = ds.get(s["id"])
    if basis is None:
        basis = ga_basis(engine, event.date, model=model, session=session, cache=cache)
    frame = state_scores(basis, sides)
    edges = _bins(basis)
    groups: dict[str, Any] = {
        side: (_group(frame[frame[SIDE_COLUMN[side]]], edges) if side != "counter" or counter_event else None)
        for side in SIDES}
    groups["signatories"].update(partial=s["partial"], claimed_count=s["claimed_count"])
    if counter_event is not None:
        groups["counter"].update(event_id=counter_event.id, partial=counter_event.partial,
                                 claimed_count=counter_event.claimed_count)
    groups["neither_side"].update(certain=s["neither_side_certain"])
    event_session = session_on(event.date)
    gap = max(event_session - basis.session, 0)
    reference = {}
    for partner in PARTNERS:
        hit = basis.ideal.loc[partner] if partner in basis.ideal.index else None
        reference[partner] = {"name": registry.get(partner).name,
                              "ideal": _num(hit["ideal"]) if hit is not None else None,
                              "ideal_se": _num(hit["se"]) if hit is not None else None}

    def brief_event(e: Event) -> dict[str, Any]:
        return {"id": e.id, "date": e.date_text, "stance": e.stance, "claimed_count": e.claimed_count,
                "known_count": e.known_count, "partial": e.partial}

    return {
        "event": brief_event(event),
        "counter": brief_event(counter_event) if counter_event else None,
        "ga": {**basis.describe(), "event_session": event_session, "years_after_data": gap},
        "reference": reference,
        "ideal_bins": edges,
        "groups": groups,
        "states": [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")],
        "caveats": _caveats(s, counter_event, basis, event_session, groups),
    }


def all_alignments(engine: Engine, *, series: str | None = None, model: str = DEFAULT_MODEL,
                   cache: Cache | None = None) -> list[dict]:
    """:func:`event_alignment` for every event (optionally one series), by date.

    The GA numbers are computed once per session (a private cache unless one is given).
    """
    ds = _dataset(engine)
    cache = cache if cache is not None else Cache()
    return [event_alignment(engine, e.id, ds=ds, model=model, cache=cache) for e in ds.series(series)]


# --------------------------------------------------------------------------- text helpers (brief, CLI)

def fmt_ideal(x: float | None) -> str:
    """An ideal point as text: signed, two decimals ("+1.25"); an en dash when missing."""
    return "–" if x is None else f"{x:+.2f}"


def fmt_share(x: float | None) -> str:
    """A share in [0, 1] as a whole percentage ("78%"); an en dash when missing."""
    return "–" if x is None else f"{round(100 * x)}%"


# --------------------------------------------------------------------------- Council votes on the event's target

COUNCIL_LISTED = 10
# Kinds of roll call on a whole text; the signers' votes are shown on the most recent of these when there is one.
WHOLE_TEXT_KINDS = ("resolution", "decision")


def _council_vote(hit: dict, shown: dict) -> dict:
    return {"rcid": hit["rcid"], "symbol": hit["symbol"], "date": hit["date"], "title": hit["title"],
            "kind": hit["kind"], "adopted": hit["adopted"], "yes_stance": hit["yes_stance"],
            "session_name": shown["session_name"], "tally": {k: shown["counted"][k] for k in ("yes", "no", "abstain",
                                                                                                "not_voting")},
            "stated": shown["stated"],
            "sources": [{**src, "url": source_url(src["url"], src["citation"])} for src in shown["sources"]]}


def _council_sources(conn, column: str, table: str) -> list[dict]:
    """The stored sources of the Council's roll calls or terms as a whole (``roll_calls.source_id`` /
    ``council_terms.source_id`` of forum hrc), with addresses (:func:`source_url`)."""
    rows = conn.exec_driver_sql(f"SELECT id, kind, title, url, citation FROM sources WHERE id IN (SELECT {column} "
                                f"FROM {table} WHERE forum = 'hrc') ORDER BY id").all()
    return [{"kind": kind, "title": title, "url": source_url(url, citation), "citation": citation, "what": None}
            for _, kind, title, url, citation in rows]


def council_votes(engine: Engine, target: str | None, sides: dict[str, list[str]], *,
                  listed: int = COUNCIL_LISTED, on: date | None = None) -> dict | None:
    """The Human Rights Council's recorded votes on texts about ``target`` (``roll_calls.target``), and how the
    states of ``sides`` (e.g. ``{"signatories": [...], "counter": [...]}``) voted on the most recent.

    ``None`` without a target. Returns ``{target, target_name, coverage, total, votes, not_listed, latest,
    sides, dataset_sources, membership_sources}``:

    * ``coverage``: ``{first_year, last_year, first_date, last_date}`` of the stored Council votes (``None``
      when the store holds none);
    * ``votes``: the ``listed`` most recent roll calls on the target, newest first, each ``{rcid, symbol,
      date, title, kind, adopted, yes_stance, session_name, tally: {yes, no, abstain, not_voting} (counted
      from the stored votes), stated (the announced tally or None), sources}`` (``sources`` as
      :func:`blocwatch.votes.read.show` gives them, with addresses); ``total``: how many there are,
      ``not_listed`` the older ones left out;
    * ``latest``: the vote the sides are shown on: the most recent on a whole text (a resolution or
      decision), else the most recent of any kind; with ``on`` (the event's date), the most recent on or
      before it, else the first after it; ``None`` when there is no vote. ``latest_when``: ``"before"``
      (on or before ``on``), ``"after"`` (every vote on the target came later) or ``None`` (no ``on``);
    * ``sides``: per side, ``{named, members, positions: {yes, no, abstain, not_voting, absent} ->
      [iso3...]}``: how many states the side names, how many of them were Council members on the day
      of ``latest`` (members without a recorded vote are ``absent``), and their positions;
    * ``dataset_sources``: the sources of the Council's votes as a whole (to cite that a vote is *not* in
      the data); ``membership_sources``: those of the Council's membership terms.
    """
    from blocwatch.ga.votes import stored_sessions as forum_sessions
    from blocwatch.votes import read

    if not target:
        return None
    years = forum_sessions(engine, forum="hrc")
    with engine.connect() as conn:
        found = read.search(conn, forum="hrc", target=target, limit=None)
        hits = found["hits"]
        span = conn.exec_driver_sql("SELECT min(date), max(date) FROM roll_calls WHERE forum = 'hrc'").one()
        coverage = ({"first_year": years[0], "last_year": years[-1], "first_date": str(span[0]),
                     "last_date": str(span[1])} if years else None)
        votes = [_council_vote(h, read.show(conn, h["rcid"])) for h in hits[:listed]]
        whole = [h for h in hits if h["kind"] in WHOLE_TEXT_KINDS] or hits  # newest first
        latest = None
        latest_when = None
        side_votes: dict[str, Any] = {}
        chosen = whole[0] if whole else None
        if whole and on is not None:
            before = [h for h in whole if h["date"] <= on.isoformat()]
            chosen, latest_when = (before[0], "before") if before else (whole[-1], "after")
        if chosen is not None:
            shown = read.show(conn, chosen["rcid"])
            latest = _council_vote(chosen, shown)
            position = {p["iso3"]: p["position"] for p in shown["positions"]}
            for side, codes in sides.items():
                named = list(dict.fromkeys(codes))
                sat = [c for c in named if c in position]
                side_votes[side] = {"named": len(named), "members": len(sat),
                                    "positions": {k: [c for c in sat if position[c] == k]
                                                  for k in ("yes", "no", "abstain", "not_voting", "absent")}}
        dataset_sources = _council_sources(conn, "source_id", "roll_calls")
        membership_sources = _council_sources(conn, "source_id", "council_terms")
    return {"target": target, "target_name": registry.get(target).name, "coverage": coverage,
            "total": found["total"], "votes": votes, "not_listed": max(found["total"] - len(votes), 0),
            "latest": latest, "latest_when": latest_when, "sides": side_votes, "dataset_sources": dataset_sources,
            "membership_sources": membership_sources}
