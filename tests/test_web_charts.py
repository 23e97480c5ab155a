"""The charts and maps (``/charts/...``) on real data (the small database): valid Vega-Lite whose data equals
the API's answers, SVG and PNG drawn by vl-convert, the embeddable page, 404s with the known names, the map
files and their reproducible build, and the weight of a page with its assets.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import altair as alt
import pytest
from altair.utils.schemapi import validate_jsonschema
from fastapi.testclient import TestClient

from blocwatch import registry
from blocwatch.web import charts, geo

REPO = Path(__file__).resolve().parents[1]
EVENT = "ga78-critical"
VOTE = "A/RES/ES-11/1"
SVG_NS = "{http://www.w3.org/2000/svg}"
CHARTS = [("series-groups", "xinjiang"), ("series-map", "xinjiang"), ("event-map", EVENT),
          ("event-groups", EVENT), ("state-agreement", "FRA"), ("vote-map", VOTE), ("vote-groups", VOTE)]


# One worker runs the web modules (test_web, test_web_charts, test_browser) on one shared handle: one
# background computation of the GA series.
pytestmark = pytest.mark.xdist_group("web")



def spec_of(client: TestClient, name: str, key: str) -> dict[str, Any]:
    r = client.get(f"/charts/{name}/{key}.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def encodings(spec: Any) -> list[dict[str, Any]]:
    """Every encoding block of a (layered, concatenated) spec."""
    found = []
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            found.append(spec["encoding"])
        for key in ("layer", "vconcat", "hconcat", "concat"):
            for sub in spec.get(key, []):
                found += encodings(sub)
    return found


@pytest.mark.parametrize(("name", "key"), CHARTS)
def test_every_chart_is_valid_vega_lite_with_title_description_and_axis_titles(client, name, key):
    spec = spec_of(client, name, key)
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
    assert spec["title"]["text"] and len(spec["description"]) > 40
    blocks = encodings(spec)
    if name.endswith("-map"):
        # Shapes by URL (the browser caches them once), the states' data inline, each state linked to its page.
        assert not {"latitude", "longitude"} - {k for b in blocks for k in b}
        assert spec["layer"][0]["data"] == {"url": charts.SHAPES_URL, "format": charts.SHAPES_FORMAT}
        rows = spec["datasets"]["states"]
        assert all(r["href"] == f"/states/{r['iso3']}" for r in rows)
        assert all(b["href"]["condition"]["field"] == "href" for b in blocks)
        assert len(json.dumps(spec)) < 60_000
    else:
        for channel in ("x", "y"):
            assert any(b.get(channel, {}).get("title") for b in blocks), (name, channel)
    for b in blocks:
        assert all(t.get("title") for t in b.get("tooltip", []))


def test_event_map_colours_exactly_the_named_signers_and_marks_the_small_states(client, web_bw):
    summary = web_bw.events.show(EVENT)
    counter = web_bw.events.show(summary.counter["id"])
    rows = {r["iso3"]: r for r in spec_of(client, "event-map", EVENT)["datasets"]["states"]}
    by_category: dict[str, set[str]] = {}
    for iso3, r in rows.items():
        by_category.setdefault(r["category"], set()).add(iso3)
    assert by_category["signed this critical statement"] == set(summary.signatories)
    assert by_category["signed the counter-statement (supportive)"] == set(counter.signatories)
    assert by_category["withdrew after delivery"] == {"FJI"}
    assert len(rows) == len([c for c in registry.all_entities() if c.status != "former"])
    small = {"NRU", "PLW", "TUV", "MHL", "LIE", "MCO", "SMR", "AND", "MLT"}
    signed_small = small & set(summary.signatories)
    assert {"NRU", "PLW", "TUV"} <= signed_small
    for iso3 in small:
        assert rows[iso3]["lon"] is not None and rows[iso3]["lat"] is not None, iso3
    assert rows["FRA"]["lon"] is None and rows["CHN"]["lon"] is None  # big enough to see


def test_event_groups_counts_named_by_group_and_the_unnamed(client, web_bw):
    summary = web_bw.events.show(EVENT)
    rows = spec_of(client, "event-groups", EVENT)["datasets"]["groups"]
    mine = [r for r in rows if r["event"] == summary.id]
    named = {r["group"]: r["count"] for r in mine if r["group"] != charts.UNNAMED}
    assert named == {charts.GROUP_LABELS[g]: n for g, n in summary.by_group.items()}
    assert sum(r["count"] for r in mine) == summary.claimed_count  # 50 named + 1 claimed but unnamed
    counter = [r for r in rows if r["event"] == summary.counter["id"]]
    assert sum(r["count"] for r in counter) == summary.counter["claimed_count"]


def test_series_groups_sum_to_each_events_counts_by_group(client, web_bw):
    spec = spec_of(client, "series-groups", "xinjiang")
    sums: Counter[tuple[str, str]] = Counter()
    for r in spec["datasets"]["groups"]:
        sums[(r["event"], r["group"])] += r["named"]
    events = web_bw.events.list(series="xinjiang")
    assert {r["event"] for r in spec["datasets"]["groups"]} == {e.id for e in events}
    for e in events:
        summary = web_bw.events.show(e.id)
        assert {g: sums[(e.id, charts.GROUP_LABELS[g])] for g in summary.by_group} == summary.by_group, e.id
    claimed = {r["event"]: r["claimed"] for r in spec["datasets"]["claimed"]}
    assert claimed == {e.id: e.claimed_count for e in events}


def test_series_map_counts_each_states_signatures(client, web_bw):
    states = web_bw.events.series("xinjiang").to_json()["states"]
    rows = {r["iso3"]: r for r in spec_of(client, "series-map", "xinjiang")["datasets"]["states"]}
    for iso3, counts in states.items():
        if iso3 in rows:
            assert (rows[iso3]["critical"], rows[iso3]["supportive"]) == (counts["critical"], counts["supportive"])
    assert rows["SOM"]["category"] == "both sides"
    assert rows["CHN"]["critical"] == 0


def test_vote_map_and_groups_show_the_recorded_positions(client, web_bw):
    record = web_bw.votes.show(VOTE)
    rows = spec_of(client, "vote-map", VOTE)["datasets"]["states"]
    positions = Counter(r["category"] for r in rows)
    assert positions["no"] == 5 == record.counted["no"]
    assert (positions["yes"], positions["abstain"], positions["absent"]) == (141, 35, 12)
    assert {r["iso3"] for r in rows if r["category"] == "no"} == {"BLR", "ERI", "PRK", "RUS", "SYR"}
    assert positions["not a member"] == 2  # the observer states
    groups = spec_of(client, "vote-groups", VOTE)["datasets"]["positions"]
    sums: Counter[tuple[str, str]] = Counter()
    for r in groups:
        sums[(r["group"], r["position"])] += r["count"]
    expected = {(charts.GROUP_LABELS[g], charts.POSITIONS[p][0]): n
                for g, counts in record.by_group.items() for p, n in counts.items() if n}
    assert dict(sums) == expected


def test_state_agreement_is_the_agreement_with_china_and_the_united_states(client, web_bw):
    rows = spec_of(client, "state-agreement", "France")["datasets"]["agreement"]  # a name works too
    frame = web_bw.ga.agreement(country="FRA").frame
    frame = frame[frame["b"].isin(["CHN", "USA"])]
    assert len(rows) == len(frame.dropna(subset=["agree"]))
    usa = {r["year"]: r["agree"] for r in rows if r["with"] == "United States"}
    first = frame[frame["b"] == "USA"].sort_values("year").iloc[0]
    assert usa[int(first["year"])] == pytest.approx(float(first["agree"]), abs=1e-4)


def test_state_ideal_uses_the_dynamic_model_and_says_so(client, web_bw):
    spec = spec_of(client, "state-ideal", "CHN")
    assert "dynamic" in spec["title"]["text"]
    rows = spec["datasets"]["ideal"]
    points = web_bw.ga.ideal(None, dynamics="dynamic").positions
    mine = points[points["iso3"] == "CHN"].sort_values("session")
    assert [r["session"] for r in rows] == [int(s) for s in mine["session"]]
    assert [r["ideal"] for r in rows] == pytest.approx([float(v) for v in mine["ideal"]], abs=1e-4)
    assert all(r["low"] < r["ideal"] < r["high"] for r in rows)


def svg_marks(svg: bytes, layer: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if {"role-mark", layer} <= set(g.get("class", "").split())]
    assert len(groups) == 1, layer
    return list(groups[0].iter(f"{SVG_NS}path"))


def test_svg_is_drawn_on_the_server_with_one_mark_per_shape_and_marker(client):
    start = time.perf_counter()
    r = client.get(f"/charts/event-map/{EVENT}.svg")
    first = time.perf_counter() - start
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    spec = spec_of(client, "event-map", EVENT)
    root = ET.fromstring(r.content)
    assert root.tag == f"{SVG_NS}svg" and root.get("aria-label") == spec["description"]
    assert root.find(f"{SVG_NS}title").text == spec["title"]["text"]
    features = [g for g in geo.shapes()["objects"]["countries"]["geometries"] if g.get("id") != "010"]
    assert len(svg_marks(r.content, "layer_0_marks")) == len(features)
    markers = [row for row in spec["datasets"]["states"] if row["lon"] is not None]
    assert len(svg_marks(r.content, "layer_1_marks")) == len(markers)
    links = re.findall(rb'xlink:href="([^"]*)"', r.content)
    assert links and all(re.fullmatch(rb"/states/[A-Z]{3}", link) for link in links)
    assert b"/states/NRU" in r.content
    start = time.perf_counter()
    again = client.get(f"/charts/event-map/{EVENT}.svg")
    assert again.content == r.content and time.perf_counter() - start < min(first, 0.5)  # cached

    bars = client.get(f"/charts/vote-groups/{VOTE}.svg")
    rows = spec_of(client, "vote-groups", VOTE)["datasets"]["positions"]
    assert len(svg_marks(bars.content, "marks")) == len(rows)


def test_png(client):
    r = client.get(f"/charts/event-groups/{EVENT}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_unknown_chart_or_key_is_a_404_with_the_chart_names(client):
    r = client.get("/charts/evnt-map/ga78-critical.json")
    assert r.status_code == 404
    assert "event-map" in r.text and "vote-groups" in r.text
    assert r.text.index("event-map</a>") < r.text.index("vote-groups</a>")  # the closest first
    assert client.get("/charts/event-map/no-such-event.json").status_code == 404
    assert client.get("/charts/vote-map/A/RES/99999/1.svg").status_code == 404


def test_embeddable_page_has_the_chart_its_title_and_the_table(client, web_bw):
    r = client.get(f"/charts/event-map/{EVENT}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    spec = spec_of(client, "event-map", EVENT)
    assert f'data-spec="/charts/event-map/{EVENT}.json"' in html
    assert spec["title"]["text"] in html
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    signers = set(web_bw.events.show(EVENT).signatories)
    assert {iso3 for iso3 in signers if f'/states/{iso3}"' in body} == signers
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src  # nothing from another host


def test_charts_js_is_small_and_talks_to_no_other_host():
    js = (REPO / "src" / "blocwatch" / "web" / "static" / "charts.js").read_text(encoding="utf-8")
    assert len(js) < 2000 and "vegaEmbed" in js and 'renderer: "svg"' in js and "actions: false" in js
    assert not re.search(r"https?:", js)


def test_shapes_are_served_once_with_a_long_cache(client):
    r = client.get(charts.SHAPES_URL)
    assert r.status_code == 200 and r.content == geo.shapes_bytes()
    assert int(re.search(r"max-age=(\d+)", r.headers["cache-control"]).group(1)) >= 86400


def test_an_event_page_with_its_assets_weighs_at_most_1_5_mb(client):
    urls = [f"/charts/event-map/{EVENT}", "/static/app.css", "/static/vega.js", "/static/charts.js",
            f"/charts/event-map/{EVENT}.json", f"/charts/event-groups/{EVENT}.json", charts.SHAPES_URL]
    total = sum(len(client.get(u, headers={"Accept-Encoding": "identity"}).content) for u in urls)
    assert total <= 1_500_000, total


def test_the_geo_build_is_reproducible_byte_for_byte(tmp_path):
    shipped = REPO / "src" / "blocwatch" / "data" / "geo"
    manifest = geo.build(REPO / "curation" / "sources", tmp_path)
    for name in (geo.SHAPES, geo.LICENSE, geo.CENTROIDS, geo.MANIFEST):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
    assert [i["file"] for i in manifest["inputs"]] == ["geo/countries-110m.json", "geo/countries-50m.json",
                                                       "geo/LICENSE"]
    current = [c for c in registry.all_entities() if c.status != "former"]
    assert all(c.numeric in geo.points() for c in current)  # every state has a centroid (Tuvalu by hand)
    lacking = [c.iso3 for c in current if not geo.points()[c.numeric].in_110m]
    assert {"NRU", "PLW", "MHL", "TUV", "LIE", "MCO", "SMR"} <= set(lacking)
    assert all(geo.marker(c.numeric) for c in current if c.iso3 in lacking)
    fiji = geo.points()["242"]
    assert 176 < fiji.lon < 181 and -19 < fiji.lat < -16  # across the antimeridian
