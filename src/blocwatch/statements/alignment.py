"""Link joint statements to General Assembly voting: where each event's signatories stand.

For an event, every state on one of three *sides* gets its General Assembly
numbers: the event's named *signatories*, the named signatories of its
*counter*-statement (:func:`blocwatch.statements.analytics.counters`, the
first tie), and the UN members (on the event's day) named on *neither* side.
A state named on both the event and its counter is in both groups.

Which GA votes (the bundled votes end in session 74, 2019-2020, while the
statements run 2019-2025, so most events are later than any vote): the
*session* is the latest session in the store that opened no later than the
event's year (a session opens in September of year ``1945 + session``); the
*year* is the calendar year that session opened in (``1945 + session``), so
session 74 goes with the roll calls of calendar 2019. ``session=`` chooses
another. Every output names the session and year, the latest ones in the
store, and how many years the event is after them (``years_after_data``).

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
    agreement with China / the United States on the roll calls of ``year``:
    the share of joint votes (both cast yes, abstain or no) on which both cast
    the same choice (:func:`blocwatch.ga.agreement.agreement`, column
    ``agree``; an abstention agrees only with an abstention).
    ``agree_half_chn``/``agree_half_usa``: Voeten's index (abstain against
    yes or no counts half).
``coincidence_chn``, ``coincidence_usa``
    the US State Department's voting coincidence, "votes only": identical
    yes/no votes over identical plus opposite ones (abstentions left out).
``n_chn``, ``n_usa``
    joint votes with China / the United States in ``year``.
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
how many states agreed more often with the US than with China in ``year``
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
from blocwatch.ga.votes import stored_sessions
from blocwatch.statements import analytics
from blocwatch.statements.dataset import Dataset, Event
from blocwatch.statements.load import dataset as _dataset
from blocwatch.store.db import data_version

MODELS = ("static", "dynamic")
# The static per-session model is the default: every event in the bundled data
# falls on the same (latest) session, so static positions are comparable across
# events, and a brief stays around a second; the dynamic fit of all sessions
# converges but takes ~20 s on 2 cores (once per process and data version).
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


@dataclass
class Basis:
    """The GA numbers one event is linked to: one session's ideal points, one year's agreement.

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

    def describe(self) -> dict:
        """The JSON ``ga`` block: which votes, which model, which sources."""
        latest = self.session == self.latest_session
        return {
            "session": self.session, "year": self.year, "model": self.model, "model_info": self.model_info,
            "latest_session": self.latest_session, "latest_year": session_year(self.latest_session),
            "latest_vote_date": self.latest_vote_date, "is_latest_session": latest,
            "label": (f"ideal points from GA session {self.session} ({session_year(self.session)})"
                      + (", the latest in the data" if latest else "")
                      + f"; agreement from the roll calls of {self.year}"),
            "sources": self.sources,
        }


def _fetch(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).all())


def _ga_sources(engine: Engine, session: int) -> list[dict]:
    """The stored sources of the session's roll calls, with a handle URL where the citation gives one."""
    rows = _fetch(engine, "SELECT DISTINCT s.title, s.url, s.citation FROM sources s JOIN roll_calls r "
                          f"ON r.source_id = s.id WHERE r.session = {int(session)} ORDER BY s.id")
    out = []
    for title, url, citation in rows:
        if not url and citation:
            m = re.search(r"hdl:(\S+?)[;,.]?(?:\s|$)", citation)
            url = f"https://hdl.handle.net/{m.group(1)}" if m else None
        out.append({"title": title, "url": url, "citation": citation})
    return out


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
    """(session to use for an event on ``on`` (a date or year), latest stored session, last vote date).

    The latest stored session that opened no later than the event's year.
    Raises :class:`NoVotes` when the store has no roll calls (or none that early).
    """
    year = on if isinstance(on, int) else on.year
    sessions = stored_sessions(engine)
    if not sessions:
        raise NoVotes("no General Assembly votes in the database (import them first: blocwatch import --help)")
    usable = [s for s in sessions if session_year(s) <= year]
    if not usable:
        raise NoVotes(f"no General Assembly session in the database opened in or before {year}")
    last = _fetch(engine, "SELECT max(date) FROM roll_calls")[0][0]
    return usable[-1], sessions[-1], str(last)


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
    scores = agreement(engine, years=[year])
    agree = {}
    for partner in PARTNERS:
        rows = for_country(scores, partner)
        agree[partner] = rows.set_index("b")[["n", "agree", "agree_half", "coincidence"]]
    return Basis(chosen, year, model, latest, last_date, ideal, agree, info, _ga_sources(engine, chosen))


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


def _caveats(s: dict, counter_event, basis: Basis, gap: int, groups: dict) -> list[dict]:
    """``[{key, text}]``: key one of time_gap, partial_event, partial_counter, neither_uncertain,
    without_score, model_scale, not_converged."""
    out = []

    def add(key: str, text: str) -> None:
        out.append({"key": key, "text": text})

    if gap > 0:
        add("time_gap", f"the event is from {s['date'][:4]}, {gap} year{'s' if gap != 1 else ''} after the GA votes "
                        f"used (session {basis.session}, {basis.year}); states may have moved since.")
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
      ``latest_vote_date``, ``label`` (a sentence naming them), ``sources``;
      plus ``years_after_data`` (event year minus ``year``, at least 0);
    * ``reference``: ``{CHN: {ideal, ideal_se}, USA: {...}}`` (the two
      states' own positions in the session);
    * ``ideal_bins``: histogram bin edges shared by the groups;
    * ``groups``: ``signatories``, ``counter`` (``None`` without a counter),
      ``neither_side``: the group statistics of the module docstring;
    * ``states``: one dict per state (:func:`state_scores` columns);
    * ``caveats``: ``[{key, text}]`` on the time gap, partial lists, states
      without a score and the model's scale (keys in :func:`_caveats`).

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
    gap = max(event.date.year - basis.year, 0)
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
        "ga": {**basis.describe(), "years_after_data": gap},
        "reference": reference,
        "ideal_bins": edges,
        "groups": groups,
        "states": [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")],
        "caveats": _caveats(s, counter_event, basis, gap, groups),
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
