"""How easily a new password would be guessed, by zxcvbn: it matches the password against the lists that ship with
the package (the 30,000 passwords most found in breaches, common words, names, surnames) and against keyboard
patterns, repeats, sequences and dates, all offline. A new password must be long enough and not guessable within
10^8 guesses (zxcvbn's score 3); the pages show the same estimate as a meter while it is typed."""

from __future__ import annotations

from impactrank.i18n import N_
from impactrank.portal.errors import invalid
from impactrank.portal.security import MIN_PASSWORD

MIN_SCORE = 3
ESTIMATED = 72
"""zxcvbn's own limit; characters past it only make a password harder to guess."""
MAX_PASSWORD = 1000


def score(password: str, email: str | None = None) -> int:
    """0 (guessed at once) to 4 (beyond 10^10 guesses); the person's address and its parts count as known words."""
    from zxcvbn import zxcvbn  # its lists take half a second to load: only when a password is set

    hints = [email, *email.replace("@", ".").split(".")] if email else []
    return zxcvbn(password[:ESTIMATED], user_inputs=hints)["score"]


REFUSALS = {
    "short": N_("a password needs at least %(n)s characters"),
    "long": N_("a password is limited to %(n)s characters"),
    "guessable": N_(
        "this password is too easy to guess: it is a common one, or made of common words, names, dates, repeats or "
        "keyboard patterns; a few uncommon words make a good one"
    ),
}


def refusal(password: str | None, email: str | None = None) -> str | None:
    """Why a new password is refused (a key of :data:`REFUSALS`), or None."""
    if password is None or len(password) < MIN_PASSWORD:
        return "short"
    if len(password) > MAX_PASSWORD:
        return "long"
    if score(password, email) < MIN_SCORE:
        return "guessable"
    return None


def check_password(password: str | None, email: str | None = None) -> str:
    """The new password, or a 422 naming the field ``password``."""
    why = refusal(password, email)
    if why is not None:
        raise invalid(REFUSALS[why], "password", n=MAX_PASSWORD if why == "long" else MIN_PASSWORD)
    return password


def meter(password: str, email: str | None = None) -> dict:
    """What the password forms' meter shows while a password is typed: the score, and why it would be refused
    (``short``, ``long``, ``guessable``; the page has the words)."""
    why = refusal(password, email)
    return {"score": score(password[:MAX_PASSWORD], email), "acceptable": why is None, "refusal": why}
