"""``/api/...``: each page's data as the JSON the CLI prints with ``--json``, from the same typed results.

Routes and shapes (each page at ``/X`` has its data at ``/api/X``):

==============================  ===============================================================
``/api/home``                   ``{"series": events series, "latest": [events list rows], "votes": stored
                                votes per forum, "registry": registry summary}`` (parts of ``run --json``)
``/api/series/{name}``          ``events series NAME --json``
``/api/series/{name}/matrix``   ``events matrix --series NAME --json`` (``?group=`` keeps one regional group)
``/api/events/{id}``            ``events show ID --json`` (its ``joined``/``left``/``stayed`` are the diff
                                with ``compared_with``, the previous event of the same stance and forum)
``/api/events/{id}/brief``      ``brief ID --format json``
``/api/states``                 ``countries list --json``
``/api/states/{iso3}``          ``country ISO3 --json`` (a name in any UN language redirects to the ISO3 URL)
``/api/states/{iso3}/ga``       ``{"status", "ideal": [ideal --all rows of the state], "agreement":
                                [agreement --country ISO3 --with CHN|USA rows]}``; ``status`` is
                                ``computing`` until the all-session fit is ready (see below)
``/api/votes?forum&target&      ``votes search --json`` (the CLI's default ``--limit 50``; ``limit=0``: all)
text&from&to&state&subject``
``/api/votes/{symbol}``         ``votes show SYMBOL --json`` (a symbol, the end of one, or a roll-call id)
``/api/compare/{a}/{b}``        ``{"diff": diff A B --json, "a": events show A --json, "b": events show B
                                --json}``
``/api/search?q=``              ``{"q", "states": [countries resolve rows and close matches], "events":
                                [events list rows], "votes": votes search --text Q --json}``
``/api/forecast?target&forum&   ``forecast TARGET --json`` (``bw.forecast(...).to_dict()``); ``as_of``
as_of&year``                    defaults to today, or for the Council (``forum=hrc``, the default) to
                                the last day its stored membership describes (``bw.hrc.span()``); a
                                name or a missing day redirects to the canonical URL (ISO3, day given)
``/api/campaign?target&forum&   ``campaign TARGET --json`` (``bw.campaign(...).to_dict()``), as above
as_of``
``/api/backtest?forum&from``    ``backtest --json`` (``bw.backtest(...).to_dict()``); ``from``: a year
                                (default 2010: about 20 s the first time) or a day
==============================  ===============================================================

**Downloads.** One scheme everywhere: the JSON download of a page is its
``/api`` twin; the CSV download is the same URL with ``format=csv``, and
``table=NAME`` where the page shows several tables (the default is the
first listed in :data:`TABLES`), e.g. ``/api/votes/A/RES/ES-11/1?format=csv``
(positions) or ``/api/states/FRA?format=csv&table=country_votes``. An unknown
table is a 400 naming the known ones.

**Caching.** Results are memoised per :class:`~blocwatch.api.core.Blocwatch`
instance and data version (a bounded LRU here, next to the API's own
``bw.cache``, so that one entry per state or vote does not push the API's
expensive entries out): an event, state or vote is computed once, then
served from memory. The state pages' GA ideal points (every session) and
agreement with China and the United States (every year) take seconds on the
full data: they are computed **lazily in a background thread**, started by
the first request that needs them (or by :func:`warm`); until it finishes
the state page and ``/api/states/{iso3}/ga`` answer at once with
``status: computing`` and ``Cache-Control: no-store``, then with the tables.
The forecast page's calibration (the Council backtest from 2010, about 20 s)
is computed the same way, in the background, when the app was created with
``warm=True`` (:func:`warm_backtest`); otherwise only when asked for
(``/api/backtest``, the calibration chart), never by the page itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from blocwatch import registry
from blocwatch.errors import InvalidInput, NotFound
from blocwatch.web.render import bw_of

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch

router = APIRouter(prefix="/api", tags=["api"])
T = TypeVar("T")

# --------------------------------------------------------------------------- memo


class Memo:
    """A bounded least-recently-used memo (thread-safe; a value may be computed twice under a race)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        found = self.peek(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value)
        return value


_MEMOS: weakref.WeakKeyDictionary[Any, dict[str, Memo]] = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def memo(bw: Blocwatch, kind: str = "data") -> Memo:
    """The web layer's memo of ``kind`` (``data``: results; ``html``: rendered pages; ``bytes``: encoded JSON and
    CSV) for this instance."""
    with _MEMOS_LOCK:
        memos = _MEMOS.setdefault(bw, {})
        if kind not in memos:
            memos[kind] = Memo(2048 if kind == "data" else 512)  # rendered pages and encoded bytes: 512 URLs
        return memos[kind]


