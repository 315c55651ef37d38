"""The second factor: a TOTP authenticator (RFC 6238, through pyotp), security keys (:mod:`security_keys`), or one
of ten single-use recovery codes kept as SHA-256. Required by default of the accounts that see every institution
(operators and reviewers): they may sign in without it only to set it up. A code is taken once: the step it
belongs to is claimed by one atomic update, so a code seen over a shoulder (or sent twice in parallel) does not
open a second session."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import UTC, datetime

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from impactrank.errors import InputError
from impactrank.i18n import N_
from impactrank.portal import notify
from impactrank.portal.audit import log_change, record_change
from impactrank.portal.errors import PortalError, conflict, forbidden
from impactrank.portal.models import (
    ROLES,
    STAFF_ROLES,
    KeyChallenge,
    RecoveryCode,
    SecondFactor,
    SecurityKey,
    User,
    WebSession,
)
from impactrank.portal.security import token_hash
from impactrank.portal.tenancy import Actor, Scope

REQUIRED_ROLES = STAFF_ROLES
STEP_SECONDS = 30
TOTP_DIGITS = 6
DRIFT_STEPS = 1
"""Codes of the step before and after the server's are accepted too (clocks drift; people type slowly)."""
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ISSUER = "impactrank portal"


def roles_from(text: str) -> tuple[str, ...]:
    """The roles that must set up a second factor, as ``serve --second-factor-for`` names them (commas; empty
    for none)."""
    roles = tuple(r.strip() for r in text.split(",") if r.strip())
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise InputError(
            N_("unknown role %(role)r (roles: %(roles)s)"),
            field="second-factor-for",
            params={"role": unknown[0], "roles": ", ".join(ROLES)},
        )
    return roles


def step_of(now: datetime) -> int:
    """The TOTP time step of a naive UTC time."""
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def has_totp(session: Session, user_id: int) -> bool:
    return (
        session.scalar(
            select(SecondFactor.user_id).where(SecondFactor.user_id == user_id, SecondFactor.confirmed_at.is_not(None))
        )
        is not None
    )


def has_key(session: Session, user_id: int) -> bool:
    return session.scalar(select(SecurityKey.id).where(SecurityKey.user_id == user_id).limit(1)) is not None


def kind(session: Session, user_id: int) -> str | None:
    """What proves the person's second factor in a form: "app" (its code), "key" (a key only: a recovery code, or
    confirming with the key first), or None."""
    return "app" if has_totp(session, user_id) else "key" if has_key(session, user_id) else None


def enrolled(session: Session, user_id: int) -> bool:
    """Whether the person has a second factor: an authenticator app or a security key."""
    return has_totp(session, user_id) or has_key(session, user_id)


def _claim_totp(session: Session, factor: SecondFactor, code: str, now: datetime) -> bool:
    totp = pyotp.TOTP(factor.secret)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            claimed = session.execute(
                update(SecondFactor)
                .where(SecondFactor.user_id == factor.user_id, SecondFactor.last_step < step)
                .values(last_step=step)
            )
            return claimed.rowcount == 1
    return False


