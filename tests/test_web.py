"""The dashboard's pages and their /api twins, over HTTP, on real data (the small database; no mocks).

For every route: status, key content, the /api twin equal to the CLI's --json for the same query (the API
result's ``to_json()``), 404s with suggestions, redirects of names, CSV downloads read by pandas, ETag/304,
the OpenAPI listing, and the page rules (one h1, captions, scoped headers, labelled controls, chart slots).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

EVENT = "2023-10-18-ga78-3c-critical"


def plain(data: Any) -> Any:
    """What JSON makes of a value (tuples become lists, dates strings)."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


# One worker runs the web modules (test_web, test_web_charts, test_browser) on one shared handle: one
# background computation of the GA series.
pytestmark = pytest.mark.xdist_group("web")



def csv_of(client: TestClient, url: str) -> pd.DataFrame:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    return pd.read_csv(io.StringIO(r.text))


def check_page(r) -> str:
    """A page that follows the rules: HTML, one h1, captions, scoped headers, labelled controls, linked text."""
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert html.count("<table") == html.count("<caption>")
    assert not re.search(r"<th[ >](?![^>]*scope=)", html), "a <th> without scope"
    for control in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, control
    assert not re.search(r"<a [^>]*>\s*</a>", html), "a link without text"
    assert html.count('<div class="table-wrap">') == html.count("<table"), "every table scrolls in .table-wrap"
    charts = re.findall(r'<div class="chart" data-spec="/charts/([^/]+)/([^"]+)\.json" role="img" aria-label="[^"]+">',
                        html)
    assert ('src="/static/vega.js"' in html) == bool(charts)
    return html


# --------------------------------------------------------------------------- home, series


def test_home(client, web_bw):
    html = check_page(client.get("/"))
    assert "Latest events" in html and 'id="home-q"' in html
    assert "/series/xinjiang" in html
    data = client.get("/api/home").json()
    assert data["series"] == plain(web_bw.events.series("xinjiang").to_json())
    assert data["latest"] == plain([r.to_json() for r in web_bw.events.list()[-5:][::-1]])
    assert data["votes"] == plain(web_bw.overview().votes)
    for e in data["latest"]:
        assert f'href="/events/{e["id"]}"' in html
    assert f'{data["votes"]["hrc"]["roll_calls"]:,}' in html
    latest = csv_of(client, "/api/home?format=csv")
    assert list(latest["id"]) == [e["id"] for e in data["latest"]]


def test_series(client, web_bw):
    html = check_page(client.get("/series/xinjiang"))
    assert 'data-spec="/charts/series-groups/xinjiang.json"' in html
    assert 'data-spec="/charts/series-map/xinjiang.json"' in html
    assert client.get("/api/series/xinjiang").json() == plain(web_bw.events.series("xinjiang").to_json())
    matrix = web_bw.events.matrix("xinjiang").to_json()
    assert client.get("/api/series/xinjiang/matrix").json() == plain(matrix)
    assert len(client.get("/series/xinjiang").content) < 500_000  # with the Vega bundle (~0.9 MB): under 1.5 MB

    weog = check_page(client.get("/series/xinjiang?group=weog"))
    assert '<th scope="row"><a href="/states/FRA">' in weog and '<th scope="row"><a href="/states/CHN">' not in weog
    frame = csv_of(client, "/api/series/xinjiang/matrix?group=weog&format=csv")
    expected = [s for s in matrix["states"] if s["regional_group"] == "weog"]
    assert list(frame["iso3"]) == [s["iso3"] for s in expected]
    assert "ga78-critical" in frame.columns
    assert frame.set_index("iso3").loc["GBR", "ga78-critical"] == "signed"
    timeline = csv_of(client, "/api/series/xinjiang?format=csv")
    assert list(timeline["id"]) == [t["id"] for t in matrix_events(web_bw)]
    assert client.get("/series/narnia").status_code == 404
    assert client.get("/api/series/xinjiang/matrix?group=nowhere").status_code == 400


def matrix_events(web_bw) -> list[dict]:
    return web_bw.events.series("xinjiang").timeline


# --------------------------------------------------------------------------- events, compare


