"""Review, deadlines, corrections, outbox

Revision ID: 0002
Revises: 0001
"""

import hashlib

import sqlalchemy as sa
from alembic import op

from impactrank.portal.migration_ops import drop_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "institution_id", name="uq_extension"),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("sdg", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cycle_id", "institution_id", "sdg", "reviewer_id", name="uq_assignment"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_reviewer_id"), ["reviewer_id"], unique=False)

    op.create_table(
        "conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_reviewer_id"), ["reviewer_id"], unique=False)

    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("sdg", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["portal_user.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_institution_id"), ["institution_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("ans_exists", sa.Float(), nullable=True),
        sa.Column("ans_evidence", sa.Float(), nullable=True),
        sa.Column("ans_public", sa.Float(), nullable=True),
        sa.Column("ans_recent", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["portal_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_record_id"), ["record_id"], unique=False)

    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grace_hours", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("review_rounds", sa.Integer(), server_default="2", nullable=False))
        batch_op.add_column(sa.Column("revision_days", sa.Integer(), server_default="14", nullable=False))
        batch_op.add_column(sa.Column("methodology_sha256", sa.String(length=64), server_default="", nullable=False))

    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_round", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reopened", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("revision_due", sa.DateTime(), nullable=True))
    cycles = sa.table(
        "cycle",
        sa.column("id", sa.String),
        sa.column("methodology_yaml", sa.Text),
        sa.column("methodology_sha256", sa.String),
    )
    bind = op.get_bind()
    for cycle_id, text in bind.execute(sa.select(cycles.c.id, cycles.c.methodology_yaml)).all():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        bind.execute(cycles.update().where(cycles.c.id == cycle_id).values(methodology_sha256=digest))


def downgrade() -> None:
    with op.batch_alter_table("record") as batch_op:
        for column in ("revision_due", "reopened", "revision_round"):
            batch_op.drop_column(column)
    with op.batch_alter_table("cycle") as batch_op:
        for column in ("revision_days", "methodology_sha256", "review_rounds", "grace_hours"):
            batch_op.drop_column(column)
    drop_tables(
        ("assessment", "ix_assessment_record_id", "ix_assessment_institution_id"),
        ("correction", "ix_correction_institution_id"),
        ("conflict", "ix_conflict_reviewer_id"),
        ("assignment", "ix_assignment_reviewer_id", "ix_assignment_institution_id"),
        ("extension",),
        ("outbox",),
    )
