"""What every route shares: the templates, the error response, the page renderer, the Vega bundle."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
CACHE_CONTROL = "public, max-age=300"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def error_response(request: Request, status: int, message: str, close_matches: list[str] | tuple[str, ...] = (),
                   suggestions: list[dict[str, str]] | None = None) -> Response:
    """The one shape of an error: ``{"error", "status", "close_matches"}`` as JSON, or the error page."""
    if is_api(request):
        return JSONResponse({"error": message, "status": status, "close_matches": list(close_matches)},
                            status_code=status)
    return TEMPLATES.TemplateResponse(request, "error.html", {
        "status": status, "message": message, "close_matches": list(close_matches),
        "suggestions": suggestions or [], "title": f"{status}: {message}"}, status_code=status)


@cache
def vega_bundle() -> bytes:
    """The Vega, Vega-Lite and vega-embed JavaScript that vl-convert ships (one file, no CDN)."""
    import vl_convert

    return vl_convert.javascript_bundle(None).encode("utf-8")  # type: ignore[arg-type]  # None: the default snippet


def page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render ``template`` with the common context (the request, the page's own ``/api`` twin)."""
    api_path = "/api" + request.url.path if request.url.path != "/" else "/api/home"
    return TEMPLATES.TemplateResponse(request, template, {"api_path": api_path, **context})


def bw_of(request: Request) -> Blocwatch:
    return request.app.state.bw