def test_event(client, web_bw):
    html = check_page(client.get("/events/ga78-critical"))
    for name in ("Republic of Moldova", "Paraguay", "Tuvalu"):  # the first-time signers
        assert re.search(rf">{name}</a> \(first time\)", html), name
    assert "Fiji</a> withdrew on 2023-10-30" in html
    assert f'data-spec="/charts/event-map/{EVENT}.json"' in html
    assert f'data-spec="/charts/event-groups/{EVENT}.json"' in html
    assert f'href="/compare/2022-10-31-ga77-3c-critical/{EVENT}"' in html
    assert "The claimed number of signatories is 51" in html  # the brief
    assert "https://www.ukuyghurs.org/post/joint-statement" in html  # the sources

    summary = web_bw.events.show("ga78-critical").to_json()
    assert client.get("/api/events/ga78-critical").json() == plain(summary)
    assert client.get(f"/api/events/{EVENT}").json() == plain(summary)
    assert client.get("/api/events/ga78-critical/brief").json() == plain(web_bw.events.brief(EVENT).to_json())

    r = client.get("/events/2023-10-18", follow_redirects=False)  # a unique prefix: the permalink
    assert r.status_code == 307 and r.headers["location"] == f"/events/{EVENT}"

    signers = csv_of(client, "/api/events/ga78-critical?format=csv")
    assert list(signers.columns) == ["iso3", "name", "regional_group", "status", "first_time", "source"]
    assert len(signers) == 51 and signers.set_index("iso3").loc["FJI", "status"] == "withdrew"
    assert set(signers[signers["first_time"]]["iso3"]) == {"MDA", "PRY", "TUV"}
    groups = csv_of(client, "/api/events/ga78-critical?format=csv&table=by_group")
    assert dict(zip(groups["regional_group"], groups["count"], strict=True)) == summary["by_group"]
    assert client.get("/api/events/ga78-critical?format=csv&table=nope").status_code == 400


def test_unknown_event_offers_close_matches(client):
    r = client.get("/events/ga78-critcal")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert f'<a href="/events/{EVENT}">' in r.text
    r = client.get("/api/events/ga78-critcal")
    assert r.status_code == 404 and EVENT in r.json()["close_matches"]


def test_compare(client, web_bw):
    html = check_page(client.get("/compare/ga77-critical/ga78-critical"))
    assert "Republic of Moldova" in html and "Türkiye" in html
    data = client.get("/api/compare/ga77-critical/ga78-critical").json()
    assert data == plain({"diff": web_bw.events.diff("ga77-critical", "ga78-critical").to_json(),
                          "a": web_bw.events.show("ga77-critical").to_json(),
                          "b": web_bw.events.show("ga78-critical").to_json()})
    frame = csv_of(client, "/api/compare/ga77-critical/ga78-critical?format=csv")
    assert set(frame[frame["change"] == "left"]["iso3"]) == {"BLZ", "SOM", "TUR"}


# --------------------------------------------------------------------------- states


