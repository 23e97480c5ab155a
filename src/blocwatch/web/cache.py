"""A pure ASGI layer in front of the app: ETag, gzip and a response cache per data version.

Every successful ``GET`` (status 200, no ``Cache-Control: no-store``) is kept,
per path, query, whether the client takes gzip, and the data version
(:meth:`~blocwatch.api.core.Blocwatch.data_version`, one query): with a strong
``ETag`` (a hash of the body), ``Cache-Control`` and, for text larger than
1 KB, its gzip-compressed form. A repeated request is answered from it without
touching the routes; ``If-None-Match`` with the current tag gets ``304``. A
change to the stored data changes the version, so nothing stale is served.
Static files are kept the same way (the Vega bundle is sent gzipped).

Nothing personal is ever kept or served from it (:func:`personal`): not a
request of a signed-in account (or one carrying a session cookie), nothing
on a private site, no response that sets a cookie, no POST.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COMPRESSIBLE = (b"text/", b"application/json", b"application/javascript", b"image/svg+xml")


def personal(scope: Scope) -> bool:
    """Whether a request must never be answered from (or kept in) the cache: someone is signed in, the request
    carries a session cookie (even one no longer valid), or the site is private (``blocwatch.web.security``)."""
    state = scope.get("state") or {}
    if state.get("user") is not None or state.get("private"):
        return True
    cookies = b"".join(v for k, v in scope.get("headers") or [] if k.lower() == b"cookie")
    return b"bw_session=" in cookies


class Stored:
    __slots__ = ("headers", "body", "etag")

    def __init__(self, headers: list[tuple[bytes, bytes]], body: bytes, etag: bytes) -> None:
        self.headers, self.body, self.etag = headers, body, etag


class ResponseCache:
    """See the module docstring. ``version()`` returns the data version (called in a worker thread)."""

    def __init__(self, app: ASGIApp, version: Callable[[], Any], *, cache_control: str, maxsize: int = 1024,
                 min_gzip: int = 1000) -> None:
        self.app, self.version, self.maxsize, self.min_gzip = app, version, maxsize, min_gzip
        self.cache_control = cache_control.encode()
        self._items: OrderedDict[tuple, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: tuple) -> Stored | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def _put(self, key: tuple, value: Stored) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or personal(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        gzip_ok = b"gzip" in headers.get(b"accept-encoding", b"")
        version = await asyncio.to_thread(self.version)
        key = (scope["path"], scope.get("query_string", b""), gzip_ok, version)
        stored = self._get(key)
        if stored is None:
            stored = await self._fill(scope, receive, send, key, gzip_ok)
            if stored is None:
                return  # not cacheable: already sent as it was
        await self._send(stored, headers.get(b"if-none-match", b""), send)

    async def _fill(self, scope: Scope, receive: Receive, send: Send, key: tuple, gzip_ok: bool) -> Stored | None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        raw_headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        cache_control = next((v for k, v in raw_headers if k == b"cache-control"), None)
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        cookie_set = any(k == b"set-cookie" for k, _ in raw_headers)
        if start.get("status") != 200 or (cache_control and b"no-store" in cache_control) or cookie_set:
            # not kept (an error, or a page still being computed): sent as it is, a 200 with its tag
            if start.get("status") == 200:
                raw_headers = [(k, v) for k, v in raw_headers if k != b"etag"] + [(b"etag", etag)]
            await send({**start, "headers": raw_headers})
            await send({"type": "http.response.body", "body": body})
            return None
        kept = [(k, v) for k, v in raw_headers if k not in (b"content-length", b"etag", b"content-encoding")]
        if cache_control is None:
            kept.append((b"cache-control", self.cache_control))
        kept += [(b"etag", etag), (b"vary", b"Accept-Encoding")]
        media = next((v for k, v in raw_headers if k == b"content-type"), b"")
        if gzip_ok and len(body) >= self.min_gzip and media.startswith(COMPRESSIBLE):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            kept.append((b"content-encoding", b"gzip"))
        stored = Stored(kept, body, etag)
        self._put(key, stored)
        return stored

    async def _send(self, stored: Stored, if_none_match: bytes, send: Send) -> None:
        if stored.etag in [t.strip() for t in if_none_match.split(b",")]:
            headers = [(k, v) for k, v in stored.headers if k in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*stored.headers, (b"content-length", str(len(stored.body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": stored.body})
