"""The HTML pages: server-rendered, working without JavaScript, each with its ``/api`` twin.

Every page renders the same data as its twin (the functions of
:mod:`blocwatch.web.api`, memoised per instance and data version) and lists
its downloads: JSON (the twin) and CSV (the twin with ``format=csv`` and, where
the page shows several tables, ``table=NAME``). Rendered pages are memoised
too (per data version and URL), except a state page whose GA series are still
being computed (served with ``Cache-Control: no-store``).

``/forecast`` and ``/campaign`` are GET forms (a target state, the forum, an
as-of day): without a target they show the form; with one, the forecast (or
the ranked campaign list) of :func:`blocwatch.web.api.forecast_json`; a name or
a missing as-of day redirects to the canonical URL. The forecast page's
calibration comes from the backtest when it has been computed (see
:mod:`blocwatch.web.api`), else it says why it is not there yet.

Charts are slots (``templates/macros.html``: ``chart(name, key, title,
description)``) that :mod:`blocwatch.web.charts` fills; each is followed by
the table behind it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from blocwatch import registry
from blocwatch.web import api
from blocwatch.web.render import TEMPLATES, bw_of

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {"signed": "signed", "joined_later": "joined later", "withdrew": "withdrew",
                 "absent": "absent (complete list)", "not_named": "not named (partial list)",
                 "other_side": "other side"}
STATUS_CODES = {"signed": "S", "joined_later": "J", "withdrew": "W", "absent": "–", "not_named": "?",
                "other_side": "O"}
POSITION_ORDER = ["yes", "no", "abstain", "not_voting", "absent"]

TEMPLATES.env.filters["state_name"] = api.name_of
TEMPLATES.env.filters["group_name"] = lambda g: registry.GROUPS.get(g, g or "no group")
TEMPLATES.env.filters["label"] = lambda s: STATUS_LABELS.get(s, str(s).replace("_", " "))
TEMPLATES.env.filters["with_query"] = lambda params, **changes: urlencode({**dict(params), **changes})
TEMPLATES.env.globals.update(GROUPS=registry.GROUPS, STATUS_LABELS=STATUS_LABELS, STATUS_CODES=STATUS_CODES,
                             POSITION_ORDER=POSITION_ORDER, FORECAST_FORUMS=api.FORECAST_FORUMS,
                             BACKTEST_FROM=api.BACKTEST_FROM)


def _api_path(request: Request) -> str:
    path = "/api/home" if request.url.path == "/" else "/api" + request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def _personal(request: Request) -> bool:
    """Whether someone is signed in: the page then has their name and forms, and is never memoised."""
    return getattr(request.state, "user", None) is not None


def _html(request: Request, template: str, *, store: bool = True, **context: Any) -> Response:
    """``template`` rendered with ``context`` (memoised per data version and URL unless ``store`` is False or
    someone is signed in)."""
    bw = bw_of(request)

    def render() -> str:
        return TEMPLATES.env.get_template(template).render(
            {"request": request, "api_path": _api_path(request), **context})

    if not store or _personal(request):
        return HTMLResponse(render(), headers={"Cache-Control": "no-store"})
    key = (bw.data_version(), request.url.path, request.url.query)
    return HTMLResponse(api.memo(bw, "html").get(key, render))


def _page_cached(request: Request) -> Response | None:
    """The memoised page for this URL, before any work (the fast path of every read page)."""
    if _personal(request):
        return None
    bw = bw_of(request)
    body = api.memo(bw, "html").peek((bw.data_version(), request.url.path, request.url.query))
    return HTMLResponse(body) if body is not None else None


def _downloads(api_path: str, tables: list[str]) -> list[dict[str, str]]:
    """The page's downloads: JSON, then one CSV per table."""
    sep = "&" if "?" in api_path else "?"
    links = [{"label": "JSON", "href": api_path}]
    for i, t in enumerate(tables):
        links.append({"label": f"CSV ({t.replace('_', ' ')})",
                      "href": f"{api_path}{sep}format=csv" + (f"&table={t}" if i else "")})
    return links


