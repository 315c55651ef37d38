"""Hardening: sign-in attempts counted in one atomic statement; audit rows not replaceable on SQLite

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables, run_for_dialect

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# REPLACE deletes the old row without firing delete triggers, and an UPSERT may turn an insert into an update:
# an insert that names an id already in the log is refused before either can happen.
NO_REPLACE = {
    "sqlite": [
        "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
        "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
}
UNDO_NO_REPLACE = {"sqlite": ["DROP TRIGGER audit_log_no_replace"]}


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("email", "ip"),
    )
    drop_tables(("login_failure", "ix_login_failure_ip_at", "ix_login_failure_email_at"))
    run_for_dialect(NO_REPLACE)


def downgrade() -> None:
    run_for_dialect(UNDO_NO_REPLACE)
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_email_at", ["email", "at"], unique=False)
        batch_op.create_index("ix_login_failure_ip_at", ["ip", "at"], unique=False)
    drop_tables(("sign_in_attempts",))
