"""What every portal route shares: security headers on every response, a streamed body limit, the signed-in
actor inside a transaction (with the CSRF check for cookie sessions, and for a page, who is signed in kept for
it), actions that accept JSON or a form, and file downloads."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from impactrank.errors import InputError
from impactrank.headers import PAGE_HEADERS
from impactrank.i18n import DEFAULT, N_, gettext, request_locale
from impactrank.i18n.formats import typed_number
from impactrank.i18n.negotiation import chosen
from impactrank.pages import Pages, jsonable
from impactrank.portal import accounts, passwords, second_factor, security_keys, throttle, tokens
from impactrank.portal.clock import Clock
from impactrank.portal.db import Database
from impactrank.portal.errors import PortalError, forbidden, invalid, refused_field
from impactrank.portal.files import FileStore, too_large
from impactrank.portal.security import csrf_matches, csrf_token
from impactrank.portal.tenancy import Actor, Scope
from impactrank.portal.terms import FIELDS

SESSION_COOKIE = "impactrank_portal"
"""The session cookie's name over plain HTTP (loopback); over HTTPS it is ``__Host-`` and that, which a browser
keeps only from this host over HTTPS with Secure and Path=/, so no other host of the domain can set or shadow it."""


def session_cookie(request: Request) -> str:
    return "__Host-" + SESSION_COOKIE if request.url.scheme == "https" else SESSION_COOKIE


# The pages' headers, and neither framed nor cached: the portal's pages hold an institution's data.
SECURITY_HEADERS = {**PAGE_HEADERS, "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
ENROL_PAGE = "/me/second-factor"
JSON_BODY_LIMIT = 1024 * 1024
MAX_TYPED = 10_000  # the characters of a field shown back on a refused form's page (a note takes 5,000)
MULTIPART_OVERHEAD = 64 * 1024


class BodyLimit:
    """Refuse a body over the limit with 413, by its Content-Length or, for a chunked body, while it streams."""

    def __init__(self, app: Any, upload_limit: int) -> None:
        self.app = app
        self.limit = upload_limit + MULTIPART_OVERHEAD

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        limit = self.limit if headers.get(b"content-type", b"").startswith(b"multipart/") else JSON_BODY_LIMIT
        # the refusal as every other: a page in the reader's language (with the way back), or the API's JSON
        refused = too_large(limit - MULTIPART_OVERHEAD if limit != JSON_BODY_LIMIT else limit)
        over = declared is not None and declared.isdigit() and int(declared) > limit
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            if over:  # refused before a byte of it is read
                raise refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise refused
            return message

        await self.app(scope, counted, send)


@dataclass
class Portal:
    """The running portal: its database, files, clock, upload limit and secret, and the page renderer."""

    db: Database
    files: FileStore
    clock: Clock
    upload_limit: int
    secret: str
    pages: Pages | None = None
    base_url: str | None = None
    second_factor_roles: tuple[str, ...] = second_factor.REQUIRED_ROLES
    refused_pages: dict[str, Callable[..., Response]] = dataclass_field(default_factory=dict)
    """By an action's path: ``fn(request, refusal, **path) -> Response``, the page a refused form post of it is
    shown again on (with what was typed and why: a :class:`Refusal`). It runs the checks a GET of that page runs;
    if they refuse, or the refusal is not one to show again, the error page answers as before."""

    def actor(self, session, request: Request) -> tuple[Actor, bool]:
        """Who is asking, and whether their token's last use or their session's idle end is due to be written."""
        creds = self.credentials(request)
        found = None
        if creds and creds[0] == "token":
            found = tokens.from_bearer(session, creds[1], self.clock.now())
        elif creds:
            found = accounts.from_session(session, creds[1], self.clock.now())
        if found is None:
            raise not_signed_in()
        return found

    def note_use(self, actor: Actor) -> None:
        """A token's last use, or a session's activity, in a transaction of its own (the request's may be a read,
        or rolled back)."""
        with self.db.write() as session:
            if actor.token_id is not None:
                tokens.note_use(session, actor.token_id, self.clock.now())
            else:
                accounts.note_activity(session, actor.session_token, self.clock.now())

    def credentials(self, request: Request) -> tuple[str, str] | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return "token", auth[7:].strip()
        cookie = request.cookies.get(session_cookie(request))
        return ("session", cookie) if cookie else None

    def writer(self, session, request: Request) -> tuple[Actor, bool]:
        """:meth:`actor`, for a write: a cookie session's needs the CSRF token."""
        actor, due = self.actor(session, request)
        if actor.session_token is not None:
            given = request.headers.get("x-csrf-token") or getattr(request.state, "csrf_form", None)
            if not csrf_matches(self.secret, actor.session_token, given):
                raise forbidden(N_("missing or wrong CSRF token"), "csrf_token")
        return actor, due

    @contextmanager
    def scope(
        self, request: Request, write: bool = False, enrolling: bool = False, password: str | None = None
    ) -> Iterator[Scope]:
        """The signed-in actor's tenant scope in one transaction; a cookie-session write needs the CSRF token. A
        person whose role requires a second factor they have not set up may only set it up (``enrolling``). A
        ``password`` sent with a write is judged against guessing in a transaction of its own, committed before
        the request runs: counted, and forgiven at once if it is the person's current one (a refusal of the
        request rolls the request's transaction back, never the count, and a right password refused for another
        reason, such as a weak new one, is no guess); the verdict is the scope's ``password_right``."""
        used, right = None, False
        ip = request.client.host if request.client else "unknown"
        if write and password:
            with self.db.write() as session:
                person = self.writer(session, request)[0]
                throttle.admit_step_up(session, person.email, ip, self.clock.now())
                right = passwords.is_current(session, person, password)
                if right:
                    throttle.step_up_right(session, person.email, ip)
        try:
            with self.db.write() if write else self.db.read() as session:
                actor, due = self.writer(session, request) if write else self.actor(session, request)
                used = actor if due else None
                if write and actor.session_token is not None and due:
                    # in this transaction: a write adds none of its own (SQLite takes one writer at a time)
                    accounts.note_activity(session, actor.session_token, self.clock.now())
                    used = None
                if not enrolling and self.must_enrol(session, actor):
                    raise forbidden(
                        N_("set up your second factor first, at %(page)s"), "second_factor_setup", page=ENROL_PAGE
                    )
                yield Scope(session, actor, self.clock.now(), password_right=right)
        finally:
            if used is not None:
                self.note_use(used)

    def must_enrol(self, session, actor: Actor) -> bool:
        return actor.role in self.second_factor_roles and not second_factor.enrolled(session, actor.user_id)

    @contextmanager
    def page_scope(
        self, request: Request, operator: bool = False, enrolling: bool = False, posted: bool = False
    ) -> Iterator[Scope]:
        """A page's read scope. Who is signed in, and the CSRF token the page's forms carry, are kept for the
        page before any check, so that an error page shows them too; ``operator``: a page for operators only;
        ``posted``: the page shown again for a refused form, whose values it shows back only to a post that
        carried the session's CSRF token (a forged post gets the error page, as before)."""
        with self.scope(request, enrolling=enrolling) as scope:
            actor = scope.actor
            if posted and actor.session_token is not None:
                given = request.headers.get("x-csrf-token") or getattr(request.state, "csrf_form", None)
                if not csrf_matches(self.secret, actor.session_token, given):
                    raise forbidden(N_("missing or wrong CSRF token"), "csrf_token")
            request.state.me = {"email": actor.email, "role": actor.role, "institution": actor.institution_id}
            request.state.csrf = self.csrf_for(actor)
            if operator:
                scope.require_operator()
            yield scope

    def relying_party(self, request: Request) -> security_keys.RelyingParty:
        """Whom security keys sign for: the portal's public address (``--base-url``) when given, else the address
        the request came to (behind a proxy, give the public address)."""
        url = urlsplit(self.base_url) if self.base_url else request.url
        return security_keys.RelyingParty(url.hostname or "", f"{url.scheme}://{url.netloc}")

    def csrf_for(self, actor: Actor) -> str | None:
        return csrf_token(self.secret, actor.session_token) if actor.session_token else None


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def language(request: Request) -> str:
    """The language of a response's words: the reader's on a page; English in the API (its fields are English),
    unless the call asks for another with ``?lang=`` (a page's own script, saving a draft, shows what the API
    said in the page's language)."""
    if is_api(request):
        return chosen(request) or DEFAULT
    return request_locale(request)


