"""When an institution may still write: before the cycle's close date (plus its unannounced grace period) while
the cycle is open, before its own extended deadline, or — for one metric a reviewer reopened — before the
revision is due. Past that, writes answer 423 with the date."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from impactrank.i18n import N_
from impactrank.portal.errors import PortalError
from impactrank.portal.models import Cycle, Extension, Record
from impactrank.portal.tenancy import Scope


def locked(message: str, field: str | None = None, **params) -> PortalError:
    return PortalError(message, field=field, status=423, params=params)


def extension(scope: Scope, cycle: Cycle, institution_id: str) -> Extension | None:
    return scope.session.scalar(
        select(Extension).where(Extension.cycle_id == cycle.id, Extension.institution_id == institution_id)
    )


def deadline(scope: Scope, cycle: Cycle, institution_id: str) -> datetime | None:
    """The last moment the institution may write (None once the cycle is frozen)."""
    if cycle.state == "published":
        return None
    ext = extension(scope, cycle, institution_id)
    if ext is not None and (cycle.state != "open" or ext.until > cycle.closes_at):
        return ext.until
    if cycle.state != "open":
        return None
    return cycle.closes_at + timedelta(hours=cycle.grace_hours)


def require_writable(scope: Scope, cycle: Cycle, institution_id: str, record: Record | None = None) -> None:
    if record is not None and record.reopened and cycle.state != "published":
        if scope.now <= record.revision_due:
            return
        raise locked(
            N_("the revision of this metric was due on %(when)s UTC"),
            "metric",
            when=f"{record.revision_due:%Y-%m-%d %H:%M}",
        )
    if cycle.state == "published":
        raise locked(N_("cycle %(id)s is published: ask for a correction instead"), "cycle", id=cycle.id)
    until = deadline(scope, cycle, institution_id)
    if until is None or scope.now > until:
        shown = extension(scope, cycle, institution_id)
        date = shown.until if shown is not None and shown.until > cycle.closes_at else cycle.closes_at
        raise locked(
            N_("cycle %(id)s closed for submissions on %(when)s UTC"),
            "cycle",
            id=cycle.id,
            when=f"{date:%Y-%m-%d %H:%M}",
        )


def writable_until(scope: Scope, cycle: Cycle, institution_id: str) -> str | None:
    """The deadline shown to the institution (without the grace period), or None once it may no longer write."""
    until = deadline(scope, cycle, institution_id)
    if until is None or scope.now > until:
        return None
    ext = extension(scope, cycle, institution_id)
    shown = ext.until if ext is not None and ext.until > cycle.closes_at else cycle.closes_at
    return shown.isoformat()
