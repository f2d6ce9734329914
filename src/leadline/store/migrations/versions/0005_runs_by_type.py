"""pipeline runs by type and time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_pipeline_runs_type_finished_at"), "pipeline_runs", ["type", "finished_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pipeline_runs_type_finished_at"), table_name="pipeline_runs")
