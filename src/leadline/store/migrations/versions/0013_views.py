"""views: the org file's saved views

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:30:00

Saved views (docs/dashboard.md "Saved views") are one new table, ``views``: a row per view
of the org file, in its order, the view as JSON (``profiles/views.py`` ``ViewSpec.as_json``).
``leadline apply`` replaces them whole, as it does the collections; nothing existing moves.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "views",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_views")),
        sa.UniqueConstraint("name", name=op.f("uq_views_name")),
    )


def downgrade() -> None:
    op.drop_table("views")
