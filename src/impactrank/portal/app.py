"""The portal's web application: server-rendered pages, each with its JSON twin under ``/api``, documented at
``/docs``. Every response carries the security headers; errors are JSON under ``/api`` and a page elsewhere,
always naming the field at fault."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, pass_context
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from impactrank.apidocs import swagger_asset
from impactrank.errors import InputError
from impactrank.headers import SecurityHeaders
from impactrank.i18n import N_, gettext, label, moment
from impactrank.i18n import templates as i18n_templates
from impactrank.i18n.formats import typed_text
from impactrank.pages import Pages
from impactrank.portal import accounts, notify, routes, second_factor, security
from impactrank.portal.antivirus import Clamd
from impactrank.portal.clock import Clock, SystemClock
from impactrank.portal.db import Database, schema_is_current
from impactrank.portal.errors import PortalError
from impactrank.portal.files import DEFAULT_LIMIT, FileStore
from impactrank.portal.http import (
    ENROL_PAGE,
    SECURITY_HEADERS,
    BodyLimit,
    Portal,
    field_label,
    is_api,
    language,
    local_path,
)
from impactrank.portal.terms import ACTIONS, FIELDS, unit_name

STATIC = {
    "portal.css": "text/css; charset=utf-8",
    "portal.js": "application/javascript",
    "docs.js": "application/javascript",
    "password.js": "application/javascript",
    "security-keys.js": "application/javascript",
}


def create_app(
    database: str | Database,
    files: str | Path,
    *,
    clock: Clock | None = None,
    upload_limit: int = DEFAULT_LIMIT,
    base_url: str | None = None,
    second_factor_roles: tuple[str, ...] = second_factor.REQUIRED_ROLES,
    pepper: bytes | None = None,
    clamd: str | None = None,
) -> FastAPI:
    """``second_factor_roles``: the roles that must set up a second factor before anything else; ``pepper``: the
    secret kept outside the database that password hashes are keyed with (older hashes are redone at sign-in);
    ``clamd``: the socket or HOST:PORT of the ClamAV daemon every upload is scanned by (None: not scanned)."""
    db = database if isinstance(database, Database) else Database(database)
    if not schema_is_current(db):
        raise PortalError(
            N_("the portal database is not initialised or not up to date: run 'impactrank portal init'"),
            field="database",
        )
    security.use_pepper(pepper)
    with db.read() as session:
        secret = accounts.secret_key(session)
        if pepper is None and accounts.has_peppered_passwords(session):
            raise PortalError(N_("passwords here are hashed with a pepper: give --pepper-file"), field="pepper-file")
    the_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """While the server runs, the outbox is sent every few seconds (when an SMTP server is configured)."""
        sender = asyncio.create_task(_send_outbox(db, the_clock))
        yield
        sender.cancel()

    app = FastAPI(
        lifespan=lifespan,
        title="impactrank portal",
        version="1",
        docs_url=None,
        redoc_url=None,
        description="Data collection for an impact ranking. Every page has a JSON twin under /api. Sign in with "
        "POST /api/login (then send the returned csrf_token as X-CSRF-Token on every change); a script exchanges its "
        "API token at POST /api/tokens/session and sends the session token it gets as 'Authorization: Bearer …'.",
    )
    portal = Portal(
        db,
        FileStore(files, Clamd(clamd) if clamd else None),
        the_clock,
        upload_limit,
        secret,
        base_url=base_url,
        second_factor_roles=second_factor_roles,
    )
    env = Environment(
        loader=PackageLoader("impactrank.portal", "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    i18n_templates.install(env)
    env.filters["plain"] = pass_context(lambda _context, value: typed_text(value, i18n_templates.current()))
    env.filters["label"] = pass_context(lambda _context, text: label(text, i18n_templates.current()))
    env.filters["term"] = pass_context(lambda _context, text, **params: _term(text, params))
    env.filters["unit"] = pass_context(lambda _context, unit: _term(unit_name(unit), {}))
    env.filters["action"] = pass_context(lambda _context, code: _term(ACTIONS.get(code, code), {}))
    env.filters["field"] = pass_context(lambda _context, name: _term(FIELDS.get(name, name), {}))
    env.filters["logged"] = pass_context(lambda _context, value: _logged(value))
    env.filters["moment"] = pass_context(lambda _context, text: moment(_moment(text), i18n_templates.current()))
    env.filters["plural_count"] = pass_context(lambda _context, value: _plural_count(value, i18n_templates.current()))
    env.globals["changes"] = _changes
    env.globals["min_password"] = security.MIN_PASSWORD

    def page_globals(request: Request) -> dict:
        return {"me": getattr(request.state, "me", None), "csrf": getattr(request.state, "csrf", None)}

    pages = Pages(app, env)
    pages.globals = page_globals
    portal.pages = pages
    app.state.portal = portal
    app.add_middleware(BodyLimit, upload_limit=upload_limit)
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS)

    def error(
        request: Request, status: int, message: str, field: str | None = None, extra: dict | None = None
    ) -> Response:
        if status == 401 and not is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
        if status == 403 and field == "second_factor_setup" and not is_api(request):
            return RedirectResponse(ENROL_PAGE, status_code=303)
        if is_api(request):
            return pages.json({"error": message, "status": status, "field": field, **(extra or {})}, status)
        back = local_path(getattr(request.state, "next", None), "") or None
        return pages.html(
            request,
            "error.html",
            {
                "title": gettext("Error %(status)s", language(request)) % {"status": status},
                "status": status,
                "message": message,
                "field": field,
                "back": back,
            },
            status,
        )

    @app.exception_handler(InputError)
    async def _portal_error(request: Request, exc: InputError) -> Response:
        status = exc.status if isinstance(exc, PortalError) else 422
        lang = language(request)
        extra = {"row": exc.row, "file": exc.file} if exc.row is not None else {}
        # the refusal without where too, for a page's script to show beside the field's own label
        extra["message"] = exc.text(lang, located=False)
        text = exc.text(lang)
        shown = None if is_api(request) else field_label(exc, lang)
        if shown is not None:  # a page names the field as its form shows it ("Valeur"), not by its id ("value")
            where = gettext("field '%(field)s'", lang) % {"field": shown}
            text = gettext("%(where)s: %(message)s", lang) % {"where": where, "message": extra["message"]}
        return error(request, status, text, exc.field, extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "path", "body")) or "body"
        where = gettext("field '%(field)s'", language(request)) % {"field": field}
        return error(request, 422, f"{where}: {first.get('msg')}", field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = language(request)
        message = gettext("no page at %(path)s", lang) % {"path": request.url.path}
        message = message if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        """A client that left mid-request (a cancelled upload) is one line in the log, not a traceback."""
        log.warning("client disconnected during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return error(
            request, 500, gettext(N_("the portal met an unexpected error; it has been logged"), language(request))
        )

    routes.register(app, portal)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return pages.html(request, "docs.html", {"title": "API"})

    app.get("/static/swagger/{name}", include_in_schema=False)(swagger_asset)

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in STATIC:
            raise StarletteHTTPException(404)
        data = (Path(__file__).parent / "static" / name).read_bytes()
        return Response(data, media_type=STATIC[name], headers={"Cache-Control": "public, max-age=3600"})

    return app


OUTBOX_SECONDS = 5
log = logging.getLogger("impactrank.portal")


async def _send_outbox(db: Database, clock: Clock) -> None:
    while True:
        try:
            await run_in_threadpool(notify.deliver, db, clock.now())
        except Exception:  # a database hiccup must not stop the sender: the messages wait for the next round
            log.exception("sending the outbox failed")
        await asyncio.sleep(OUTBOX_SECONDS)


def _changes(before, after) -> list[tuple[str, object, object]]:
    """What a log row changed, field by field: (field, before, after), unchanged fields left out."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return [("", before, after)]
    b, a = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
    return [(k, b.get(k), a.get(k)) for k in sorted(set(b) | set(a)) if b.get(k) != a.get(k)]


