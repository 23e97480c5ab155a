"""World map geometry for the charts: Natural Earth shapes and the markers of the small states.

The maps draw the 1:110m Natural Earth countries (TopoJSON as packaged by
world-atlas 2.0.2; feature ``id`` = ISO 3166-1 numeric code as a string),
shipped unchanged in ``blocwatch/data/geo/countries-110m.json``. That file
lacks many small states (Nauru, Palau, Monaco, ...) and draws others too small
to see, so each map also puts a circle marker at the centroid of every state
that is absent from it or smaller than :data:`SMALL_KM2`. The centroids are
computed by :func:`build` from the 1:50m file (``centroids.csv``: one row per
feature of the 50m file, plus the states that even 50m lacks, from
:data:`EXTRA_POINTS`), with the inputs' and outputs' SHA-256 in
``manifest.json``. A rebuild from the same inputs is byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import shutil
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from blocwatch.errors import ImportFailed

SHAPES = "countries-110m.json"
DETAIL = "countries-50m.json"
LICENSE = "LICENSE"
CENTROIDS = "centroids.csv"
MANIFEST = "manifest.json"
# A state smaller than this (km², from the 50m shapes) gets a marker even when the 110m file draws it.
SMALL_KM2 = 20_000
# States that even the 50m file lacks: (numeric, name, lon, lat, area km², where the point comes from).
EXTRA_POINTS = (
    ("798", "Tuvalu", 179.198, -8.521, 26, "Funafuti, the capital atoll (8°31'S 179°12'E); absent from Natural "
                                           "Earth 1:50m"),
)
SOURCE = ("Natural Earth admin-0 countries (public domain), 1:110m and 1:50m, as packaged by world-atlas 2.0.2 "
          "(ISC licence, LICENSE); shared/data/geo/")
KM_PER_DEGREE = 111.195  # on a sphere of radius 6371 km
COLUMNS = ("numeric", "name", "lon", "lat", "area_km2", "in_110m", "note")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as absolute (lon, lat) points (quantized, delta-encoded arcs decoded)."""
    transform = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        out.append(points)
    return out


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    """The ring's points, longitudes unwrapped across the antimeridian (Fiji, Kiribati: no jump of 360°)."""
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        for x, y in arc if not points else arc[1:]:
            if points:
                while x - points[-1][0] > 180:
                    x -= 360
                while x - points[-1][0] < -180:
                    x += 360
            points.append((x, y))
    return points


def _planar(ring: list[tuple[float, float]], lat0: float) -> tuple[float, float, float]:
    """Signed area (degrees² scaled by cos lat0) and centroid (lon, lat) of a ring (shoelace formula)."""
    k = math.cos(math.radians(lat0))
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        x0, x1 = x0 * k, x1 * k
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2
    if a == 0:
        n = len(ring)
        return 0.0, sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n
    return a, cx / (6 * a) / k, cy / (6 * a)


def _polygon(arcs: list[list[tuple[float, float]]], rings: list[list[int]]) -> tuple[float, float, float]:
    """Area in km² (outer ring minus holes) and the centroid of the outer ring of one polygon."""
    outer = _ring(arcs, rings[0])
    lat0 = sum(p[1] for p in outer) / len(outer)
    area, lon, lat = _planar(outer, lat0)
    holes = sum(abs(_planar(_ring(arcs, r), lat0)[0]) for r in rings[1:])
    return (abs(area) - holes) * KM_PER_DEGREE ** 2, lon, lat


def centroids(topology: dict[str, Any], feature: str = "countries") -> list[dict[str, Any]]:
    """One row per feature id: its total area and the centroid of its largest polygon.

    Features sharing an id (Australia and the Ashmore and Cartier Islands in
    the 50m file) count as one; the row takes the name of the largest part.
    """
    arcs = _arcs(topology)
    parts: dict[str, list[tuple[float, float, float, str]]] = {}
    for g in topology["objects"][feature]["geometries"]:
        if g.get("id") is None or g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        name = g.get("properties", {}).get("name", "")
        parts.setdefault(str(g["id"]), []).extend((*_polygon(arcs, p), name) for p in polygons)
    rows = []
    for numeric, found in parts.items():
        largest = max(found, key=lambda part: part[0])
        lon = (largest[1] + 180) % 360 - 180
        rows.append({"numeric": numeric, "name": largest[3], "lon": lon, "lat": largest[2],
                     "area_km2": sum(p[0] for p in found)})
    return rows


