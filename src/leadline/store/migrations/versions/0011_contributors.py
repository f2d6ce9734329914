"""contributors: people, their identities, collection members; identity columns on records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:00:00

Contributors (docs/collections.md, "People") are two new tables: ``contributors`` and
``contributor_identities`` (one row per identity, unique case-folded ``key``: one identity
belongs to one contributor). A collection's ``members`` are a nullable JSON column of
``collections``. Two nullable, indexed columns hold the identities records carry that had
no column yet, so that ``leadline contributors unmatched`` is a ``GROUP BY`` over columns:
``issues.assignee`` (a new record field: NULL for rows stored before it, until the issue is
received again) and ``commits.author_email`` (the ``author_email`` extra field of
``leadline git``, copied here from the stored ``data`` of existing rows).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "contributors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributors")),
        sa.UniqueConstraint("name", name=op.f("uq_contributors_name")),
    )
    op.create_table(
        "contributor_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("identity", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name=op.f("fk_contributor_identities_contributor_id_contributors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributor_identities")),
        sa.UniqueConstraint("key", name=op.f("uq_contributor_identities_key")),
    )
    op.create_index(
        op.f("ix_contributor_identities_contributor_id"), "contributor_identities",
        ["contributor_id"], unique=False,
    )  # fmt: skip
    with op.batch_alter_table("collections") as batch:
        batch.add_column(sa.Column("members", sa.Text(), nullable=True))
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("assignee", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_issues_assignee"), ["assignee"], unique=False)
    with op.batch_alter_table("commits") as batch:
        batch.add_column(sa.Column("author_email", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_commits_author_email"), ["author_email"], unique=False)
    _copy_author_emails()


def downgrade() -> None:
    with op.batch_alter_table("commits") as batch:
        batch.drop_index(batch.f("ix_commits_author_email"))
        batch.drop_column("author_email")
    with op.batch_alter_table("issues") as batch:
        batch.drop_index(batch.f("ix_issues_assignee"))
        batch.drop_column("assignee")
    with op.batch_alter_table("collections") as batch:
        batch.drop_column("members")
    op.drop_index(
        op.f("ix_contributor_identities_contributor_id"), table_name="contributor_identities"
    )
    op.drop_table("contributor_identities")
    op.drop_table("contributors")


def _copy_author_emails() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, data FROM commits WHERE data LIKE '%\"author_email\"%'")
    ).fetchall()
    update = sa.text("UPDATE commits SET author_email = :email WHERE id = :id")
    values = [{"id": i, "email": e} for i, e in ((i, _email(d)) for i, d in rows) if e]
    for i in range(0, len(values), _BATCH):
        conn.execute(update, values[i : i + _BATCH])


def _email(data: str) -> str | None:
    try:
        record = json.loads(data)
    except ValueError:
        return None
    value = record.get("author_email") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None
