"""Workflow profiles stored by name (``leadline profile apply``, ``PUT /v1/profiles/{name}``,
``leadline apply``): one row per profile, its body the JSON of ``profile_to_dict``."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, delete, select

from leadline.store.bulk import insert_many
from leadline.store.tables import collections, profiles


class ProfileRow(NamedTuple):
    name: str
    body: str
    updated_at: int  # microseconds since the epoch (UTC)


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


def rows(conn: Connection) -> list[ProfileRow]:
    """Every stored profile, sorted by name (in Python: the same order on every backend)."""
    query = select(profiles.c.name, profiles.c.body, profiles.c.updated_at)
    return sorted(ProfileRow(str(n), str(b), int(u)) for n, b, u in conn.execute(query))


def users(conn: Connection, name: str) -> list[str]:
    """The collections that name profile ``name`` as their own (their children inherit it)."""
    query = select(collections.c.name).where(collections.c.profile == name)
    return sorted(str(r[0]) for r in conn.execute(query))
