"""Webhook deliveries: keep verbatim, de-duplicate, parse, merge and store (the API routes
have verified each one first, with its tool's check in ``leadline.sources``).

A thin receiver (Four Keys' good idea) that never loses a delivery (its bad idea): the raw
body is committed before parsing; a body that parses into nothing is acknowledged with the
reason; a parse failure is recorded with its message and can be replayed after a fix.

Records go through the one write path (``store.upsert.merge_and_upsert``: merged with the
stored snapshot of their key). A value the database cannot hold is refused when the payload
is parsed (record validation, ``domain.storable``), so such a delivery is ``failed`` with
the field named before the transaction writes anything. One delivery never costs the others
of its batch: whatever goes wrong writing a batch (but ``WriteBusy``, which means nothing was
written and the sender should come back) is retried one delivery at a time, and a delivery
that fails alone is kept verbatim as ``failed`` with ``Type: message`` as its reason.

The raw body is stored as text: invalid UTF-8 is decoded with replacement characters, and a
NUL byte (which PostgreSQL text cannot hold; such a body is never valid JSON) is kept as the
escape ``\u0000``, the reason saying so. A lone surrogate cannot appear in decoded bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from leadline.config import servicenow_zone
from leadline.domain import jsonio
from leadline.domain.quality import Warnings
from leadline.domain.storable import storable_text
from leadline.errors import WriteBusy
from leadline.sources import opsgenie, servicenow
from leadline.sources.argocd import webhook as argocd_webhook
from leadline.sources.azure_devops import webhook as azure_devops
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.bitbucket import webhook as bitbucket
from leadline.sources.circleci import webhook as circleci_webhook
from leadline.sources.custom_cicd import webhook as custom_cicd
from leadline.sources.github import webhook as github
from leadline.sources.gitlab import webhook as gitlab
from leadline.sources.harness import webhook as harness_webhook
from leadline.sources.jenkins import webhook as jenkins
from leadline.sources.jira import webhook as jira
from leadline.sources.pagerduty import webhook as pagerduty
from leadline.store import raw_events
from leadline.store.db import writing
from leadline.store.upsert import merge_and_upsert

_UNSET: Any = object()  # "the receiver did not decode the body"
Parser = Callable[[str | None, Any], Parsed]
PARSERS: dict[str, Parser] = {
    "github": lambda event, payload: github.parse(event or "", payload),
    "gitlab": lambda event, payload: gitlab.parse(event or "", payload),
    "jira": lambda _event, payload: jira.parse(payload),
    "pagerduty": lambda _event, payload: pagerduty.parse(payload),
    "opsgenie": lambda _event, payload: opsgenie.parse(payload),
    "custom-cicd": lambda _event, payload: custom_cicd.parse(payload),
    "servicenow": lambda _event, payload: servicenow.parse(payload, servicenow_zone()),
    "circleci": lambda _event, payload: circleci_webhook.parse(payload),
    "harness": lambda _event, payload: harness_webhook.parse(payload),
    "argocd": lambda _event, payload: argocd_webhook.parse(payload),
    "azure-devops": lambda _event, payload: azure_devops.parse(payload),
    "bitbucket": bitbucket.parse,
    "jenkins": lambda _event, payload: jenkins.parse(payload),
}


@dataclass
class Outcome:
    status: str  # stored | duplicate | ignored | failed
    records: int = 0
    reason: str | None = None
    kinds: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # data quality (``domain.quality``)
    warning_count: int = 0  # all of them; ``warnings`` keeps the first ``MAX_WARNINGS``

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "records": self.records}
        if self.reason:
            out["reason"] = self.reason
        if self.kinds:
            out["kinds"] = self.kinds
        if self.warnings:
            out["warnings"] = self.warnings
            out["warning_count"] = self.warning_count
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


def receive_batch(
    engine: Engine, deliveries: Sequence[Delivery], wait: float | None = None
) -> list[Outcome]:
    """Store, parse and merge many deliveries in **one** transaction (one commit, one fsync):
    the group commit behind the webhook receivers. Each outcome is final once this returns.

    ``wait``: the longest wait for the write lock, in seconds (``store.db.writing``). Past it
    ``WriteBusy`` propagates at once: nothing of the batch was stored, no delivery is retried
    (the server answers 503 with ``Retry-After``).

    A delivery whose records cannot be written must not cost the others theirs: on any other
    error the batch is retried one delivery at a time, and a lone delivery that still fails
    is kept verbatim as ``failed`` (replayable) with the reason (``Type: message``).
    """
    if not deliveries:
        return []
    try:
        with writing(engine, wait=wait) as conn:
            return _receive(conn, deliveries, _now())
    except WriteBusy:
        raise
    except Exception as exc:  # any failure of one delivery must cost only itself
        if len(deliveries) > 1:
            return [receive_batch(engine, [d], wait)[0] for d in deliveries]
        reason = f"records could not be stored: {_describe(exc)}"
        with writing(engine, wait=wait) as conn:
            return _receive(conn, deliveries, _now(), fail=reason)


def _describe(exc: BaseException) -> str:
    """``Type: first line of the message`` (the driver's error for a database error), in
    text the database can store."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).splitlines() or [""])[0][:200]
    return storable_text(f"{type(cause).__name__}: {first}")


def replay(engine: Engine, source: str | None = None) -> list[Outcome]:
    """Parse again every delivery whose parsing failed (after a parser fix), in one
    transaction: the records and the new statuses are committed together."""
    with writing(engine) as conn:
        pending = raw_events.failed(conn, source)
        results = [_parse(r.source, r.event_type, r.payload, _UNSET) for r in pending]
        write_parsed(conn, [p for p in results if isinstance(p, Parsed)])
        for row, result in zip(pending, results, strict=True):
            if isinstance(result, Parsed):
                raw_events.set_status(conn, row.id, _status(result))
            else:
                raw_events.set_status(conn, row.id, "failed", storable_text(result))
    return [_outcome(result) for result in results]


def _receive(
    conn: Connection, deliveries: Sequence[Delivery], now: int, fail: str | None = None
) -> list[Outcome]:
    deliveries = [_storable_headers(d) for d in deliveries]
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
            result = storable_text(result)  # it may quote the payload
            status, error = "failed", result
        if "\x00" in text:
            text = text.replace("\x00", "\\u0000")
            error = f"{error}; " if error else ""
            error += "the body's NUL bytes are kept as \\u0000 (the database cannot store NUL)"
        rows.append(raw_events.row(d.source, d.event_type, d.delivery_id, text, now, status, error))
        outcomes.append(_outcome(result))
    write_parsed(conn, results)
    raw_events.add_many(conn, rows)
    return outcomes


def _storable_headers(d: Delivery) -> Delivery:
    """``d`` with an event type and delivery id the database can store (HTTP headers cannot
    carry a NUL, but a caller of ``receive_batch`` might)."""
    event_type = None if d.event_type is None else storable_text(d.event_type)
    delivery_id = None if d.delivery_id is None else storable_text(d.delivery_id)
    if event_type == d.event_type and delivery_id == d.delivery_id:
        return d
    return Delivery(d.source, event_type, delivery_id, d.body, d.payload)


def _parse(source: str, event_type: str | None, text: str, payload: Any) -> Parsed | str:
    """The delivery's records, or why it cannot be read."""
    try:
        data = jsonio.loads(text) if payload is _UNSET else payload
        return PARSERS[source](event_type, data)
    except PayloadError as exc:
        return exc.message
    except ValueError as exc:
        return f"not valid JSON: {exc}"


def write_parsed(conn: Connection, results: list[Parsed]) -> None:
    """The records of ``results``, in delivery order, through the one write path."""
    merge_and_upsert(conn, [record for result in results for record in result.records])


def _status(parsed: Parsed) -> str:
    return "parsed" if parsed.records else "ignored"


def _outcome(result: Parsed | str) -> Outcome:
    if not isinstance(result, Parsed):
        return Outcome("failed", reason=result)
    kinds: dict[str, int] = {}
    for record in result.records:
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
    status = "stored" if result.records else "ignored"
    found = Warnings()
    for record in result.records:
        found.add_record(record)
    # The reason may quote the payload (``{action}: not an alert action…``): a lone surrogate
    # read from a ``\ud800`` escape would make the JSON answer unencodable (a 500).
    ignored = None if result.ignored is None else storable_text(result.ignored)
    warnings = [storable_text(w) for w in found.kept]
    return Outcome(status, len(result.records), ignored, kinds, warnings, found.total)


def _now() -> int:
    return int(time.time() * 1_000_000)
