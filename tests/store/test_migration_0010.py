"""Migration 0010: the incidents' ``priority``, ``urgency`` and ``acknowledged_at`` columns,
filled from the stored records that carried them as extra fields, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import inspect, text

from leadline.store.db import make_engine, writing
from leadline.store.migrate import alembic_config


def _incident(ext_id: str, **extra: Any) -> dict[str, Any]:
    data = {"kind": "incident", "source": "servicenow", "id": ext_id,
            "created_at": "2024-03-06T14:00:00Z", **extra}  # fmt: skip
    return {"ext_id": ext_id, "data": json.dumps(data), "digest": "x" * 64}


def test_upgrade_copies_the_fields_from_data_and_downgrade_drops_them(db_url: str) -> None:
    engine = make_engine(db_url)
    with writing(engine) as conn:
        command.upgrade(alembic_config(conn), "0009")  # type: ignore[arg-type]
        rows = [
            _incident("INC1", priority="2", urgency="1"),
            _incident("INC2", priority=3, acknowledged_at="2024-03-06T14:05:30.250000Z"),
            _incident("INC3", title="no priority here"),
            _incident("INC4", acknowledged_at="not a time", urgency=None),
        ]
        conn.execute(
            text("INSERT INTO incidents (source, ext_id, created_at, data, digest)"
                 " VALUES ('servicenow', :ext_id, 1709733600000000, :data, :digest)"),
            rows,
        )  # fmt: skip
        command.upgrade(alembic_config(conn), "0010")  # type: ignore[arg-type]
        got = {
            r[0]: tuple(r[1:])
            for r in conn.execute(
                text("SELECT ext_id, priority, urgency, acknowledged_at FROM incidents")
            )
        }
    # 2024-03-06T14:05:30.25Z = 1709733600 s (14:00) + 330.25 s, in microseconds
    assert got == {
        "INC1": ("2", "1", None),
        "INC2": ("3", None, 1_709_733_930_250_000),
        "INC3": (None, None, None),
        "INC4": (None, None, None),
    }
    with writing(engine) as conn:
        command.downgrade(alembic_config(conn), "0009")  # type: ignore[arg-type]
        columns = {c["name"] for c in inspect(conn).get_columns("incidents")}
    engine.dispose()
    assert not columns & {"priority", "urgency", "acknowledged_at"}
    assert {"severity", "resolved_at"} <= columns
