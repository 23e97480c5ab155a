"""Charts and maps: Vega-Lite specs built with Altair, as JSON, an embeddable page, SVG and PNG.

Every chart is named and keyed (``/charts/{name}/{key}.json|.svg|.png`` and
``/charts/{name}/{key}`` for the embeddable page); the SVG and PNG are drawn
on the server by vl-convert. A page shows the chart with the JavaScript
bundle served at ``/static/vega.js`` and, always, the table behind it (the
text alternative).

Charts (``key`` in braces):

* ``series-groups/{series}``: named signatories of each event by regional group, one panel per stance, with
  the claimed count as a tick;
* ``series-map/{series}``: how many critical and supportive statements each state signed;
* ``event-map/{event}``: signers, counter-signers (named) and the rest;
* ``event-groups/{event}``: the event's and its counter-statement's signatories by regional group, with the
  claimed but unnamed ones;
* ``state-ideal/{state}``: the state's GA ideal point per session (dynamic model) with its error band;
* ``state-agreement/{state}``: its GA agreement with China and with the United States per year;
* ``vote-map/{vote}`` and ``vote-groups/{vote}``: positions on a recorded vote, on a map and per group;
* ``forecast-calibration/{forum}-{from}`` (``from``: a year or a day; ``{forum}`` alone: from 2010): the
  backtest's predicted against observed frequency per band of predicted probability, with the diagonal for
  reference (the backtest is computed on demand the first time: about 20 s from 2010);
* ``forecast-tally/{forum}/{target}/{as_of}[/{year}]``: a forecast's expected yes, no and abstain votes with
  their 80 % intervals.

Maps draw the 1:110m Natural Earth shapes from ``/charts/geo/countries-110m.json``
(a URL in the JSON spec, cached by the browser; inlined only for the server's
SVG/PNG) and a circle marker for each small state (:mod:`blocwatch.web.geo`);
each state's shape and marker links to ``/states/{iso3}``. Colours are
Okabe–Ito (colour-blind safe).
"""

from __future__ import annotations

import copy
import difflib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import altair as alt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from blocwatch import registry
from blocwatch.errors import NotFound
from blocwatch.web import api, geo
from blocwatch.web.render import TEMPLATES, bw_of

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch

router = APIRouter(prefix="/charts", tags=["charts"])

SHAPES_URL = "/charts/geo/countries-110m.json"
SHAPES_FORMAT = {"type": "topojson", "feature": "countries"}
STATE_URL = "/states/{iso3}"
MAP_WIDTH, MAP_HEIGHT = 760, 400

# Okabe–Ito.
CRITICAL, SUPPORTIVE, NEITHER = "#0072B2", "#D55E00", "#BBBBBB"
STANCE_COLOURS = {"critical": CRITICAL, "supportive": SUPPORTIVE}
GROUP_COLOURS = {"african": "#E69F00", "asia_pacific": "#56B4E9", "eastern_european": "#009E73",
                 "latin_american_caribbean": "#CC79A7", "weog": "#0072B2"}
GROUP_LABELS = dict(registry.GROUPS)
NO_GROUP = "no regional group"
UNNAMED = "claimed, not named"
OUTSIDE = "not a UN member or observer state"
OUTSIDE_COLOUR = "#F2F2F2"
POSITIONS = {"yes": ("yes", "#009E73"), "no": ("no", "#D55E00"), "abstain": ("abstain", "#F0E442"),
             "not_voting": ("present, not voting", "#56B4E9"), "absent": ("absent", "#999999"),
             "not_member": ("not a member", "#DDDDDD")}


@dataclass
class Chart:
    """A chart: the Vega-Lite spec (shapes by URL) and the table behind it."""

    name: str
    key: str
    title: str
    description: str
    spec: dict[str, Any]
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


Builder = Callable[["Blocwatch", str], Chart]
BUILDERS: dict[str, Builder] = {}


