"""A person's own sessions: listed with when each began and ends (30 minutes after its last request), and ended,
all but the one asking, once the current password is typed again (a session left open on another computer, a
stolen cookie)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from impactrank.portal.accounts import log_own
from impactrank.portal.models import WebSession
from impactrank.portal.passwords import require_current
from impactrank.portal.security import token_hash
from impactrank.portal.tenancy import Actor, Scope


def listed(session, actor: Actor, now: datetime) -> list[dict]:
    """The person's live sessions, the newest first; ``this``: the one asking."""
    if actor.user_id is None or actor.session_token is None:
        return []
    mine = token_hash(actor.session_token)
    rows = session.scalars(
        select(WebSession)
        .where(WebSession.user_id == actor.user_id, WebSession.expires_at > now)
        .order_by(WebSession.created_at.desc(), WebSession.token_hash)
    )
    shown = [(s.created_at, s.expires_at, s.token_hash == mine) for s in rows]
    return [{"started": f"{a:%Y-%m-%dT%H:%M}", "ends": f"{b:%Y-%m-%dT%H:%M}", "this": this} for a, b, this in shown]


def end_others(scope: Scope) -> int:
    """End every other session of the person (the current password required); how many ended."""
    require_current(scope)
    session, actor, now = scope.session, scope.actor, scope.now
    ended = session.execute(
        delete(WebSession).where(
            WebSession.user_id == actor.user_id, WebSession.token_hash != token_hash(actor.session_token)
        )
    ).rowcount
    log_own(session, actor, now, "user.sessions.end_others", after={"sessions_ended": ended})
    return ended
