"""Security keys (WebAuthn, through py_webauthn) as a second factor, beside the authenticator app. Each ceremony
(adding a key, signing in with one after the password) answers a challenge handed out for it, kept hashed and
taken once by one atomic delete, so an assertion replayed (or sent twice in parallel) opens no second session; a
signature count that does not move forward (a copied key) is refused. The relying party is the host the portal is
served on: its public address when configured, else the request's own."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import parse_authentication_credential_json
from webauthn.helpers.parse_registration_credential_json import parse_registration_credential_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from impactrank.i18n import N_
from impactrank.portal import notify, second_factor
from impactrank.portal.audit import record_change
from impactrank.portal.errors import PortalError, forbidden, invalid, not_found
from impactrank.portal.models import KeyChallenge, SecurityKey
from impactrank.portal.security import token_hash
from impactrank.portal.tenancy import Actor

RP_NAME = "impactrank portal"
CHALLENGE_MINUTES = 5
REGISTER, SIGN_IN = "register", "sign_in"
SECOND_FACTOR = "security key"
"""How a sign-in with a key is logged, beside "totp" and "recovery code"."""


@dataclass(frozen=True)
class RelyingParty:
    """Who the browser signs for: the host (WebAuthn's RP id, never an IP address) and the page's origin."""

    id: str
    origin: str


def registered(session: Session, user_id: int) -> list[SecurityKey]:
    return list(session.scalars(select(SecurityKey).where(SecurityKey.user_id == user_id).order_by(SecurityKey.id)))


def listed(session: Session, user_id: int) -> list[dict]:
    """A person's keys as their page and its JSON twin show them (never the key material)."""
    return [_view(k) for k in registered(session, user_id)]


def _view(key: SecurityKey) -> dict:
    used = key.last_used_at
    return {
        "id": key.id,
        "name": key.name,
        "added": key.created_at.isoformat(timespec="seconds"),
        "last_used": used.isoformat(timespec="seconds") if used else None,
    }


def _hand_out(session: Session, user_id: int, purpose: str, now: datetime) -> bytes:
    """A fresh challenge for the person's next ceremony (their expired ones cleared)."""
    session.execute(delete(KeyChallenge).where(KeyChallenge.user_id == user_id, KeyChallenge.expires_at <= now))
    challenge = secrets.token_bytes(32)
    expires = now + timedelta(minutes=CHALLENGE_MINUTES)
    session.add(
        KeyChallenge(
            challenge_hash=token_hash(bytes_to_base64url(challenge)),
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=expires,
        )
    )
    return challenge


def _claim(session: Session, user_id: int, purpose: str, challenge: bytes, now: datetime) -> bool:
    """The challenge taken, once: it was handed out to this person for this ceremony and has not expired."""
    taken = session.execute(
        delete(KeyChallenge).where(
            KeyChallenge.challenge_hash == token_hash(bytes_to_base64url(challenge)),
            KeyChallenge.user_id == user_id,
            KeyChallenge.purpose == purpose,
            KeyChallenge.expires_at > now,
        )
    )
    return taken.rowcount == 1


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id)) for k in keys]


def registration_options(session: Session, actor: Actor, rp: RelyingParty, now: datetime) -> dict:
    """What ``navigator.credentials.create`` is given to make a key for this person (keys they have excluded)."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_name=actor.email,
        user_id=actor.user_id.to_bytes(8, "big"),
        challenge=_hand_out(session, actor.user_id, REGISTER, now),
        exclude_credentials=_descriptors(registered(session, actor.user_id)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.DISCOURAGED
        ),
    )
    return json.loads(options_to_json(options))


def sign_in_options(session: Session, user_id: int, rp: RelyingParty, now: datetime) -> dict | None:
    """What ``navigator.credentials.get`` is given after a correct password, or None for a person without a key."""
    keys = registered(session, user_id)
    if not keys:
        return None
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=_hand_out(session, user_id, SIGN_IN, now),
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    return json.loads(options_to_json(options))


def _parsed(parse, text: str, refusal: PortalError):
    """The browser's credential (its JSON) and the challenge it answers, or the refusal."""
    try:
        credential = parse(text)
        return credential, parse_client_data_json(credential.response.client_data_json).challenge
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError):
        raise refusal from None