def test_state_names_redirect(client):
    for name, iso3 in (("Somalie", "SOM"), ("Chine", "CHN"), ("Türkiye", "TUR"), ("fra", "FRA")):
        r = client.get(f"/states/{name}", follow_redirects=False)
        assert r.status_code in (307, 308) and r.headers["location"] == f"/states/{iso3}", name
    r = client.get("/api/states/Somalie", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/api/states/SOM"


def test_state(client, web_bw):
    from blocwatch.web import api

    history = web_bw.countries.history("SOM").to_json()
    assert client.get("/api/states/SOM").json() == plain(history)
    api.warm(web_bw, wait=True)
    html = check_page(client.get("/states/SOM"))
    assert "Somalia" in html and 'href="/events/2019-07-12-hrc41-letter-supportive"' in html
    assert 'data-spec="/charts/state-ideal/SOM.json"' in html
    assert 'data-spec="/charts/state-agreement/SOM.json"' in html
    assert "2019-01-01" in html  # its Council term
    ga = client.get("/api/states/SOM/ga").json()
    assert ga["status"] == "ready"
    assert ga["ideal"] == plain([r for r in web_bw.ga.ideal(None).to_json() if r["iso3"] == "SOM"])
    with_china = plain(web_bw.ga.agreement(country="SOM", with_="CHN").to_json())
    assert sorted((r for r in ga["agreement"] if r["b"] == "CHN"), key=lambda r: r["year"]) == \
        sorted(with_china, key=lambda r: r["year"])
    events = csv_of(client, "/api/states/SOM?format=csv")
    assert list(events["id"]) == [e["id"] for e in history["events"]]
    votes = csv_of(client, "/api/states/SOM?format=csv&table=country_votes")
    assert len(votes) == len(history["country_votes"]) and "position" in votes.columns
    ideal = csv_of(client, "/api/states/SOM/ga?format=csv&table=ideal")
    assert list(ideal.columns) == ["iso3", "session", "ideal", "se", "n_votes"] and len(ideal) == len(ga["ideal"])


def test_unknown_state_offers_close_matches(client):
    r = client.get("/states/Narnia")
    assert r.status_code == 404
    assert '<a href="/states/ARM">Armenia (ARM)</a>' in r.text
    assert client.get("/api/states/Narnia").json()["close_matches"][0] == "ARM"


def test_states_list(client, web_bw):
    html = check_page(client.get("/states"))
    assert html.count('<a href="/states/') >= 195
    assert client.get("/api/states").json() == plain([c.to_dict() for c in web_bw.countries.list()])
    assert len(csv_of(client, "/api/states?format=csv")) == 195


# --------------------------------------------------------------------------- votes


def test_vote(client, web_bw):
    html = check_page(client.get("/votes/A/RES/ES-11/1"))
    record = web_bw.votes.show("A/RES/ES-11/1")
    for position, n in (("yes", 141), ("no", 5), ("abstain", 35)):
        assert re.search(rf'<th scope="row">{position}</th><td class="num">{n}</td>', html), position
    against = [p for p in record.positions if p["position"] == "no"]
    assert {p["iso3"] for p in against} == {"BLR", "ERI", "PRK", "RUS", "SYR"}
    for p in against:
        name = p["name"].replace("'", "&#39;")
        assert f'<a href="/states/{p["iso3"]}">{name}</a>' in html
    assert f'data-spec="/charts/vote-map/{record.rcid}.json"' in html
    assert f'data-spec="/charts/vote-groups/{record.rcid}.json"' in html
    assert client.get("/api/votes/A/RES/ES-11/1").json() == plain(record.to_json())
    assert client.get(f"/api/votes/{record.rcid}").json() == plain(record.to_json())  # a roll-call id

    positions = csv_of(client, "/api/votes/A/RES/ES-11/1?format=csv")
    assert list(positions.columns) == ["iso3", "name", "group", "position"]
    assert len(positions) == len(record.positions)
    assert positions["position"].value_counts().to_dict() == {k: v for k, v in record.counted.items() if v}
    groups = csv_of(client, "/api/votes/A/RES/ES-11/1?format=csv&table=by_group")
    assert groups["no"].sum() == 5

    council = check_page(client.get("/votes/A/HRC/RES/49/1"))
    assert "Human Rights Council" in council and "Russian Federation" in council
    assert client.get("/api/votes/A/HRC/RES/49/1").json() == plain(web_bw.votes.show("A/HRC/RES/49/1").to_json())


def test_unknown_vote_offers_close_matches(client):
    r = client.get("/votes/A/RES/ES-11/99")
    assert r.status_code == 404 and '<a href="/votes/A/RES/ES-11/1">' in r.text
    assert "A/RES/ES-11/1" in client.get("/api/votes/A/RES/ES-11/99").json()["close_matches"]


def test_vote_search(client, web_bw):
    html = check_page(client.get("/votes"))
    assert 'name="target"' in html and "vote found" not in html
    url = "/votes?forum=&target=RUS&text=&from=2020-01-01&to=&state=IND&subject="
    html = check_page(client.get(url))
    expected = web_bw.votes.search(target="RUS", state="IND", date_from="2020-01-01", limit=50).to_json()
    assert client.get("/api" + url).json() == plain(expected)
    assert f"{expected['total']} votes found" in html
    for h in expected["hits"]:
        assert f'<a href="/votes/{h["symbol"] or h["rcid"]}">' in html
    hits = csv_of(client, "/api" + url + "&format=csv")
    assert list(hits["symbol"]) == [h["symbol"] for h in expected["hits"]] and "position" in hits.columns
    assert client.get("/api/votes?from=2020-13-01").status_code == 400


# --------------------------------------------------------------------------- search


def test_search(client, web_bw):
    r = client.get("/search?q=Somalie", follow_redirects=False)  # a unique state: its page
    assert r.status_code == 307 and r.headers["location"] == "/states/SOM"
    data = client.get("/api/search?q=Somalie").json()
    assert data["states"][0] == {"iso3": "SOM", "name": "Somalia", "exact": True, "score": 100.0}

    html = check_page(client.get("/search?q=ga78"))
    assert f'href="/events/{EVENT}"' in html and 'href="/events/2023-10-17-ga78-3c-supportive"' in html

    html = check_page(client.get("/search?q=Ukraine"))  # a state and votes: no redirect
    assert 'href="/states/UKR"' in html
    data = client.get("/api/search?q=Ukraine").json()
    assert data["votes"] == plain(web_bw.votes.search(text="Ukraine", limit=50).to_json())

    data = client.get("/api/search?q=A/RES/ES-11/1").json()
    assert data["votes"]["hits"][0]["symbol"] == "A/RES/ES-11/1"
    html = check_page(client.get("/search?q=中国"))  # Chinese for China: a state hit, and votes?
    assert 'href="/states/CHN"' in html or client.get("/search?q=中国", follow_redirects=False).status_code == 307
    results = csv_of(client, "/api/search?q=ga78&format=csv")
    assert list(results.columns) == ["kind", "key", "label", "url"] and EVENT in set(results["key"])


# --------------------------------------------------------------------------- HTTP


def test_etag_and_304(client, web_bw):
    from blocwatch.web import api

    api.warm(web_bw, wait=True)  # the state page is "computing" (no-store) until the GA series are ready
    for url in ("/events/ga78-critical", "/api/votes/A/RES/ES-11/1", "/states/SOM"):
        r = client.get(url)
        tag = r.headers["etag"]
        assert r.headers["cache-control"].startswith("public")
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.headers["etag"] == tag


def test_openapi_lists_the_api_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/home", "/api/series/{name}", "/api/series/{name}/matrix", "/api/events/{ref}",
                 "/api/events/{ref}/brief", "/api/states", "/api/states/{name}", "/api/states/{name}/ga",
                 "/api/votes", "/api/votes/{ref}", "/api/compare/{a}/{b}", "/api/search"):
        assert path in paths, path
    assert not any(p in paths for p in ("/", "/events/{ref}"))  # pages are not API