def cached(bw: Blocwatch, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per instance, data version and ``key``."""
    return memo(bw).get((bw.data_version(), *key), compute)


# --------------------------------------------------------------------------- data (shared with the pages)


def name_of(iso3: str | None) -> str:
    """A state's short name (the code itself for a code the registry does not know)."""
    if not iso3:
        return ""
    return registry.get(iso3).name if registry.exists(iso3) else iso3


def group_of(iso3: str) -> str | None:
    return registry.get(iso3).regional_group if registry.exists(iso3) else None


def home_json(bw: Blocwatch) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        overview = bw.overview()
        return {"series": overview.series, "latest": [r.to_json() for r in bw.events.list()[-5:][::-1]],
                "votes": overview.votes, "registry": overview.registry}

    return cached(bw, ("home",), compute)


def series_json(bw: Blocwatch, name: str) -> dict[str, Any]:
    return cached(bw, ("series", name), lambda: bw.events.series(name).to_json())


def matrix_json(bw: Blocwatch, name: str, group: str | None = None) -> dict[str, Any]:
    """``events matrix --series NAME --json``; with ``group``, the states of that regional group only."""
    if group and group not in registry.GROUPS:
        raise InvalidInput(f"unknown regional group {group!r}; expected one of {', '.join(registry.GROUPS)}",
                           close_matches=list(registry.GROUPS))
    full = cached(bw, ("matrix", name), lambda: bw.events.matrix(name).to_json())
    if not group:
        return full
    return {**full, "states": [s for s in full["states"] if s["regional_group"] == group]}


def event_json(bw: Blocwatch, ref: str) -> dict[str, Any]:
    return cached(bw, ("event", ref), lambda: bw.events.show(ref).to_json())


def brief_of(bw: Blocwatch, ref: str) -> tuple[dict[str, Any], str]:
    """The brief's facts (``brief --format json``) and its HTML, for the event page."""
    def compute() -> tuple[dict[str, Any], str]:
        brief = bw.events.brief(ref)
        return brief.to_json(), brief.render("html")

    return cached(bw, ("brief", ref), compute)


def state_iso3(bw: Blocwatch, name: str) -> str:
    """The ISO3 code a name or code denotes (former states too, when no current one matches)."""
    try:
        return bw.countries.get(name).iso3
    except NotFound as exc:
        try:
            return bw.countries.get(name, former=True).iso3
        except NotFound:
            raise exc from None


def state_json(bw: Blocwatch, iso3: str) -> dict[str, Any]:
    return cached(bw, ("state", iso3), lambda: bw.countries.history(iso3, former=True).to_json())


def states_json(bw: Blocwatch) -> list[dict[str, Any]]:
    return cached(bw, ("states",), lambda: [c.to_dict() for c in bw.countries.list()])


def vote_json(bw: Blocwatch, ref: str) -> dict[str, Any]:
    return cached(bw, ("vote", ref), lambda: bw.votes.show(ref).to_json())


def search_votes_json(bw: Blocwatch, filters: dict[str, Any]) -> dict[str, Any]:
    key = tuple(sorted((k, v) for k, v in filters.items()))
    return cached(bw, ("votes", key), lambda: bw.votes.search(**filters).to_json())


def compare_json(bw: Blocwatch, a: str, b: str) -> dict[str, Any]:
    return cached(bw, ("compare", a, b), lambda: {"diff": bw.events.diff(a, b).to_json(),
                                                  "a": bw.events.show(a).to_json(),
                                                  "b": bw.events.show(b).to_json()})


def search_json(bw: Blocwatch, q: str) -> dict[str, Any]:
    """States (the resolver, in all six UN languages, and its close matches), events (id, alias or title
    words) and votes (a symbol, or title words) matching ``q``."""
    q = " ".join(q.split())
    if not q:
        return {"q": q, "states": [], "events": [], "votes": None}

    def compute() -> dict[str, Any]:
        from blocwatch import names

        states: list[dict[str, Any]] = []
        found = bw.countries.resolve([q], former=True)[0]
        if found.iso3:
            states.append({"iso3": found.iso3, "name": name_of(found.iso3), "exact": True, "score": 100.0})
        for m in names.close_matches(q, 8, include_former=True):
            if m.iso3 != found.iso3:
                states.append({"iso3": m.iso3, "name": m.name, "exact": False, "score": round(m.score, 1)})
        words = q.lower().split()
        events = [r.to_json() for r in bw.events.list()[::-1]
                  if q.lower() in r.id or (r.alias and q.lower() in r.alias)
                  or all(w in f"{r.title} {r.id} {r.alias or ''}".lower() for w in words)]
        votes = bw.votes.search(text=q, limit=50).to_json()
        try:
            exact = bw.votes.show(q).to_json()
        except InvalidInput:
            exact = None
        if exact is not None and all(h["rcid"] != exact["rcid"] for h in votes["hits"]):
            votes = {**votes, "total": votes["total"] + 1, "hits": [_hit(exact), *votes["hits"]]}
        return {"q": q, "states": states[:8], "events": events, "votes": votes}

    return cached(bw, ("search", q), compute)


def _hit(record: dict[str, Any]) -> dict[str, Any]:
    """A ``votes show`` record in the shape of a ``votes search`` hit."""
    keys = ("rcid", "forum", "symbol", "date", "title", "kind", "adopted", "subject", "target", "yes_stance")
    counted = record["counted"]
    return {**{k: record[k] for k in keys},
            "tally": {k: counted.get(k, 0) for k in ("yes", "abstain", "no", "not_voting")}}


# --------------------------------------------------------------------------- background computations

_WARMING: dict[tuple[int, Hashable], threading.Thread] = {}
_WARMING_LOCK = threading.Lock()


def _in_background(bw: Blocwatch, key: tuple[Any, ...], compute: Callable[[], Any], *, wait: bool = False,
                   start: bool = True) -> Any:
    """The memoised value of ``key`` (a tuple starting with the data version) if computed; else ``compute()``
    it in a background thread (one at a time per instance and key; only if ``start``) and return None, or
    wait for it with ``wait``."""
    found = memo(bw).peek(key)
    if found is not None:
        return found
    with _WARMING_LOCK:
        found = memo(bw).peek(key)  # finished meanwhile
        if found is not None:
            return found
        job = _WARMING.get((id(bw), key))
        if job is None or not job.is_alive():  # never started, or ended and its value since dropped
            if not start:
                return None

            def run() -> None:
                memo(bw).put(key, compute())

            job = threading.Thread(target=run, name=f"blocwatch-web-warm-{key[1]}", daemon=True)
            _WARMING[(id(bw), key)] = job
            job.start()
    if wait:
        job.join()
        return memo(bw).peek(key)
    return None


def _running(bw: Blocwatch, key: tuple[Any, ...]) -> bool:
    with _WARMING_LOCK:
        job = _WARMING.get((id(bw), key))
    return job is not None and job.is_alive()


# --------------------------------------------------------------------------- the state's GA series (background)


def _state_ga_all(bw: Blocwatch) -> dict[str, Any]:
    """Every state's ideal points (every stored session, static model) and agreement with CHN and USA."""
    from blocwatch.errors import BlocwatchError

    ideal: dict[str, list[dict[str, Any]]] = defaultdict(list)
    agreement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    try:
        for row in bw.ga.ideal(None).to_json():
            ideal[row["iso3"]].append(row)
        for other in ("CHN", "USA"):
            for row in bw.ga.agreement(country=other).rows():  # a = other; turned so that a is the state
                agreement[row["b"]].append({**row, "a": row["b"], "b": other})
    except BlocwatchError as exc:
        return {"status": "unavailable", "reason": exc.message, "ideal": {}, "agreement": {}}
    for rows in agreement.values():
        rows.sort(key=lambda r: (r["year"], r["b"]))
    for rows in ideal.values():
        rows.sort(key=lambda r: r["session"])
    return {"status": "ready", "reason": None, "ideal": dict(ideal), "agreement": dict(agreement)}


def warm(bw: Blocwatch, *, wait: bool = False) -> dict[str, Any] | None:
    """The all-states GA series if computed; else start computing them in a background thread (once per
    instance and data version) and return None (or wait for them with ``wait``)."""
    return _in_background(bw, (bw.votes_version(), "state-ga"), lambda: _state_ga_all(bw), wait=wait)


def state_ga_json(bw: Blocwatch, iso3: str) -> dict[str, Any]:
    everything = warm(bw)
    if everything is None:
        return {"iso3": iso3, "status": "computing", "reason": None, "ideal": [], "agreement": []}
    return {"iso3": iso3, "status": everything["status"], "reason": everything["reason"],
            "ideal": everything["ideal"].get(iso3, []), "agreement": everything["agreement"].get(iso3, [])}


# --------------------------------------------------------------------------- forecasts, campaigns, the backtest

FORECAST_FORUMS = {"hrc": "Human Rights Council", "ga": "General Assembly"}
BACKTEST_FROM = 2010  # the page's calibration: bw.backtest's default start


def _forum(forum: str | None) -> str:
    forum = (forum or "hrc").strip().lower()
    if forum not in FORECAST_FORUMS:
        raise InvalidInput(f"forum must be one of {', '.join(FORECAST_FORUMS)}, not {forum!r}",
                           close_matches=list(FORECAST_FORUMS))
    return forum


def _year(value: str | None, name: str) -> int | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a year (expected e.g. 2024)") from None


def default_as_of(bw: Blocwatch, forum: str) -> dt.date:
    """Today, or for the Council the last day its stored membership describes if that is earlier."""
    today = dt.date.today()
    span = bw.hrc.span() if forum == "hrc" else None
    return min(today, span[1]) if span else today


def forecast_query(bw: Blocwatch, target: str, forum: str | None = None, as_of: str | None = None,
                   year: str | None = None) -> dict[str, Any]:
    """The question of a forecast or campaign URL: ``{"target": ISO3, "forum", "as_of": "YYYY-MM-DD",
    "year": int or None}`` (a blank ``as_of``: :func:`default_as_of`). Council members must be known on the
    day asked (the day, or 31 December of ``year``): else an :class:`InvalidInput` naming the days they are."""
    body = _forum(forum)
    iso3 = bw.countries.get(target.strip()).iso3
    raw = _blank(as_of)
    if raw is None:
        day = default_as_of(bw, body)
    else:
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput(f"as_of: {raw!r} is not a date (expected YYYY-MM-DD)") from None
    chosen = _year(year, "year")
    if chosen is not None and not 1945 <= chosen <= 9999:
        raise InvalidInput(f"year: {chosen} is not a year the forum can have had members in")
    if body == "hrc":
        on = day if chosen is None or chosen == day.year else dt.date(chosen, 12, 31)
        span = bw.hrc.span()
        if span is None or not span[0] <= on <= span[1]:
            known = f"the stored membership covers {span[0]} to {span[1]}" if span else "no membership is stored"
            raise InvalidInput(f"the Human Rights Council's members on {on} are not known ({known}): choose an "
                               "as-of day (or a year) in that span")
    return {"target": iso3, "forum": body, "as_of": day.isoformat(), "year": chosen}


def canonical(request: Request, query: dict[str, Any]) -> str | None:
    """The URL of the same question with the target as its ISO3 code and the as-of day spelled out, when the
    request's differs (None when it is already that URL)."""
    from urllib.parse import urlencode

    params = dict(request.query_params)
    wanted = {**params, "target": query["target"], "as_of": query["as_of"]}
    if params == wanted:
        return None
    return f"{request.url.path}?{urlencode(wanted)}"


def forecast_json(bw: Blocwatch, query: dict[str, Any]) -> dict[str, Any]:
    """``bw.forecast(target, forum=, as_of=, year=).to_dict()`` for a :func:`forecast_query` (memoised)."""
    q = query
    return cached(bw, ("forecast", q["target"], q["forum"], q["as_of"], q["year"]),
                  lambda: bw.forecast(q["target"], forum=q["forum"], as_of=q["as_of"], year=q["year"]).to_dict())


def campaign_json(bw: Blocwatch, query: dict[str, Any]) -> dict[str, Any]:
    """``bw.campaign(target, forum=, as_of=).to_dict()`` for a :func:`forecast_query` (memoised)."""
    q = query
    return cached(bw, ("campaign", q["target"], q["forum"], q["as_of"]),
                  lambda: bw.campaign(q["target"], forum=q["forum"], as_of=q["as_of"]).to_dict())


def backtest_query(forum: str | None, start: str | None) -> tuple[str, int | str]:
    """The backtest a URL asks for: (forum, its first year or day; default the year :data:`BACKTEST_FROM`)."""
    value = (_blank(start) or str(BACKTEST_FROM)).strip()
    if value.isdigit() and len(value) == 4:
        return _forum(forum), int(value)
    try:
        return _forum(forum), dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInput(f"from: {value!r} is not a year or a day (expected e.g. 2024 or 2024-10-01)") from None


def _backtest_key(bw: Blocwatch, forum: str, start: int | str) -> tuple[Any, ...]:
    return (bw.data_version(), "backtest", forum, start)


def _backtest_dict(bw: Blocwatch, forum: str, start: int | str) -> dict[str, Any]:
    """``bw.backtest(forum=, start=).to_dict()`` as plain JSON values (its counts may be NumPy integers)."""
    import json

    return json.loads(_json_bytes(bw.backtest(forum=forum, start=start).to_dict()))


def _backtest_or_error(bw: Blocwatch, forum: str, start: int | str) -> dict[str, Any]:
    """:func:`_backtest_dict`, or ``{"error": message}`` for a question the data cannot answer (kept by the
    background computation, so that the page can say why)."""
    from blocwatch.errors import BlocwatchError

    try:
        return _backtest_dict(bw, forum, start)
    except BlocwatchError as exc:
        return {"error": exc.message}


def backtest_json(bw: Blocwatch, forum: str, start: int | str) -> dict[str, Any]:
    """The backtest's JSON, computed now if it is not yet (when it is being computed in the background, once
    that ends); a question the data cannot answer raises its error."""
    key = _backtest_key(bw, forum, start)
    with _WARMING_LOCK:
        job = _WARMING.get((id(bw), key))
    if job is not None:
        job.join()
    found = memo(bw).peek(key)
    if found is not None and "error" not in found:
        return found
    data = _backtest_dict(bw, forum, start)
    memo(bw).put(key, data)
    return data


def backtest_status(bw: Blocwatch, forum: str, start: int | str, *, begin: bool = False) -> dict[str, Any]:
    """``{"status", "reason", "backtest"}`` without waiting: ``ready`` (with the backtest's JSON),
    ``unavailable`` (with the reason), ``computing`` (in a background thread), or ``not_computed``. With
    ``begin``, a backtest not computed yet starts computing in the background (:func:`warm_backtest`)."""
    key = _backtest_key(bw, forum, start)
    found = _in_background(bw, key, lambda: _backtest_or_error(bw, forum, start), start=begin)
    running = found is None and _running(bw, key)
    if found is None:
        found = memo(bw).peek(key)  # it may have ended meanwhile
    if found is not None:
        if "error" in found:
            return {"status": "unavailable", "reason": found["error"], "backtest": None}
        return {"status": "ready", "reason": None, "backtest": found}
    return {"status": "computing" if running else "not_computed", "reason": None, "backtest": None}


def warm_backtest(bw: Blocwatch, forum: str = "hrc", start: int | str = BACKTEST_FROM, *,
                  wait: bool = False) -> dict[str, Any] | None:
    """Start computing the backtest in a background thread (once per instance, data version, forum and first
    year; ``create_app(warm=True)`` does at start-up); its JSON if already computed (or with ``wait``)."""
    return _in_background(bw, _backtest_key(bw, forum, start), lambda: _backtest_or_error(bw, forum, start),
                          wait=wait)


BASELINE_LABELS = {"most_common": "most common vote", "group_shares": "regional group's shares",
                   "own_last": "own last vote on the target", "statements": "joint-statement rule",
                   "ga_neighbour": "GA-agreement nearest neighbour"}


def backtest_headline(data: dict[str, Any]) -> dict[str, Any]:
    """The model against the best baseline on accuracy (higher is better) and log loss (lower), each with that
    baseline's name, and the calibration's worst gap (bands of at least 50 forecasts)."""
    out: dict[str, Any] = {}
    for metric, lower in (("accuracy", False), ("log_loss", True)):
        scores = {name: b[metric] for name, b in data["baselines"].items() if metric in b}
        best = (min if lower else max)(scores, key=lambda n: scores[n])
        model = data["overall"][metric]
        out[metric] = {"model": model, "baseline": best, "baseline_label": BASELINE_LABELS.get(best, best),
                       "best_baseline": scores[best], "better": model < scores[best] if lower
                       else model > scores[best]}
    out["calibration"] = data["targets"]["calibration"]
    out["votes"], out["n"] = data["overall"].get("votes", 0), data["overall"]["n"]
    return out


# --------------------------------------------------------------------------- CSV

Rows = list[dict[str, Any]]


def csv_text(rows: Rows, columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("; ".join(map(str, v)) if isinstance(v, list | tuple) else v)
                         for k, v in row.items()})
    return out.getvalue()