def add(session: Session, actor: Actor, rp: RelyingParty, name: str, credential: str, now: datetime) -> dict:
    """The key made by the browser, checked against the challenge handed out for it, kept under the name the person
    gave; a person's first second factor also gets the recovery codes (returned this once, stored hashed)."""
    name = " ".join((name or "").split())
    if not name:
        raise invalid(N_("give the key a name (where you keep it, what it looks like)"), "name")
    refusal = invalid(N_("the security key's answer was not accepted: try again"), "credential")
    parsed, challenge = _parsed(parse_registration_credential_json, credential, refusal)
    if not _claim(session, actor.user_id, REGISTER, challenge, now):
        raise refusal
    try:
        made = verify_registration_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin
        )
    except WebAuthnException:
        raise refusal from None
    credential_id = bytes_to_base64url(made.credential_id)
    if session.scalar(select(SecurityKey.id).where(SecurityKey.credential_id == credential_id)) is not None:
        raise PortalError(N_("this security key is already registered"), field="credential", status=409)
    first = not second_factor.enrolled(session, actor.user_id)
    key = SecurityKey(
        user_id=actor.user_id,
        credential_id=credential_id,
        public_key=made.credential_public_key,
        sign_count=made.sign_count,
        name=name,
        created_at=now,
    )
    session.add(key)
    session.flush()
    codes = second_factor.new_recovery_codes(session, actor.user_id) if first else []
    _log(session, actor, now, "user.security_key.add", after={"security_key": name})
    return {"key": _view(key), "recovery_codes": codes}


def check(session: Session, user_id: int, assertion: str, rp: RelyingParty, now: datetime) -> str:
    """At sign-in, after the password: the assertion of one of this person's keys, over a challenge handed out to
    them for signing in and not taken yet, its count moved forward; 401 otherwise."""
    refusal = PortalError(N_("the security key's answer was not accepted"), field="assertion", status=401)
    parsed, challenge = _parsed(parse_authentication_credential_json, assertion, refusal)
    key = session.scalar(
        select(SecurityKey).where(SecurityKey.user_id == user_id, SecurityKey.credential_id == parsed.id)
    )
    if key is None or not _claim(session, user_id, SIGN_IN, challenge, now):
        raise refusal
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except WebAuthnException:
        raise refusal from None
    moved = session.execute(
        update(SecurityKey)
        .where(SecurityKey.id == key.id, SecurityKey.sign_count == key.sign_count)
        .values(sign_count=verified.new_sign_count, last_used_at=now)
    )
    if moved.rowcount != 1:
        raise refusal
    return SECOND_FACTOR


def remove(session: Session, actor: Actor, key_id: int, now: datetime, required: tuple[str, ...]) -> None:
    """One of one's keys gone; not the last second factor of a role that requires one (with the last factor, the
    recovery codes go too)."""
    key = session.scalar(select(SecurityKey).where(SecurityKey.id == key_id, SecurityKey.user_id == actor.user_id))
    if key is None:
        raise not_found(N_("no security key here"), "key")
    others = session.scalar(select(func.count()).where(SecurityKey.user_id == actor.user_id, SecurityKey.id != key.id))
    last = not others and not second_factor.has_totp(session, actor.user_id)
    if last and actor.role in required:
        raise forbidden(N_("a second factor is required for your role (%(role)s)"), "second_factor", role=actor.role)
    name = key.name
    session.delete(key)
    if last:
        second_factor.reset(session, actor.user_id)
    notify.sign_in_changed(session, actor.email, N_("A security key was removed from your account"), now)
    _log(session, actor, now, "user.security_key.remove", before={"security_key": name})


def _log(session: Session, actor: Actor, now: datetime, action: str, **change: dict) -> None:
    record_change(session, actor, now, action, "user", actor.email, institution_id=actor.institution_id, **change)