def build(sources: Path, out_dir: Path) -> dict[str, Any]:
    """Read ``sources/geo/`` (the world-atlas TopoJSON and its LICENSE); write the map files to ``out_dir``.

    Writes ``countries-110m.json`` and ``LICENSE`` (unchanged copies),
    ``centroids.csv`` (``numeric,name,lon,lat,area_km2,in_110m,note``: every
    feature of the 50m file, sorted by code, plus :data:`EXTRA_POINTS`) and
    ``manifest.json``. Deterministic: the same inputs give the same bytes.
    Returns the manifest.
    """
    folder = Path(sources) / "geo"
    inputs = [folder / SHAPES, folder / DETAIL, folder / LICENSE]
    for p in inputs:
        if not p.is_file():
            raise ImportFailed(f"{p}: not found (copy shared/data/geo/ into {folder})")
    try:
        shapes = json.loads((folder / SHAPES).read_text(encoding="utf-8"))
        detail = json.loads((folder / DETAIL).read_text(encoding="utf-8"))
        coarse = {str(g["id"]) for g in shapes["objects"]["countries"]["geometries"] if g.get("id") is not None}
        rows = centroids(detail)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ImportFailed(f"{folder}: not the world-atlas TopoJSON ({exc})") from exc
    known = {r["numeric"] for r in rows}
    for numeric, name, lon, lat, area, note in EXTRA_POINTS:
        if numeric not in known:
            rows.append({"numeric": numeric, "name": name, "lon": lon, "lat": lat, "area_km2": area, "note": note})
    rows.sort(key=lambda r: r["numeric"])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r["numeric"], r["name"], f"{r['lon']:.3f}", f"{r['lat']:.3f}", f"{r['area_km2']:.0f}",
                         "yes" if r["numeric"] in coarse else "no", r.get("note", "")])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / SHAPES, out_dir / SHAPES)
    shutil.copyfile(folder / LICENSE, out_dir / LICENSE)
    (out_dir / CENTROIDS).write_bytes(text.getvalue().encode("utf-8"))
    outputs = [SHAPES, LICENSE, CENTROIDS]
    manifest = {
        "built_by": "blocwatch.web.geo.build",
        "source": SOURCE,
        "inputs": [{"file": f"geo/{p.name}", "sha256": _sha256(p)} for p in inputs],
        "outputs": [{"file": name, "sha256": _sha256(out_dir / name)} for name in outputs],
        "centroids": len(rows),
        "small_km2": SMALL_KM2,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _data(name: str) -> bytes:
    return resources.files("blocwatch").joinpath("data", "geo", name).read_bytes()


@cache
def shapes_bytes() -> bytes:
    """The shipped 1:110m TopoJSON, as served at ``/charts/geo/countries-110m.json``."""
    return _data(SHAPES)


@cache
def shapes() -> dict[str, Any]:
    """The shipped 1:110m TopoJSON, parsed (inlined into the specs rendered on the server)."""
    return json.loads(shapes_bytes())


@dataclass(frozen=True)
class Point:
    numeric: str
    lon: float
    lat: float
    area_km2: float
    in_110m: bool


@cache
def points() -> dict[str, Point]:
    """``{ISO numeric: Point}`` from the shipped ``centroids.csv``."""
    reader = csv.DictReader(io.StringIO(_data(CENTROIDS).decode("utf-8")))
    return {r["numeric"]: Point(r["numeric"], float(r["lon"]), float(r["lat"]), float(r["area_km2"]),
                                r["in_110m"] == "yes") for r in reader}


def marker(numeric: str | None) -> Point | None:
    """Where to put a state's marker: its centroid when the 110m map lacks it or it is small; else None."""
    p = points().get(numeric or "")
    if p is None or (p.in_110m and p.area_km2 >= SMALL_KM2):
        return None
    return p