def in_language(value: Any, lang: str) -> Any:
    """A result's messages in ``lang``: each dict carrying its catalog entry (``_text``: message and parameters,
    as warnings do) gets its ``message`` written in that language."""
    if lang == DEFAULT:
        return value
    if isinstance(value, list):
        return [in_language(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: in_language(v, lang) for k, v in value.items()}
    if "_text" in value:
        message, params = value["_text"]
        out["message"] = gettext(message, lang) % params if params else gettext(message, lang)
    return out


def local_path(candidate: str | None, fallback: str) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative one (open redirects)."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return fallback


@dataclass
class Refusal:
    """A form post the server refused, for its page to show again: what the person typed (as typed, the strings
    of the form's fields), what was refused (``field``: the API's name of the field) and why, in ``lang``."""

    error: InputError
    typed: dict[str, str | list[str]]
    lang: str

    @property
    def status(self) -> int:
        return self.error.status if isinstance(self.error, PortalError) else 422

    @property
    def field(self) -> str | None:
        return self.error.field

    @property
    def message(self) -> str:
        """Why, to show beside the field (which the page names by its label): without where, and in place of a
        message that names the field by its API id, its words for beside the field (``BESIDE``); a file's row
        says where in the file."""
        err = self.error
        if err.file is not None or err.row is not None:  # a file of rows: where in it is the message
            return err.text(self.lang)
        beside = BESIDE.get(err.template)
        if beside is not None:
            return gettext(beside, self.lang)
        return err.text(self.lang, located=False)

    @property
    def label(self) -> str | None:
        return field_label(self.error, self.lang)

    @property
    def title(self) -> str:
        """What went wrong, for the page's title: "Not saved: Value — a number is expected" (a field whose label
        is no name, the warnings' box or the version, left out)."""
        if self.label is None or self.field in ("acknowledge_warnings", "version"):
            return gettext("Not saved: %(message)s", self.lang) % {"message": self.message}
        return gettext("Not saved: %(field)s — %(message)s", self.lang) % {"field": self.label, "message": self.message}

    def value(self, name: str, default: Any = "") -> Any:
        """What was typed in ``name`` (``default`` for a field left out: an unticked box, an unanswered question)."""
        return self.typed.get(name, default)


def field_label(error: InputError, lang: str) -> str | None:
    """The refused field's name as its form shows it, in ``lang`` (None for a field no form shows, and for a row
    of a file, whose message says where)."""
    if error.field not in FIELDS or error.file is not None or error.row is not None:
        return None
    return gettext(FIELDS[error.field], lang)


# messages that name the field by its API id ("exists is required …"), as said beside the field itself
BESIDE = {
    "%(name)s is required to mark this metric complete (or declare it as having no data)": N_(
        "an answer is needed to save as complete (or tick 'No data for this metric')"
    ),
}

# the statuses of a refusal a page shows again with what was typed (not signing in, a CSRF or role refusal,
# nor a server error: those keep the error page)
SHOWN_AGAIN = frozenset({400, 404, 409, 413, 415, 422, 423})


def not_signed_in() -> PortalError:
    return PortalError(N_("sign in first (or send a valid session token, from POST /api/tokens/session)"), status=401)


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


def upload_allowed(request: Request, takes_files: bool) -> None:
    """Before a multipart body (the only kind allowed past 1 MB) is read: the route must take a file, and the
    caller must be signed in, so that no stranger makes the server read an upload only to be refused."""
    if not takes_files:
        raise PortalError(N_("this route takes no file: send JSON or a form"), field="body", status=415)
    portal = request.app.state.portal
    with portal.db.read() as session:
        portal.actor(session, request)


async def read_body(request: Request, model: type[BaseModel] | None) -> tuple[BaseModel | None, dict[str, UploadFile]]:
    """A JSON object or a form (urlencoded or multipart) checked by ``model``; errors name the field."""
    files: dict[str, UploadFile] = {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=2, max_fields=200)
        request.state.csrf_form = form.get("csrf_token")
        request.state.next = form.get("next")
        data: dict[str, Any] = {}
        typed: dict[str, str | list[str]] = {}  # as typed, for the page shown again if the post is refused
        request.state.typed = typed
        for key in form:
            if key in ("csrf_token", "next"):
                continue
            values = form.getlist(key)
            if isinstance(values[0], UploadFile):
                files[key] = values[0]
                continue
            field = model.model_fields.get(key) if model else None
            typed[key] = values[-1][:MAX_TYPED]
            if field is not None and getattr(field.annotation, "__origin__", None) is list:
                typed[key] = [v[:MAX_TYPED] for v in values]
                data[key] = [v for v in values if v != ""]
            elif values[-1] != "":
                number = field is not None and field.annotation in (float, float | None)
                data[key] = typed_number(values[-1], language(request)) if number else values[-1]
    elif model is None:
        data = {}
    else:
        raw = await request.body()
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise invalid(N_("the request body is not JSON"), "body") from None
        if not isinstance(data, dict):
            raise invalid(N_("the request body must be a JSON object"), "body")
    if model is None:
        return None, files
    try:
        return model.model_validate(data), files
    except ValidationError as exc:
        raise refused_field(exc.errors()[0]) from None


def action(
    router: Any,
    path: str,
    model: type[BaseModel] | None = None,
    *,
    summary: str,
    method: str = "POST",
    multipart: dict | None = None,
    html_path: str | None = None,
    public: bool = False,
) -> Callable:
    """One handler for a change, reachable as ``METHOD /api{path}`` (JSON) and as a form post to the page
    (``html_path``, by default the same path). Unless ``public`` (signing in, links sent by e-mail), a request
    without credentials is refused before its body is read.

    ``fn(request, body, files, **path) -> dict`` runs in the thread pool. JSON callers get the dict; a form
    post is redirected to the form's ``next`` page (or gets the Response ``fn`` returned).

    A refused form post whose page registered itself in :attr:`Portal.refused_pages` under ``path`` gets that
    page again, with what the person typed and the refusal beside its field (:func:`shown_again`).
    """

    def register(fn: Callable) -> Callable:
        params = [
            p
            for name, p in inspect.signature(fn, eval_str=True).parameters.items()
            if name not in ("request", "body", "files")
        ]

        async def endpoint(request: Request, **path_params: Any) -> Response:
            if not public and request.app.state.portal.credentials(request) is None:
                raise not_signed_in()
            if is_multipart(request):  # the database is asked only then, off the event loop
                await run_in_threadpool(upload_allowed, request, multipart is not None)
            try:
                body, files = await read_body(request, model)
                result = await run_in_threadpool(functools.partial(fn, request, body, files, **path_params))
            except InputError as exc:
                again = None
                refused = request.app.state.portal.refused_pages.get(path)
                if refused is not None and not is_api(request):
                    again = await run_in_threadpool(shown_again, refused, request, exc, path_params)
                if again is None:
                    raise
                return again
            if isinstance(result, Response):
                return result
            if is_api(request):
                result = jsonable(in_language(result, language(request)))
                return JSONResponse(result, status_code=201 if method == "POST" else 200)
            return RedirectResponse(local_path(getattr(request.state, "next", None), "/"), status_code=303)

        endpoint.__signature__ = inspect.Signature(
            [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request), *params]
        )
        endpoint.__name__ = fn.__name__
        extra: dict[str, Any] = {}
        content: dict[str, Any] = {}
        if model is not None:
            content["application/json"] = {"schema": model.model_json_schema()}
        if multipart is not None:
            content["multipart/form-data"] = {"schema": multipart}
        if content:
            extra["requestBody"] = {"content": content, "required": model is not None}
        router.add_api_route(
            "/api" + path, endpoint, methods=[method], summary=summary, openapi_extra=extra or None, response_model=None
        )
        router.add_api_route(html_path or path, endpoint, methods=["POST"], include_in_schema=False)
        return fn

    return register


