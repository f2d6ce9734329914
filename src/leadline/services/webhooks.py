"""Webhook deliveries: verify, keep verbatim, de-duplicate, parse, merge and store.

A thin receiver (Four Keys' good idea) that never loses a delivery (its bad idea): the raw
body is committed before parsing; a body that parses into nothing is acknowledged with the
reason; a parse failure is recorded with its message and can be replayed after a fix.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.errors import LeadlineError, LineError
from leadline.sources import custom_cicd, github, gitlab, jira, opsgenie, pagerduty
from leadline.sources.base import Parsed, PayloadError, merge
from leadline.store import raw_events
from leadline.store.db import writing
from leadline.store.mapping import MAPPINGS
from leadline.store.writer import RecordWriter

Parser = Callable[[str | None, Any], Parsed]
PARSERS: dict[str, Parser] = {
    "github": lambda event, payload: github.parse(event or "", payload),
    "gitlab": lambda event, payload: gitlab.parse(event or "", payload),
    "jira": lambda _event, payload: jira.parse(payload),
    "pagerduty": lambda _event, payload: pagerduty.parse(payload),
    "opsgenie": lambda _event, payload: opsgenie.parse(payload),
    "custom-cicd": lambda _event, payload: custom_cicd.parse(payload),
}


@dataclass
class Outcome:
    status: str  # stored | duplicate | ignored | failed
    records: int = 0
    reason: str | None = None
    kinds: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "records": self.records}
        if self.reason:
            out["reason"] = self.reason
        if self.kinds:
            out["kinds"] = self.kinds
        return out


def receive(
    engine: Engine, source: str, event_type: str | None, delivery_id: str | None, body: bytes
) -> Outcome:
    """Store the delivery, then parse it into records (merged with what is stored)."""
    text = body.decode("utf-8", errors="replace")
    with writing(engine) as conn:
        raw_id = raw_events.add(conn, source, event_type, delivery_id, text, _now())
    if raw_id is None:
        return Outcome("duplicate", reason=f"delivery {delivery_id!r} was received before")
    return _process(engine, raw_id, source, event_type, text)


def replay(engine: Engine, source: str | None = None) -> list[Outcome]:
    """Parse again every delivery whose parsing failed (after a parser fix)."""
    with writing(engine) as conn:
        pending = raw_events.failed(conn, source)
    return [_process(engine, r.id, r.source, r.event_type, r.payload) for r in pending]


def _process(
    engine: Engine, raw_id: int, source: str, event_type: str | None, text: str
) -> Outcome:
    try:
        payload = json.loads(text)
        parsed = PARSERS[source](event_type, payload)
    except (PayloadError, ValueError) as exc:
        message = exc.message if isinstance(exc, LeadlineError) else f"not valid JSON: {exc}"
        with writing(engine) as conn:
            raw_events.set_status(conn, raw_id, "failed", message)
        return Outcome("failed", reason=message)
    with writing(engine) as conn:
        writer = RecordWriter(conn)
        for record in parsed.records:
            writer.add(merge(_stored(conn, record), record))
        writer.flush()
        raw_events.set_status(conn, raw_id, "ignored" if not parsed.records else "parsed")
    kinds: dict[str, int] = {}
    for record in parsed.records:
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
    status = "stored" if parsed.records else "ignored"
    return Outcome(status, len(parsed.records), parsed.ignored, kinds)


def _stored(conn: Connection, record: RecordModel) -> RecordModel | None:
    m = MAPPINGS[record.kind]
    key = m.key_of(m.row(record))
    where = [m.table.c[c] == v for c, v in zip(m.key_columns, key, strict=True)]
    data = conn.execute(select(m.table.c.data).where(*where)).scalar()
    if data is None:
        return None
    parsed = parse_line(data, "<stored>", 0)
    return None if isinstance(parsed, LineError) else parsed


def secrets_of(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def github_signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``, constant time."""
    if not header or not header.startswith("sha256="):
        return False
    given = header.removeprefix("sha256=").strip().lower()
    ok = False
    for secret in secrets:
        digest = hmac.new(secret.encode(), body, "sha256").hexdigest()
        ok |= hmac.compare_digest(digest, given)
    return ok


def token_ok(given: str | None, secrets: list[str]) -> bool:
    ok = False
    for secret in secrets:
        ok |= hmac.compare_digest((given or "").encode(), secret.encode())
    return ok


def _now() -> int:
    return int(time.time() * 1_000_000)
