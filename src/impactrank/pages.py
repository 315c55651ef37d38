"""One page, two renderings: a page function builds a context dictionary, shown as HTML through a Jinja2
template at ``PATH`` and as JSON at ``/api`` + ``PATH`` (datasette's pattern: the JSON twin is the same context,
not a second handler). Keys starting with ``_`` are for the template only. A page function may return a
response of its own instead (an export, a redirect).

Nothing here knows about the dashboard or the portal: both register their pages through it.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import polars as pl
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool

from impactrank.i18n import negotiation
from impactrank.i18n.templates import localized, rendering
from impactrank.page_route import PageRoute

LANG_COOKIE_AGE = 365 * 24 * 3600  # a reader's choice of language is kept for a year
ADDRESSES = ("links", "link", "html")  # the keys whose values rewrite_links rewrites


class Plain(list):
    """A table's rows already as :func:`jsonable` makes them (dicts of text, numbers, booleans and None, no NaN,
    no ``_`` key) and holding no address (no key of ``ADDRESSES``): jsonable and rewrite_links keep them as they
    are, where walking an API page's fifty rows of a dozen cells twice was a third of its cost."""


class Encoded(Plain):
    """A table's rows each as its JSON text in UTF-8 (:func:`json_text`), encoded once when the table was loaded
    (bytes: a text holding an en dash would take two bytes a character in memory): an API
    page's answer puts its fifty rows in as they are (:class:`JSONBody`), where encoding them per request was a
    third of its cost. Only as a value of a page's top-level dictionary."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))


def json_text(value: Any) -> str:
    """Plain JSON values as JSON text, encoded as starlette's JSONResponse encodes them (json.dumps with its
    arguments, by one encoder: json.dumps makes an encoder a call)."""
    return _ENCODER.encode(value)


class Later:
    """An entry of a page's context only its HTML reads (under a ``_`` key, which the JSON twin leaves out), made
    when the HTML is rendered: the JSON twin of an institution page, which the API answers and a static site
    without English renders beside each page, never makes its tables and charts."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class JSONBody(JSONResponse):
    """A JSON twin's response: JSONResponse's bytes, with the :class:`Encoded` rows of its top-level dictionary
    put in as they are."""

    def render(self, content: Any) -> bytes:
        if type(content) is not dict or not any(type(v) is Encoded for v in content.values()):
            return json_text(content).encode("utf-8")
        items = [
            (json_text(k) + ":").encode("utf-8")
            + (b"[" + b",".join(v) + b"]" if type(v) is Encoded else json_text(v).encode("utf-8"))
            for k, v in content.items()
        ]
        return b"{" + b",".join(items) + b"}"


def jsonable(value: Any) -> Any:
    """Plain JSON values from view objects: dataclasses, polars frames, dates; NaN → null; ``_`` keys left out.
    Primitives are tested first: this runs on every cell of every table served."""
    t = type(value)
    if value is None or t is str or t is int or t is bool or t is Plain or t is Encoded:
        return value
    if t is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if t is dict:
        return _plain_dict(value)
    if t is list or t is tuple:
        return [jsonable(v) for v in value]
    if isinstance(value, pl.DataFrame):
        return [jsonable(r) for r in value.to_dicts()]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    return str(value)  # anything else (a decimal, a path) as its text


def _plain_dict(value: dict) -> dict:
    """jsonable of a dict, each plain value (str, int, bool, None, a finite float) kept without a call: a table
    row's cells are mostly such values, and an API page holds fifty rows."""
    out = {}
    for k, v in value.items():
        if type(k) is not str:
            k = str(k)
        if k.startswith("_"):
            continue
        t = type(v)
        if v is None or t is str or t is int or t is bool:
            out[k] = v
        elif t is float:
            out[k] = v if math.isfinite(v) else None
        else:
            out[k] = jsonable(v)
    return out


def plain_rows(frame: pl.DataFrame) -> list[dict]:
    """The rows as :func:`jsonable` makes them, read column by column: text, integers and booleans as they are,
    a float NaN or infinity as None (a table page is fifty rows of a dozen cells; a call per cell was most of
    an API page's cost), marked :class:`Plain` unless a column is named as an address. Other column types go
    through jsonable."""
    if not all(
        t == pl.String or t == pl.Boolean or t == pl.Null or t.is_integer() or t.is_float() for t in frame.dtypes
    ):
        return jsonable(frame.to_dicts())
    names = [c for c in frame.columns if not c.startswith("_")]
    columns = [
        [v if v is None or math.isfinite(v) else None for v in frame[c].to_list()]
        if frame[c].dtype.is_float()
        else frame[c].to_list()
        for c in names
    ]
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    return rows if any(c in ADDRESSES for c in names) else Plain(rows)


def is_api(request: Request, prefix: str = "/api") -> bool:
    return request.scope["path"].startswith(prefix)  # request.url would build and parse the whole address