def shown_again(refused: Callable[..., Response], request: Request, exc: InputError, path: dict) -> Response | None:
    """The page of a refused form post, shown again with what was typed (:func:`action`'s ``refused``); None when
    the post is not one to show again (not a form, a refusal of who is asking) or its page refuses too."""
    typed = getattr(request.state, "typed", None)
    refusal = Refusal(exc, typed or {}, language(request))
    if typed is None or refusal.status not in SHOWN_AGAIN:
        return None
    try:
        return refused(request, refusal, **path)
    except InputError:
        return None


def as_page(request: Request, path: str, query: str = "") -> Request:
    """A refused form post's request, as the GET of the page it is shown again on (``path``, ``query``): the
    page's own links (its language switch, its forms' ``next``) name that page, not the address posted to. Who
    asks, the language and the request's state are the post's."""
    scope = {**request.scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query.encode()}
    return Request(scope, request.receive)


def actions(app: Any) -> Callable[..., Callable]:
    """:func:`action` bound to the app: how each route module registers its changes."""
    return functools.partial(action, app)


def add_download(app: Any, path: str, endpoint: Callable, summary: str) -> None:
    """A file to download: documented at ``GET /api{path}``, and at ``GET {path}`` for the pages' links."""
    app.add_api_route("/api" + path, endpoint, methods=["GET"], summary=summary)
    app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)


def attachment(data: bytes, media_type: str, filename: str) -> Response:
    """Bytes the browser saves as ``filename`` rather than shows."""
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
