"""Signing in (the form's CSRF token bound to a cookie, against login CSRF; the second factor's code) and out,
a script's API token exchanged for a session token, who am I, and accepting an invitation."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import Field

from impactrank.i18n import N_, gettext
from impactrank.pages import jsonable
from impactrank.portal import accounts, notify, own_sessions, second_factor, throttle, tokens
from impactrank.portal.bodies import Body, Email, Password
from impactrank.portal.errors import PortalError, forbidden
from impactrank.portal.http import Portal, actions, is_api, language, local_path, session_cookie
from impactrank.portal.security import csrf_matches, csrf_token, new_token

LOGIN_COOKIE = "impactrank_portal_login"


class LoginIn(Body):
    email: Email
    password: Password
    code: str | None = Field(None, max_length=64, description="The authenticator's code, or a recovery code")
    assertion: str | None = Field(
        None, max_length=16000, description="A security key's answer (its JSON) to the challenge of /api/login/key"
    )


class KeyLoginIn(Body):
    email: Email
    password: Password


class PasswordIn(Body):
    password: Password


def signed_in(request: Request, portal: Portal, token: str, user, target: str) -> Response:
    csrf = csrf_token(portal.secret, token)
    if is_api(request):
        response: Response = JSONResponse({"csrf_token": csrf, "user": accounts.user_view(user)})
    else:
        response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        session_cookie(request),
        token,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def login_form(request: Request, portal: Portal, template: str, context: dict) -> Response:
    """A page whose form signs in (the sign-in page, an invitation): the form carries a CSRF token bound to a
    random cookie set with it, so that a form on another site cannot sign a visitor in to an account of the
    attacker's choosing."""
    nonce = request.cookies.get(LOGIN_COOKIE) or new_token()
    login_csrf = csrf_token(portal.secret, "login:" + nonce)
    page = portal.pages.html(request, template, context | {"login_csrf": login_csrf})
    secure = request.url.scheme == "https"
    page.set_cookie(LOGIN_COOKIE, nonce, max_age=24 * 3600, httponly=True, samesite="strict", secure=secure, path="/")
    return page


