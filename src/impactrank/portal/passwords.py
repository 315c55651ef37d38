"""Changing a password (signed in, the current one required) and resetting a forgotten one by a single-use link
sent through the outbox, valid for an hour. Asking for a link answers the same whether or not the account exists;
a new password ends the person's other sessions (a reset ends all of them), and the second factor stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from impactrank.i18n import N_
from impactrank.portal import notify
from impactrank.portal.accounts import active_user, actor_of, check_email, log_own
from impactrank.portal.audit import record_change
from impactrank.portal.errors import PortalError, forbidden
from impactrank.portal.models import PasswordReset, User, WebSession
from impactrank.portal.security import hash_password, new_token, token_hash, verify_password
from impactrank.portal.strength import check_password
from impactrank.portal.tenancy import Actor, Scope

RESET_MINUTES = 60
RESET_EVERY = timedelta(minutes=5)
"""At most one link per account this often: asking again does not flood the person's mailbox."""


def require_person(actor: Actor) -> None:
    """A person signed in, not a script's token: only they change their password or second factor."""
    if actor.token_id is not None or actor.user_id is None:
        raise forbidden(N_("sign in as yourself to change your password or second factor"), "token")


def is_current(session: Session, actor: Actor, password: str | None) -> bool:
    """Whether a signed-in person's ``password`` is their current one (a token's holder has none)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    return user is not None and verify_password(user.password_hash, password or "")


def require_current(scope: Scope) -> User:
    """The signed-in person who typed their current password (the scope's verdict on it)."""
    require_person(scope.actor)
    if not scope.password_right:
        raise PortalError(N_("wrong current password"), field="current_password", status=401)
    return scope.session.get(User, scope.actor.user_id)


def change(scope: Scope, new: str) -> None:
    session, actor, now = scope.session, scope.actor, scope.now
    user = require_current(scope)
    user.password_hash = hash_password(check_password(new, user.email))
    session.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id, WebSession.token_hash != token_hash(actor.session_token or "")
        )
    )
    notify.sign_in_changed(session, user.email, N_("Your password was changed"), now)
    log_own(session, actor, now, "user.password.change", after={"other_sessions": "ended"})


def request_reset(session: Session, email: str, base_url: str, now: datetime) -> None:
    """Send a reset link to an active account with a password; for any other address, do nothing, silently."""
    try:
        email = check_email(email)
    except PortalError:
        return
    user = session.scalar(select(User).where(User.email == email, User.active.is_(True)))
    if user is None or user.password_hash is None:
        return
    recent = select(PasswordReset.id).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - RESET_EVERY
    )
    if session.scalar(recent) is not None:
        return
    raw = new_token()
    expires = now + timedelta(minutes=RESET_MINUTES)
    session.add(PasswordReset(user_id=user.id, token_hash=token_hash(raw), created_at=now, expires_at=expires))
    notify.queue(
        session,
        user.email,
        N_("Reset your impactrank portal password"),
        N_(
            "Someone (we hope you) asked to reset the password of %(email)s. Choose a new one within %(minutes)s "
            "minutes (the link works once):\n%(link)s\n\nIf you did not ask, ignore this message: your password "
            "stays as it is.\n"
        ),
        now,
        email=user.email,
        minutes=RESET_MINUTES,
        link=f"{base_url.rstrip('/')}/password-reset/{raw}",
    )
    record_change(
        session,
        actor_of(user),
        now,
        "user.password.reset_asked",
        "user",
        user.email,
        after={"reset_link_expires": expires},
        institution_id=user.institution_id,
    )


def reset_link(session: Session, token: str, now: datetime) -> tuple[PasswordReset, User]:
    link = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token or "")))
    if link is None:
        raise PortalError(N_("no such reset link: ask for a new one"), field="token", status=404)
    if link.used_at is not None:
        raise PortalError(N_("this reset link has already been used: ask for a new one"), field="token", status=410)
    if now > link.expires_at:
        raise PortalError(N_("this reset link has expired: ask for a new one"), field="token", status=410)
    return link, active_user(session, link.user_id)


def reset(session: Session, token: str, new: str, now: datetime) -> User:
    """The new password is set, this and every other link of the person is spent, and every session ends."""
    link, user = reset_link(session, token, now)
    password = hash_password(check_password(new, user.email))
    spent = update(PasswordReset).where(PasswordReset.used_at.is_(None)).values(used_at=now)
    if session.execute(spent.where(PasswordReset.id == link.id)).rowcount != 1:  # a parallel use came first
        raise PortalError(N_("this reset link has already been used: ask for a new one"), field="token", status=410)
    session.execute(spent.where(PasswordReset.user_id == user.id))
    user.password_hash = password
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    notify.sign_in_changed(session, user.email, N_("Your password was reset with a link sent to this address"), now)
    log_own(session, actor_of(user), now, "user.password.reset", after={"sessions": "ended"})
    return user
