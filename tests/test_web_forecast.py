"""The forecast and campaign pages, their /api twins, the backtest twin and the two forecast charts, over HTTP on
real data (the small database: every Council vote; no mocks of the model).

The backtest from 2010 takes about 20 s: these tests ask for the one from 2024 (a few seconds), and check that
the app the shared ``client`` fixture builds (``create_app(bw)``, no ``warm``) never starts the 2010 one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import altair as alt
import markupsafe
import pytest
from altair.utils.schemapi import validate_jsonschema
from fastapi.testclient import TestClient

from blocwatch import registry
from blocwatch.web import api
from test_web import check_page, csv_of

# One worker runs the web modules on one shared handle (see test_web.py).
pytestmark = pytest.mark.xdist_group("web")

TARGET, AS_OF = "CHN", "2024-06-01"  # no Council vote on China before: ten swing votes, and a note saying so
QUERY = f"target={TARGET}&as_of={AS_OF}"
LATE = "2024-10-10"  # the backtest asked for: its last two days (5 votes), not the page's default from 2010


def plain(data: Any) -> Any:
    """What JSON makes of a value (NumPy numbers become numbers, dates strings)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=lambda v: v.item() if hasattr(v, "item")
                                 else str(v)))


def esc(text: str) -> str:
    """``text`` as the templates write it."""
    return str(markupsafe.escape(text))


def test_the_form_offers_every_state_and_a_day_the_council_membership_covers(client, web_bw):
    r = client.get("/forecast")
    html = check_page(r)
    assert r.headers["cache-control"] == "no-store"  # the calibration is not computed yet
    assert '<a href="/forecast">Forecast</a>' in html  # in the site navigation
    first, last = web_bw.hrc.span()
    assert f'id="fc-as-of" name="as_of" type="date" value="{min(last, dt.date.today())}"' in html
    assert f"from {first} to {last}" in html
    for field in ("fc-target", "fc-forum", "fc-as-of", "fc-year", "fc-from"):
        assert f'<label for="{field}">' in html
    assert html.count("<option value=") >= 193 + 2  # the states (the datalist) and the two forums
    assert '<option value="Syrian Arab Republic">' in html
    assert "vega.js" not in html  # no chart without a forecast or a calibration


def test_forecast_page_shows_the_forecast_its_json_twin_returns(client, web_bw):
    expected = plain(web_bw.forecast(TARGET, as_of=AS_OF).to_dict())
    data = client.get(f"/api/forecast?{QUERY}").json()
    assert data == expected
    assert client.get(f"/api/forecast?{QUERY}&forum=hrc").json() == expected

    html = check_page(client.get(f"/forecast?{QUERY}"))
    assert "<h1>Forecast: a Human Rights Council text critical of China, as of 2024-06-01</h1>" in html
    t = data["tally"]
    for p in ("yes", "no", "abstain"):
        low, high = t[f"{p}_interval"]
        assert (f'<th scope="row">{p}</th><td class="num">{t[p]:.1f}</td><td class="num">{low}–{high}</td>'
                in html), p
    assert f"<strong>{data['p_adopted'] * 100:.0f} %</strong>" in html
    assert f'data-spec="/charts/forecast-tally/hrc/{TARGET}/{AS_OF}.json"' in html

    # The members, most likely yes first; the swing votes, each with every reason; the notes; the training.
    rows = re.findall(r'<tr><th scope="row"><a href="/states/(\w+)">', html)
    ranked = sorted(data["members"], key=lambda m: (-m["p_yes"], m["name"]))
    assert rows == [m["iso3"] for m in ranked] and len(rows) == 47
    assert data["swing"], "the question was chosen for its swing votes"
    swing = html.split('<ol class="swing">', 1)[1].split("</ol>", 1)[0]
    members = {m["iso3"]: m for m in data["members"]}
    assert re.findall(r'<li><h3><a href="/states/(\w+)">', swing) == data["swing"]
    for iso3 in data["swing"]:
        part = swing.split(f'<a href="/states/{iso3}">', 1)[1].split("</li></ul></li>", 1)[0]
        assert all(esc(reason) in part for reason in members[iso3]["reasons"]), iso3
    assert data["notes"] and all(esc(n) in html for n in data["notes"])
    training = data["training"]
    assert (f"{training['votes']} earlier recorded votes on country texts ({training['rows']:,} votes of states), "
            f"{training['first']} to {training['last']}") in html
    assert f'href="/campaign?target={TARGET}&amp;as_of={AS_OF}&amp;forum=hrc"' in html

    members_csv = csv_of(client, f"/api/forecast?{QUERY}&format=csv")
    assert list(members_csv["iso3"]) == [m["iso3"] for m in data["members"]]
    assert list(members_csv.columns[:6]) == ["iso3", "name", "group", "p_yes", "p_abstain", "p_no"]
    tally = csv_of(client, f"/api/forecast?{QUERY}&format=csv&table=tally").set_index("position")
    assert tally.loc["no", "expected"] == t["no"] and tally.loc["no", "high"] == t["no_interval"][1]
    assert list(csv_of(client, f"/api/forecast?{QUERY}&format=csv&table=swing")["iso3"]) == data["swing"]


