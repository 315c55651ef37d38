"""A page's route with its parameters read straight from the request: FastAPI's own handler walks the dependency
tree and asks a dozen questions of each parameter's annotation on every request (about a tenth of an API page's
cost, more than the page's own work), where a page's parameters are a few plain path and query values.

Each value is validated by the same validator FastAPI uses (the field's), with the same defaults. Any parameter
that fails, and any route with more than plain parameters, goes through FastAPI's handler, so errors (422s),
the OpenAPI schema and every other behaviour stay FastAPI's own.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from fastapi import params
from fastapi.routing import APIRoute
from fastapi.telemetry import get_telemetry_data
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

PLAIN = (str, int, float, bool)  # the types whose values a query string or a path gives as they are
IMMUTABLE = (type(None), *PLAIN)  # defaults FastAPI's deepcopy returns unchanged


class PageRoute(APIRoute):
    """An APIRoute whose endpoint returns a Response (a page's rendering) and takes the request and plain
    parameters: validated here, one call each; FastAPI's handler on any failure."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        standard = super().get_route_handler()
        call, request_name = self.dependant.call, self.dependant.request_param_name
        fields = _plain_fields(self.dependant) if inspect.isfunction(call) else None
        if fields is None:
            return standard
        is_async = inspect.iscoroutinefunction(call)

        async def handler(request: Request) -> Response:
            if get_telemetry_data() is not None:  # traced: FastAPI's handler reports its steps
                return await standard(request)
            values = _values(fields, request)
            if values is None:
                return await standard(request)
            values[request_name] = request
            response = await call(**values) if is_async else await run_in_threadpool(call, **values)
            if not isinstance(response, Response):
                raise TypeError(f"{self.path}: a page's endpoint returns a Response")
            return response

        return handler


def _values(fields: list[tuple], request: Request) -> dict | None:
    """The parameters' validated values, or None if one is missing or invalid (FastAPI's handler then says so)."""
    sources = {"path": request.path_params, "query": request.query_params}
    values = {}
    for name, where, required, default, field in fields:
        raw = sources[where].get(name)
        if raw is None:
            if required:
                return None
            values[name] = default
            continue
        value, errors = field.validate(raw, loc=(where, name))
        if errors:
            return None
        values[name] = value
    return values


def _plain_fields(dependant: Any) -> list[tuple] | None:
    """(name, "path" or "query", required, default, field) for each parameter, or None unless the endpoint takes
    only the request and such parameters: one value each (no list), under its own name, of a plain type, with
    an immutable default that FastAPI does not validate."""
    if (
        dependant.request_param_name is None
        or dependant.dependencies
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.http_connection_param_name
        or dependant.websocket_param_name
        or dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.security_scopes_param_name
    ):
        return None
    fields = []
    for field in [*dependant.path_params, *dependant.query_params]:
        info = field.field_info
        where = "path" if isinstance(info, params.Path) else "query" if isinstance(info, params.Query) else None
        required = info.is_required()
        default = None if required else info.default
        if (
            where is None
            or field.alias != field.name
            or info.validation_alias is not None
            or info.validate_default
            or info.default_factory is not None
            or type(default) not in IMMUTABLE
            or not _plain(info.annotation)
        ):
            return None
        fields.append((field.name, where, required, default, field))
    return fields


def _plain(annotation: Any) -> bool:
    """A plain type, a Literal of plain values, or either or None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return all(type(v) in PLAIN for v in typing.get_args(annotation))
    if origin is typing.Union or origin is types.UnionType:
        return all(a is type(None) or _plain(a) for a in typing.get_args(annotation))
    return annotation in PLAIN
