"""People and their access: accounts, invitations, sign-in (throttled, with the second factor), sessions, team
roles. API tokens are in :mod:`tokens`, passwords changed and reset in :mod:`passwords`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from impactrank.i18n import N_, gettext
from impactrank.portal import second_factor, security_keys, throttle, tokens
from impactrank.portal.audit import log_change, record_change
from impactrank.portal.errors import PortalError, conflict, forbidden, invalid, not_found
from impactrank.portal.models import (
    INSTITUTION_ROLES,
    OPERATOR,
    REVIEWER,
    ROLES,
    Institution,
    Invitation,
    Setting,
    User,
    WebSession,
    api_dict,
)
from impactrank.portal.security import PEPPERED, hash_password, needs_rehash, new_token, token_hash, verify_password
from impactrank.portal.strength import check_password
from impactrank.portal.tenancy import MANAGE_TEAM, Actor, Scope

INVITATION_DAYS = 7
SESSION_HOURS = 12
IDLE_MINUTES = 30
ACTIVITY_STEP = timedelta(minutes=1)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def check_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise invalid(N_("%(email)r is not an e-mail address"), "email", email=email)
    return email


def user_view(u: User) -> dict:
    has_password = u.password_hash is not None
    return api_dict(u, "id email role institution:institution_id active") | {"has_password": has_password}


def check_new_account(scope: Scope, email: str, role: str, institution_id: str | None) -> str:
    """Everything a new account is checked for except whether its address is taken: the e-mail (normalised,
    returned), the role and institution, and the asker's right to grant them."""
    email = check_email(email)
    if role not in ROLES:
        raise invalid(N_("unknown role %(role)r (one of %(roles)s)"), "role", role=role, roles=", ".join(ROLES))
    if role in INSTITUTION_ROLES and not institution_id:
        raise invalid(N_("a %(role)s belongs to an institution: give --institution"), "institution", role=role)
    if role == OPERATOR and institution_id:
        raise invalid(N_("an operator belongs to no institution"), "institution")
    if institution_id is not None and scope.session.get(Institution, institution_id) is None:
        raise not_found(N_("no institution %(id)r"), "institution", id=institution_id)
    if role in (OPERATOR, REVIEWER):
        scope.require_operator()
    elif not scope.is_operator:
        scope.institution(institution_id)
        scope.require(MANAGE_TEAM, institution_id)
        scope.require_grant(role)
    return email


def create_user(
    scope: Scope,
    email: str,
    role: str,
    institution_id: str | None,
    password: str | None,
    invitation_base: str | None = None,
    language: str | None = None,
) -> tuple[User, str | None]:
    """A new account, with a password or else an invitation (its token is returned once, stored hashed);
    ``language``: the inviting page's, the invitation's and the person's until they sign in."""
    email = check_new_account(scope, email, role, institution_id)
    if scope.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise conflict(N_("there is already an account for %(email)s"), "email", email=email)
    user = User(
        email=email,
        role=role,
        institution_id=institution_id,
        password_hash=hash_password(check_password(password, email)) if password is not None else None,
        active=True,
        created_at=scope.now,
    )
    scope.session.add(user)
    scope.session.flush()
    token = None
    if password is None:
        token = new_token()
        scope.session.add(
            Invitation(
                user_id=user.id,
                token_hash=token_hash(token),
                created_at=scope.now,
                expires_at=scope.now + timedelta(days=INVITATION_DAYS),
            )
        )
        if invitation_base:
            from impactrank.portal.notify import language_of, queue, remember_language

            if language:
                remember_language(scope.session, user.id, language)
            queue(
                scope.session,
                email,
                N_("Your invitation to the impactrank portal"),
                N_(
                    "You are invited as %(role)s%(of)s. Choose your password within %(days)s days (the link works "
                    "once):\n%(link)s\n"
                ),
                scope.now,
                role=gettext(role, language_of(scope.session, email)),
                of=f" ({institution_id})" if institution_id else "",
                days=INVITATION_DAYS,
                link=f"{invitation_base.rstrip('/')}/invitations/{token}",
            )
    log_change(
        scope,
        "user.invite" if token else "user.add",
        "user",
        email,
        after=user_view(user),
        institution_id=institution_id,
    )
    return user, token


def invitation(session: Session, token: str, now: datetime) -> tuple[Invitation, User]:
    inv = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token or "")))
    if inv is None:
        raise not_found(N_("no invitation here"), "token")
    if inv.used_at is not None:
        raise PortalError(N_("this invitation has already been used"), field="token", status=410)
    if now > inv.expires_at:
        raise PortalError(
            N_("this invitation expired on %(day)s"),
            field="token",
            status=410,
            params={"day": f"{inv.expires_at:%Y-%m-%d}"},
        )
    return inv, active_user(session, inv.user_id)


def active_user(session: Session, user_id: int) -> User:
    """The person a link (an invitation, a reset) was sent to, unless their account has been deactivated since."""
    user = session.get(User, user_id)
    if not user.active:
        raise PortalError(N_("this account has been deactivated"), field="token", status=410)
    return user


def accept_invitation(session: Session, token: str, password: str, now: datetime) -> User:
    inv, user = invitation(session, token, now)
    user.password_hash = hash_password(check_password(password, user.email))
    inv.used_at = now
    log_own(session, actor_of(user), now, "user.accept_invitation", {"has_password": False}, {"has_password": True})
    return user


def actor_of(user: User, session_token: str | None = None) -> Actor:
    return Actor(user.id, user.email, user.role, user.institution_id, session_token)


