"""The audit log is append-only in the database itself: neither the application's session nor plain SQL can
change or remove a row, on SQLite (triggers) and PostgreSQL (a trigger function)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from portal_helpers import put

from impactrank.portal.models import AuditEntry


def test_log_rows_cannot_be_changed_or_removed(world):
    c = world.client("A.contributor")
    assert put(c, "2025", "A", 1, "pubs", value=7).status_code == 200
    before = world.table("audit_log")
    assert before[-1][4] == "record.save" or any(r[4] == "record.save" for r in before)
    for statement in ("UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
            session.execute(sa.text(statement))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
        entry = session.scalars(sa.select(AuditEntry).limit(1)).one()
        entry.after = {"forged": True}
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
        session.delete(session.scalars(sa.select(AuditEntry).limit(1)).one())
    if world.db.dialect == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), world.db.write() as session:
            session.execute(sa.text("TRUNCATE audit_log"))
    assert world.table("audit_log") == before


def test_a_saved_record_is_logged_with_before_and_after(world):
    c = world.client("A.contributor")
    n = world.audit_count()
    put(c, "2025", "A", 1, "pubs", value=7)
    put(c, "2025", "A", 1, "pubs", value=8, version=1)
    assert world.audit_count() == n + 2
    with world.db.read() as session:
        last = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor_email, last.action, last.object_id) == (
        world.users["A.contributor"],
        "record.save",
        "2025/A/1/pubs",
    )
    assert last.before["value"] == 7 and last.after["value"] == 8 and last.after["version"] == 2
