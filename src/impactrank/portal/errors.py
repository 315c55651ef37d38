"""Errors the portal reports to a person: an HTTP status for the web, one line and exit 2 for the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.errors import InputError


@dataclass
class PortalError(InputError):
    """A refusal with its HTTP status; as an :class:`InputError` the CLI prints it as one line."""

    status: int = 400


def not_found(what: str, field: str | None = None) -> PortalError:
    """Unknown and not-yours look the same, so another tenant's ids reveal nothing."""
    return PortalError(f"no {what} here", field=field, status=404)


def forbidden(message: str, field: str | None = None) -> PortalError:
    return PortalError(message, field=field, status=403)


def invalid(message: str, field: str | None = None) -> PortalError:
    return PortalError(message, field=field, status=422)


def conflict(message: str, field: str | None = None) -> PortalError:
    return PortalError(message, field=field, status=409)
