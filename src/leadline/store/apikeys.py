"""API keys: stored as a lookup prefix and the sha256 of the secret part, never in clear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, select, update

from leadline.store.bulk import insert_many
from leadline.store.tables import api_keys


@dataclass(frozen=True)
class KeyRow:
    id: int
    name: str
    prefix: str
    secret_hash: str
    scopes: tuple[str, ...]
    created_at: int
    revoked_at: int | None
    collection: str | None = None


def _row(r: Any) -> KeyRow:
    return KeyRow(
        int(r[0]), str(r[1]), str(r[2]), str(r[3]), tuple(str(r[4]).split(",")), int(r[5]),
        None if r[6] is None else int(r[6]), r[7],
    )  # fmt: skip


def _select() -> Select[Any]:
    c = api_keys.c
    return select(
        c.id, c.name, c.prefix, c.secret_hash, c.scopes, c.created_at, c.revoked_at, c.collection
    )


def add(
    conn: Connection,
    name: str,
    prefix: str,
    secret_hash: str,
    scopes: tuple[str, ...],
    now: int,
    collection: str | None = None,
) -> None:
    row = {
        "name": name,
        "prefix": prefix,
        "secret_hash": secret_hash,
        "scopes": ",".join(scopes),
        "created_at": now,
        "collection": collection,
    }
    insert_many(conn, api_keys, [row])


def by_prefix(conn: Connection, prefix: str) -> KeyRow | None:
    row = conn.execute(_select().where(api_keys.c.prefix == prefix)).first()
    return None if row is None else _row(row)


def all_keys(conn: Connection) -> list[KeyRow]:
    rows = conn.execute(_select().order_by(api_keys.c.id))
    return [_row(r) for r in rows]


def revoke(conn: Connection, prefix: str, now: int) -> bool:
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
