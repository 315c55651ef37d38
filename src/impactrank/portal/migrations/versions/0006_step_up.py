"""Step-up: when a session's person last proved who they are (a sign-in or "confirm it's you"); a stored file's
size as a 64-bit integer (the file limit is 2 GiB, past a 32-bit integer on PostgreSQL)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reauthenticated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.alter_column("size", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.alter_column("size", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("reauthenticated_at")
