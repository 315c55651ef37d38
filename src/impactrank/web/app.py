"""The dashboard: a read-only FastAPI application over a workspace, one module per resource (editions, the
overall and SDG tables, institutions, countries, groups, comparisons, reports; exports and static files).

Every HTML page has a JSON twin under ``/api`` built from the same context by :mod:`impactrank.pages`, and every
table view exports as CSV or XLSX with ``format=csv|xlsx`` on its twin. Templates autoescape everything; data
embedded in ``<script>`` is JSON with ``<``, ``>`` and ``&`` escaped; parameters are validated so bad input is
a 4xx with a message, never a 500; every response carries the security headers.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jinja2 import Environment, PackageLoader, pass_context
from starlette.exceptions import HTTPException as StarletteHTTPException

from impactrank.errors import InputError
from impactrank.headers import PAGE_HEADERS, SecurityHeaders
from impactrank.i18n import gettext
from impactrank.i18n import templates as i18n_templates
from impactrank.io.workspace import WorkspaceBusy
from impactrank.pages import Pages, is_api, jsonable
from impactrank.web import assets, comparisons, countries, editions, groups, institutions, reports, tables
from impactrank.web.chips import chip
from impactrank.web.common import language, source_words
from impactrank.web.middleware import (
    DropEmptyParams,
    FollowWorkspace,
    ResponseCache,
)
from impactrank.web.store import Store

WORKSPACE_ENV = "IMPACTRANK_WORKSPACE"
GROUPS_ENV = "IMPACTRANK_GROUPS"
RESOURCES = (editions, tables, institutions, countries, groups, comparisons, reports)
NOT_FOUND_FIELDS = {"edition", "institution", "group", "country", "sdg", "page"}  # an InputError naming these is a 404


def _env() -> Environment:
    env = Environment(  # the package's templates do not change while served: no stat of each file per render
        loader=PackageLoader("impactrank.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    i18n_templates.install(env)
    env.filters["chip"] = pass_context(lambda _context, sdg, href=None: chip(sdg, i18n_templates.current(), href))
    env.filters["source"] = pass_context(lambda _context, text: source_words(text, i18n_templates.current()))
    return env


def app_from_environment() -> FastAPI:
    """The app for each worker process of a multi-worker server (uvicorn imports it by name)."""
    return settled(
        create_app(
            os.environ[WORKSPACE_ENV],
            preload=True,
            cache=os.environ.get("IMPACTRANK_CACHE", "1") == "1",
            groups=os.environ.get(GROUPS_ENV) or None,
        )
    )


def settled(app: FastAPI) -> FastAPI:
    """A server process's app with what it has loaded kept out of the garbage collector's walks (gc.freeze): the
    editions live as long as the process, and a full collection walked every entry of their indexes (70-160 ms on
    a 100,000-institution edition, every connection waiting) to free nothing. One came in the first seconds of
    load, then again as the pages' caches grew. An edition loaded later is walked as before."""
    gc.collect()  # what loading left behind is freed first, not frozen
    gc.freeze()
    return app


def create_app(
    workspace_path: str | Path,
    preload: bool = False,
    cache: bool = True,
    groups: str | Path | None = None,
    editions: list[str] | None = None,
) -> FastAPI:
    """The dashboard over a workspace file, opened read-only; ``cache`` keeps rendered GET responses;
    ``groups`` is a groups file whose groups replace the institutions' groups columns; ``editions`` limits
    the editions shown."""
    store = Store(workspace_path, groups, editions)
    if preload:
        store.preload()
    app = FastAPI(
        title="impactrank dashboard",
        version="1",
        docs_url=None,  # served from the bundled Swagger UI, so the docs work offline too
        redoc_url=None,  # ReDoc would load its script from a CDN
        description="Read-only views of the editions in an impactrank workspace. Every HTML page "
        "has a JSON twin under /api; table views export with format=csv|xlsx.",
    )
    app.state.store = store
    app.add_middleware(DropEmptyParams)
    if cache:
        app.add_middleware(ResponseCache, version=lambda: store.version)
    app.add_middleware(FollowWorkspace, store=store)  # outside the cache: a change is seen before a cached page
    app.add_middleware(SecurityHeaders, headers=PAGE_HEADERS)
    pages = Pages(app, _env())
    pages.globals = lambda request: {"request_path": request.url.path}
    app.state.pages = pages  # the page functions and their rendering, which `publish` calls too

    def error(request: Request, status: int, message: str, detail: Any = None) -> Response:
        if is_api(request):
            return JSONResponse({"error": message, "status": status, "detail": jsonable(detail)}, status_code=status)
        title = gettext("Error %(status)s", language(request)) % {"status": status}
        return pages.html(request, "error.html.j2", {"title": title, "status": status, "message": message}, status)

    @app.exception_handler(WorkspaceBusy)
    async def _busy(request: Request, exc: WorkspaceBusy) -> Response:
        message = gettext("the workspace is being written by another command: try again in a moment", language(request))
        response = error(request, 503, message)
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> Response:
        missing = exc.field in NOT_FOUND_FIELDS
        # a page's reader asked for the address that names what is missing: the message alone, in their language
        text = exc.text(language(request), located=is_api(request) or not missing)
        return error(request, 404 if missing else 400, text)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path"))
            parts.append(
                gettext("parameter '%(name)s': %(problem)s", language(request)) % {"name": loc, "problem": e.get("msg")}
            )
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()]
        message = gettext("invalid request: %(problems)s", language(request)) % {"problems": "; ".join(parts)}
        return error(request, 422, message, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            message = gettext("no page at %(path)s", language(request)) % {"path": request.url.path}
        else:
            message = str(exc.detail)
        return error(request, exc.status_code, message)

    for resource in RESOURCES:
        resource.register(pages, store)
    assets.register(app)
    return app
