"""Stored saved views: rows of (name, position, body JSON), replaced whole by ``leadline
apply`` (``services/collections.apply_org``) in the transaction that replaces the
collections."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, delete, select

from leadline.store.bulk import insert_many
from leadline.store.tables import views


def all_bodies(conn: Connection) -> list[dict[str, Any]]:
    """Every view's body, in the org file's order."""
    c = views.c
    rows = conn.execute(select(c.body).order_by(c.position, c.id))
    return [json.loads(r.body) for r in rows]


def replace_all(conn: Connection, bodies: list[dict[str, Any]], now: int) -> None:
    conn.execute(delete(views))
    insert_many(
        conn, views,
        [{"name": b["name"], "position": i, "body": json.dumps(b, sort_keys=True),
          "updated_at": now} for i, b in enumerate(bodies)],
    )  # fmt: skip