def _signer_rows(e: dict[str, Any]) -> Rows:
    changes = {c["iso3"]: c for c in e["changes"]}
    named = list(dict.fromkeys([*e["signed_at_delivery"], *e["signatories"]]))
    first = set(e["first_time"])
    return [{"iso3": s, "name": name_of(s), "regional_group": group_of(s),
             "status": changes[s]["change"] if s in changes else "signed",
             "first_time": s in first, "source": e["signatory_sources"].get(s)} for s in named]


def _group_rows(by_group: dict[str, Any]) -> Rows:
    return [{"regional_group": g, "name": registry.GROUPS.get(g, g), "count": n} for g, n in by_group.items()]


def _diff_rows(d: dict[str, Any]) -> Rows:
    return [{"iso3": s, "name": name_of(s), "regional_group": group_of(s), "change": part}
            for part in ("joined", "left", "stayed", "joined_uncertain", "left_uncertain") for s in d[part]]


def _timeline_rows(s: dict[str, Any]) -> Rows:
    return [{k: v for k, v in t.items() if k != "by_group"} | t["by_group"] for t in s["timeline"]]


def _matrix_rows(m: dict[str, Any]) -> Rows:
    return [{"iso3": r["iso3"], "name": r["name"], "regional_group": r["regional_group"],
             **{m["aliases"].get(e) or e: r["cells"][e] for e in m["events"]}} for r in m["states"]]


