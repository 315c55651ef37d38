"""When an institution may still write: the cycle is open and its close date has not passed."""

from __future__ import annotations

from impactrank.portal.errors import PortalError
from impactrank.portal.models import Cycle
from impactrank.portal.tenancy import Scope


def locked(message: str, field: str | None = None) -> PortalError:
    return PortalError(message, field=field, status=423)


def require_writable(scope: Scope, cycle: Cycle, institution_id: str) -> None:
    if cycle.state != "open":
        raise locked(f"cycle {cycle.id} closed for submissions on {cycle.closes_at:%Y-%m-%d %H:%M} UTC", "cycle")
    if scope.now > cycle.closes_at:
        raise locked(f"cycle {cycle.id} closed for submissions on {cycle.closes_at:%Y-%m-%d %H:%M} UTC", "cycle")


def writable_until(scope: Scope, cycle: Cycle, institution_id: str) -> str | None:
    """The deadline shown to the institution, or None once it may no longer write."""
    return cycle.closes_at.isoformat() if cycle.state == "open" and scope.now <= cycle.closes_at else None
