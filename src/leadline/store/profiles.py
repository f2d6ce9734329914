"""Workflow profiles stored for the HTTP API (``PUT /v1/profiles/{name}``)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from leadline.store.tables import profiles
from leadline.store.writer import insert_many


def get(conn: Connection, name: str) -> str | None:
    row = conn.execute(select(profiles.c.body).where(profiles.c.name == name)).first()
    return None if row is None else str(row[0])


def put(conn: Connection, name: str, body: str, now: int) -> bool:
    """Store (replace) a profile; True when it is new."""
    existed = get(conn, name) is not None
    conn.execute(delete(profiles).where(profiles.c.name == name))
    insert_many(conn, profiles, [{"name": name, "body": body, "updated_at": now}])
    return not existed


def remove(conn: Connection, name: str) -> bool:
    return bool(conn.execute(delete(profiles).where(profiles.c.name == name)).rowcount)


def names(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute(select(profiles.c.name).order_by(profiles.c.name))]