def _normal_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _claim_recovery(session: Session, user_id: int, code: str, now: datetime) -> bool:
    claimed = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == token_hash(_normal_recovery(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return claimed.rowcount == 1


def check(session: Session, user_id: int, code: str | None, now: datetime) -> str | None:
    """At sign-in, after the password: 401 unless a person with a second factor gives a fresh code; which kind
    of code was taken ("totp" or "recovery code"), or None for a person without a second factor. (A security
    key's answer is checked by :func:`security_keys.check` instead.)"""
    factor = session.get(SecondFactor, user_id)
    if factor is not None and factor.confirmed_at is None:
        factor = None
    if factor is None and not has_key(session, user_id):
        return None
    code = re.sub(r"\s", "", code or "")
    if not code and factor is None:
        raise PortalError(N_("use your security key (or enter a recovery code)"), field="assertion", status=401)
    if not code:
        raise PortalError(
            N_("enter the code from your authenticator app (or a recovery code)"), field="code", status=401
        )
    totp = len(code) == TOTP_DIGITS and code.isdigit()
    if totp and factor is not None and _claim_totp(session, factor, code, now):
        return "totp"
    if not totp and _claim_recovery(session, user_id, code, now):
        return "recovery code"
    raise PortalError(N_("wrong or already used code"), field="code", status=401)


def _log(session: Session, actor: Actor, now: datetime, action: str, **change: dict) -> None:
    """A change to one's own second factor, logged on one's account, under one's institution."""
    record_change(session, actor, now, action, "user", actor.email, institution_id=actor.institution_id, **change)


def begin(session: Session, actor: Actor, now: datetime) -> dict:
    """A new secret to scan (not in use until :func:`confirm`); replaces one not yet confirmed."""
    factor = session.get(SecondFactor, actor.user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise conflict(N_("your second factor is already set up: remove it first to set up another"), "second_factor")
    secret = pyotp.random_base32()
    if factor is None:
        session.add(SecondFactor(user_id=actor.user_id, secret=secret, created_at=now, last_step=0))
    else:
        factor.secret, factor.created_at, factor.last_step = secret, now, 0
    _log(session, actor, now, "user.second_factor.begin", after={"second_factor": "new"})
    uri = pyotp.TOTP(secret).provisioning_uri(name=actor.email, issuer_name=ISSUER)
    return {"secret": secret, "uri": uri}


def confirm(session: Session, actor: Actor, code: str, now: datetime) -> list[str]:
    """The first code proves the app holds the secret: the factor is in use, and the recovery codes are returned
    (this once; stored hashed)."""
    factor = session.get(SecondFactor, actor.user_id)
    if factor is None or factor.confirmed_at is not None:
        raise conflict(N_("start setting up a second factor first"), "second_factor")
    if not _claim_totp(session, factor, re.sub(r"\s", "", code or ""), now):
        raise PortalError(
            N_("wrong code: check the time on your device and try the next one"), field="code", status=422
        )
    factor.confirmed_at = now
    codes = new_recovery_codes(session, actor.user_id) if not has_key(session, actor.user_id) else []
    _log(session, actor, now, "user.second_factor.add", after={"second_factor": True})
    return codes


def new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Ten new recovery codes in place of any before (returned this once, stored hashed)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        session.add(RecoveryCode(user_id=user_id, code_hash=token_hash(raw)))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def remove(session: Session, actor: Actor, now: datetime, required: tuple[str, ...]) -> None:
    """Stop using the authenticator app (with no security key left, the recovery codes go too); not for a role that
    requires a second factor, unless a security key stays."""
    if not has_totp(session, actor.user_id):
        raise conflict(N_("you have no second factor"), "second_factor")
    keys = has_key(session, actor.user_id)
    if actor.role in required and not keys:
        raise forbidden(N_("a second factor is required for your role (%(role)s)"), "second_factor", role=actor.role)
    if keys:
        session.execute(delete(SecondFactor).where(SecondFactor.user_id == actor.user_id))
    else:
        reset(session, actor.user_id)
    notify.sign_in_changed(session, actor.email, N_("The second factor of your account was removed"), now)
    _log(session, actor, now, "user.second_factor.remove", before={"second_factor": True})


def reset(session: Session, user_id: int) -> None:
    """A person's second factor (app and security keys) and recovery codes gone (they set up a new one at their next
    sign-in)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    session.execute(delete(KeyChallenge).where(KeyChallenge.user_id == user_id))
    session.execute(delete(SecurityKey).where(SecurityKey.user_id == user_id))


def reset_for(scope: Scope, email: str) -> None:
    """An operator removes a person's second factor (lost device and codes), logged; their sessions end."""
    scope.require_operator()
    user = scope.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not enrolled(scope.session, user.id):
        raise PortalError(N_("%(email)s has no second factor"), field="email", status=404, params={"email": email})
    reset(scope.session, user.id)
    scope.session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    notify.sign_in_changed(scope.session, user.email, N_("An operator removed your account's second factor"), scope.now)
    log_change(
        scope,
        "user.second_factor.reset",
        "user",
        user.email,
        before={"second_factor": True},
        after={"second_factor": False},
        institution_id=user.institution_id,
    )
