"""``/api/...``: each page's data as the JSON the CLI prints with ``--json``, from the same typed results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from blocwatch.web.render import bw_of

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/home")
def home(request: Request) -> dict[str, Any]:
    """The home page's data: the overview's series and the stored votes per forum."""
    bw = bw_of(request)
    return {"series": bw.events.series("xinjiang").to_json(), "latest": [r.to_json() for r in bw.events.list()[-5:]]}
