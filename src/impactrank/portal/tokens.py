"""API tokens, for an institution's scripts. A token expires (90 days unless its maker says otherwise, a year
at most), keeps when it was last used, and never outlives what made it: only a person signed in makes one (a
step-up, :mod:`step_up`), a token made through a token before that rule is revoked with it, and every token of a
person ends when that person is deactivated or changes role.

The long-lived secret travels once per 15 minutes: a script exchanges its API token for a session token
(``POST /api/tokens/session``), and the API takes only session tokens from scripts. A session token acts as its
API token (same role, same refusals) and lives only while that token does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from impactrank.i18n import N_
from impactrank.portal.audit import log_change
from impactrank.portal.errors import PortalError, conflict, invalid, not_found
from impactrank.portal.models import ADMIN, CONTRIBUTOR, OBSERVER, ApiToken, TokenSession, User, WebSession, api_dict
from impactrank.portal.security import new_token, token_hash
from impactrank.portal.tenancy import MANAGE_TEAM, Actor, Scope

TOKEN_ROLES = (CONTRIBUTOR, OBSERVER, ADMIN)
DEFAULT_DAYS = 90
MAX_DAYS = 365
SESSION_LIFETIME = timedelta(minutes=15)
LAST_USE_STEP = timedelta(minutes=1)
"""Last use is written at most this often per token, so that a busy script does not write on every request."""


@dataclass(frozen=True)
class NewToken:
    id: int
    name: str
    role: str
    expires_at: datetime
    token: str


def token_view(t: ApiToken) -> dict:
    shown = api_dict(t, "id name role created_at expires_at last_used_at")
    return shown | {"revoked": t.revoked_at is not None}


def _alive(now: datetime) -> tuple:
    """An API token in force: unrevoked, unexpired, and the admin who made it still this institution's admin."""
    return (
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
        User.active.is_(True),
        User.role == ADMIN,
        User.institution_id == ApiToken.institution_id,
    )


def _api_token(session: Session, hashed: str, now: datetime) -> ApiToken | None:
    live = select(ApiToken).join(User, User.id == ApiToken.created_by).where(ApiToken.token_hash == hashed)
    return session.scalar(live.where(*_alive(now)))


def from_bearer(session: Session, token: str, now: datetime) -> tuple[Actor, bool] | None:
    """The actor a live session token stands for (its API token's), and whether that token's last use is due to
    be written. An API token itself is refused here, with a 401 saying to exchange it."""
    hashed = token_hash(token)
    found = session.execute(
        select(ApiToken, User)
        .join(TokenSession, TokenSession.token_id == ApiToken.id)
        .join(User, User.id == ApiToken.created_by)
        .where(TokenSession.token_hash == hashed, TokenSession.expires_at > now, *_alive(now))
    ).first()
    if found is None:
        if _api_token(session, hashed, now) is not None:
            raise PortalError(
                N_("an API token is not sent here: exchange it at POST /api/tokens/session and send the session token"),
                field="token",
                status=401,
            )
        return None
    tok, user = found
    due = tok.last_used_at is None or now - tok.last_used_at >= LAST_USE_STEP
    name = f"{user.email} (token {tok.name})"
    return Actor(user.id, name, tok.role, tok.institution_id, token_id=tok.id, token_session=token), due


def exchange(session: Session, token: str | None, now: datetime) -> dict:
    """A session token for a live API token, valid 15 minutes (no longer than the API token); the API token's
    expired session tokens are cleared."""
    tok = _api_token(session, token_hash(token or ""), now)
    if tok is None:
        raise PortalError(
            N_("send a valid API token as Authorization: Bearer to get a session token"), field="token", status=401
        )
    session.execute(delete(TokenSession).where(TokenSession.token_id == tok.id, TokenSession.expires_at <= now))
    raw = new_token()
    expires = min(now + SESSION_LIFETIME, tok.expires_at)
    session.add(TokenSession(token_hash=token_hash(raw), token_id=tok.id, created_at=now, expires_at=expires))
    tok.last_used_at = now
    lasts = int((expires - now).total_seconds())
    return {"token": raw, "token_type": "Bearer", "expires_at": expires, "expires_in": lasts}


def note_use(session: Session, token_id: int, now: datetime) -> None:
    """Keep the token's last use."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def create_token(scope: Scope, institution_id: str, name: str, role: str, days: int = DEFAULT_DAYS) -> NewToken:
    scope.institution(institution_id)
    scope.require(MANAGE_TEAM, institution_id)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise invalid(N_("a token needs a name of at most 100 characters"), "name")
    if role not in TOKEN_ROLES:
        raise invalid(N_("a token's role is one of %(roles)s"), "role", roles=", ".join(TOKEN_ROLES))
    if not 1 <= days <= MAX_DAYS:
        raise invalid(N_("a token is valid for 1 to %(days)s days"), "days", days=MAX_DAYS)
    scope.require_grant(role)
    expires = scope.now + timedelta(days=days)
    raw = new_token()
    tok = ApiToken(
        institution_id=institution_id,
        created_by=scope.actor.user_id,
        name=name,
        role=role,
        token_hash=token_hash(raw),
        created_at=scope.now,
        expires_at=expires,
    )
    scope.session.add(tok)
    scope.session.flush()
    log_change(scope, "token.create", "token", str(tok.id), after=token_view(tok), institution_id=institution_id)
    return NewToken(tok.id, name, role, expires, raw)


def _revoke(scope: Scope, tok: ApiToken, reason: str | None) -> None:
    before = token_view(tok)
    tok.revoked_at = scope.now
    scope.session.execute(delete(TokenSession).where(TokenSession.token_id == tok.id))
    log_change(
        scope,
        "token.revoke",
        "token",
        str(tok.id),
        before=before,
        after=token_view(tok),
        institution_id=tok.institution_id,
        reason=reason,
    )


def _revoke_with_descendants(scope: Scope, first: ApiToken, reason: str | None = None) -> None:
    """Revoke a token and every live token made through it."""
    todo = [(first, reason)]
    while todo:
        tok, why = todo.pop()
        _revoke(scope, tok, why)
        children = select(ApiToken).where(ApiToken.parent_id == tok.id, ApiToken.revoked_at.is_(None))
        todo.extend(
            (child, f"made through token {tok.id}, which was revoked") for child in scope.session.scalars(children)
        )


def revoke_token(scope: Scope, institution_id: str, token_id: int) -> None:
    tok = scope.token(token_id)
    if tok.institution_id != institution_id:
        raise not_found(N_("no such token"), "token")
    scope.require(MANAGE_TEAM, institution_id)
    if tok.revoked_at is not None:
        raise conflict(N_("this token is already revoked"), "token")
    _revoke_with_descendants(scope, tok)


def sign_out_token(session: Session, token: str) -> None:
    """``POST /api/logout`` with a session token: that session token ends (its API token stays, as a password
    stays when a person signs out; revoking it is the team's)."""
    session.execute(delete(TokenSession).where(TokenSession.token_hash == token_hash(token)))


def end_credentials(scope: Scope, user_id: int, why: str) -> None:
    """Every session and every live token of a person ends (deactivated, or their role changed): a role given
    back later gives back no old credential. Tokens made through tokens have the same maker, so all are found."""
    scope.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    live = select(ApiToken).where(ApiToken.created_by == user_id, ApiToken.revoked_at.is_(None))
    for tok in list(scope.session.scalars(live)):
        _revoke(scope, tok, why)
