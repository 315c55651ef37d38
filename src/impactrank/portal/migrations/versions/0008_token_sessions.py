"""Session tokens for scripts: short-lived tokens a script gets for its API token, which the API accepts in its
place

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("token_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_token_session_token_id"), ["token_id"], unique=False)


def downgrade() -> None:
    drop_tables(("token_session", "ix_token_session_token_id"))
