"""sync cursors

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=512), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "scope", "resource", name=op.f("pk_sync_cursors")),
    )


def downgrade() -> None:
    op.drop_table("sync_cursors")
