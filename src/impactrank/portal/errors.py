"""Errors the portal reports to a person: an HTTP status for the web, one line and exit 2 for the CLI. A message
is a catalog entry with ``%(name)s`` placeholders filled from ``params``: English in the API and the CLI, the
reader's language on a page."""

from __future__ import annotations

from dataclasses import dataclass

from impactrank.errors import InputError
from impactrank.i18n import N_


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


# pydantic's refusals of a field, by their type, as catalog messages (its own texts are English only)
VALIDATION = {
    "missing": N_("this field is required"),
    "extra_forbidden": N_("this field is not accepted"),
    "float_parsing": N_("a number is expected"),
    "float_type": N_("a number is expected"),
    "int_parsing": N_("a whole number is expected"),
    "int_type": N_("a whole number is expected"),
    "int_from_float": N_("a whole number is expected"),
    "finite_number": N_("a finite number is expected"),
    "bool_parsing": N_("true or false is expected"),
    "bool_type": N_("true or false is expected"),
    "string_type": N_("a text is expected"),
    "string_too_long": N_("at most %(max_length)s characters"),
    "string_too_short": N_("at least %(min_length)s characters"),
    "greater_than_equal": N_("at least %(ge)s"),
    "less_than_equal": N_("at most %(le)s"),
    "literal_error": N_("one of %(expected)s"),
    "date_parsing": N_("a date is expected (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("a date is expected (YYYY-MM-DD)"),
}


def refused_field(error: dict) -> PortalError:
    """The 422 of pydantic's first refusal of a request's fields, naming the field."""
    field = ".".join(str(p) for p in error["loc"]) or "body"
    message = VALIDATION.get(error["type"])
    if message is None:
        return invalid(error["msg"], field)
    params = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    return invalid(
        message, field, **{k: params[k] for k in ("max_length", "min_length", "ge", "le", "expected") if k in params}
    )