def require_login_form(request: Request, portal: Portal) -> None:
    """A sign-in sent as a form must carry the token of this site's form; a JSON one needs none (another site's
    page cannot send JSON without the browser asking this site first, which it never allows)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not csrf_matches(portal.secret, "login:" + nonce, getattr(request.state, "csrf_form", None)):
        raise forbidden(
            N_("this sign-in form expired or came from another site: reload the page and sign in"), "csrf_token"
        )


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/cycles", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/cycles") -> Response:
        return login_form(
            request,
            portal,
            "login.html",
            {"title": gettext("Sign in", language(request)), "next": local_path(next, "/cycles")},
        )

    def refused_sign_in(request: Request, exc: PortalError, email: str) -> Response:
        """The sign-in page again, saying why (a wrong password, too many tries) above the form, the address kept:
        a form post is not sent to an error page without the form."""
        lang = language(request)
        context = {"next": local_path(getattr(request.state, "next", None), "/cycles"), "email": email}
        context |= {"title": gettext("Sign in", lang), "error": exc.text(lang, located=False)}
        page = login_form(request, portal, "login.html", context)
        page.status_code = exc.status
        return page

    @act("/login", LoginIn, summary="Sign in: sets the session cookie, returns the CSRF token", public=True)
    def login(request: Request, body: LoginIn, files) -> Response:
        # the peer's address: a forwarded one only from the proxies named by --forwarded-allow-ips
        require_login_form(request, portal)
        ip = request.client.host if request.client else "unknown"
        try:
            with portal.db.write() as session:  # counted and committed before the password is checked
                throttle.admit(session, body.email, ip, portal.clock.now())
            with portal.db.write() as session:
                now, rp = portal.clock.now(), portal.relying_party(request)
                token, user = accounts.sign_in(
                    session, body.email, body.password, ip, now, body.code, body.assertion, rp
                )
                if not is_api(request):
                    notify.remember_language(session, user.id, language(request))
        except PortalError as exc:
            if is_api(request):
                raise
            return refused_sign_in(request, exc, body.email)
        return signed_in(request, portal, token, user, local_path(getattr(request.state, "next", None), "/cycles"))

    @act(
        "/login/key",
        KeyLoginIn,
        summary="Sign in with a security key, first step: for a correct password, the challenge for the key to sign",
        public=True,
    )
    def login_key(request: Request, body: KeyLoginIn, files) -> dict:
        """``options`` for ``navigator.credentials.get`` (null for an account without a key); its answer goes to
        POST /api/login as ``assertion``. Counted as a sign-in attempt."""
        require_login_form(request, portal)
        ip = request.client.host if request.client else "unknown"
        with portal.db.write() as session:
            throttle.admit(session, body.email, ip, portal.clock.now())
        with portal.db.write() as session:
            now = portal.clock.now()
            rp = portal.relying_party(request)
            options = accounts.key_options(session, body.email, body.password, ip, now, rp)
        return {"options": options}

    @act("/logout", summary="Sign out: ends this session, or the session token sent")
    def logout(request: Request, body, files) -> Response:
        with portal.scope(request, write=True, enrolling=True) as scope:
            accounts.sign_out(scope)
        response: Response = (
            JSONResponse({"signed_out": True}) if is_api(request) else RedirectResponse("/login", status_code=303)
        )
        response.delete_cookie(session_cookie(request), path="/", secure=request.url.scheme == "https")
        return response

    @app.post(
        "/api/tokens/session",
        status_code=201,
        summary="Exchange an API token for a session token, valid 15 minutes",
        description="Send the API token as 'Authorization: Bearer …' here, and only here; send the session token "
        "returned the same way to every other route until its expires_at, then exchange again. It acts with the API "
        "token's role and ends with it (revoked, expired, or its maker no longer the institution's admin).",
    )
    def token_session(request: Request) -> Response:
        creds = portal.credentials(request)
        with portal.db.write() as session:
            made = tokens.exchange(session, creds[1] if creds and creds[0] == "token" else None, portal.clock.now())
        return JSONResponse(jsonable(made), status_code=201)

    @pages.page("/me", "me.html", summary="Who is signed in")
    def me(request: Request) -> dict:
        with portal.page_scope(request, enrolling=True) as scope:
            a = scope.actor
            return {
                "title": gettext("Your account", language(request)),
                "email": a.email,
                "role": a.role,
                "institution": a.institution_id,
                "sessions": own_sessions.listed(scope.session, a, scope.now),
                "factor": second_factor.kind(scope.session, a.user_id),
                "keys": second_factor.has_key(scope.session, a.user_id),
            }

    @pages.page("/invitations/{token}", "invitation.html", summary="An invitation: whose account it opens")
    def invitation_page(request: Request, token: str):  # the page, or its JSON twin's dict
        with portal.db.read() as session:
            _, user = accounts.invitation(session, token, portal.clock.now())
            shown = {
                "title": gettext("Accept your invitation", language(request)),
                "email": user.email,
                "role": user.role,
                "institution": user.institution_id,
                "_token": token,
            }
        return shown if is_api(request) else login_form(request, portal, "invitation.html", shown)

    @act(
        "/invitations/{token}",
        PasswordIn,
        summary="Accept an invitation: choose a password, get signed in",
        public=True,
    )
    def accept(request: Request, body: PasswordIn, files, token: str) -> Response:
        require_login_form(request, portal)
        with portal.db.write() as session:
            user = accounts.accept_invitation(session, token, body.password, portal.clock.now())
            raw = accounts.start_session(session, user, portal.clock.now())
            if not is_api(request):
                notify.remember_language(session, user.id, language(request))
        return signed_in(request, portal, raw, user, "/cycles")