def _vote_group_rows(v: dict[str, Any]) -> Rows:
    return [{"regional_group": g, **counts} for g, counts in v["by_group"].items()]


def _tally_rows(f: dict[str, Any]) -> Rows:
    t = f["tally"]
    return [{"position": p, "expected": t[p], "low": t[f"{p}_interval"][0], "high": t[f"{p}_interval"][1]}
            for p in ("yes", "no", "abstain")]


SCORE_COLUMNS = ["votes", "n", "accuracy", "log_loss", "brier", "f1_yes", "f1_abstain", "f1_no", "macro_f1",
                 "tally_error", "outcome_hit_rate", "interval_coverage"]


def _score_row(s: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in s.items() if k != "f1"}, **{f"f1_{k}": v for k, v in s.get("f1", {}).items()}}


# Each route's tables: name -> (rows of the JSON, columns); the first is the default.
Table = tuple[Callable[[Any], Rows], Callable[[Any], list[str]]]
TIMELINE_COLUMNS = ["id", "date", "forum", "session", "stance", "claimed_count", "known_count", "partial",
                    *registry.GROUPS, "groups_covered"]
TABLES: dict[str, dict[str, Table]] = {
    "home": {"latest": (lambda h: h["latest"], lambda h: ["id", "date", "stance", "forum", "claimed_count",
                                                         "known_count", "title"]),
             "votes": (lambda h: [{"forum": k, **{x: y for x, y in v.items() if x != "notes"}}
                                  for k, v in h["votes"].items()],
                       lambda h: ["forum", "name", "roll_calls", "first", "last"])},
    "series": {"timeline": (_timeline_rows, lambda s: TIMELINE_COLUMNS),
               "states": (lambda s: [{"iso3": k, "name": name_of(k), **v} for k, v in s["states"].items()],
                          lambda s: ["iso3", "name", "critical", "supportive"])},
    "matrix": {"matrix": (_matrix_rows,
                          lambda m: ["iso3", "name", "regional_group", *[m["aliases"].get(e) or e
                                                                          for e in m["events"]]])},
    "event": {"signatories": (_signer_rows, lambda e: ["iso3", "name", "regional_group", "status", "first_time",
                                                       "source"]),
              "by_group": (lambda e: _group_rows(e["by_group"]), lambda e: ["regional_group", "name", "count"]),
              "diff": (_diff_rows, lambda e: ["iso3", "name", "regional_group", "change"]),
              "sources": (lambda e: e["sources"], lambda e: ["url", "what", "publisher"])},
    "brief": {"sources": (lambda b: b["sources"], lambda b: sorted({k for s in b["sources"] for k in s}))},
    "states": {"states": (lambda rows: rows, lambda rows: ["iso3", "name", "status", "regional_group",
                                                           "un_member", "admitted"])},
    "state": {"events": (lambda s: s["events"], lambda s: ["id", "date", "forum", "session", "stance", "status",
                                                           "list_complete", "source", "change_date"]),
              "council_terms": (lambda s: s["council_terms"], lambda s: ["iso3", "start", "end", "note"]),
              "country_votes": (lambda s: [{**h, **{f"tally_{k}": v for k, v in h["tally"].items()}}
                                           for h in s["country_votes"]],
                                lambda s: ["date", "forum", "symbol", "title", "target", "yes_stance", "position",
                                           "tally_yes", "tally_no", "tally_abstain", "rcid"])},
    "state_ga": {"ideal": (lambda g: g["ideal"], lambda g: ["iso3", "session", "ideal", "se", "n_votes"]),
                 "agreement": (lambda g: g["agreement"],
                               lambda g: ["a", "b", "year", "n", "agree", "agree_half", "coincidence"])},
    "vote": {"positions": (lambda v: v["positions"], lambda v: ["iso3", "name", "group", "position"]),
             "by_group": (_vote_group_rows,
                          lambda v: ["regional_group", "yes", "no", "abstain", "not_voting", "absent"]),
             "sponsors": (lambda v: v["sponsors"], lambda v: ["iso3", "name"])},
    "votes": {"hits": (lambda s: [{**h, **{f"tally_{k}": v for k, v in h["tally"].items()}} for h in s["hits"]],
                       lambda s: ["date", "forum", "symbol", "title", "target", "yes_stance",
                                  *(["position"] if s["filters"]["state"] else []),
                                  "tally_yes", "tally_no", "tally_abstain", "rcid"])},
    "forecast": {"members": (lambda f: f["members"], lambda f: ["iso3", "name", "group", "p_yes", "p_abstain",
                                                                "p_no", "predicted", "moves", "reasons"]),
                 "tally": (_tally_rows, lambda f: ["position", "expected", "low", "high"]),
                 "swing": (lambda f: [m for s in f["swing"] for m in f["members"] if m["iso3"] == s],
                           lambda f: ["iso3", "name", "group", "p_yes", "p_abstain", "p_no", "moves", "reasons"])},
    "campaign": {"candidates": (lambda c: c["candidates"],
                                lambda c: ["iso3", "name", "group", "p_yes", "p_abstain", "p_no", "adds",
                                           "first_in_group", "reasons"]),
                 "on_board": (lambda c: [{"iso3": s, "name": name_of(s), "regional_group": group_of(s)}
                                         for s in c["on_board"]], lambda c: ["iso3", "name", "regional_group"]),
                 "by_group": (lambda c: _group_rows(c["on_board_by_group"]),
                              lambda c: ["regional_group", "name", "count"])},
    "backtest": {"calibration": (lambda b: [{"low": c["band"][0], "high": c["band"][1], **c}
                                            for c in b["calibration"]],
                                 lambda b: ["low", "high", "n", "predicted", "observed", "gap"]),
                 "votes": (lambda b: [{**v, **{f"tally_{k}": n for k, n in v["tally"].items()},
                                       **{f"expected_{k}": n for k, n in v["expected"].items()}} for v in b["votes"]],
                           lambda b: ["date", "id", "rcid", "target", "title", "yes_stance", "voters", "accuracy",
                                      "log_loss", "brier", "tally_error", "p_adopted", "adopted", "outcome_hit",
                                      "in_interval", "tally_yes", "tally_no", "tally_abstain", "expected_yes",
                                      "expected_no", "expected_abstain"]),
                 "by_year": (lambda b: [{"year": y, **_score_row(s)} for y, s in b["by_year"].items()],
                             lambda b: ["year", *SCORE_COLUMNS]),
                 "baselines": (lambda b: [{"forecaster": n, **_score_row(s)}
                                          for n, s in {"model": b["overall"], **b["baselines"]}.items()],
                               lambda b: ["forecaster", *SCORE_COLUMNS])},
    "compare": {"diff": (lambda c: _diff_rows(c["diff"]), lambda c: ["iso3", "name", "regional_group", "change"])},
    "search": {"results": (lambda r: [{"kind": "state", "key": s["iso3"], "label": s["name"],
                                       "url": f"/states/{s['iso3']}"} for s in r["states"]]
                           + [{"kind": "event", "key": e["id"], "label": e["title"], "url": f"/events/{e['id']}"}
                              for e in r["events"]]
                           + [{"kind": "vote", "key": h["symbol"] or h["rcid"], "label": h["title"],
                               "url": f"/votes/{h['symbol'] or h['rcid']}"}
                              for h in (r["votes"] or {"hits": []})["hits"]],
                           lambda r: ["kind", "key", "label", "url"])},
}


