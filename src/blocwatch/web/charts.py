"""Charts and maps: Vega-Lite specs built with Altair, as JSON, an embeddable page, SVG and PNG.

Every chart is named and keyed (``/charts/{name}/{key}.json|.svg|.png`` and
``/charts/{name}/{key}`` for the embeddable page); the SVG and PNG are drawn
on the server by vl-convert. A page shows the chart with the JavaScript
bundle served at ``/static/vega.js`` and, always, the table behind it (the
text alternative).
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/charts", tags=["charts"])