# --------------------------------------------------------------------------- home, series


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    data = api.home_json(bw)
    return _html(request, "home.html", title="blocwatch", data=data, series=data["series"],
                 states_named=len(data["series"]["states"]),
                 downloads=_downloads("/api/home", list(api.TABLES["home"])))


@router.get("/series/{name}", response_class=HTMLResponse)
def series(request: Request, name: str, group: str | None = None) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    data = api.series_json(bw, name)
    group = api._blank(group)
    matrix = api.matrix_json(bw, data["series"], group)
    events = {e["id"]: e for e in data["timeline"]}
    matrix_path = f"/api/series/{data['series']}/matrix" + (f"?group={group}" if group else "")
    return _html(request, "series.html", title=f"The {data['series'].capitalize()} series", data=data,
                 matrix=matrix, events=events, group=group,
                 downloads=_downloads(f"/api/series/{data['series']}", list(api.TABLES["series"])),
                 matrix_downloads=_downloads(matrix_path, ["matrix"]))


# --------------------------------------------------------------------------- events


def _brief_fragment(html: str) -> str:
    """The brief's body for embedding: no document wrapper, no h1 (the page has one), headings one level down."""
    body = re.sub(r"(?is)<!doctype[^>]*>|</?html[^>]*>|<meta[^>]*>|<title>.*?</title>|<h1>.*?</h1>", "", html)
    body = re.sub(r"(?i)<(/?)h([2-5])\b", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", body)
    return re.sub(r'(?i)\bid="', 'id="brief-', body).replace('href="#', 'href="#brief-').strip()


def _by_group(iso3s: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {g: [] for g in registry.GROUPS}
    for s in iso3s:
        out.setdefault(api.group_of(s) or "none", []).append(s)
    return {g: sorted(v, key=api.name_of) for g, v in out.items()}


@router.get("/events/{ref}", response_class=HTMLResponse)
def event(request: Request, ref: str) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    e = api.event_json(bw, ref)
    if ref != e["id"] and ref != e["alias"]:  # a prefix: the permalink is the id
        return RedirectResponse(f"/events/{e['id']}", status_code=307)
    _facts, brief_html = api.brief_of(bw, e["id"])
    counter = e["counter"]
    counter_signers = set(api.event_json(bw, counter["id"])["signatories"]) if counter else set()
    signers = set(e["signatories"])
    map_rows = [("signed this statement", sorted(signers, key=api.name_of)),
                ("signed the counter-statement" + (" (named)" if counter and counter["partial"] else ""),
                 sorted(counter_signers - signers, key=api.name_of)),
                ("both", sorted(counter_signers & signers, key=api.name_of))]
    user = getattr(request.state, "user", None)
    return _html(request, "event.html", title=e["title"], e=e, signers_by_group=_by_group(e["signatories"]),
                 map_rows=map_rows, brief_html=_brief_fragment(brief_html),
                 history=api.cached(bw, ("history", e["id"]), lambda: bw.events.history(e["id"])),
                 version=bw.events.version(e["id"]) if user is not None and user.can("editor") else None,
                 changes={c["iso3"]: c for c in e["changes"]},
                 downloads=_downloads(f"/api/events/{e['id']}", list(api.TABLES["event"]))
                 + [{"label": "brief (JSON)", "href": f"/api/events/{e['id']}/brief"}])


@router.get("/compare/{a}/{b}", response_class=HTMLResponse)
def compare(request: Request, a: str, b: str) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    data = api.compare_json(bw_of(request), a, b)
    return _html(request, "compare.html", title=f"{data['a']['alias'] or data['a']['id']} → "
                                                f"{data['b']['alias'] or data['b']['id']}",
                 data=data, d=data["diff"],
                 downloads=_downloads(f"/api/compare/{a}/{b}", list(api.TABLES["compare"])))


# --------------------------------------------------------------------------- states


@router.get("/states", response_class=HTMLResponse)
def states(request: Request) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    rows = api.states_json(bw_of(request))
    by_group: dict[str, list[dict[str, Any]]] = {g: [] for g in registry.GROUPS}
    for c in rows:
        by_group.setdefault(c["regional_group"] or "none", []).append(c)
    return _html(request, "states.html", title="States", by_group=by_group, count=len(rows),
                 downloads=_downloads("/api/states", ["states"]))


@router.get("/states/{name}", response_class=HTMLResponse)
def state(request: Request, name: str) -> Response:
    bw = bw_of(request)
    if (hit := _page_cached(request)) is not None:
        return hit
    iso3 = api.state_iso3(bw, name)
    if iso3 != name:
        return RedirectResponse(f"/states/{iso3}", status_code=307)
    s = api.state_json(bw, iso3)
    ga = api.state_ga_json(bw, iso3)
    agreement: dict[int, dict[str, Any]] = {}
    for row in ga["agreement"]:
        agreement.setdefault(row["year"], {})[row["b"]] = row
    country = registry.get(iso3)
    return _html(request, "state.html", store=ga["status"] != "computing", title=s["name"], s=s, ga=ga,
                 country=country, agreement=dict(sorted(agreement.items())),
                 downloads=_downloads(f"/api/states/{iso3}", list(api.TABLES["state"]))
                 + _downloads(f"/api/states/{iso3}/ga", list(api.TABLES["state_ga"]))[1:]
                 + [{"label": "GA series (JSON)", "href": f"/api/states/{iso3}/ga"}])


# --------------------------------------------------------------------------- votes, search


@router.get("/votes", response_class=HTMLResponse)
def votes(request: Request, forum: str | None = None, target: str | None = None, text: str | None = None,
          date_from: str | None = Query(None, alias="from"), date_to: str | None = Query(None, alias="to"),
          state: str | None = None, subject: str | None = None, limit: int = 50) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    filters = api.vote_filters(forum, target, text, date_from, date_to, state, subject, limit)
    filters["text"] = tuple(filters["text"])
    form = {"forum": forum or "", "target": target or "", "text": text or "", "from": date_from or "",
            "to": date_to or "", "state": state or "", "subject": subject or ""}
    asked = any(v for v in form.values())
    found = api.search_votes_json(bw_of(request), filters) if asked else None
    return _html(request, "votes.html", title="Votes", form=form, found=found,
                 downloads=_downloads(_api_path(request), ["hits"]) if asked else [])


@router.get("/votes/{ref:path}", response_class=HTMLResponse)
def vote(request: Request, ref: str) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    v = api.vote_json(bw_of(request), ref)
    by_position: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for p in v["positions"]:
        by_position.setdefault(p["group"] or "none", {}).setdefault(p["position"], []).append(p)
    key = v["symbol"] or str(v["rcid"])
    return _html(request, "vote.html", title=key, v=v, by_position=by_position,
                 downloads=_downloads(f"/api/votes/{key}", list(api.TABLES["vote"])))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "") -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    found = api.search_json(bw, q)
    exact = [s for s in found["states"] if s["exact"]]
    if exact and not found["events"] and not (found["votes"] or {}).get("hits"):
        return RedirectResponse(f"/states/{exact[0]['iso3']}", status_code=307)
    return _html(request, "search.html", title=f"Search: {q}" if q.strip() else "Search", q=q, found=found,
                 downloads=_downloads(_api_path(request), ["results"]) if q.strip() else [])


# --------------------------------------------------------------------------- forecasts, campaigns


def _forecast_form(bw: Blocwatch, target: str | None, forum: str | None, as_of: str | None, year: str | None = None,
                   start: str | None = None) -> dict[str, Any]:
    """The form's values as given, the as-of day it proposes, and the states it offers."""
    body = forum if forum in api.FORECAST_FORUMS else "hrc"
    return {"target": target or "", "forum": body, "as_of": as_of or "", "year": year or "", "from": start or "",
            "default_as_of": api.default_as_of(bw, body).isoformat(), "span": bw.hrc.span(),
            "states": [c for c in api.states_json(bw) if c["status"] != "former"]}


def _calibration(request: Request, forum: str, start: str | None) -> dict[str, Any]:
    """The backtest behind the calibration plot, if computed (a background computation is started for it when
    the app warms: ``create_app(warm=True)``), with its headline."""
    bw = bw_of(request)
    body, year = api.backtest_query(forum, start)
    found = api.backtest_status(bw, body, year, begin=bool(getattr(request.app.state, "warm", False)))
    headline = api.backtest_headline(found["backtest"]) if found["backtest"] else None
    return {**found, "forum": body, "from": year, "key": f"{body}-{year}", "headline": headline,
            "api": f"/api/backtest?forum={body}&from={year}"}


def _tally_key(query: dict[str, Any]) -> str:
    """The forecast's key in ``/charts/forecast-tally/FORUM/TARGET/AS_OF[/YEAR]``."""
    parts = [query["forum"], query["target"], query["as_of"]]
    return "/".join(parts + ([str(query["year"])] if query["year"] is not None else []))


@router.get("/forecast", response_class=HTMLResponse)
def forecast(request: Request, target: str | None = None, forum: str | None = None, as_of: str | None = None,
             year: str | None = None, start: str | None = Query(None, alias="from")) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    form = _forecast_form(bw, target, forum, as_of, year, start)
    f, query = None, None
    if api._blank(target):
        query = api.forecast_query(bw, target or "", forum, as_of, year)
        url = api.canonical(request, query)
        if url:
            return RedirectResponse(url, status_code=307)
        f = api.forecast_json(bw, query)
    cal = _calibration(request, forum or "hrc", start)
    members = sorted(f["members"], key=lambda m: (-m["p_yes"], m["name"])) if f else []
    by_iso3 = {m["iso3"]: m for m in members}
    title = (f"Forecast: a {api.FORECAST_FORUMS[f['forum']]} text critical of {f['target_name']}, as of "
             f"{f['as_of']}") if f else "Forecast a vote"
    downloads = (_downloads(_api_path(request), list(api.TABLES["forecast"])) if f else []) + [
        {"label": "backtest (JSON)", "href": cal["api"]},
        {"label": "calibration (CSV)", "href": f"{cal['api']}&format=csv&table=calibration"}]
    return _html(request, "forecast.html", store=cal["status"] not in ("computing", "not_computed"), title=title,
                 form=form, f=f, query=query, members=members, by_iso3=by_iso3, cal=cal, downloads=downloads,
                 tally_key=_tally_key(query) if query else None,
                 campaign_url=(f"/campaign?target={f['target']}&as_of={f['as_of']}&forum={f['forum']}"
                               if f else None))


@router.get("/campaign", response_class=HTMLResponse)
def campaign(request: Request, target: str | None = None, forum: str | None = None,
             as_of: str | None = None) -> Response:
    if (hit := _page_cached(request)) is not None:
        return hit
    bw = bw_of(request)
    form = _forecast_form(bw, target, forum, as_of)
    c = None
    if api._blank(target):
        query = api.forecast_query(bw, target or "", forum, as_of)
        url = api.canonical(request, query)
        if url:
            return RedirectResponse(url, status_code=307)
        c = api.campaign_json(bw, query)
    title = (f"Who to call next: a {api.FORECAST_FORUMS[c['forum']]} text critical of {c['target_name']}, as of "
             f"{c['as_of']}") if c else "Who to call next"
    return _html(request, "campaign.html", title=title, form=form, c=c,
                 on_board_by_group=_by_group(c["on_board"]) if c else {},
                 forecast_url=(f"/forecast?target={c['target']}&as_of={c['as_of']}&forum={c['forum']}"
                               if c else None),
                 downloads=_downloads(_api_path(request), list(api.TABLES["campaign"])) if c else [])
