"""Webhook deliveries kept verbatim (DevLake's lesson: a parser fix can replay history)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from leadline.store.tables import raw_events
from leadline.store.writer import insert_many


@dataclass(frozen=True)
class RawEvent:
    id: int
    source: str
    event_type: str | None
    delivery_id: str | None
    payload: str
    parse_status: str


def add(
    conn: Connection,
    source: str,
    event_type: str | None,
    delivery_id: str | None,
    payload: str,
    now: int,
) -> int | None:
    """Store a delivery; ``None`` when this (source, delivery id) was stored before."""
    r = raw_events.c
    if delivery_id is not None:
        seen = conn.execute(
            select(r.id).where(r.source == source, r.delivery_id == delivery_id)
        ).first()
        if seen is not None:
            return None
    try:
        with conn.begin_nested():
            insert_many(conn, raw_events, [{
                "source": source, "event_type": event_type, "delivery_id": delivery_id,
                "received_at": now, "payload": payload, "parse_status": "pending",
            }])  # fmt: skip
    except IntegrityError:
        return None
    found = conn.execute(
        select(r.id).where(r.source == source, r.delivery_id == delivery_id)
        if delivery_id is not None
        else select(r.id).where(r.source == source).order_by(r.id.desc()).limit(1)
    ).scalar_one()
    return int(found)


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
