"""Stored collections: rows of (name, parent, position, profile, filters JSON, members
JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select

from leadline.store.bulk import insert_many
from leadline.store.tables import collections


@dataclass(frozen=True)
class CollectionRow:
    name: str
    parent: str | None
    position: int
    profile: str | None
    filters: dict[str, Any]
    description: str | None
    members: list[dict[str, Any]] | None = None  # as MemberSpec.as_json; None: not set


def all_rows(conn: Connection) -> list[CollectionRow]:
    c = collections.c
    query = select(c.name, c.parent, c.position, c.profile, c.filters, c.description, c.members)
    return [
        CollectionRow(
            r.name,
            r.parent,
            r.position,
            r.profile,
            json.loads(r.filters),
            r.description,
            None if r.members is None else json.loads(r.members),
        )
        for r in conn.execute(query.order_by(c.position, c.id))
    ]


def replace_all(conn: Connection, rows: list[CollectionRow], now: int) -> None:
    conn.execute(delete(collections))
    insert_many(conn, collections, [_row(r, now) for r in rows])


def put(conn: Connection, row: CollectionRow, now: int) -> bool:
    """Store (replace) one collection; True when it is new."""
    c = collections.c
    existed = conn.execute(select(c.id).where(c.name == row.name)).first() is not None
    conn.execute(delete(collections).where(c.name == row.name))
    insert_many(conn, collections, [_row(row, now)])
    return not existed


def remove(conn: Connection, names: list[str]) -> int:
    return int(conn.execute(delete(collections).where(collections.c.name.in_(names))).rowcount)


def _row(r: CollectionRow, now: int) -> dict[str, Any]:
    return {
        "name": r.name, "parent": r.parent, "position": r.position, "profile": r.profile,
        "filters": json.dumps(r.filters, sort_keys=True), "description": r.description,
        "members": None if r.members is None else json.dumps(r.members, sort_keys=True),
        "updated_at": now,
    }  # fmt: skip