def reply(request: Request, data: Any, what: str, fmt: str, table: str | None, filename: str, *,
          store: bool = True) -> Response:
    """``data`` as JSON, or one of its tables (:data:`TABLES`) as a CSV download.

    The encoded bytes are memoised per data version and URL (encoding a large result costs more than
    finding it), unless ``store`` is False.
    """
    if fmt not in ("json", "csv"):
        raise InvalidInput(f"format must be json or csv, not {fmt!r}", close_matches=["json", "csv"])
    if fmt == "json":
        def encode() -> tuple[bytes, str, dict[str, str]]:
            return _json_bytes(data), "application/json", {}
    else:
        tables = TABLES[what]
        name = table or next(iter(tables))
        if name not in tables:
            raise InvalidInput(f"no table {name!r} here; tables: {', '.join(tables)}", close_matches=list(tables))
        rows, columns = tables[name]
        safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename).strip("-")

        def encode() -> tuple[bytes, str, dict[str, str]]:
            return (csv_text(rows(data), columns(data)).encode("utf-8"), "text/csv; charset=utf-8",
                    {"Content-Disposition": f'attachment; filename="{safe}-{name}.csv"'})

    if store:
        bw = bw_of(request)
        body, media, headers = memo(bw, "bytes").get((bw.data_version(), request.url.path, request.url.query),
                                                      encode)
    else:
        body, media, headers = encode()
    return Response(body, media_type=media, headers=headers)


