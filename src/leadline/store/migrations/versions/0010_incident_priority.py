"""incidents: priority, urgency and acknowledged_at columns

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:30:00

``dora.restore`` (and ``dora.failures`` with ``source: incidents``) select incidents by
priority and urgency, and may start the clock when an incident was acknowledged: three
nullable columns of the ``incidents`` table, read with the others instead of parsing each
row's ``data``. Rows stored before carry the values only where their record had them as extra
fields (ServiceNow's ``priority`` and ``urgency``, an imported ``acknowledged_at``): those are
copied from ``data``; the rest stay NULL until the incident is received again (its next
webhook delivery, ``leadline sync``, or a new import).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("priority", sa.Text(), nullable=True))
        batch.add_column(sa.Column("urgency", sa.Text(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.BigInteger(), nullable=True))
    _copy_from_data()


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("acknowledged_at")
        batch.drop_column("urgency")
        batch.drop_column("priority")


def _copy_from_data() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, data FROM incidents WHERE data LIKE '%\"priority\"%'"
            " OR data LIKE '%\"urgency\"%' OR data LIKE '%\"acknowledged_at\"%'"
        )
    ).fetchall()
    update = sa.text(
        "UPDATE incidents SET priority = :priority, urgency = :urgency,"
        " acknowledged_at = :acknowledged_at WHERE id = :id"
    )
    values = [v for v in (_values(row_id, data) for row_id, data in rows) if v is not None]
    for i in range(0, len(values), _BATCH):
        conn.execute(update, values[i : i + _BATCH])


def _values(row_id: int, data: str) -> dict[str, Any] | None:
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    found = {
        "id": row_id,
        "priority": _text(record.get("priority")),
        "urgency": _text(record.get("urgency")),
        "acknowledged_at": _micros(record.get("acknowledged_at")),
    }
    return found if any(found[k] is not None for k in ("priority", "urgency", "acknowledged_at")) \
        else None  # fmt: skip


def _text(value: object) -> str | None:
    """As the record keeps it: text as is, an integer as text (``Incident.priority``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _micros(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if at.tzinfo is None:
        return None
    return (at - _EPOCH) // _ONE_MICROSECOND


_ONE_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH
