"""Two people writing the same row at once: the database's unique constraints decide, and the one who came
second is told to reload and try again (409) rather than shown a server error."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from impactrank.portal.errors import conflict


def flush_or_conflict(session: Session, message: str, field: str) -> None:
    """Write what is pending now; a row someone else has just written is a 409 naming ``field``."""
    try:
        session.flush()
    except IntegrityError:
        raise conflict(message, field) from None
