"""The institution admin's team page: members and their roles, invitations, API tokens."""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import Field

from impactrank.i18n import gettext
from impactrank.portal import accounts, invitations, second_factor, step_up, tokens
from impactrank.portal.bodies import Email
from impactrank.portal.http import Portal, actions, is_api, language
from impactrank.portal.institutions import institution_view
from impactrank.portal.models import ADMIN
from impactrank.portal.params import IdPath
from impactrank.portal.routes.account import StepUpIn
from impactrank.portal.tenancy import MANAGE_TEAM

MemberRole = Literal["admin", "contributor", "observer"]


class InviteIn(StepUpIn):
    email: Email
    role: MemberRole = "contributor"


class MemberIn(StepUpIn):
    role: MemberRole | None = None
    active: bool | None = None


class TokenIn(StepUpIn):
    name: str = Field(max_length=100)
    role: MemberRole = "contributor"
    days: int = Field(tokens.DEFAULT_DAYS, description=f"Valid for this many days (at most {tokens.MAX_DAYS})")


def register(app: FastAPI, portal: Portal) -> None:
    pages, act = portal.pages, actions(app)

    def team(request: Request, institution: str) -> dict:
        with portal.page_scope(request) as scope:
            inst = scope.institution(institution)
            scope.require(MANAGE_TEAM, institution)
            return {
                "title": gettext("Team — %(name)s", language(request)) % {"name": inst.name},
                "institution": institution_view(inst),
                "members": [accounts.user_view(u) for u in scope.users(institution)],
                "tokens": [tokens.token_view(t) for t in scope.tokens(institution)],
                "factor": second_factor.kind(scope.session, scope.actor.user_id),
            }

    @pages.page(
        "/institutions/{institution}/team", "team.html", summary="Members and API tokens (the institution's admin)"
    )
    def team_page(request: Request, institution: IdPath) -> dict:
        return team(request, institution)

    def shown_once(
        request: Request, institution: str, result: dict, what: str, secret: str, sent: bool = False
    ) -> dict | Response:
        """The API gets the result; a form post gets the team page with the secret shown this once (or, ``sent``,
        what was sent and where)."""
        if is_api(request):
            return result
        once = {"what": what, "value": secret, "sent": sent}
        return pages.html(request, "team.html", team(request, institution) | {"once": once})

    @act(
        "/institutions/{institution}/invitations",
        InviteIn,
        summary="Invite a member: the link is e-mailed (the same answer whether or not the address has an account)",
    )
    def invite(request: Request, body: InviteIn, files, institution: IdPath) -> dict | Response:
        with portal.scope(request, write=True, password=body.current_password) as scope:
            root = portal.base_url or str(request.base_url)
            result = invitations.invite(scope, institution, body.email, body.role, root, language(request))
            if body.role == ADMIN:
                step_up.require(scope, "invite an admin", body.current_password, body.code)
        lang = language(request)
        sent = gettext("sent by e-mail; the link works once, for %(days)s days", lang) % {"days": result["valid_days"]}
        what = gettext("Invitation for %(email)s", lang) % {"email": result["email"]}
        return shown_once(request, institution, result, what, sent, sent=True)

    @act(
        "/institutions/{institution}/users/{user_id}",
        MemberIn,
        method="PATCH",
        summary="Change a member's role or deactivate them (a role or reactivation: your password, or confirm first)",
        html_path="/institutions/{institution}/users/{user_id}",
    )
    def change(request: Request, body: MemberIn, files, institution: IdPath, user_id: int) -> dict:
        with portal.scope(request, write=True, password=body.current_password) as scope:
            changed = accounts.change_member(scope, institution, user_id, body.role, body.active)
            if body.role is not None or body.active:
                step_up.require(scope, "give a role or reactivate", body.current_password, body.code)
            return changed

    @act(
        "/institutions/{institution}/tokens",
        TokenIn,
        summary="Create an API token (shown once; it expires; your password, or confirm first)",
    )
    def create_token(request: Request, body: TokenIn, files, institution: IdPath) -> dict | Response:
        with portal.scope(request, write=True, password=body.current_password) as scope:
            made = tokens.create_token(scope, institution, body.name, body.role, body.days)
            step_up.require(scope, "create an API token", body.current_password, body.code)
        result = {
            "id": made.id,
            "name": made.name,
            "role": made.role,
            "expires_at": made.expires_at,
            "token": made.token,
        }
        what = gettext("API token %(name)s", language(request)) % {"name": made.name}
        return shown_once(request, institution, result, what, made.token)

    @act(
        "/institutions/{institution}/tokens/{token_id}",
        method="DELETE",
        summary="Revoke an API token",
        html_path="/institutions/{institution}/tokens/{token_id}/revoke",
    )
    def revoke(request: Request, body, files, institution: IdPath, token_id: int) -> dict:
        with portal.scope(request, write=True) as scope:
            tokens.revoke_token(scope, institution, token_id)
        return {"revoked": token_id}
