"""``portal init``: the schema at its latest migration and a secret key kept in the database; on PostgreSQL,
the migrations run as the owner role and the runtime role is granted what the server needs (roles.py)."""

from __future__ import annotations

import secrets
from datetime import datetime

from impactrank.portal.audit import record_change
from impactrank.portal.db import Database, upgrade
from impactrank.portal.models import Setting
from impactrank.portal.roles import Roles
from impactrank.portal.tenancy import COMMAND_LINE


def initialise(db: Database, now: datetime, roles: Roles | None = None) -> bool:
    """Idempotent; returns whether a new secret key was made. ``roles`` only applies to PostgreSQL."""
    upgrade(db, roles)
    with db.write() as session:
        if session.get(Setting, "secret_key") is not None:
            return False
        session.add(Setting(key="secret_key", value=secrets.token_hex(32)))
        record_change(
            session, COMMAND_LINE, now, "portal.init", "portal", "secret_key", after={"secret_key": "created"}
        )
    return True
