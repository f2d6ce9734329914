"""Cursors of incremental pulls (``sync_cursors``): read one, write one, in the caller's
transaction, so the cursor moves exactly when the records it covers are committed."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Connection, delete, select

from leadline.store.bulk import insert_many
from leadline.store.tables import sync_cursors


def get(conn: Connection, source: str, scope: str, resource: str) -> Any:
    """The stored cursor (decoded JSON), or ``None`` when this resource was never pulled."""
    c = sync_cursors.c
    value = conn.execute(
        select(c.cursor).where(c.source == source, c.scope == scope, c.resource == resource)
    ).scalar()
    return None if value is None else json.loads(value)


def put(conn: Connection, source: str, scope: str, resource: str, cursor: Any) -> None:
    c = sync_cursors.c
    conn.execute(
        delete(sync_cursors).where(c.source == source, c.scope == scope, c.resource == resource)
    )
    insert_many(conn, sync_cursors, [{
        "source": source, "scope": scope, "resource": resource,
        "cursor": json.dumps(cursor, sort_keys=True), "updated_at": int(time.time() * 1e6),
    }])  # fmt: skip


def all_for(conn: Connection, source: str, scope: str) -> dict[str, Any]:
    c = sync_cursors.c
    rows = conn.execute(
        select(c.resource, c.cursor).where(c.source == source, c.scope == scope)
    ).all()
    return {r.resource: json.loads(r.cursor) for r in rows}
