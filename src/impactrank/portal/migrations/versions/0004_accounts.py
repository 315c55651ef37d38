"""Accounts: API tokens expire, keep their last use and the token that made them; password resets; TOTP second
factor with recovery codes

Revision ID: 0004
Revises: 0003
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TOKEN_DAYS = 90
"""Tokens made before expiry existed: valid this long after they were made (the default for new tokens)."""


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_token_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key("fk_api_token_parent_id", "api_token", ["parent_id"], ["id"])
    tokens = sa.table(
        "api_token",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("expires_at", sa.DateTime),
    )
    bind = op.get_bind()
    for token_id, created in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        expires = created + timedelta(days=TOKEN_DAYS)
        bind.execute(tokens.update().where(tokens.c.id == token_id).values(expires_at=expires))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)

    op.create_table(
        "second_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    drop_tables(
        ("recovery_code", "ix_recovery_code_user_id"),
        ("second_factor",),
        ("password_reset", "ix_password_reset_user_id"),
    )
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_constraint("fk_api_token_parent_id", type_="foreignkey")
        batch_op.drop_index("ix_api_token_parent_id")
        for column in ("parent_id", "last_used_at", "expires_at"):
            batch_op.drop_column(column)
