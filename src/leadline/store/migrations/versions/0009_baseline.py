"""baseline deployments: marks on the first deployments, a flag on the timelines

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:30:00

The first deployment a stream reports ships the whole history reachable from it; what of
that predates tracking is a *baseline* (correlate/baseline.py). ``baseline_deployments``
holds, per first deployment, the tracking start of its repository (refreshed with
``deployment_commits``); ``timelines.baseline`` marks the changes such a deployment shipped
from before tracking began. The window index gains the flag so that a window read with or
without the baseline stays an index-only read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baseline_deployments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pipeline_run_id", sa.Integer(), nullable=False),
        sa.Column("tracking_start", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_run_id"],
            ["pipeline_runs.id"],
            name=op.f("fk_baseline_deployments_pipeline_run_id_pipeline_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_deployments")),
        sa.UniqueConstraint(
            "pipeline_run_id", name=op.f("uq_baseline_deployments_pipeline_run_id")
        ),
    )
    with op.batch_alter_table("timelines") as batch:
        batch.add_column(
            sa.Column("baseline", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.drop_index("ix_timelines_set_id_end_at_times", table_name="timelines")
    op.create_index("ix_timelines_window", "timelines", ["set_id", "end_at", "baseline", "times"])
    # Recompute the shipments (and with them the marks) on the next refresh; the stored
    # timelines are rebuilt under a new fingerprint (services/refresh.TIMELINE_VERSION 2).
    op.execute("DELETE FROM derived_state WHERE name = 'shipments'")


def downgrade() -> None:
    op.drop_index("ix_timelines_window", table_name="timelines")
    op.create_index("ix_timelines_set_id_end_at_times", "timelines", ["set_id", "end_at", "times"])
    with op.batch_alter_table("timelines") as batch:
        batch.drop_column("baseline")
    op.drop_table("baseline_deployments")
