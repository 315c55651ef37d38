"""Migrations on both databases: a database made at the first revision upgrades with its data, and the schema
the models describe is the one the migrations build."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from impactrank.portal.db import Database, migrations_config, schema_is_current, upgrade
from impactrank.portal.models import Base


def test_upgrade_from_the_first_revision_keeps_data(db_url):
    db = Database(db_url)
    with db.engine.begin() as conn:
        command.upgrade(migrations_config(conn), "0001")
    assert not schema_is_current(db)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO cycle (id, methodology_id, methodology_yaml, opened_at, closes_at, state) "
                "VALUES ('2024', 'x', 'rules: text', '2024-09-01 00:00:00', '2024-11-11 23:59:59', 'open')"
            )
        )
    upgrade(db)
    assert schema_is_current(db)
    with db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT methodology_sha256, review_rounds, grace_hours FROM cycle")).one()
        assert tuple(row) == (hashlib.sha256(b"rules: text").hexdigest(), 2, 0)
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
    db.dispose()


def test_downgrade_removes_every_table_and_trigger_and_upgrade_builds_them_again(db_url):
    db = Database(db_url)
    upgrade(db)
    with db.engine.begin() as conn:
        command.downgrade(migrations_config(conn), "0001")
    with db.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"assessment", "correction", "conflict", "assignment", "extension", "outbox"}.isdisjoint(tables)
    assert {"record", "cycle", "audit_log"} <= tables
    with db.engine.begin() as conn:
        command.downgrade(migrations_config(conn), "base")
    with db.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        if conn.dialect.name == "postgresql":
            functions = conn.execute(sa.text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'"))
            assert functions.scalar() == 0
    upgrade(db)
    assert schema_is_current(db)
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    db.dispose()
