"""Security keys (WebAuthn) as a second factor: each person's credentials, and the challenges handed out for
adding one or signing in with one

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("security_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_key_user_id"), ["user_id"], unique=False)
    op.create_table(
        "key_challenge",
        sa.Column("challenge_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("challenge_hash"),
    )
    with op.batch_alter_table("key_challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_challenge_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    drop_tables(
        ("key_challenge", "ix_key_challenge_user_id"),
        ("security_key", "ix_security_key_user_id"),
    )
