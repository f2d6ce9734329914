"""Webhook deliveries kept verbatim (DevLake's lesson: a parser fix can replay history)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from leadline.store.bulk import insert_many
from leadline.store.tables import raw_events


@dataclass(frozen=True)
class RawEvent:
    id: int
    source: str
    event_type: str | None
    delivery_id: str | None
    payload: str
    parse_status: str


def seen(conn: Connection, keys: list[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """Which of these (source, delivery id) pairs are stored already (one query per source)."""
    r = raw_events.c
    by_source: dict[str, list[str]] = {}
    for source, delivery_id in keys:
        if delivery_id is not None:
            by_source.setdefault(source, []).append(delivery_id)
    found: set[tuple[str, str | None]] = set()
    for source, ids in by_source.items():
        rows = conn.execute(
            select(r.delivery_id).where(r.source == source, r.delivery_id.in_(set(ids)))
        )
        found.update((source, row[0]) for row in rows)
    return found


def row(
    source: str,
    event_type: str | None,
    delivery_id: str | None,
    payload: str,
    now: int,
    status: str,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "source": source, "event_type": event_type, "delivery_id": delivery_id,
        "received_at": now, "payload": payload, "parse_status": status, "parse_error": error,
    }  # fmt: skip


def add_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store deliveries verbatim (the caller has checked ``seen`` under the write lock)."""
    insert_many(conn, raw_events, rows)


def set_status(conn: Connection, raw_id: int, status: str, error: str | None = None) -> None:
    conn.execute(
        update(raw_events)
        .where(raw_events.c.id == raw_id)
        .values(parse_status=status, parse_error=error)
    )


def failed(conn: Connection, source: str | None = None) -> list[RawEvent]:
    r = raw_events.c
    query = select(r.id, r.source, r.event_type, r.delivery_id, r.payload, r.parse_status).where(
        r.parse_status == "failed"
    )
    if source is not None:
        query = query.where(r.source == source)
    return [RawEvent(*row) for row in conn.execute(query.order_by(r.id))]


def counts(conn: Connection) -> list[tuple[str, str, int]]:
    """Deliveries stored, by (source, parse status)."""
    r = raw_events.c
    query = select(r.source, r.parse_status, func.count()).group_by(r.source, r.parse_status)
    return [(str(s), str(p), int(n)) for s, p, n in conn.execute(query.order_by(r.source))]