def test_a_name_or_a_missing_day_redirects_to_the_canonical_question(client, web_bw):
    r = client.get(f"/forecast?target=Chine&as_of={AS_OF}", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"/forecast?target=CHN&as_of={AS_OF}"
    r = client.get("/api/forecast?target=SYR", follow_redirects=False)
    default = api.default_as_of(web_bw, "hrc").isoformat()
    assert default == str(web_bw.hrc.span()[1])  # today is after the last stored Council term
    assert r.status_code == 307 and r.headers["location"] == f"/api/forecast?target=SYR&as_of={default}"
    r = client.get(f"/campaign?target=China&as_of={AS_OF}&forum=hrc", follow_redirects=False)
    assert r.headers["location"] == f"/campaign?target=CHN&as_of={AS_OF}&forum=hrc"


def test_bad_questions_are_400_or_404_with_the_close_matches(client):
    r = client.get(f"/forecast?target=Narnia&as_of={AS_OF}")
    assert r.status_code == 404 and "unknown name &#39;Narnia&#39;; close matches: Armenia" in r.text
    assert f'<a href="/forecast?target=ARM&amp;as_of={AS_OF}">Armenia (ARM)</a>' in r.text
    r = client.get(f"/api/forecast?target=Narnia&as_of={AS_OF}")
    assert r.status_code == 404 and r.json()["close_matches"][0] == "ARM"
    assert client.get(f"/api/campaign?target=Narnia&as_of={AS_OF}").json()["close_matches"][0] == "ARM"

    for url, words in ((f"/api/forecast?target={TARGET}&as_of=2024-13-01", "as_of: '2024-13-01' is not a date"),
                       (f"/api/forecast?target={TARGET}&as_of=2030-01-01", "covers 2006-06-19 to 2025-12-31"),
                       (f"/api/forecast?target={TARGET}&as_of={AS_OF}&year=20x4", "year: '20x4' is not a year"),
                       (f"/api/forecast?target={TARGET}&forum=unga", "forum must be one of hrc, ga"),
                       ("/api/forecast", "give a target"),
                       ("/api/backtest?from=later", "from: 'later' is not a year or a day")):
        r = client.get(url)
        assert r.status_code == 400 and words in r.json()["error"], (url, r.text)
    page = client.get(f"/forecast?target={TARGET}&as_of=2024-02-30")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert client.get("/api/backtest?from=2030").status_code == 400  # no vote to backtest from then on
    assert client.get("/api/backtest?from=2024-10-12").status_code == 400


def test_backtest_twin_calibration_chart_and_headline(client, web_bw):
    data = client.get(f"/api/backtest?from={LATE}").json()
    assert data == plain(web_bw.backtest(start=LATE).to_dict())

    spec = client.get(f"/charts/forecast-calibration/hrc-{LATE}.json").json()
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
    filled = [b for b in data["calibration"] if b["n"]]
    points = spec["datasets"]["bands"]
    assert len(points) == len(filled) > 5
    assert [(p["predicted"], p["observed"], p["n"]) for p in points] == \
        [(b["predicted"], b["observed"], b["n"]) for b in filled]
    assert spec["datasets"]["diagonal"] == [{"x": 0, "y": 0, "x2": 1, "y2": 1}]
    layers = {layer["mark"]["type"]: layer["encoding"] for layer in spec["layer"]}
    assert set(layers) == {"rule", "line", "circle"}
    assert layers["circle"]["size"]["field"] == "n"
    assert any(t["field"] == "n" for t in layers["circle"]["tooltip"])
    assert layers["circle"]["x"]["title"] and layers["circle"]["y"]["title"]
    svg = client.get(f"/charts/forecast-calibration/hrc-{LATE}.svg")
    assert svg.status_code == 200 and svg.text.count("<circle") + svg.text.count('role="graphics-symbol"') > 0
    embed = client.get(f"/charts/forecast-calibration/hrc-{LATE}")
    assert embed.status_code == 200 and "<caption>" in embed.text
    calibration = csv_of(client, f"/api/backtest?from={LATE}&format=csv")
    assert list(calibration["n"]) == [b["n"] for b in data["calibration"]]

    r = client.get(f"/forecast?{QUERY}&from={LATE}")
    html = check_page(r)
    assert r.headers["cache-control"].startswith("public")  # complete: kept
    assert f'data-spec="/charts/forecast-calibration/hrc-{LATE}.json"' in html
    best = {m: data["targets"][m]["best_baseline"] for m in ("accuracy", "log_loss")}
    for metric, label in (("accuracy", "Accuracy"), ("log_loss", "Log loss")):
        assert re.search(rf'<th scope="row">{label} \([a-z ]+\)</th><td class="num">'
                         rf'{data["overall"][metric]:.3f}</td><td class="num">{best[metric]:.3f}</td>', html), metric
    assert f"worst gap between predicted and observed frequency is {data['targets']['calibration']['worst_gap']:.3f}" \
        in html
    assert f"from {LATE} on ({data['overall']['votes']} votes" in html


def test_tally_chart_draws_the_forecasts_tally(client, web_bw):
    t = web_bw.forecast(TARGET, as_of=AS_OF).to_dict()["tally"]
    spec = client.get(f"/charts/forecast-tally/hrc/{TARGET}/{AS_OF}.json").json()
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
    rows = {r["position"]: r for r in spec["datasets"]["tally"]}
    for p in ("yes", "no", "abstain"):
        assert (rows[p]["expected"], [rows[p]["low"], rows[p]["high"]]) == (t[p], t[f"{p}_interval"])
    assert client.get(f"/charts/forecast-tally/hrc/{TARGET}.json").status_code == 404
    assert client.get(f"/charts/forecast-tally/hrc/{TARGET}/someday.json").status_code == 400


def test_campaign_lists_the_candidates_most_likely_yes_first(client, web_bw):
    expected = plain(web_bw.campaign(TARGET, as_of=AS_OF).to_dict())
    data = client.get(f"/api/campaign?{QUERY}").json()
    assert data == expected
    html = check_page(client.get(f"/campaign?{QUERY}"))
    ranked = re.findall(r'<tr><td class="num">(\d+)</td><th scope="row"><a href="/states/(\w+)">', html)
    assert [iso3 for _, iso3 in ranked] == [c["iso3"] for c in data["candidates"]]
    assert [int(n) for n, _ in ranked] == list(range(1, len(ranked) + 1))
    p_yes = [c["p_yes"] for c in data["candidates"]]
    assert p_yes == sorted(p_yes, reverse=True) and len(ranked) > 10
    first = data["candidates"][0]
    assert esc(first["adds"]) in html and all(esc(r) in html for r in first["reasons"])
    assert data["statement"]["id"] in html
    for group, n in data["on_board_by_group"].items():
        label = registry.GROUPS[group]
        assert re.search(rf'<th scope="row">{re.escape(label)}</th><td class="num">{n}</td>', html), group
    assert f'href="/forecast?target={TARGET}&amp;as_of={AS_OF}&amp;forum=hrc"' in html
    candidates = csv_of(client, f"/api/campaign?{QUERY}&format=csv")
    assert list(candidates["iso3"]) == [c["iso3"] for c in data["candidates"]]
    assert len(csv_of(client, f"/api/campaign?{QUERY}&format=csv&table=on_board")) == len(data["on_board"])


def test_the_page_says_when_the_calibration_is_being_computed(client, web_bw):
    """While the backtest runs in the background the page says so at once (not kept); then it says what came."""
    release = threading.Event()

    def slow() -> dict[str, Any]:
        release.wait(30)
        return {"error": "the test stopped it"}

    key = api._backtest_key(web_bw, "hrc", 2007)
    assert api._in_background(web_bw, key, slow) is None
    try:
        r = client.get("/forecast?from=2007")
        assert r.headers["cache-control"] == "no-store"
        assert 'role="status">The calibration' in r.text and "reload this page in a minute" in r.text
    finally:
        release.set()
    api._WARMING[(id(web_bw), key)].join()
    html = check_page(client.get("/forecast?from=2007"))
    assert "No calibration: the test stopped it" in html


def test_no_backtest_runs_unasked_and_a_warm_app_starts_one(client, web_bw, monkeypatch):
    """The tests' app (``create_app(bw)``) starts nothing; ``create_app(bw, warm=True)`` starts the 2010 backtest
    at start-up (here recorded, not run) and the backtests its page asks for."""
    client.get(f"/forecast?{QUERY}")
    assert api.backtest_status(web_bw, "hrc", api.BACKTEST_FROM)["status"] == "not_computed"
    assert not [t for t in threading.enumerate() if "backtest" in t.name]

    from blocwatch.web.app import create_app

    started: list[Any] = []
    monkeypatch.setattr(api, "warm_backtest", lambda bw, *a, **k: started.append(bw))
    with TestClient(create_app(web_bw, warm=True)) as warm:
        assert started == [web_bw]
        first = warm.get("/forecast?from=2025").text  # nothing to backtest from 2025: the background job says so
        assert "reload this page in a minute" in first or "No calibration" in first
        assert api.backtest_status(web_bw, "hrc", 2025)["status"] in ("computing", "unavailable")
        api._WARMING[(id(web_bw), api._backtest_key(web_bw, "hrc", 2025))].join()
        assert "no Council vote on a country text is recorded from then on" in warm.get(
            "/forecast?from=2025").text


def test_openapi_lists_the_forecast_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/forecast", "/api/campaign", "/api/backtest"):
        assert path in paths, path
        assert any(p["name"] == "format" for p in paths[path]["get"]["parameters"])
    assert "/forecast" not in paths and "/campaign" not in paths
