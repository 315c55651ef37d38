"""Secrets: argon2 password hashes (of the password keyed with a pepper kept outside the database, when the server
is given one), random tokens stored only as SHA-256, CSRF tokens derived from the session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from impactrank.errors import N_, InputError

MIN_PASSWORD = 12
MIN_PEPPER = 32
PEPPERED = "$hmac-sha256"
"""The mark before the argon2 hash of a peppered password (argon2 of HMAC-SHA256(pepper, password))."""
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("an unused password that only spends the same time")
_pepper: list[bytes] = []  # the process's pepper, set by the app (serve --pepper-file) or the command adding users


def use_pepper(pepper: bytes | None) -> None:
    """The secret mixed into every new password hash of this process; ``None``: plain argon2 hashes."""
    _pepper[:] = [pepper] if pepper else []


def read_pepper(path: str | Path) -> bytes:
    """A pepper file: at least 32 characters of random text (e.g. ``openssl rand -base64 48``), kept off the
    database server and its backups."""
    try:
        pepper = Path(path).read_bytes().strip()
    except OSError as exc:
        raise InputError(
            N_("cannot read the pepper file %(file)s"), field="pepper-file", params={"file": path}
        ) from exc
    if len(pepper) < MIN_PEPPER:
        raise InputError(
            N_("the pepper file %(file)s holds fewer than %(n)s characters"),
            field="pepper-file",
            params={"file": path, "n": MIN_PEPPER},
        )
    return pepper


def _keyed(pepper: bytes, password: str) -> str:
    return hmac.new(pepper, password.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_password(password: str) -> str:
    if _pepper:
        return PEPPERED + _hasher.hash(_keyed(_pepper[0], password))
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal e-mail addresses. A peppered
    hash matches only with the pepper it was made with."""
    if stored is not None and stored.startswith(PEPPERED):
        if _pepper:
            stored, password = stored.removeprefix(PEPPERED), _keyed(_pepper[0], password)
        else:
            stored = None  # not to be checked without its pepper: refused after the same work
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """A hash made without this process's pepper, or with older argon2 parameters: hashed anew at sign-in."""
    if bool(_pepper) != stored.startswith(PEPPERED):
        return bool(_pepper)
    return _hasher.check_needs_rehash(stored.removeprefix(PEPPERED))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(secret_key: str, session_token: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret_key: str, session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret_key, session_token), given)
