"""timeline sets built in chunks: build state and progress

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:00:00

A timeline set is now built in bounded chunks, each its own short transaction, so that
webhooks and other writes interleave with a long build and a killed build resumes where it
stopped. The set records the build's target position in the change log, the last change key
done and its progress; ``complete`` stays false until the first full build ends (existing
sets were built in one transaction: they are complete).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timeline_sets") as batch:
        batch.add_column(
            sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("target", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cursor", sa.Text(), nullable=True))
        batch.add_column(sa.Column("done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("total", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("timeline_sets") as batch:
        for column in ("total", "done", "cursor", "target", "complete"):
            batch.drop_column(column)