def chart(name: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        return fn
    return register


def _group_label(group: str | None) -> str:
    return GROUP_LABELS.get(group or "", NO_GROUP)


def _group_colour(rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The regional groups' colour scale, with 'no regional group' and 'claimed, not named' if ``rows`` use them."""
    pairs = [(GROUP_LABELS[g], c) for g, c in GROUP_COLOURS.items()] + [
        (label, c) for label, c in ((NO_GROUP, "#000000"), (UNNAMED, NEITHER))
        if any(r["group"] == label for r in rows)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _finish(ch: alt.TopLevelMixin, title: str, description: str, subtitle: str | list[str] | None = None,
            datasets: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The chart's dict with title, description and named datasets (validated by Altair)."""
    params: dict[str, Any] = {"text": title, "anchor": "start"}
    if subtitle:
        params["subtitle"] = subtitle
    ch = ch.properties(title=alt.TitleParams(**params), description=description)
    if datasets:
        ch.datasets = datasets  # type: ignore[attr-defined]
    return ch.to_dict()


def _fit(spec: dict[str, Any]) -> dict[str, Any]:
    """A single-view chart that takes its container's width (a phone's 375 px too); the server's SVG and PNG
    render it at the maps' width (see the ``container`` case where specs are made self-contained)."""
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def _countries() -> list[registry.Country]:
    return [c for c in registry.all_entities() if c.status != "former"]


def _map_rows(categories: dict[str, str], extra: dict[str, dict[str, Any]] | None = None,
              default: str = "") -> list[dict[str, Any]]:
    """One row per current member and observer state: code, name, group, category, link, marker position."""
    rows = []
    for c in _countries():
        point = geo.marker(c.numeric)
        rows.append({"iso3": c.iso3, "numeric": c.numeric, "name": c.name, "group": _group_label(c.regional_group),
                     "category": categories.get(c.iso3, default), "href": STATE_URL.format(iso3=c.iso3),
                     "lon": point.lon if point else None, "lat": point.lat if point else None,
                     **(extra or {}).get(c.iso3, {})})
    return rows


def _world_map(color: alt.Color, tooltip: list[alt.Tooltip], *, title: str, description: str,
               subtitle: str | list[str] | None, rows: list[dict[str, Any]],
               fields: list[str]) -> dict[str, Any]:
    """A world map: the 110m shapes looked up in ``rows`` by ISO numeric code, plus small-state markers."""
    shapes = alt.Data(url=SHAPES_URL, format=alt.DataFormat(**SHAPES_FORMAT))
    href = alt.condition("isValid(datum.href)", alt.Href("href:N"), alt.value(None))  # no link off the states
    lookup = ["iso3", "name", "group", "category", "href", *fields]
    base = (alt.Chart(shapes).mark_geoshape(stroke="#FFFFFF", strokeWidth=0.4)
            .transform_filter("datum.id !== '010'")  # Antarctica
            .transform_lookup(lookup="id", from_=alt.LookupData(data=alt.NamedData(name="states"), key="numeric",
                                                                fields=lookup))
            .transform_calculate(category=f"isValid(datum.category) ? datum.category : '{OUTSIDE}'",
                                 name="isValid(datum.name) ? datum.name : datum.properties.name",
                                 group="isValid(datum.group) ? datum.group : '—'")
            .encode(color=color, tooltip=tooltip, href=href))
    markers = (alt.Chart(alt.NamedData(name="states")).mark_circle(size=36, stroke="#000000", strokeWidth=0.6,
                                                                   opacity=1)
               .transform_filter("isValid(datum.lon)")
               .encode(longitude="lon:Q", latitude="lat:Q", color=color, tooltip=tooltip, href=href))
    layered = alt.layer(base, markers).project(type="equalEarth").properties(width=MAP_WIDTH, height=MAP_HEIGHT)
    spec = _finish(layered, title, description, subtitle, {"states": rows})
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def _category_colour(domain: list[str], range_: list[str], title: str) -> alt.Color:
    return alt.Color("category:N", title=title, scale=alt.Scale(domain=[*domain, OUTSIDE], range=[*range_,
                                                                                                   OUTSIDE_COLOUR]),
                     legend=alt.Legend(orient="bottom", direction="vertical", symbolStrokeColor="#595959",
                                       labelLimit=0))


# --- statements -------------------------------------------------------------------------------------------------


def _series_events(bw: Blocwatch, key: str) -> tuple[str, list[Any], dict[str, Any]]:
    summary = bw.events.series(key)
    if not summary.events:
        raise NotFound(f"no events in a series named {key!r}", close_matches=["xinjiang"])
    rows = bw.events.list(series=summary.series)
    return summary.series, rows, summary.to_json()


@chart("series-groups")
def series_groups(bw: Blocwatch, key: str) -> Chart:
    name, events, summary = _series_events(bw, key)
    alias = {e.id: e.alias for e in events}
    rows, claimed = [], []
    for t in summary["timeline"]:
        label = f"{t['date']} {alias.get(t['id']) or t['id']}"
        for group, n in t["by_group"].items():
            rows.append({"event": t["id"], "label": label, "date": t["date"], "stance": t["stance"],
                         "group": _group_label(group), "named": n})
        claimed.append({"event": t["id"], "label": label, "stance": t["stance"], "claimed": t["claimed_count"],
                        "named": t["known_count"]})
    domain, range_ = _group_colour(rows)
    panels = []
    for stance in ("critical", "supportive"):
        bars = (alt.Chart(alt.NamedData(name="groups")).mark_bar()
                .transform_filter(alt.datum.stance == stance)
                .encode(x=alt.X("label:N", title="Event (date and short name)", sort="ascending",
                                axis=alt.Axis(labelAngle=-50, labelLimit=200)),
                        y=alt.Y("sum(named):Q", title="Named signatories", stack="zero"),
                        color=alt.Color("group:N", title="Regional group",
                                        scale=alt.Scale(domain=domain, range=range_),
                                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
                        order=alt.Order("group:N"),
                        tooltip=[alt.Tooltip("label:N", title="Event"), alt.Tooltip("group:N", title="Group"),
                                 alt.Tooltip("named:Q", title="Named signatories")]))
        ticks = (alt.Chart(alt.NamedData(name="claimed")).mark_tick(color="#000000", thickness=2)
                 .transform_filter(alt.datum.stance == stance)
                 .encode(x=alt.X("label:N", sort="ascending"), y=alt.Y("claimed:Q"),
                         tooltip=[alt.Tooltip("label:N", title="Event"),
                                  alt.Tooltip("claimed:Q", title="Claimed signatories"),
                                  alt.Tooltip("named:Q", title="Named signatories")]))
        panels.append(alt.layer(bars, ticks).properties(
            title=f"{stance.capitalize()} statements", width=alt.Step(26), height=220))
    title = f"Who signed the {name} statements: named signatories by regional group"
    description = (f"Stacked bars: for each {name} joint statement (critical above, supportive below), the named "
                   "signatories by UN regional group; a black tick marks the number of signatories claimed. "
                   f"{len(summary['timeline'])} events.")
    spec = _finish(alt.vconcat(*panels).resolve_scale(x="independent"), title, description,
                   "Bars: named signatories; tick: signatories claimed (most supportive lists are not published)",
                   {"groups": rows, "claimed": claimed})
    table = [{"event": c["label"], "stance": c["stance"], "claimed": c["claimed"], "named": c["named"],
              **{GROUP_LABELS[g]: next(r["named"] for r in rows if r["event"] == c["event"]
                                        and r["group"] == GROUP_LABELS[g]) for g in GROUP_COLOURS}}
             for c in claimed]
    columns = [("event", "Event"), ("stance", "Stance"), ("claimed", "Claimed"), ("named", "Named"),
               *[(label, label) for label in GROUP_LABELS.values()]]
    return Chart("series-groups", key, title, description, spec, columns, table)


@chart("series-map")
def series_map(bw: Blocwatch, key: str) -> Chart:
    name, _, summary = _series_events(bw, key)
    states = summary["states"]
    extra = {iso3: {"critical": v["critical"], "supportive": v["supportive"],
                    "net": v["critical"] - v["supportive"]} for iso3, v in states.items()}
    categories = {iso3: ("both sides" if v["critical"] and v["supportive"] else "critical" if v["critical"]
                         else "supportive" if v["supportive"] else "neither") for iso3, v in states.items()}
    rows = _map_rows(categories, extra, default="neither")
    for r in rows:
        r.setdefault("critical", 0)
        r.setdefault("supportive", 0)
        r.setdefault("net", 0)
    top_c = max([r["critical"] for r in rows] + [1])
    top_s = max([r["supportive"] for r in rows] + [1])
    color = alt.Color("net:Q", title="Critical minus supportive statements signed",
                      scale=alt.Scale(domain=[-top_s, 0, top_c], range=[SUPPORTIVE, "#F7F7F7", CRITICAL]),
                      legend=alt.Legend(orient="bottom", gradientLength=240, titleLimit=0),
                      condition=[{"test": f"datum.category === '{OUTSIDE}'", "value": OUTSIDE_COLOUR},
                                 {"test": "datum.category === 'neither'", "value": NEITHER}])
    tooltip = [alt.Tooltip("name:N", title="State"), alt.Tooltip("group:N", title="Regional group"),
               alt.Tooltip("critical:Q", title="Critical statements signed"),
               alt.Tooltip("supportive:Q", title="Supportive statements signed")]
    n = summary["by_stance"]
    title = f"Who signed the {name} statements: critical and supportive signatures by state"
    description = (f"World map of the {name} series ({n.get('critical', 0)} critical and "
                   f"{n.get('supportive', 0)} supportive statements): blue states signed more critical statements, "
                   "orange states more supportive ones, grey states none that name them.")
    spec = _world_map(color, tooltip, title=title, description=description, rows=rows,
                      fields=["critical", "supportive", "net"],
                      subtitle="Named signatures only: most supportive statements did not publish their list")
    table = sorted(({"state": r["name"], "iso3": r["iso3"], "group": r["group"], "critical": r["critical"],
                     "supportive": r["supportive"]} for r in rows if r["critical"] or r["supportive"]),
                   key=lambda r: (-r["critical"], -r["supportive"], r["state"]))
    columns = [("state", "State"), ("iso3", "ISO3"), ("group", "Regional group"),
               ("critical", "Critical signed"), ("supportive", "Supportive signed")]
    return Chart("series-map", key, title, description, spec, columns, table)


def _event_sides(bw: Blocwatch, key: str) -> tuple[Any, list[Any]]:
    event = bw.events.show(key)
    counters = [bw.events.show(c["id"]) for c in event.to_json().get("counters") or []]
    return event, counters


def _n(count: int) -> str:
    return f"{count} signatory" if count == 1 else f"{count} signatories"


def _event_name(event: Any) -> str:
    return f"{event.alias or event.id} ({event.date})"


@chart("event-map")
def event_map(bw: Blocwatch, key: str) -> Chart:
    event, counters = _event_sides(bw, key)
    other = "supportive" if event.stance == "critical" else "critical"
    signed, both = f"signed this {event.stance} statement", "signed both"
    countered, withdrew = f"signed the counter-statement ({other})", "withdrew after delivery"
    rest = "not a signatory" if event.list_complete else "not named (the list is partial)"
    categories: dict[str, str] = {}
    for c in counters:
        categories.update({iso3: countered for iso3 in c.signatories})
    for change in event.changes:
        if change.get("change") == "withdrew":
            categories[change["iso3"]] = withdrew
    for iso3 in event.signatories:
        categories[iso3] = both if categories.get(iso3) == countered else signed
    rows = _map_rows(categories, default=rest)
    domain = [signed, countered, both, withdrew, rest]
    colours = [STANCE_COLOURS[event.stance], STANCE_COLOURS[other], "#CC79A7", "#F0E442", NEITHER]
    used = [i for i, c in enumerate(domain) if c in (signed, rest) or c in categories.values()]
    color = _category_colour([domain[i] for i in used], [colours[i] for i in used], "Side")
    tooltip = [alt.Tooltip("name:N", title="State"), alt.Tooltip("group:N", title="Regional group"),
               alt.Tooltip("category:N", title="Side")]
    claimed = f"{event.claimed_count} claimed" if event.claimed_count is not None else "no count claimed"
    title = f"Who signed {_event_name(event)}: {len(event.signatories)} named ({claimed})"
    n_counter = sum(v == countered for v in categories.values())
    description = (f"World map of the {event.stance} joint statement {event.id}: {_n(len(event.signatories))} "
                   "named, "
                   + (f"{_n(n_counter)} named on the counter-statement, " if counters else "")
                   + "the other states in grey. Small states are drawn as circles.")
    subtitle = [s for s in (
        None if event.list_complete else "The list is partial: grey states may have signed without being named",
        f"Counter-statement: {', '.join(_event_name(c) + f', {len(c.signatories)} named of {c.claimed_count} claimed' for c in counters)}"  # noqa: E501
        if counters else None) if s]
    spec = _world_map(color, tooltip, title=title, description=description, rows=rows, fields=[],
                      subtitle=subtitle or None)
    order = {c: i for i, c in enumerate(domain)}
    table = sorted(({"state": r["name"], "iso3": r["iso3"], "group": r["group"], "side": r["category"]}
                    for r in rows if r["category"] != rest), key=lambda r: (order[r["side"]], r["state"]))
    columns = [("state", "State"), ("iso3", "ISO3"), ("group", "Regional group"), ("side", "Side")]
    return Chart("event-map", key, title, description, spec, columns, table,
                 notes=[f"Every other member or observer state: {rest}."])


@chart("event-groups")
def event_groups(bw: Blocwatch, key: str) -> Chart:
    event, counters = _event_sides(bw, key)
    rows = []
    for e, side in [(event, f"this statement ({event.stance})")] + [
            (c, f"counter-statement ({c.stance}, {c.alias or c.id})") for c in counters]:
        for group, n in e.by_group.items():
            rows.append({"side": side, "event": e.id, "group": _group_label(group), "count": n})
        rows.append({"side": side, "event": e.id, "group": UNNAMED,
                     "count": max((e.claimed_count or 0) - len(e.signatories), 0)})
    domain, range_ = _group_colour(rows)
    bars = (alt.Chart(alt.NamedData(name="groups")).mark_bar()
            .encode(y=alt.Y("side:N", title="Statement", sort=None, axis=alt.Axis(labelLimit=260)),
                    x=alt.X("sum(count):Q", title="Signatories (named by regional group, and claimed but unnamed)"),
                    color=alt.Color("group:N", title="Regional group", scale=alt.Scale(domain=domain, range=range_),
                                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
                    order=alt.Order("group:N"),
                    tooltip=[alt.Tooltip("side:N", title="Statement"), alt.Tooltip("group:N", title="Group"),
                             alt.Tooltip("count:Q", title="Signatories")])
            .properties(width=MAP_WIDTH - 260, height=alt.Step(36)))
    title = f"Signatories of {_event_name(event)} by regional group"
    description = (f"Horizontal stacked bars: the named signatories of {event.id} by UN regional group"
                   + (", and of its counter-statement," if counters else "")
                   + " with the claimed but unnamed signatories in grey.")
    spec = _fit(_finish(bars, title, description, "Bar length: the claimed count (or the named count if none)",
                   {"groups": rows}))
    columns = [("side", "Statement"), ("group", "Regional group"), ("count", "Signatories")]
    return Chart("event-groups", key, title, description, spec, columns, rows)


# --- states -----------------------------------------------------------------------------------------------------


@chart("state-ideal")
def state_ideal(bw: Blocwatch, key: str) -> Chart:
    state = bw.countries.get(key, former=True)
    points = bw.ga.ideal(None, dynamics="dynamic").positions
    mine = points[points["iso3"] == state.iso3].sort_values("session")
    records: list[Any] = mine.to_dict("records")
    rows = [{"session": int(r["session"]), "year": int(r["session"]) + 1945, "ideal": round(float(r["ideal"]), 4),
             "se": round(float(r["se"]), 4), "low": round(float(r["ideal"] - 1.96 * r["se"]), 4),
             "high": round(float(r["ideal"] + 1.96 * r["se"]), 4)} for r in records]
    x = alt.X("session:Q", title="General Assembly session (opens in September of year session + 1945)",
              axis=alt.Axis(format="d"), scale=alt.Scale(zero=False, nice=False))
    band = (alt.Chart(alt.NamedData(name="ideal")).mark_errorband(color=CRITICAL, opacity=0.25)
            .encode(x=x, y=alt.Y("low:Q", title="Ideal point (United States side positive)"), y2="high:Q"))
    line = (alt.Chart(alt.NamedData(name="ideal")).mark_line(color=CRITICAL, point=True)
            .encode(x=x, y=alt.Y("ideal:Q"),
                    tooltip=[alt.Tooltip("session:Q", title="Session"), alt.Tooltip("year:Q", title="Opened"),
                             alt.Tooltip("ideal:Q", title="Ideal point", format=".2f"),
                             alt.Tooltip("se:Q", title="Standard error", format=".2f")]))
    title = f"{state.name}: General Assembly ideal point by session (dynamic model, comparable over time)"
    description = (f"Line chart of {state.name}'s ideal point in {len(rows)} General Assembly sessions, estimated "
                   "with the dynamic (random-walk) model over all stored sessions, with a band of ±1.96 standard "
                   "errors; higher values are closer to the United States.")
    spec = _fit(_finish(alt.layer(band, line).properties(width=MAP_WIDTH - 100, height=260), title, description,
                   "Band: ±1.96 standard errors. One scale for all sessions (unlike per-session static points).",
                   {"ideal": rows}))
    columns = [("session", "Session"), ("year", "Opened"), ("ideal", "Ideal point"), ("se", "Standard error")]
    return Chart("state-ideal", key, title, description, spec, columns, rows)


@chart("state-agreement")
def state_agreement(bw: Blocwatch, key: str) -> Chart:
    state = bw.countries.get(key, former=True)
    frame = bw.ga.agreement(country=state.iso3).frame
    partners = {"CHN": "China", "USA": "United States"}
    mine = frame[frame["b"].isin(list(partners))].sort_values(["b", "year"])
    records: list[Any] = mine.to_dict("records")
    rows = [{"year": int(r["year"]), "with": partners[str(r["b"])], "agree": round(float(r["agree"]), 4),
             "n": int(r["n"])} for r in records if r["agree"] == r["agree"]]  # skip NaN
    domain = [p for code, p in partners.items() if code != state.iso3]
    line = (alt.Chart(alt.NamedData(name="agreement")).mark_line(point=True)
            .encode(x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d"), scale=alt.Scale(zero=False, nice=False)),
                    y=alt.Y("agree:Q", title="Agreement (share of joint votes cast the same way)",
                            scale=alt.Scale(domain=[0, 1])),
                    color=alt.Color("with:N", title="Agreement with",
                                    scale=alt.Scale(domain=domain, range=[SUPPORTIVE, CRITICAL][:len(domain)]
                                                    if "China" in domain else [CRITICAL]),
                                    legend=alt.Legend(orient="bottom")),
                    strokeDash=alt.StrokeDash("with:N", title="Agreement with", legend=None),
                    tooltip=[alt.Tooltip("year:Q", title="Year"), alt.Tooltip("with:N", title="With"),
                             alt.Tooltip("agree:Q", title="Agreement", format=".2f"),
                             alt.Tooltip("n:Q", title="Joint votes")])
            .properties(width=MAP_WIDTH - 100, height=260))
    title = f"{state.name}: agreement with China and the United States in the General Assembly, by year"
    description = (f"Line chart: for each year with recorded General Assembly votes, the share of votes on which "
                   f"{state.name} voted the same way as {' and as '.join(domain)}.")
    spec = _fit(_finish(line, title, description, "Agreement: same position (yes, no or abstain) on roll calls both "
                   "took part in", {"agreement": rows}))
    columns = [("year", "Year"), ("with", "With"), ("agree", "Agreement"), ("n", "Joint votes")]
    return Chart("state-agreement", key, title, description, spec, columns, rows)


# --- votes ------------------------------------------------------------------------------------------------------


def _vote_name(record: Any) -> str:
    return f"{record.symbol or record.rcid} ({record.date})"


def _positions(bw: Blocwatch, key: str) -> tuple[Any, dict[str, str]]:
    record = bw.votes.show(key)
    return record, {p["iso3"]: p["position"] for p in record.positions}


@chart("vote-map")
def vote_map(bw: Blocwatch, key: str) -> Chart:
    record, positions = _positions(bw, key)
    used = [p for p in POSITIONS if p == "not_member" or p in positions.values()]
    labels = {p: label for p, (label, _) in POSITIONS.items()}
    if record.forum == "hrc":
        labels["not_member"] = "not a Council member"
    categories = {iso3: labels.get(p, p) for iso3, p in positions.items()}
    rows = _map_rows(categories, default=labels["not_member"])
    color = _category_colour([labels[p] for p in used], [POSITIONS[p][1] for p in used], "Position")
    tooltip = [alt.Tooltip("name:N", title="State"), alt.Tooltip("group:N", title="Regional group"),
               alt.Tooltip("category:N", title="Position")]
    counted = ", ".join(f"{n} {POSITIONS.get(p, (p,))[0]}" for p, n in record.counted.items() if n)
    title = f"How states voted on {_vote_name(record)}"
    description = (f"World map of the positions on {record.forum_name} vote {record.symbol or record.rcid} of "
                   f"{record.date}: {counted}. Small states are drawn as circles.")
    subtitle = [(record.title or "")[:140]]
    if record.forum == "hrc":
        subtitle.append("Only the Council's 47 members vote")
    spec = _world_map(color, tooltip, title=title, description=description, rows=rows, fields=[],
                      subtitle=subtitle)
    order = {POSITIONS[p][0]: i for i, p in enumerate(POSITIONS)}
    table = sorted(({"state": p["name"], "iso3": p["iso3"], "group": _group_label(p["group"]),
                     "position": POSITIONS.get(p["position"], (p["position"],))[0]} for p in record.positions),
                   key=lambda r: (order.get(r["position"], 99), r["state"]))
    columns = [("state", "State"), ("iso3", "ISO3"), ("group", "Regional group"), ("position", "Position")]
    return Chart("vote-map", key, title, description, spec, columns, table,
                 notes=["States not listed were not members (or not voting members) that day."])


@chart("vote-groups")
def vote_groups(bw: Blocwatch, key: str) -> Chart:
    record, _ = _positions(bw, key)
    rows = [{"group": _group_label(g), "position": POSITIONS.get(p, (p,))[0], "count": n}
            for g, counts in record.by_group.items() for p, n in counts.items() if n]
    used = [p for p in POSITIONS if any(r["position"] == POSITIONS[p][0] for r in rows)]
    order = {POSITIONS[p][0]: i for i, p in enumerate(POSITIONS)}
    rows.sort(key=lambda r: (r["group"], order.get(r["position"], 99)))
    bars = (alt.Chart(alt.NamedData(name="positions")).mark_bar(stroke="#FFFFFF", strokeWidth=0.5)
            .transform_calculate(rank=f"indexof({json.dumps([POSITIONS[p][0] for p in POSITIONS])}, "
                                      "datum.position)")
            .encode(y=alt.Y("group:N", title="Regional group", sort=[GROUP_LABELS[g] for g in GROUP_COLOURS],
                            axis=alt.Axis(labelLimit=260)),
                    x=alt.X("sum(count):Q", title="States"),
                    color=alt.Color("position:N", title="Position",
                                    scale=alt.Scale(domain=[POSITIONS[p][0] for p in used],
                                                    range=[POSITIONS[p][1] for p in used]),
                                    legend=alt.Legend(orient="bottom", symbolStrokeColor="#595959")),
                    order=alt.Order("rank:Q"),
                    tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("position:N", title="Position"),
                             alt.Tooltip("count:Q", title="States")])
            .properties(width=MAP_WIDTH - 300, height=alt.Step(34)))
    counted = ", ".join(f"{n} {POSITIONS.get(p, (p,))[0]}" for p, n in record.counted.items() if n)
    title = f"Positions on {_vote_name(record)} by regional group"
    description = (f"Horizontal stacked bars: for each UN regional group, how many states voted yes, no, abstained "
                   f"or were absent on {record.forum_name} vote {record.symbol or record.rcid} ({counted}).")
    spec = _fit(_finish(bars, title, description, (record.title or "")[:140] or None, {"positions": rows}))
    columns = [("group", "Regional group"), ("position", "Position"), ("count", "States")]
    return Chart("vote-groups", key, title, description, spec, columns, rows)


# --- forecasts --------------------------------------------------------------------------------------------------


def _backtest_key(key: str) -> tuple[str, int | str]:
    """``FORUM``, ``FORUM-YEAR`` or ``FORUM-YYYY-MM-DD`` (the backtest's first year or day; default the year
    :data:`api.BACKTEST_FROM`)."""
    forum, _, year = key.partition("-")
    return api.backtest_query(forum, year or None)


@chart("forecast-calibration")
def forecast_calibration(bw: Blocwatch, key: str) -> Chart:
    forum, start = _backtest_key(key)
    data = api.backtest_json(bw, forum, start)
    rows = [{"band": f"{b['band'][0]:.1f}–{b['band'][1]:.1f}", "low": b["band"][0], "high": b["band"][1],
             "n": b["n"], "predicted": b["predicted"], "observed": b["observed"], "gap": b["gap"]}
            for b in data["calibration"] if b["n"]]
    axis = alt.Scale(domain=[0, 1])
    diagonal = (alt.Chart(alt.NamedData(name="diagonal")).mark_rule(color="#777777", strokeDash=[4, 4])
                .encode(x=alt.X("x:Q", title="Mean predicted probability", scale=axis),
                        y=alt.Y("y:Q", title="Observed frequency", scale=axis), x2="x2:Q", y2="y2:Q"))
    tooltip = [alt.Tooltip("band:N", title="Band of predicted probability"),
               alt.Tooltip("n:Q", title="Forecasts", format=","),
               alt.Tooltip("predicted:Q", title="Mean predicted", format=".3f"),
               alt.Tooltip("observed:Q", title="Observed", format=".3f"),
               alt.Tooltip("gap:Q", title="Gap (observed minus predicted)", format="+.3f")]
    line = (alt.Chart(alt.NamedData(name="bands")).mark_line(color=CRITICAL, opacity=0.5)
            .encode(x=alt.X("predicted:Q", scale=axis), y=alt.Y("observed:Q", scale=axis), order="low:Q"))
    points = (alt.Chart(alt.NamedData(name="bands")).mark_circle(color=CRITICAL, opacity=0.9, stroke="#FFFFFF")
              .encode(x=alt.X("predicted:Q", title="Mean predicted probability", scale=axis),
                      y=alt.Y("observed:Q", title="Observed frequency", scale=axis),
                      size=alt.Size("n:Q", title="Forecasts in the band", scale=alt.Scale(range=[30, 600]),
                                    legend=alt.Legend(orient="bottom")),
                      tooltip=tooltip))
    forum_name = api.FORECAST_FORUMS[forum]
    title = f"Calibration of the {forum_name} vote forecasts, backtest from {start}"
    h = data["targets"]["calibration"]
    description = (f"Scatter plot: for each of {len(rows)} bands of predicted probability, the mean probability the "
                   f"model gave (horizontal) against the share of those outcomes that happened (vertical), over every "
                   f"{forum_name} country-text vote from {start} on ({data['overall'].get('votes', 0)} votes, each "
                   "forecast as of the day before); points on the dashed diagonal are perfectly calibrated; point "
                   "size is the number of forecasts in the band.")
    spec = _fit(_finish(alt.layer(diagonal, line, points).properties(width=MAP_WIDTH - 360, height=360), title,
                        description, f"Yes, abstain and no probabilities pooled; worst gap {h['worst_gap']:.3f} in "
                                     "bands of at least 50 forecasts",
                        {"bands": rows, "diagonal": [{"x": 0, "y": 0, "x2": 1, "y2": 1}]}))
    columns = [("band", "Band"), ("n", "Forecasts"), ("predicted", "Mean predicted"), ("observed", "Observed"),
               ("gap", "Gap")]
    return Chart("forecast-calibration", key, title, description, spec, columns, rows,
                 notes=["Bands without any forecast are left out."])


@chart("forecast-tally")
def forecast_tally(bw: Blocwatch, key: str) -> Chart:
    parts = key.split("/")
    if len(parts) not in (3, 4):
        raise NotFound(f"no forecast {key!r}: expected FORUM/TARGET/YYYY-MM-DD (or FORUM/TARGET/YYYY-MM-DD/YEAR)",
                       close_matches=["hrc/SYR/2024-06-01"])
    query = api.forecast_query(bw, parts[1], parts[0], parts[2], parts[3] if len(parts) == 4 else None)
    f = api.forecast_json(bw, query)
    t = f["tally"]
    labels = {p: POSITIONS[p][0] for p in ("yes", "no", "abstain")}
    rows = [{"position": labels[p], "expected": t[p], "low": t[f"{p}_interval"][0], "high": t[f"{p}_interval"][1]}
            for p in ("yes", "no", "abstain")]
    y = alt.Y("position:N", title="Vote", sort=list(labels.values()))
    bars = (alt.Chart(alt.NamedData(name="tally")).mark_bar(height=alt.RelativeBandSize(0.6))
            .encode(y=y, x=alt.X("expected:Q", title=f"Members ({len(f['members'])} vote)",
                                 scale=alt.Scale(domain=[0, len(f["members"])], nice=False)),
                    color=alt.Color("position:N", title="Vote", legend=None,
                                    scale=alt.Scale(domain=list(labels.values()),
                                                    range=[POSITIONS[p][1] for p in labels])),
                    tooltip=[alt.Tooltip("position:N", title="Vote"),
                             alt.Tooltip("expected:Q", title="Expected", format=".1f"),
                             alt.Tooltip("low:Q", title="80 % interval from"),
                             alt.Tooltip("high:Q", title="80 % interval to")]))
    rules = (alt.Chart(alt.NamedData(name="tally")).mark_rule(color="#000000", strokeWidth=2)
             .encode(y=y, x="low:Q", x2="high:Q"))
    ends = (alt.Chart(alt.NamedData(name="tally")).mark_tick(color="#000000", thickness=2)
            .transform_fold(["low", "high"], as_=["end", "count"])
            .encode(y=y, x="count:Q"))
    forum_name = api.FORECAST_FORUMS[f["forum"]]
    title = f"Likely tally of a {forum_name} text critical of {f['target_name']}, as of {f['as_of']}"
    description = (f"Horizontal bars: the expected number of yes ({t['yes']:.1f}), no ({t['no']:.1f}) and abstain "
                   f"({t['abstain']:.1f}) votes of the {len(f['members'])} members, each with a black rule over its "
                   f"80 % interval; P(adopted) {f['p_adopted']:.0%}.")
    spec = _fit(_finish(alt.layer(bars, rules, ends).properties(width=MAP_WIDTH - 300, height=alt.Step(40)), title,
                        description, f"P(adopted): {f['p_adopted']:.0%} (more yes than no votes)", {"tally": rows}))
    columns = [("position", "Vote"), ("expected", "Expected"), ("low", "80 % interval from"),
               ("high", "80 % interval to")]
    return Chart("forecast-tally", key, title, description, spec, columns, rows)


# --- serving ----------------------------------------------------------------------------------------------------


class _Memo:
    """The rendered charts (JSON, SVG, PNG bytes) by (name, key, format, data version): least recently used out."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value


def _memo(request: Request) -> _Memo:
    state = request.app.state
    memo = getattr(state, "chart_memo", None)
    if memo is None:
        memo = state.chart_memo = _Memo()
    return memo


def build(bw: Blocwatch, name: str, key: str) -> Chart:
    """The chart ``name`` for ``key`` (:class:`~blocwatch.errors.NotFound` with the known names)."""
    builder = BUILDERS.get(name)
    if builder is None:
        names = sorted(BUILDERS)
        near = difflib.get_close_matches(name, names, n=len(names), cutoff=0.0)
        raise NotFound(f"no chart named {name!r} (charts: {', '.join(names)})", close_matches=near)
    return builder(bw, key)


def inline_shapes(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` with the map shapes inlined (vl-convert renders without the app's URLs)."""
    out = copy.deepcopy(spec)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("url") == SHAPES_URL:
                node["data"] = {"values": geo.shapes(), "format": dict(SHAPES_FORMAT)}
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    if out.get("width") == "container":
        out["width"] = MAP_WIDTH
        out.pop("autosize", None)
    return out


def _label_svg(svg: str, title: str, description: str) -> str:
    """The SVG with the chart's description as its ``aria-label`` and its title and description as
    ``<title>``/``<desc>`` (in the browser Vega puts the description on the container; a lone SVG needs it)."""
    from xml.sax.saxutils import escape, quoteattr

    head, sep, rest = svg.partition(">")
    if not sep or not head.startswith("<svg"):
        return svg
    return (f'{head} role="img" aria-label={quoteattr(description)}>'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{rest}")


def render(chart_: Chart, fmt: str) -> bytes:
    """The chart as JSON (shapes by URL), SVG or PNG (shapes inlined)."""
    import vl_convert

    if fmt == "json":
        return json.dumps(chart_.spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    spec = inline_shapes(chart_.spec)
    if fmt == "svg":
        # vl-convert resolves links against its own base URL: make them the app's paths again.
        svg = vl_convert.vegalite_to_svg(spec).replace(f'xlink:href="{VL_CONVERT_BASE}', 'xlink:href="')
        return _label_svg(svg, chart_.title, chart_.description).encode("utf-8")
    return bytes(vl_convert.vegalite_to_png(spec, scale=2))


VL_CONVERT_BASE = "https://vega.github.io/vega-datasets/"
MEDIA = {"json": "application/json", "svg": "image/svg+xml", "png": "image/png"}


@router.get("/geo/countries-110m.json", include_in_schema=False)
def shapes() -> Response:
    """The map shapes (Natural Earth 1:110m TopoJSON), cached for a week."""
    return Response(geo.shapes_bytes(), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=604800"})


@router.get("/{name}/{key:path}", response_model=None)
def chart_route(request: Request, name: str, key: str) -> Response:
    """``KEY.json`` (Vega-Lite), ``KEY.svg``, ``KEY.png`` or ``KEY`` (an embeddable page with the table)."""
    bw = bw_of(request)
    fmt = next((f for f in MEDIA if key.endswith("." + f)), None)
    if fmt is not None:
        key = key[: -len(fmt) - 1]
    version = bw.data_version()
    memo = _memo(request)
    if name not in BUILDERS:
        build(bw, name, key)  # raises NotFound with the names
    built: Chart = memo.get(("chart", name, key, version), lambda: build(bw, name, key))
    if fmt is None:
        return page(request, built)
    body = memo.get((fmt, name, key, version), lambda: render(built, fmt))
    return Response(body, media_type=MEDIA[fmt])


def page(request: Request, built: Chart) -> HTMLResponse:
    base = f"/charts/{built.name}/{built.key}"
    return TEMPLATES.TemplateResponse(request, "chart.html", {"chart": built, "base": base, "title": built.title})