def _logged(value: object) -> str:
    """A value of a record's history as the reader writes it: "–" for none, "oui"/"non", "12,5", a state's word."""
    lang = i18n_templates.current()
    if value is None:
        return "–"
    if isinstance(value, bool):
        return gettext("yes", lang) if value else gettext("no", lang)
    if isinstance(value, int | float):
        return typed_text(value, lang)
    return _term(str(value), {})


def _plural_count(value: float, locale: str) -> int:
    """The count ``ngettext`` picks the words of a quantity by, for one that may have decimals (a rubric's 0.5
    point): gettext's plural rules take whole numbers only, so a decimal one is sent as 1 or 2 by the language's
    own rule for it (CLDR's: "0,5 point" and "1,5 point" in French, which takes the singular below 2; "0.5
    points" and "1.5 points" in English)."""
    if float(value).is_integer():
        return int(value)
    return 1 if Locale.parse(locale).plural_form(abs(value)) == "one" else 2


def _term(text: str, params: dict) -> str:
    """A word or message of the portal's data (a state, a role, a rubric question: marked ``N_`` where it is
    defined) in the reader's language; ``params`` fill its placeholders."""
    if not text:
        return ""
    translated = gettext(text, i18n_templates.current())
    return translated % params if params else translated


def _moment(text: str | None) -> datetime | date | None:
    """A stored ISO day or moment ("2025-11-11", "2025-11-11T23:59:59") as a value to format."""
    if not text:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")
