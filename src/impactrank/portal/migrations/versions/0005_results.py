"""Results under embargo: an institution's results attached to a cycle with their public time, and their press
kits

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("edition", sa.String(length=64), nullable=False),
        sa.Column("public_at", sa.DateTime(), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "institution_id", name="uq_result"),
    )
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_institution_id"), ["institution_id"], unique=False)
    op.create_table(
        "press_kit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["result.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("result_id", "lang", name="uq_press_kit"),
    )
    with op.batch_alter_table("press_kit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_press_kit_result_id"), ["result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_press_kit_institution_id"), ["institution_id"], unique=False)


def downgrade() -> None:
    drop_tables(
        ("press_kit", "ix_press_kit_institution_id", "ix_press_kit_result_id"),
        ("result", "ix_result_institution_id"),
    )
