"""Webhook deliveries: verify, keep verbatim, de-duplicate, parse, merge and store.

A thin receiver (Four Keys' good idea) that never loses a delivery (its bad idea): the raw
body is committed before parsing; a body that parses into nothing is acknowledged with the
reason; a parse failure is recorded with its message and can be replayed after a fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from leadline.domain import jsonio
from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.errors import LineError
from leadline.sources import custom_cicd, github, gitlab, jira, opsgenie, pagerduty, signatures
from leadline.sources.base import Parsed, PayloadError, merge
from leadline.store import raw_events
from leadline.store.db import writing
from leadline.store.keyset import rows_by_keys
from leadline.store.mapping import MAPPINGS
from leadline.store.writer import RecordWriter

_UNSET: Any = object()  # "the receiver did not decode the body"
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


@dataclass
class Delivery:
    """One webhook delivery as received; ``payload`` is the decoded JSON when the receiver
    has already decoded it (it checks the body is JSON before acknowledging)."""

    source: str
    event_type: str | None
    delivery_id: str | None
    body: bytes
    payload: Any = _UNSET


def receive(
    engine: Engine, source: str, event_type: str | None, delivery_id: str | None, body: bytes
) -> Outcome:
    """Store one delivery verbatim, parse it into records and merge them with what is stored."""
    return receive_batch(engine, [Delivery(source, event_type, delivery_id, body)])[0]


def receive_batch(engine: Engine, deliveries: Sequence[Delivery]) -> list[Outcome]:
    """Store, parse and merge many deliveries in **one** transaction (one commit, one fsync):
    the group commit behind the webhook receivers. Each outcome is final once this returns.

    A delivery whose records cannot be written (a database error) must not cost the others
    theirs: the batch is then retried one delivery at a time, and a lone delivery that still
    fails is kept verbatim as ``failed`` (replayable) with the reason.
    """
    if not deliveries:
        return []
    try:
        with writing(engine) as conn:
            return _receive(conn, deliveries, _now())
    except SQLAlchemyError as exc:
        if len(deliveries) > 1:
            return [receive_batch(engine, [d])[0] for d in deliveries]
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).splitlines() or [""])[0][:200]
        reason = f"records could not be stored: {type(cause).__name__}: {first}"
        with writing(engine) as conn:
            return _receive(conn, deliveries, _now(), fail=reason)


def replay(engine: Engine, source: str | None = None) -> list[Outcome]:
    """Parse again every delivery whose parsing failed (after a parser fix), in one
    transaction: the records and the new statuses are committed together."""
    with writing(engine) as conn:
        pending = raw_events.failed(conn, source)
        results = [_parse(r.source, r.event_type, r.payload, _UNSET) for r in pending]
        _write(conn, [p for p in results if isinstance(p, Parsed)])
        for row, result in zip(pending, results, strict=True):
            if isinstance(result, Parsed):
                raw_events.set_status(conn, row.id, _status(result))
            else:
                raw_events.set_status(conn, row.id, "failed", result)
    return [_outcome(result) for result in results]


def _receive(
    conn: Connection, deliveries: Sequence[Delivery], now: int, fail: str | None = None
) -> list[Outcome]:
    seen = raw_events.seen(conn, [(d.source, d.delivery_id) for d in deliveries])
    outcomes: list[Outcome] = []
    rows: list[dict[str, Any]] = []
    results: list[Parsed] = []
    for d in deliveries:
        if d.delivery_id is not None and (d.source, d.delivery_id) in seen:
            outcomes.append(
                Outcome("duplicate", reason=f"delivery {d.delivery_id!r} was received before")
            )
            continue
        seen.add((d.source, d.delivery_id))
        text = d.body.decode("utf-8", errors="replace")
        result = fail if fail is not None else _parse(d.source, d.event_type, text, d.payload)
        if isinstance(result, Parsed):
            results.append(result)
            status, error = _status(result), None
        else:
            status, error = "failed", result
        rows.append(raw_events.row(d.source, d.event_type, d.delivery_id, text, now, status, error))
        outcomes.append(_outcome(result))
    _write(conn, results)
    raw_events.add_many(conn, rows)
    return outcomes


def _parse(source: str, event_type: str | None, text: str, payload: Any) -> Parsed | str:
    """The delivery's records, or why it cannot be read."""
    try:
        data = jsonio.loads(text) if payload is _UNSET else payload
        return PARSERS[source](event_type, data)
    except PayloadError as exc:
        return exc.message
    except ValueError as exc:
        return f"not valid JSON: {exc}"


def _write(conn: Connection, results: list[Parsed]) -> None:
    """Merge every record with the stored one of its key (and with earlier deliveries of the
    batch, in order), then upsert the final state of each key once."""
    records = [record for result in results for record in result.records]
    if not records:
        return
    current = _stored(conn, records)
    final: dict[tuple[str, tuple[Any, ...]], RecordModel] = {}  # first-seen order
    for record in records:
        key = _key(record)
        final[key] = current[key] = merge(current.get(key), record)
    writer = RecordWriter(conn)
    writer.add_all(final.values())
    writer.flush()


def _key(record: RecordModel) -> tuple[str, tuple[Any, ...]]:
    m = MAPPINGS[record.kind]
    return record.kind, m.key_of(m.row(record))


def _stored(
    conn: Connection, records: list[RecordModel]
) -> dict[tuple[str, tuple[Any, ...]], RecordModel]:
    """The stored records with the keys of ``records``: one query per kind."""
    keys: dict[str, set[tuple[Any, ...]]] = {}
    for record in records:
        kind, key = _key(record)
        keys.setdefault(kind, set()).add(key)
    found: dict[tuple[str, tuple[Any, ...]], RecordModel] = {}
    for kind, wanted in keys.items():
        m = MAPPINGS[kind]
        for (data,) in rows_by_keys(conn, m.table, m.key_columns, sorted(wanted), ["data"]):
            parsed = parse_line(data, "<stored>", 0)
            if not isinstance(parsed, LineError):
                found[_key(parsed)] = parsed
    return found


def _status(parsed: Parsed) -> str:
    return "parsed" if parsed.records else "ignored"


def _outcome(result: Parsed | str) -> Outcome:
    if not isinstance(result, Parsed):
        return Outcome("failed", reason=result)
    kinds: dict[str, int] = {}
    for record in result.records:
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
    status = "stored" if result.records else "ignored"
    return Outcome(status, len(result.records), result.ignored, kinds)


def secrets_of(value: str | None) -> list[str]:
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def github_signature_ok(body: bytes, header: str | None, secrets: list[str]) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``, constant time on
    bytes; a malformed value is not valid (``leadline.sources.signatures``)."""
    return signatures.prefixed_signature_ok(body, header, secrets)


def token_ok(given: str | None, secrets: list[str]) -> bool:
    """A shared token equal to one of ``secrets``, constant time on bytes."""
    return signatures.token_ok(given, secrets)


def _now() -> int:
    return int(time.time() * 1_000_000)
