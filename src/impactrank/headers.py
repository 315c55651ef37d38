"""The security headers every response of the dashboard and the portal carries, errors and exports included.

Pages run only their server's own scripts: even if escaping failed somewhere, an injected inline script would
not execute. A response that sets a header of its own (the self-contained report's policy) keeps it.
"""

from __future__ import annotations

from typing import Any

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware: ``headers`` on every response the app sends, unless the response set one itself."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(
                    message, headers=[*message.get("headers", []), *(h for h in self.headers if h[0] not in present)]
                )
            await send(message)

        await self.app(scope, receive, with_headers)
