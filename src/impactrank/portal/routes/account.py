"""A person's own account: changing the password, resetting a forgotten one by e-mail, and the second factor
(set up, confirmed with a first code, which gives the recovery codes, or removed where the role allows; security
keys added, through the browser's WebAuthn, and removed)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from impactrank.i18n import N_, gettext
from impactrank.portal import own_sessions, passwords, second_factor, security_keys, step_up, strength, throttle
from impactrank.portal.bodies import Body, Code, Email, Password
from impactrank.portal.errors import PortalError
from impactrank.portal.http import ENROL_PAGE, Portal, actions, is_api, language
from impactrank.portal.routes.auth import PasswordIn


class PasswordChangeIn(Body):
    current_password: Password
    new_password: Password


class ResetAskIn(Body):
    email: Email


class CodeIn(Body):
    code: Code


class CurrentPasswordIn(Body):
    current_password: Password


class StepUpIn(Body):
    """What a change that needs a fresh proof of who is asking takes (see :mod:`step_up`)."""

    current_password: str | None = Field(
        None, max_length=1000, description="Your password, unless you confirmed it's you in the last 5 minutes"
    )
    code: str | None = Field(None, max_length=64, description="With the password: your authenticator's code, if any")


class ConfirmIn(StepUpIn):
    current_password: Password
    assertion: str | None = Field(
        None, max_length=16000, description="In place of a code: a security key's answer to /api/me/confirm/key"
    )


class KeyIn(Body):
    name: str = Field(max_length=100, description="What the person calls the key")
    credential: str = Field(max_length=16000, description="navigator.credentials.create's answer, as JSON")


class StrengthIn(Body):
    password: Password
    email: str | None = Field(None, max_length=320, description="The account's address: its parts count as known")


KEYS = "/me/security-keys"
RESET_SENT = N_("If an account with a password has this address, a link to reset it is on its way (valid one hour).")


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    @act("/me/password", PasswordChangeIn, summary="Change your password (the current one required)")
    def change_password(request: Request, body: PasswordChangeIn, files) -> dict:
        with portal.scope(request, write=True, enrolling=True, password=body.current_password) as scope:
            passwords.change(scope, body.new_password)
        return {"password_changed": True}

    @act("/me/sessions/end-others", CurrentPasswordIn, summary="End your other sessions (the current password again)")
    def end_other_sessions(request: Request, body: CurrentPasswordIn, files) -> dict:
        with portal.scope(request, write=True, enrolling=True, password=body.current_password) as scope:
            ended = own_sessions.end_others(scope)
        return {"ended": ended}

    @act("/me/confirm", ConfirmIn, summary="Confirm it's you (password, and code): 5 minutes of sensitive changes")
    def confirm(request: Request, body: ConfirmIn, files) -> dict:
        with portal.scope(request, write=True, password=body.current_password) as scope:
            key = (body.assertion, portal.relying_party(request)) if body.assertion else None
            return step_up.confirm(scope, body.code, key)

    @act("/me/confirm/key", summary="Confirm it's you with a security key: the challenge for the key to sign")
    def confirm_key(request: Request, body, files) -> dict:
        """``options`` for ``navigator.credentials.get`` (null without a key); the answer goes to /api/me/confirm."""
        with portal.scope(request, write=True) as scope:
            passwords.require_person(scope.actor)
            rp = portal.relying_party(request)
            return {"options": security_keys.sign_in_options(scope.session, scope.actor.user_id, rp, scope.now)}

    @app.post("/api/password-strength", summary="How easily a new password would be guessed (the forms' meter)")
    def password_strength(request: Request, body: StrengthIn) -> dict:
        """Score 0–4 and why it would be refused (short, long, guessable) or null; computed here, kept nowhere.
        Counted per address first (committed even when refused), as sign-in attempts are."""
        with portal.db.write() as session:
            throttle.admit_meter(session, request.client.host if request.client else "unknown", portal.clock.now())
        return strength.meter(body.password, body.email)

    @pages.page("/password-reset", "password_reset.html", summary="Ask for a link to reset a forgotten password")
    def reset_ask_page(request: Request) -> dict:
        return {"title": gettext("Reset your password", language(request))}

    @act("/password-reset", ResetAskIn, summary="Send a password reset link (same answer for any address)", public=True)
    def reset_ask(request: Request, body: ResetAskIn, files) -> dict | Response:
        if not portal.base_url:  # a link built from the request's Host header could point anywhere
            raise PortalError(
                N_("password reset needs the portal's public address: serve it with --base-url"), status=503
            )
        with portal.db.write() as session:
            passwords.request_reset(session, body.email, portal.base_url, portal.clock.now())
        result = {"sent": True, "message": RESET_SENT}
        if is_api(request):
            return result
        return pages.html(
            request,
            "password_reset.html",
            {"title": gettext("Reset your password", language(request)), "sent": RESET_SENT},
        )

    @pages.page("/password-reset/{token}", "password_reset.html", summary="A password reset link: whose it is")
    def reset_page(request: Request, token: str) -> dict:
        with portal.db.read() as session:
            _, user = passwords.reset_link(session, token, portal.clock.now())
            return {"title": gettext("Choose a new password", language(request)), "email": user.email, "_token": token}

    @act(
        "/password-reset/{token}",
        PasswordIn,
        summary="Set a new password with a reset link (ends every session)",
        public=True,
    )
    def reset(request: Request, body: PasswordIn, files, token: str) -> dict | Response:
        with portal.db.write() as session:
            passwords.reset(session, token, body.password, portal.clock.now())
        return {"password_changed": True} if is_api(request) else RedirectResponse("/login", status_code=303)

    def factor_page(request: Request, shown: dict) -> dict:
        with portal.page_scope(request, enrolling=True) as scope:
            return {
                "title": gettext("Second factor", language(request)),
                "enrolled": second_factor.enrolled(scope.session, scope.actor.user_id),
                "totp": second_factor.has_totp(scope.session, scope.actor.user_id),
                "keys": security_keys.listed(scope.session, scope.actor.user_id),
                "required": scope.actor.role in portal.second_factor_roles,
                "person": scope.actor.token_id is None,
                **shown,
            }

    @pages.page(ENROL_PAGE, "second_factor.html", summary="Your second factor: whether it is set up")
    def factor(request: Request) -> dict:
        return factor_page(request, {})

    @act(ENROL_PAGE, summary="Start setting up a second factor: the secret to scan, shown once")
    def factor_begin(request: Request, body, files) -> dict | Response:
        with portal.scope(request, write=True, enrolling=True) as scope:
            passwords.require_person(scope.actor)
            made = second_factor.begin(scope.session, scope.actor, scope.now)
        return made if is_api(request) else pages.html(request, "second_factor.html", factor_page(request, made))

    @act(ENROL_PAGE + "/confirm", CodeIn, summary="Confirm the second factor with a code: recovery codes, shown once")
    def factor_confirm(request: Request, body: CodeIn, files) -> dict | Response:
        with portal.scope(request, write=True, enrolling=True) as scope:
            passwords.require_person(scope.actor)
            codes = second_factor.confirm(scope.session, scope.actor, body.code, scope.now)
        result = {"recovery_codes": codes}
        return result if is_api(request) else pages.html(request, "second_factor.html", factor_page(request, result))

    @act(
        ENROL_PAGE,
        StepUpIn,
        method="DELETE",
        summary="Remove your second factor (not where your role requires one; your password and code)",
        html_path=ENROL_PAGE + "/remove",
    )
    def factor_remove(request: Request, body: StepUpIn, files) -> dict:
        with portal.scope(request, write=True, enrolling=True, password=body.current_password) as scope:
            passwords.require_person(scope.actor)  # the proof checked while the factor it may need is there
            step_up.require(scope, "remove the second factor", body.current_password, body.code)
            second_factor.remove(scope.session, scope.actor, scope.now, portal.second_factor_roles)
        return {"removed": True}

    @act(KEYS + "/options", summary="Start adding a security key: what the browser asks the key to make")
    def key_options(request: Request, body, files) -> dict:
        with portal.scope(request, write=True, enrolling=True) as scope:
            passwords.require_person(scope.actor)
            return security_keys.registration_options(
                scope.session, scope.actor, portal.relying_party(request), scope.now
            )

    @act(KEYS, KeyIn, summary="Add the security key the browser made (recovery codes with a first second factor)")
    def key_add(request: Request, body: KeyIn, files) -> dict | Response:
        with portal.scope(request, write=True, enrolling=True) as scope:
            passwords.require_person(scope.actor)
            rp = portal.relying_party(request)
            added = security_keys.add(scope.session, scope.actor, rp, body.name, body.credential, scope.now)
        shown = {"recovery_codes": added["recovery_codes"], "key_added": added["key"]["name"]}
        return added if is_api(request) else pages.html(request, "second_factor.html", factor_page(request, shown))

    @act(
        KEYS + "/{key_id}",
        StepUpIn,
        method="DELETE",
        summary="Remove one of your security keys (not your role's last second factor; your password and code)",
        html_path=KEYS + "/{key_id}/remove",
    )
    def key_remove(request: Request, body: StepUpIn, files, key_id: int) -> dict:
        with portal.scope(request, write=True, enrolling=True, password=body.current_password) as scope:
            passwords.require_person(scope.actor)
            security_keys.remove(scope.session, scope.actor, key_id, scope.now, portal.second_factor_roles)
            step_up.require(scope, "remove a security key", body.current_password, body.code)
        return {"removed": True}
