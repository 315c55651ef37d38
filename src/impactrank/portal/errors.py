"""Errors the portal reports to a person: an HTTP status for the web, one line and exit 2 for the CLI. A message
is a catalog entry with ``%(name)s`` placeholders filled from ``params``: English in the API and the CLI, the
reader's language on a page."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.errors import InputError


@dataclass
class PortalError(InputError):
    """A refusal with its HTTP status; as an :class:`InputError` the CLI prints it as one line, and a page shows
    it in the reader's language (:meth:`InputError.text`)."""

    status: int = 400


def not_found(message: str, field: str | None = None, **params) -> PortalError:
    """Unknown and not-yours look the same, so another tenant's ids reveal nothing."""
    return PortalError(message, field=field, status=404, params=params)


def forbidden(message: str, field: str | None = None, **params) -> PortalError:
    return PortalError(message, field=field, status=403, params=params)


def invalid(message: str, field: str | None = None, **params) -> PortalError:
    return PortalError(message, field=field, status=422, params=params)


def conflict(message: str, field: str | None = None, **params) -> PortalError:
    return PortalError(message, field=field, status=409, params=params)
