"""Which language a request is answered in: ``?lang=`` first (a reader's explicit choice, which the response
keeps in the ``lang`` cookie), then that cookie, then the browser's ``Accept-Language``, then English."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from babel import negotiate_locale

from impactrank.i18n.locales import DEFAULT, LOCALES, check_locale

COOKIE = "lang"


def _supported(tags: list[str]) -> str | None:
    """The first supported language among tags ("fr-CA" counts as "fr"), by Babel's matching."""
    return negotiate_locale([t.replace("_", "-").lower() for t in tags], LOCALES, sep="-", aliases=None)


def _accepted(header: str) -> list[str]:
    """Accept-Language's tags, most wanted first (q=0 and malformed weights dropped; "*" says nothing)."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for *_, tag in sorted(weighted)]


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language for a request from its ``lang`` parameter, its cookie and its Accept-Language header."""
    for choice in (query, cookie):
        if choice and (found := _supported([choice])):
            return found
    return (_supported(_accepted(accept_language)) if accept_language else None) or DEFAULT


def chosen(request: Any) -> str | None:
    """The language a request's ``?lang=`` chooses explicitly, to be kept in the cookie; None without one."""
    choice = request.query_params.get("lang")
    return _supported([choice]) if choice else None


def language_url(path: str, query: str, locale: str) -> str:
    """``path?query`` in another language: ``lang`` set to ``locale``, the other parameters kept in order."""
    if not query:  # most pages, each asking five times (its alternates and its switch): no parsing
        return f"{path}?lang={check_locale(locale)}"
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return f"{path}?{urlencode([*params, ('lang', check_locale(locale))])}"


def request_locale(request: Any) -> str:
    """The language of a Starlette request (anything with ``query_params``, ``cookies`` and ``headers``)."""
    return negotiate(
        request.query_params.get("lang"), request.cookies.get(COOKIE), request.headers.get("accept-language")
    )