class Pages:
    """Registers page functions on an app; ``globals(request)`` adds to every template's context."""

    def __init__(self, app: FastAPI, env: Environment, api_prefix: str = "/api") -> None:
        self.app, self.env, self.api_prefix = app, env, api_prefix
        self.globals: Callable[[Request], dict] = lambda request: {}
        self.registered: dict[str, tuple[str, Callable[..., Any]]] = {}  # path → (template, page function)
        self._paths: re.Pattern | None = None  # the registered paths as one pattern, made when first asked

    def render(self, request: Request, template: str, ctx: dict, locale: str, **extra: Any) -> str:
        """The page's HTML in ``locale``: what a served page and a published one (``extra``: its globals) share."""
        with rendering(locale):
            ctx = {k: v.make() if type(v) is Later else v for k, v in ctx.items()}
            return (
                localized(self.env, locale)
                .get_template(template)
                .render(**self.globals(request), **extra, request=request, **ctx)
            )

    def html(self, request: Request, template: str, ctx: dict, status: int = 200) -> HTMLResponse:
        """The page in the request's language (:mod:`impactrank.i18n.negotiation`); a ``?lang=`` choice is kept
        in the language cookie for the pages that follow."""
        locale = negotiation.request_locale(request)
        response = HTMLResponse(self.render(request, template, ctx, locale), status_code=status)
        response.headers["Content-Language"] = locale
        response.headers["Vary"] = "Accept-Language, Cookie"
        if negotiation.chosen(request):
            response.set_cookie(negotiation.COOKIE, locale, max_age=LANG_COOKIE_AGE, httponly=True, samesite="lax")
        return response

    def json(self, ctx: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(jsonable(ctx), status_code=status)

    def twin(self, ctx: Any) -> Any:
        """A page's context as its JSON twin: each page it links to (a ``links`` entry but ``html``, which names
        the HTML page on purpose, and a ``link``) named by its own JSON twin, so that a client following
        ``next`` stays in the API. Other addresses (an export, a report) are kept."""
        if self._paths is None:
            alternatives = (re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(p)) for p in self.registered)
            self._paths = re.compile("|".join(sorted(alternatives, key=len, reverse=True)) or "(?!)")

        def api(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("/") and self._paths.fullmatch(urlsplit(value).path):
                return self.api_prefix + value
            return value

        return rewrite_links(jsonable(ctx), lambda name, a: a if name == "html" else api(a))

    def page(
        self,
        path: str,
        template: str,
        quick: Callable[[dict], bool] | None = None,
        quick_html: bool = False,
        **api_route: Any,
    ) -> Callable:
        """Decorate ``fn(request, …) -> dict | Response`` (sync: it runs in the thread pool) to serve both
        renderings; ``api_route`` (summary, description …) documents the JSON twin in the OpenAPI spec.
        ``quick(arguments)`` (the validated keyword arguments) says when the JSON twin's work is a few dict
        look-ups, short enough to run in the event loop itself: the hand-off to a thread and back costs more;
        ``quick_html`` says the same of the HTML page (a page of a millisecond or two: under load, the hand-off and
        the two threads' contention for the GIL double it)."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            signature = inspect.signature(fn, eval_str=True)  # resolved here: FastAPI reads the wrappers' signature

            @functools.wraps(fn)
            def as_html(*args: Any, **kwargs: Any) -> Response:
                ctx = fn(*args, **kwargs)
                return ctx if isinstance(ctx, Response) else self.html(_request(signature, args, kwargs), template, ctx)

            @functools.wraps(fn)
            def as_json(*args: Any, **kwargs: Any) -> Response:
                ctx = fn(*args, **kwargs)
                return ctx if isinstance(ctx, Response) else JSONBody(self.twin(ctx))

            as_html.__signature__ = as_json.__signature__ = signature
            if quick is not None:
                as_json = _in_loop_when(quick, as_json, signature)
                as_html = _in_loop_when(quick, as_html, signature) if quick_html else as_html
            self.registered[path] = (template, fn)
            self._paths = None
            add = functools.partial(self.app.router.add_api_route, methods=["GET"], route_class_override=PageRoute)
            add(path, as_html, include_in_schema=False, response_class=HTMLResponse)
            add(self.api_prefix + path, as_json, **api_route)
            return fn

        return register


def _in_loop_when(
    quick: Callable[[dict], bool], work: Callable[..., Response], signature: inspect.Signature
) -> Callable[..., Any]:
    """``work`` as an async endpoint (FastAPI awaits it in the event loop) running it there when ``quick``, else
    in the thread pool as FastAPI runs a sync endpoint."""

    @functools.wraps(work)
    async def endpoint(**kwargs: Any) -> Response:
        return work(**kwargs) if quick(kwargs) else await run_in_threadpool(work, **kwargs)

    endpoint.__signature__ = signature
    return endpoint


def _request(signature: inspect.Signature, args: tuple, kwargs: dict) -> Request:
    bound = signature.bind_partial(*args, **kwargs)
    for value in bound.arguments.values():
        if isinstance(value, Request):
            return value
    raise TypeError("a page function takes the request as a parameter")


def rewrite_links(content: Any, rewrite: Callable[[str, Any], Any]) -> Any:
    """A page's JSON content with every address it gives — each entry of a ``links`` mapping, each ``link`` and
    ``html`` value — replaced by ``rewrite(name, address)``: the API's twin and the static site's files name the
    same addresses differently."""

    def walk(value: Any) -> Any:
        if type(value) is Plain or type(value) is Encoded:
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, v in value.items():
            if key == "links" and isinstance(v, dict):
                out[key] = {name: rewrite(name, a) for name, a in v.items()}
            elif key in ("link", "html"):
                out[key] = rewrite(key, v)
            else:  # a table cell (no list, no dict) is kept without a call
                out[key] = walk(v) if isinstance(v, (list, dict)) else v
        return out

    return walk(content)