def _json_bytes(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_jsonable).encode("utf-8")


def _jsonable(value: Any) -> Any:
    """A NumPy number as the Python one (``item()``), anything else JSON does not know as its text."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return str(value)


FORMAT = Query("json", description="json (the CLI's --json) or csv (one table: see `table`)")
TABLE = Query(None, description="With format=csv: which table (default: the page's main one)")


def _blank(value: str | None) -> str | None:
    return value if value and value.strip() else None


# --------------------------------------------------------------------------- routes


@router.get("/home", response_model=None)
def home(request: Request, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """The home page's data: the series, the latest events, stored votes per forum, the registry summary."""
    return reply(request, home_json(bw_of(request)), "home", format, table, "home")


@router.get("/series/{name}", response_model=None)
def series(request: Request, name: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Counts over time by stance and regional group (``events series NAME --json``)."""
    return reply(request, series_json(bw_of(request), name), "series", format, table, name)


@router.get("/series/{name}/matrix", response_model=None)
def matrix(request: Request, name: str, group: str | None = None, format: str = FORMAT,  # noqa: A002
           table: str | None = TABLE) -> Any:
    """The state x event table (``events matrix --series NAME --json``), optionally one regional group."""
    return reply(request, matrix_json(bw_of(request), name, _blank(group)), "matrix", format, table,
                 f"{name}-{group}" if group else name)


@router.get("/events/{ref}", response_model=None)
def event(request: Request, ref: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """One event (``events show ID --json``): groups, first-time signers, joined/left, switchers, counter."""
    data = event_json(bw_of(request), ref)
    return reply(request, data, "event", format, table, data["id"])


@router.get("/events/{ref}/brief", response_model=None)
def brief(request: Request, ref: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """The event's factual brief (``brief ID --format json``)."""
    return reply(request, brief_of(bw_of(request), ref)[0], "brief", format, table, f"{ref}-brief")


@router.get("/states", response_model=None)
def states(request: Request, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Member and observer states (``countries list --json``)."""
    return reply(request, states_json(bw_of(request)), "states", format, table, "states")


def _to_iso3(request: Request, iso3: str, suffix: str = "") -> RedirectResponse:
    """The same request at the state's ISO3 URL (a name in any UN language was given), query kept."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/api/states/{iso3}{suffix}{query}", status_code=307)


@router.get("/states/{name}", response_model=None)
def state(request: Request, name: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """One state's record (``country ISO3 --json``); a name in any UN language redirects to its ISO3."""
    bw = bw_of(request)
    iso3 = state_iso3(bw, name)
    if iso3 != name:
        return _to_iso3(request, iso3)
    return reply(request, state_json(bw, iso3), "state", format, table, iso3)


@router.get("/states/{name}/ga", response_model=None)
def state_ga(request: Request, name: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """The state's GA ideal points per session and agreement with China and the United States per year."""
    bw = bw_of(request)
    iso3 = state_iso3(bw, name)
    if iso3 != name:
        return _to_iso3(request, iso3, "/ga")
    data = state_ga_json(bw, iso3)
    computing = data["status"] == "computing"
    out = reply(request, data, "state_ga", format, table, f"{iso3}-ga", store=not computing)
    if computing:
        out.headers["Cache-Control"] = "no-store"
    return out


def vote_filters(forum: str | None, target: str | None, text: str | None, date_from: str | None,
                 date_to: str | None, state: str | None, subject: str | None, limit: int) -> dict[str, Any]:
    """The ``bw.votes.search`` arguments of a search form (blank fields left out)."""
    return {"forum": _blank(forum), "target": _blank(target), "text": (_blank(text) or "").split(),
            "date_from": _blank(date_from), "date_to": _blank(date_to), "state": _blank(state),
            "subject": _blank(subject), "limit": limit}


@router.get("/votes", response_model=None)
def votes(request: Request, forum: str | None = None, target: str | None = None, text: str | None = None,
          date_from: str | None = Query(None, alias="from"), date_to: str | None = Query(None, alias="to"),
          state: str | None = None, subject: str | None = None, limit: int = 50,
          format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Roll calls of both forums, newest first (``votes search --json``)."""
    filters = vote_filters(forum, target, text, date_from, date_to, state, subject, limit)
    filters["text"] = tuple(filters["text"])
    return reply(request, search_votes_json(bw_of(request), filters), "votes", format, table, "votes")


@router.get("/votes/{ref:path}", response_model=None)
def vote(request: Request, ref: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """One recorded vote (``votes show SYMBOL --json``): a symbol, the end of one, or a roll-call id."""
    data = vote_json(bw_of(request), ref)
    return reply(request, data, "vote", format, table, data["symbol"] or str(data["rcid"]))


@router.get("/compare/{a}/{b}", response_model=None)
def compare(request: Request, a: str, b: str, format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Two events compared: ``{"diff": diff A B, "a": events show A, "b": events show B}``."""
    data = compare_json(bw_of(request), a, b)
    return reply(request, data, "compare", format, table, f"{data['diff']['a']}-vs-{data['diff']['b']}")


@router.get("/search", response_model=None)
def search(request: Request, q: str = "", format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """States (names in the six UN languages), events and votes matching ``q``."""
    return reply(request, search_json(bw_of(request), q), "search", format, table, "search")


# --------------------------------------------------------------------------- forecasts

TARGET = Query(None, description="The state the text would be about (critical of it): a name in any UN language "
                                 "or an ISO3 code")
FORUM = Query("hrc", description="hrc (the Human Rights Council's members vote) or ga (the UN members)")
AS_OF = Query(None, description="The day (YYYY-MM-DD): only what was known on its morning is used; default "
                                "today, or the last day the Council's stored membership describes")


def _question(request: Request, target: str | None, forum: str | None, as_of: str | None,
              year: str | None = None) -> dict[str, Any] | RedirectResponse:
    """The forecast question of the URL, or a redirect to its canonical URL (ISO3 target, as-of day given)."""
    if _blank(target) is None:
        raise InvalidInput("give a target: the state the text would be about (a name or an ISO3 code)")
    query = forecast_query(bw_of(request), target or "", forum, as_of, year)
    url = canonical(request, query)
    return RedirectResponse(url, status_code=307) if url else query


@router.get("/forecast", response_model=None)
def forecast(request: Request, target: str | None = TARGET, forum: str = FORUM, as_of: str | None = AS_OF,
             year: str | None = Query(None, description="The members: the Council's of that year (on as_of when "
                                                        "it falls in that year, else on 31 December)"),
             format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """How each member would vote on a text critical of ``target``, as known on the morning of ``as_of``
    (``forecast TARGET --json``): members with P(yes/abstain/no) and reasons, the tally with its 80 %
    intervals, P(adopted), the swing votes, the likely sponsors, the training data."""
    query = _question(request, target, forum, as_of, year)
    if isinstance(query, RedirectResponse):
        return query
    data = forecast_json(bw_of(request), query)
    return reply(request, data, "forecast", format, table, f"forecast-{query['forum']}-{query['target']}-"
                                                          f"{query['as_of']}")


@router.get("/campaign", response_model=None)
def campaign(request: Request, target: str | None = TARGET, forum: str = FORUM, as_of: str | None = AS_OF,
             format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Who to call next for a text critical of ``target`` (``campaign TARGET --json``): the members not on
    board (the signers of the latest complete critical joint statement), ranked by P(yes), with what each
    adds to the coalition's regional spread."""
    query = _question(request, target, forum, as_of)
    if isinstance(query, RedirectResponse):
        return query
    data = campaign_json(bw_of(request), query)
    return reply(request, data, "campaign", format, table, f"campaign-{query['forum']}-{query['target']}-"
                                                          f"{query['as_of']}")


@router.get("/backtest", response_model=None)
def backtest(request: Request, forum: str = FORUM,
             start: str | None = Query(None, alias="from", description=f"The first year (default {BACKTEST_FROM}) "
                                                                       "or day (YYYY-MM-DD)"),
             format: str = FORMAT, table: str | None = TABLE) -> Any:  # noqa: A002
    """Every country-text vote from ``from`` (a year or a day) on, forecast as of the day before, scored next to
    five baselines (``backtest --json``). From 2010 it takes about 20 s the first time (then kept)."""
    body, year = backtest_query(forum, start)
    return reply(request, backtest_json(bw_of(request), body, year), "backtest", format, table,
                 f"backtest-{body}-{year}")
