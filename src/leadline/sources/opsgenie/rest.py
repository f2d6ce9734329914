"""Opsgenie REST objects → incident records, for ``leadline sync opsgenie``.

* an alert of ``GET /v2/alerts`` → an ``incident`` with the alert's id (the webhook's
  ``alertId``, so both ways give one record): ``created_at`` = ``createdAt``; a ``closed``
  alert is resolved at ``createdAt`` + ``report.closeTime`` (milliseconds from creation, the
  time it was closed) or, without a report, at ``updatedAt``; acknowledged at ``createdAt`` +
  ``report.ackTime`` when the report has it; ``severity`` and ``priority`` = ``priority``;
  ``service`` = ``entity`` when the listing has it (the webhook's ``alert.entity``).
* an incident of ``GET /v1/incidents`` → an ``incident`` with ``opsgenie_kind: incident``:
  ``created_at`` = ``impactStartDate`` (else ``createdAt``); a ``resolved`` or ``closed``
  incident is resolved at ``impactEndDate`` (else ``updatedAt``); ``service`` = the first of
  ``impactedServices`` (a service id); ``severity`` and ``priority`` = ``priority``; the
  listing has no acknowledgement time.

``updated`` gives the ``updatedAt`` the sync walks by. Times are RFC 3339; a malformed item
raises ``PayloadError`` naming its JSON path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import Incident
from leadline.domain.times import format_time
from leadline.sources.base import Parsed, build_record, shift_ms
from leadline.sources.opsgenie.webhook import SOURCE, priority
from leadline.sources.payload import Node

RESOLVED_INCIDENT = frozenset({"resolved", "closed"})
_ALERT_PATHS = {
    "id": "id",
    "created_at": "createdAt",
    "title": "message",
    "service": "entity",
    "severity": "priority",
    "resolved_at": "report.closeTime",
    "priority": "priority",
    "acknowledged_at": "report.ackTime",
    "tiny_id": "tinyId",
    "url": "links.web",
}
_INCIDENT_PATHS = {
    "id": "id",
    "created_at": "impactStartDate",
    "title": "message",
    "service": "impactedServices",
    "severity": "priority",
    "resolved_at": "impactEndDate",
    "priority": "priority",
    "tiny_id": "tinyId",
    "url": "links.web",
}


def updated(item: Any) -> datetime:
    """``updatedAt`` of an alert or incident (what the sync orders by)."""
    return Node(item).get("updatedAt").rfc3339()


def alert(item: Any) -> Parsed:
    """One alert of ``/v2/alerts`` → its incident record."""
    root = Node(item)
    root.obj()
    created = root.get("createdAt").rfc3339()
    updated_at = root.get("updatedAt").rfc3339()
    closed = (root.get("status").opt_text() or "").lower() == "closed"
    resolved = None
    if closed:
        close_time = root.get("report").get("closeTime")
        resolved = shift_ms(created, close_time) if close_time.present else updated_at
    record = _record(root, created, resolved, updated_at)
    ack_time = root.get("report").get("ackTime")
    if ack_time.present:
        record["acknowledged_at"] = shift_ms(created, ack_time)
    return Parsed(records=[build_record(Incident, record, _ALERT_PATHS)])


def incident(item: Any) -> Parsed:
    """One incident of ``/v1/incidents`` → its incident record."""
    root = Node(item)
    root.obj()
    updated_at = root.get("updatedAt").rfc3339()
    created = root.get("impactStartDate").opt_rfc3339() or root.get("createdAt").rfc3339()
    status = (root.get("status").opt_text() or "").lower()
    resolved = None
    if status in RESOLVED_INCIDENT:
        resolved = root.get("impactEndDate").opt_rfc3339() or updated_at
    record = _record(root, created, resolved, updated_at)
    services = root.get("impactedServices").texts()
    record["service"] = services[0] if services else None
    record["opsgenie_kind"] = "incident"
    return Parsed(records=[build_record(Incident, record, _INCIDENT_PATHS)])


def _record(
    root: Node, created: datetime, resolved: datetime | None, updated_at: datetime
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "kind": "incident",
        "source": SOURCE,
        "id": root.get("id").id_text(),
        "created_at": created,
        "title": root.get("message").opt_text(),
        "service": root.get("entity").opt_text(),
        "severity": priority(root.get("priority")),
        "priority": priority(root.get("priority")),
        "resolved_at": resolved,
        "updated_at": format_time(updated_at),
    }
    tiny = root.get("tinyId").opt_id_text()
    if tiny is not None:
        record["tiny_id"] = tiny
    web = root.get("links").get("web").opt_text()
    if web is not None:
        record["url"] = web
    return record
