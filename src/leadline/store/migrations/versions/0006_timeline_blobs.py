"""timeline times as float64 blobs, with a covering index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 19:45:00

Timelines are derived data: the table is dropped and recreated with ``times`` as a
little-endian float64 blob (start, then each stage; NaN = not reached), and every timeline
set is emptied, so the next lead-time or dora query rebuilds it from the stored records.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _create(times: sa.LargeBinary | sa.Text, covering: bool) -> None:
    op.create_table(
        "timelines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("change_key", sa.Text(), nullable=False),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=True),
        sa.Column("times", times, nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["timeline_sets.id"],
            name=op.f("fk_timelines_set_id_timeline_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timelines")),
        sa.UniqueConstraint("set_id", "change_key", name=op.f("uq_timelines_set_id")),
    )
    op.create_index(op.f("ix_timelines_set_id"), "timelines", ["set_id"])
    if covering:
        op.create_index(
            "ix_timelines_set_id_end_at_times", "timelines", ["set_id", "end_at", "times"]
        )
    else:
        op.create_index("ix_timelines_set_id_end_at", "timelines", ["set_id", "end_at"])


def upgrade() -> None:
    op.drop_table("timelines")
    op.execute("DELETE FROM timeline_sets")
    _create(sa.LargeBinary(), covering=True)


def downgrade() -> None:
    op.drop_table("timelines")
    op.execute("DELETE FROM timeline_sets")
    _create(sa.Text(), covering=False)
