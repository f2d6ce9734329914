"""commit_paths: the paths each commit changes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 19:00:00

``scope.paths`` (monorepo components) selects commits by the paths they change: a child
table of ``commits``, one row per path, written with the commit like ``commit_parents``.
Commits stored before carry no paths (no source gave them), except a record that had them
as an extra ``paths`` field: those rows are copied from ``data``.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "commit_paths",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("commit_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commit_id"],
            ["commits.id"],
            name=op.f("fk_commit_paths_commit_id_commits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commit_paths")),
    )
    with op.batch_alter_table("commit_paths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commit_paths_commit_id"), ["commit_id"], unique=False)
    _copy_from_data()


def downgrade() -> None:
    with op.batch_alter_table("commit_paths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commit_paths_commit_id"))
    op.drop_table("commit_paths")


def _copy_from_data() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, data FROM commits WHERE data LIKE '%\"paths\"%'")
    ).fetchall()
    insert = sa.text("INSERT INTO commit_paths (commit_id, path) VALUES (:commit_id, :path)")
    values = [{"commit_id": row_id, "path": path} for row_id, data in rows for path in _paths(data)]
    for i in range(0, len(values), _BATCH):
        conn.execute(insert, values[i : i + _BATCH])


def _paths(data: str) -> list[str]:
    """The distinct non-empty text paths of a stored record, in order (as the writer)."""
    try:
        record = json.loads(data)
    except ValueError:
        return []
    found = record.get("paths") if isinstance(record, dict) else None
    if not isinstance(found, list):
        return []
    return list(dict.fromkeys(p for p in found if isinstance(p, str) and p))
