"""Sign-in throttling. Every attempt is counted before its password is checked, by one atomic statement (an
insert that becomes an increment under the row's lock), so parallel guesses cannot all pass a limit they read
before any of them was counted.

Counted per (account, address): someone guessing elsewhere slows only themselves and never locks the owner
out; and per address across accounts, so one address cannot guess a little at every account. A correct
password clears its (account, address) count and takes its own attempt off the address's.

A password sent by someone already signed in (a step-up, a password change) is counted the same way, but per
account over every address (a stolen session may move from address to address) and per address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from impactrank.i18n import N_
from impactrank.portal.errors import PortalError
from impactrank.portal.models import SignInAttempts

WINDOW = timedelta(minutes=15)
PER_ACCOUNT_ADDRESS = 5
PER_ADDRESS = 30
ANY_ACCOUNT = ""
METER = "password-strength"
"""The strength meter's count per address (no account's address, which always holds an @)."""
METER_PER_ADDRESS = 600
STEP_UP = "step-up"
"""The address of an account's count of signed-in passwords: one count over every address (no IP is a word)."""
_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def account_key(email: str | None) -> str:
    return (email or "").strip().lower()[:320]


def _too_many(message: str, field: str) -> PortalError:
    """The 429 refusal of a passed limit, saying how long the window is (every limit here counts over the same)."""
    return PortalError(message, field=field, status=429, params={"minutes": int(WINDOW.total_seconds() // 60)})


def _count(session: Session, email: str, ip: str, now: datetime) -> int:
    """This attempt counted; the number of attempts in the window, this one included."""
    table = SignInAttempts.__table__
    stale = table.c.window_start <= now - WINDOW
    statement = (
        _INSERT[session.get_bind().dialect.name](table)
        .values(email=email, ip=ip, window_start=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[table.c.email, table.c.ip],
            set_={
                "attempts": case((stale, 1), else_=table.c.attempts + 1),
                "window_start": case((stale, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.attempts)
    )
    return session.execute(statement).scalar_one()


def admit(session: Session, email: str, ip: str, now: datetime) -> None:
    """Count a sign-in attempt (commit before checking the password); 429 once either limit is passed."""
    ip = ip[:64]
    per_pair = _count(session, account_key(email), ip, now)
    per_address = _count(session, ANY_ACCOUNT, ip, now)
    if per_pair > PER_ACCOUNT_ADDRESS or per_address > PER_ADDRESS:
        raise _too_many(N_("too many failed sign-ins: try again in %(minutes)s minutes"), "email")


def admit_step_up(session: Session, email: str, ip: str, now: datetime) -> None:
    """Count a password sent with a signed-in request (commit before checking it); 429 once either limit is passed."""
    per_account = _count(session, account_key(email), STEP_UP, now)
    per_address = _count(session, ANY_ACCOUNT, ip[:64], now)
    if per_account > PER_ACCOUNT_ADDRESS or per_address > PER_ADDRESS:
        raise _too_many(N_("too many wrong passwords: try again in %(minutes)s minutes"), "current_password")


def step_up_right(session: Session, email: str, ip: str) -> None:
    """A signed-in request whose password was right: the account's count is cleared, the address's attempt forgiven."""
    table = SignInAttempts.__table__
    session.execute(delete(table).where(table.c.email == account_key(email), table.c.ip == STEP_UP))
    password_right(session, ip)


def admit_meter(session: Session, ip: str, now: datetime) -> None:
    """Count a strength estimate (~10 ms of CPU each) for the address; 429 past a limit no one typing reaches."""
    if _count(session, METER, ip[:64], now) > METER_PER_ADDRESS:
        raise _too_many(N_("too many password strength checks: try again in %(minutes)s minutes"), "password")


def succeeded(session: Session, email: str, ip: str) -> None:
    """A correct password: its failures from this address are forgiven, and it is no failure of the address."""
    ip = ip[:64]
    table = SignInAttempts.__table__
    session.execute(delete(table).where(table.c.email == account_key(email), table.c.ip == ip))
    password_right(session, ip)


def password_right(session: Session, ip: str) -> None:
    """A correct password is no failure of its address; its account's count stays until the whole sign-in succeeds
    (asking for a security key's challenge must not reset the count against guessed codes)."""
    table = SignInAttempts.__table__
    session.execute(
        update(table)
        .where(table.c.email == ANY_ACCOUNT, table.c.ip == ip[:64], table.c.attempts > 0)
        .values(attempts=table.c.attempts - 1)
    )
