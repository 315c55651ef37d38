"""The audit trail: one appended row per change, written in the same transaction as the change itself."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from impactrank.portal.models import AuditEntry
from impactrank.portal.tenancy import Actor, Scope


def plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def record_change(
    session: Session,
    actor: Actor,
    at: datetime,
    action: str,
    object_type: str,
    object_id: str,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    cycle_id: str | None = None,
    institution_id: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor_id=actor.user_id,
        actor_email=actor.email,
        action=action,
        object_type=object_type,
        object_id=object_id,
        cycle_id=cycle_id,
        institution_id=institution_id,
        before=plain(before),
        after=plain(after),
        reason=reason,
    )
    session.add(entry)
    return entry


def log_change(scope: Scope, action: str, object_type: str, object_id: str, **details: Any) -> AuditEntry:
    """A change made through a scope: by its actor, at its time, in its transaction (``details``: the keywords
    of :func:`record_change`)."""
    return record_change(scope.session, scope.actor, scope.now, action, object_type, object_id, **details)
