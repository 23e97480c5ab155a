"""The FastAPI application: one :class:`~blocwatch.api.core.Blocwatch` object, errors handled once.

* ``create_app(bw)`` mounts the page routes (:mod:`blocwatch.web.pages`), their
  JSON twins under ``/api`` (:mod:`blocwatch.web.api`), the charts
  (:mod:`blocwatch.web.charts`) and the static files.
* A :class:`~blocwatch.errors.BlocwatchError` becomes its ``http_status`` with
  one message and the close matches: JSON under ``/api``, an HTML page
  elsewhere. An unknown path is a 404 the same way, and a request FastAPI
  cannot read (a field missing or of the wrong type) a 422 in one line.
* Read routes carry ``Cache-Control`` and a strong ``ETag`` (a hash of the
  body); a request whose ``If-None-Match`` matches gets ``304 Not Modified``;
  responses are kept per data version and gzipped once
  (:class:`blocwatch.web.cache.ResponseCache`, a pure ASGI layer), never for a
  signed-in account nor on a private site.
* Team mode (:mod:`blocwatch.web.team`, :mod:`blocwatch.web.security`): sign-in
  with a session cookie, CSRF on every write, editing events for editors,
  reverting for admins; stored campaigns, private to their members
  (:mod:`blocwatch.web.campaigns`); ``private=True`` (or ``BLOCWATCH_PRIVATE=1``) makes
  every page and API route but ``/login`` and the static files need an
  account; security headers and a 1 MB body limit on every request.
* With ``warm=True`` (what ``blocwatch serve`` wants) the Council backtest behind
  the forecast page's calibration (about 20 s) starts computing in a background
  thread when the app starts (:func:`blocwatch.web.api.warm_backtest`); the page
  says it is being computed until then, and starts the others it is asked for.
  Without it (the default: tests, embedding) nothing runs unasked: the page
  offers the calibration chart, whose URL computes it on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from blocwatch.errors import BlocwatchError
from blocwatch.web.cache import ResponseCache
from blocwatch.web.render import CACHE_CONTROL, HERE, error_response, vega_bundle

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's list of what is wrong with a request, as one line: ``version: Input should be a valid integer;
    limit (in the query): ...``."""
    parts = []
    for error in exc.errors()[:5]:
        kind, *rest = [str(x) for x in error.get("loc", ())] or ["request"]
        if error.get("type") == "json_invalid":
            parts.append("the request body is not valid JSON")
            continue
        where = ".".join(rest) or kind
        if kind not in ("body", where):
            where += f" (in the {kind})"
        parts.append(f"{where}: {error.get('msg', 'not valid')}")
    return "; ".join(parts) or "the request is not valid"


def create_app(bw: Blocwatch | None = None, *, url: str | None = None, warm: bool = False,
               private: bool | None = None) -> FastAPI:
    """The dashboard on ``bw`` (or on ``blocwatch.open(url)``); ``warm``: compute the forecast page's backtest
    in the background from start-up on (see the module docstring); ``private``: only signed-in accounts read
    anything (default: ``BLOCWATCH_PRIVATE=1`` in the environment, else a public site)."""
    from importlib.metadata import version

    from blocwatch.api.core import open as open_database
    from blocwatch.web import api, campaigns, charts, pages, team
    from blocwatch.web.security import BodyLimit, SecurityHeaders, TeamGate, private_default

    handle = bw if bw is not None else open_database(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            api.warm_backtest(handle)
        yield

    app = FastAPI(lifespan=lifespan, title="blocwatch", version=version("blocwatch"),
                  description="How UN member states line up on human-rights situations: joint statements and "
                              "recorded votes of the General Assembly and the Human Rights Council.",
                  docs_url="/api/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.bw = handle
    app.state.warm = warm
    app.state.private = private_default() if private is None else private
    # Outermost last: headers on everything, then the body limit, then who is signed in, then the cache.
    app.add_middleware(ResponseCache, version=handle.data_version, cache_control=CACHE_CONTROL)
    app.add_middleware(TeamGate, bw=handle, private=app.state.private)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(BlocwatchError)
    async def blocwatch_error(request: Request, exc: BlocwatchError) -> Response:
        from urllib.parse import quote

        from blocwatch.errors import NotSignedIn

        signing_in = ([{"href": f"/login?next={quote(request.url.path, safe='')}", "label": "Sign in"}]
                      if isinstance(exc, NotSignedIn) else None)
        return error_response(request, exc.http_status, exc.message, exc.close_matches, suggestions=signing_in)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, message)

    @app.get("/static/vega.js", include_in_schema=False)
    def vega_js() -> Response:
        return Response(vega_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(team.api_router)  # before the read routes: /events/new is not an event
    app.include_router(team.router)
    app.include_router(campaigns.api_router)
    app.include_router(campaigns.router)
    app.include_router(api.router)
    app.include_router(charts.router)
    app.include_router(pages.router)
    return app
