"""One page, two renderings: a page function builds a context dictionary, shown as HTML through a Jinja2
template at ``PATH`` and as JSON at ``/api`` + ``PATH`` (datasette's pattern: the JSON twin is the same context,
not a second handler). Keys starting with ``_`` are for the template only.

Nothing here knows about the portal, so any FastAPI application can use it.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)


class Pages:
    """Registers page functions on an app; ``headers`` go on every rendered response; ``globals_of(request)``
    adds what every template shows (the signed-in person, say)."""

    def __init__(
        self,
        app: FastAPI,
        env: Environment,
        headers: dict[str, str],
        api_prefix: str = "/api",
        globals_of: Callable[[Request], dict] = lambda request: {},
    ) -> None:
        self.app, self.env, self.headers, self.api_prefix = app, env, headers, api_prefix
        self.globals = globals_of

    def html(self, request: Request, template: str, ctx: dict, status: int = 200) -> HTMLResponse:
        body = self.env.get_template(template).render(**self.globals(request), request=request, **ctx)
        return HTMLResponse(body, status_code=status, headers=self.headers)

    def json(self, ctx: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(jsonable(ctx), status_code=status, headers=self.headers)

    def page(self, path: str, template: str, **api_route: Any) -> Callable:
        """Decorate ``fn(request, …) -> dict`` (sync: it runs in the thread pool) to serve both renderings."""

        def register(fn: Callable[..., dict]) -> Callable[..., dict]:
            signature = inspect.signature(fn, eval_str=True)  # resolved here: FastAPI reads the wrappers' signature

            @functools.wraps(fn)
            def as_html(*args: Any, **kwargs: Any) -> Response:
                request = _request(signature, args, kwargs)
                ctx = fn(*args, **kwargs)
                return ctx if isinstance(ctx, Response) else self.html(request, template, ctx)

            @functools.wraps(fn)
            def as_json(*args: Any, **kwargs: Any) -> Response:
                ctx = fn(*args, **kwargs)
                return ctx if isinstance(ctx, Response) else self.json(ctx)

            as_html.__signature__ = as_json.__signature__ = signature
            self.app.add_api_route(path, as_html, methods=["GET"], include_in_schema=False)
            self.app.add_api_route(self.api_prefix + path, as_json, methods=["GET"], **api_route)
            return fn

        return register


def _request(signature: inspect.Signature, args: tuple, kwargs: dict) -> Request:
    bound = signature.bind_partial(*args, **kwargs)
    for value in bound.arguments.values():
        if isinstance(value, Request):
            return value
    raise TypeError("a page function takes the request as a parameter")
