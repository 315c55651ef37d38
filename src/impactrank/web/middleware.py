"""What every dashboard request goes through: the workspace followed, empty filters dropped, rendered pages kept
(the security headers are :mod:`impactrank.headers`)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from impactrank.i18n import request_locale

# The self-contained report runs its own inline scripts (Plotly and the figures' set-up) and loads nothing.
REPORT_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_inline_scripts(policy: str, html: str) -> str:
    """``policy`` with exactly this page's inline scripts allowed, by hash: a script injected into the page
    would not match and would not run."""
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode('utf-8')).digest()).decode('ascii')}'"
        for m in _INLINE_SCRIPT.findall(html)
    ]
    directives = []
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "script-src" and hashes:
            value = " ".join([v for v in value.split() if v != "'none'"] + hashes)
        directives.append(f"{name} {value}")
    return "; ".join(directives)


class FollowWorkspace:
    """Before each request, let the store notice a changed workspace: a stat per request, and the edition list
    read again (in a worker thread, never in the event loop) only when the files changed."""

    def __init__(self, app: Any, store: Any) -> None:
        self.app, self.store = app, store

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.store.stale():
            await run_in_threadpool(self.store.refresh)
        await self.app(scope, receive, send)


class ResponseCache:
    """Keep successful GET responses in memory, keyed by path, query string and the request's language.

    Sound because the same URL renders the same bytes as long as the workspace's editions stay as they are:
    each response is kept with the store's version at the start of its request, and served again only while
    the version has not moved (a change empties the cache). Exports, the report and the PDF are not kept
    (large, rarely repeated); neither are errors. Bounded by entry count and total bytes (oldest dropped first).
    """

    SKIP_PREFIXES = ("/report", "/static/plotly")

    def __init__(
        self,
        app: Any,
        version: Callable[[], int],
        max_entries: int = 20_000,
        max_bytes: int = 256 * 2**20,
        max_body: int = 512 * 2**10,
    ) -> None:
        from collections import OrderedDict

        self.app, self.version = app, version
        self.entries: OrderedDict[tuple[str, bytes, str], tuple[int, list, bytes, int]] = OrderedDict()
        self.size = 0
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self.hits = self.misses = 0
        self.seen_version = version()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(self.SKIP_PREFIXES)
            or b"format=" in scope.get("query_string", b"")
        ):
            await self.app(scope, receive, send)
            return
        version = self.version()
        if version != self.seen_version:
            self.entries.clear()
            self.size, self.seen_version = 0, version
        key = (scope["path"], scope.get("query_string", b""), request_locale(Request(scope)))
        hit = self.entries.get(key)
        if hit is not None and hit[3] == version:
            self.hits += 1
            self.entries.move_to_end(key)
            status, headers, body, _ = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.misses += 1
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, start, b"".join(chunks), version)
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[str, bytes, str], start: dict, body: bytes, version: int) -> None:
        if start.get("status") != 200 or len(body) > self.max_body or version != self.seen_version:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old[2])
        self.entries[key] = (200, list(start.get("headers", [])), body, version)
        self.size += len(body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, _, dropped, _) = self.entries.popitem(last=False)
            self.size -= len(dropped)


class DropEmptyParams:
    """Treat an empty query parameter as absent: HTML filter forms submit "sdg=&group=" for "any"."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            parts = [p for p in scope["query_string"].split(b"&") if p and not p.endswith(b"=")]
            scope = dict(scope, query_string=b"&".join(parts))
        await self.app(scope, receive, send)
