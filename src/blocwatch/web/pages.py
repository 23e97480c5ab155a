"""The HTML pages: server-rendered, working without JavaScript, each with its ``/api`` twin."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from blocwatch.web.render import bw_of, page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    bw = bw_of(request)
    return page(request, "home.html", title="blocwatch", events=bw.events.list()[-5:][::-1])
