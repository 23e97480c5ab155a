"""Pure ASGI layers in front of the app: who is signed in, private mode, CSRF, body size, security headers.

From the outside in (``create_app`` adds them in the reverse order):

* :class:`SecurityHeaders`: every response gets a Content-Security-Policy
  (only this site's scripts, styles, images and requests; Vega needs
  ``'unsafe-eval'`` for its expressions and vega-embed an inline style
  sheet; the API docs page may also load Swagger UI from its CDN),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``X-Frame-Options: DENY`` (and ``frame-ancestors 'none'``) except the chart
  embed pages, which exist to be embedded, a ``Permissions-Policy`` turning
  off the camera, microphone, location, payment and USB, and on HTTPS
  ``Strict-Transport-Security``.
* :class:`BodyLimit`: a request body over :data:`MAX_BODY` (1 MB) is refused
  with 413 and one line, whether it announces its length or streams.
* :class:`TeamGate`: the session cookie's account (``bw.users.session``) goes
  into ``request.state.user`` (None: anonymous), with its CSRF hash and
  token. In private mode an anonymous request for anything but ``/login``
  and the static files gets 401 (``/api``, ``/openapi.json``) or a redirect
  to ``/login``. Every POST (PUT, PATCH, DELETE) except the sign-in itself
  needs an account (401) and the session's CSRF token (403), as the form
  field ``csrf_token`` or the ``X-CSRF-Token`` header. Responses to a
  signed-in account are ``Cache-Control: private, no-store``; every page
  says ``Vary: Cookie``.

The response cache (:mod:`blocwatch.web.cache`) sits inside the gate and
keeps nothing for a signed-in request nor in private mode.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response

from blocwatch.web.cache import ASGIApp, Message, Receive, Scope, Send
from blocwatch.web.render import error_response

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch

MAX_BODY = 1_000_000
SESSION_COOKIE = "bw_session"
CSRF_COOKIE = "bw_csrf"
LOGIN_CSRF_COOKIE = "bw_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Sign-in checks its own CSRF (a double-submit cookie on the form; JSON only on the API).
SIGN_IN_PATHS = ("/login", "/api/login")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors {ancestors}")
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
EMBED = re.compile(r"^/charts/(?!geo/)[^/]+/.+(?<!\.json)(?<!\.svg)(?<!\.png)$")


def private_default() -> bool:
    """Private mode from the environment: ``BLOCWATCH_PRIVATE=1``."""
    return os.environ.get("BLOCWATCH_PRIVATE", "").strip().lower() in ("1", "true", "yes", "on")


def secure_cookies(request: Request) -> bool:
    """Cookies are ``Secure`` on HTTPS, or everywhere with ``BLOCWATCH_SECURE_COOKIES=1`` (behind a proxy that
    ends TLS)."""
    forced = os.environ.get("BLOCWATCH_SECURE_COOKIES", "").strip().lower() in ("1", "true", "yes", "on")
    return forced or request.url.scheme == "https"


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


def refusal(scope: Scope, status: int, message: str, suggestions: list[dict[str, str]] | None = None) -> Response:
    """The error's one shape (:func:`blocwatch.web.render.error_response`), JSON for ``/openapi.json`` too."""
    if scope["path"] == "/openapi.json":
        return JSONResponse({"error": message, "status": status, "close_matches": []}, status_code=status)
    return error_response(Request(scope), status, message, suggestions=suggestions)


def _static(path: str) -> bool:
    return path.startswith("/static/")


class SecurityHeaders:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        embed = bool(EMBED.match(path))
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if path in ("/api/docs", "/docs/oauth2-redirect"):
                    headers["Content-Security-Policy"] = DOCS_CSP
                else:
                    headers["Content-Security-Policy"] = CSP.format(ancestors="*" if embed else "'none'")
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if not embed:
                    headers["X-Frame-Options"] = "DENY"
                headers["Permissions-Policy"] = PERMISSIONS
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


def _too_large(scope: Scope, size: int | None) -> Response:
    what = f" ({size / 1e6:.1f} MB)" if size else ""
    return refusal(scope, 413, f"the request is larger than {MAX_BODY // 1_000_000} MB{what}: send a shorter "
                               "text (split a long paste)")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size > self.limit or size < 0:
                await _too_large(scope, size if size > 0 else None)(scope, receive, send)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(scope, None)(scope, receive, send)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then whatever the client sends next (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class TeamGate:
    """Sign-in state, private mode and CSRF (see the module docstring)."""

    def __init__(self, app: ASGIApp, bw: Blocwatch, *, private: bool) -> None:
        self.app, self.bw, self.private = app, bw, private

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = cookie_parser(headers.get("cookie", ""))
        token = cookies.get(SESSION_COOKIE)
        found = await asyncio.to_thread(self.bw.users.session, token) if token else None
        state: MutableMapping[str, Any] = scope.setdefault("state", {})
        state.update(user=found[0] if found else None, csrf_hash=found[1] if found else None,
                     csrf_token=cookies.get(CSRF_COOKIE) if found else None, private=self.private)
        path, method = scope["path"], scope["method"]
        user = state["user"]
        if user is None and self.private and path not in SIGN_IN_PATHS and not _static(path):
            await self._refuse_anonymous(scope, receive, send)
            return
        if method in UNSAFE and path not in SIGN_IN_PATHS:
            if user is None:
                await self._refuse_anonymous(scope, receive, send)
                return
            body = await read_body(receive)
            given = headers.get(CSRF_HEADER)
            if given is None and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                fields = parse_qs(body.decode("latin-1"), max_num_fields=10_000).get(CSRF_FIELD)
                given = fields[0] if fields else None
            from blocwatch.api.team import csrf_ok

            if not csrf_ok(state["csrf_hash"], given):
                message = ("the security token (CSRF) of this form is missing or wrong: reload the page and try "
                           "again" if not is_api_path(path) else
                           "missing or wrong X-CSRF-Token header: send the csrf_token your sign-in returned")
                await refusal(scope, 403, message)(scope, receive, send)
                return
            receive = replay(body, receive)
        personal = user is not None and not _static(path)

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and not _static(path):
                out = MutableHeaders(scope=message)
                if personal:
                    out["Cache-Control"] = "private, no-store"
                out.append("Vary", "Cookie")
            await send(message)

        await self.app(scope, receive, send_marked)

    async def _refuse_anonymous(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        path = scope["path"]
        if is_api_path(path):
            response = refusal(scope, 401, "sign in first: this site is private" if self.private
                               else "sign in first to change anything")
        elif scope["method"] in ("GET", "HEAD"):
            target = path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        else:
            response = refusal(scope, 401, "sign in first to do this",
                               suggestions=[{"href": "/login", "label": "Sign in"}])
        response.headers["Cache-Control"] = "no-store"
        await response(scope, receive, send)
