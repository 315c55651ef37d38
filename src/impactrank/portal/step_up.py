"""Step-up: the changes that hand out power or take a safeguard away (an API token, a role given or given back, an
admin invited, a second factor removed) need the person to have proved who they are within the last 5 minutes,
so that a session left open or a stolen cookie cannot do them. Proof is the current password (and the second
factor's code, for an account that has one) sent with the change, or a "confirm it's you" (or a sign-in) at most
5 minutes old, kept on the session. An API token never does these: a script's secret is not a person present."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from impactrank.i18n import N_
from impactrank.portal import second_factor, security_keys
from impactrank.portal.accounts import log_own
from impactrank.portal.errors import PortalError, forbidden
from impactrank.portal.models import WebSession
from impactrank.portal.passwords import require_current
from impactrank.portal.security import token_hash
from impactrank.portal.tenancy import Scope

FRESH = timedelta(minutes=5)


def _session_row(scope: Scope) -> WebSession:
    if scope.actor.token_id is not None or scope.actor.session_token is None:
        raise forbidden(
            N_("an API token cannot do this: sign in as yourself and confirm it with your password"), "token"
        )
    mine = WebSession.token_hash == token_hash(scope.actor.session_token)
    return scope.session.scalar(select(WebSession).where(mine))


def _prove(scope: Scope, row: WebSession, code: str | None, key: tuple | None = None) -> str:
    """The password sent (judged by the scope) and the code, or ``key``: a security key's answer and the relying
    party, checked; the session's proof renewed; how the person proved it."""
    require_current(scope)
    if key:
        factor = security_keys.check(scope.session, scope.actor.user_id, *key, scope.now)
    else:
        factor = second_factor.check(scope.session, scope.actor.user_id, code, scope.now)
    row.reauthenticated_at = scope.now
    return "password" + (f" and {factor}" if factor else "")


def confirm(scope: Scope, code: str | None, key: tuple | None = None) -> dict:
    """ "Confirm it's you": the next 5 minutes of this session may make the changes above (with a security key's
    answer, ``key``, in place of a code)."""
    row = _session_row(scope)
    how = _prove(scope, row, code, key)
    until = scope.now + FRESH
    log_own(scope.session, scope.actor, scope.now, "user.reauthenticate", after={"by": how, "until": until})
    return {"confirmed_until": until}


def require(scope: Scope, what: str, password: str | None, code: str | None) -> None:
    """Before ``what`` is committed: a fresh proof, given now or within the last 5 minutes; logged. A key-only
    person's password sent without a code within those 5 minutes (confirmed with the key, then typed) is checked,
    and the confirmation stands for the key; anyone else's password is checked with its factor's code."""
    row = _session_row(scope)
    fresh = row.reauthenticated_at is not None and scope.now - row.reauthenticated_at <= FRESH
    by_key = fresh and not code and second_factor.kind(scope.session, scope.actor.user_id) == "key"
    if password and not by_key:
        how = _prove(scope, row, code)
    elif fresh:
        if password:
            require_current(scope)
        how = ("password and " if password else "") + f"confirmed at {row.reauthenticated_at:%Y-%m-%dT%H:%M:%S}"
    else:
        raise PortalError(
            N_("confirm it's you: give your current password (and your authenticator's code) with this change"),
            field="current_password",
            status=403,
        )
    log_own(scope.session, scope.actor, scope.now, "user.step_up", after={"for": what, "by": how})