def log_own(session: Session, actor: Actor, now: datetime, action: str, before=None, after=None) -> None:
    """A person's change to their own account, made without a scope (accepting an invitation, signing in or
    out, their password): logged as them, on their account, under their institution."""
    record_change(
        session,
        actor,
        now,
        action,
        "user",
        actor.email,
        before=before,
        after=after,
        institution_id=actor.institution_id,
    )


def _by_password(session: Session, email: str, password: str) -> User:
    """The active account whose password this is (the attempt was admitted by :func:`throttle.admit`)."""
    user = session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password or "") or not user.active:
        raise PortalError(N_("wrong e-mail or password"), field="password", status=401)
    return user


def key_options(
    session: Session, email: str, password: str, ip: str, now: datetime, rp: security_keys.RelyingParty
) -> dict | None:
    """For a correct password, what the browser asks the person's security key to sign to finish signing in
    (None for an account without a key). The account's attempt stays counted until the sign-in itself succeeds,
    so that asking here cannot reset the count against guessed codes."""
    user = _by_password(session, throttle.account_key(email), password)
    throttle.password_right(session, ip)
    return security_keys.sign_in_options(session, user.id, rp, now)


def sign_in(
    session: Session,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    code: str | None = None,
    assertion: str | None = None,
    rp: security_keys.RelyingParty | None = None,
) -> tuple[str, User]:
    """A new session token for a correct password and, for a person with a second factor, a fresh code or their
    security key's answer (``assertion``, for the relying party ``rp``)."""
    email = throttle.account_key(email)
    user = _by_password(session, email, password)
    if assertion and rp is not None:
        factor = security_keys.check(session, user.id, assertion, rp, now)
    else:
        factor = second_factor.check(session, user.id, code, now)
    if needs_rehash(user.password_hash):  # made before the server's pepper (or older parameters)
        user.password_hash = hash_password(password)
    throttle.succeeded(session, email, ip)
    token = start_session(session, user, now)
    started = {"session": "started"} | ({"second_factor": factor} if factor else {})
    log_own(session, actor_of(user), now, "user.sign_in", after=started)
    return token, user


def session_expiry(started: datetime, now: datetime) -> datetime:
    """A session ends 12 hours after sign-in, or after 30 minutes without a request, whichever comes first."""
    return min(started + timedelta(hours=SESSION_HOURS), now + timedelta(minutes=IDLE_MINUTES))


def start_session(session: Session, user: User, now: datetime) -> str:
    token = new_token()
    expires = session_expiry(now, now)
    session.add(  # a sign-in is a proof of who the person is, as a step-up is (see :mod:`step_up`)
        WebSession(
            token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=expires, reauthenticated_at=now
        )
    )
    return token


def sign_out(scope: Scope) -> None:
    """The session ends (a browser's, or a script's session token)."""
    session, actor, now = scope.session, scope.actor, scope.now
    if actor.token_session is not None:
        tokens.sign_out_token(session, actor.token_session)
    elif actor.session_token:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(actor.session_token)))
        log_own(session, actor, now, "user.sign_out", before={"session": "started"})


def from_session(session: Session, token: str, now: datetime) -> tuple[Actor, bool] | None:
    """The live session's person, and whether its end is due to be moved on (at most once a minute)."""
    row = session.execute(
        select(User, WebSession.created_at, WebSession.expires_at)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == token_hash(token), WebSession.expires_at > now, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, started, expires = row
    return actor_of(user, token), session_expiry(started, now) - expires >= ACTIVITY_STEP


def note_activity(session: Session, token: str, now: datetime) -> None:
    """Move the live session's end to 30 minutes from now (12 hours after sign-in at most)."""
    row = session.scalar(
        select(WebSession).where(WebSession.token_hash == token_hash(token), WebSession.expires_at > now)
    )
    if row is not None:
        row.expires_at = max(row.expires_at, session_expiry(row.created_at, now))


def change_member(scope: Scope, institution_id: str, user_id: int, role: str | None, active: bool | None) -> dict:
    user = scope.user(user_id)
    if user.institution_id != institution_id:
        raise not_found(N_("no user here"), "user")
    scope.require(MANAGE_TEAM, institution_id)
    if role is None and active is None:
        raise invalid(N_("give a role or active"), "role")
    if role is not None and role not in INSTITUTION_ROLES:
        raise invalid(N_("a member's role is one of %(roles)s"), "role", roles=", ".join(INSTITUTION_ROLES))
    if user.id == scope.actor.user_id:
        raise forbidden(N_("you cannot change your own role or deactivate yourself"), "user")
    scope.require_grant(user.role)
    if role is not None:
        scope.require_grant(role)
    before = user_view(user)
    if role is not None and role != user.role:
        user.role = role
        tokens.end_credentials(scope, user.id, f"{user.email} is {role} now")
    if active is not None and active != user.active:
        user.active = active
        if not active:
            tokens.end_credentials(scope, user.id, f"{user.email} was deactivated")
    log_change(
        scope, "user.change", "user", user.email, before=before, after=user_view(user), institution_id=institution_id
    )
    return user_view(user)


def has_peppered_passwords(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.password_hash.startswith(PEPPERED)).limit(1)) is not None


def secret_key(session: Session) -> str:
    row = session.get(Setting, "secret_key")
    if row is None:
        raise PortalError(N_("the portal database has no secret key: run 'impactrank portal init'"), field="database")
    return row.value
