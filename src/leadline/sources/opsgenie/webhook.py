"""Opsgenie alert webhooks → incident records (``POST /v1/webhooks/opsgenie``).

``Create`` opens an incident, ``Close`` resolves it (at the alert's ``updatedAt``),
``Acknowledge`` records when it was acknowledged (``acknowledged_at``, the alert's
``updatedAt``; the first one is kept); the other actions (notes, tags, escalation, …) change
nothing leadline measures and are ignored. ``createdAt`` is epoch milliseconds, ``updatedAt``
epoch nanoseconds. The service stores through ``merge(stored, incoming)`` so a late
``Create`` does not reopen a closed alert.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import Incident
from leadline.domain.times import format_time
from leadline.sources.base import Parsed, build_record, merge_incident
from leadline.sources.payload import Node

SOURCE = "opsgenie"
_PATHS = {
    "id": "alert.alertId",
    "created_at": "alert.createdAt",
    "title": "alert.message",
    "service": "alert.entity",
    "severity": "alert.priority",
    "resolved_at": "alert.updatedAt",
    "priority": "alert.priority",
    "acknowledged_at": "alert.updatedAt",
    "tiny_id": "alert.tinyId",
}
ACTIONS = ("create", "close", "acknowledge")

merge = merge_incident


def parse(payload: Any) -> Parsed:
    """One Opsgenie webhook body → an incident, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    action = root.get("action").text()
    if action.lower() not in ACTIONS:
        return Parsed(records=[], ignored=f"{action}: not an alert action leadline uses")
    alert = root.get("alert")
    alert.obj()
    updated = alert.get("updatedAt")
    updated_at = updated.epoch_auto() if updated.present else None
    closed, acked = action.lower() == "close", action.lower() == "acknowledge"
    if closed and updated_at is None:
        raise updated.error("required field is missing (the time the alert was closed)")
    if acked and updated_at is None:
        raise updated.error("required field is missing (the time the alert was acknowledged)")
    record: dict[str, Any] = {
        "kind": "incident",
        "source": SOURCE,
        "id": alert.get("alertId").id_text(),
        "created_at": alert.get("createdAt").epoch_ms(),
        "title": alert.get("message").opt_text(),
        "service": alert.get("entity").opt_text(),
        "severity": priority(alert.get("priority")),
        "resolved_at": updated_at if closed else None,
        "priority": priority(alert.get("priority")),
        "acknowledged_at": updated_at if acked else None,
    }
    if updated_at is not None:
        record["updated_at"] = format_time(updated_at)
    tiny = alert.get("tinyId").opt_id_text()
    if tiny is not None:
        record["tiny_id"] = tiny
    return Parsed(records=[build_record(Incident, record, _PATHS)])


def priority(node: Node) -> str | None:
    """Opsgenie priorities are P1…P5; some payloads send the bare number (3 → ``P3``)."""
    value = node.opt_id_text()
    return f"P{value}" if value is not None and value.isdigit() else value


def delivery_id(payload: object) -> str | None:
    """A delivery id for de-duplication: Opsgenie sends none, so ``alertId:action:updatedAt``
    (a retried delivery repeats all three; two different events of one alert differ in the
    action or in ``updatedAt``, nanoseconds). ``None`` when the body lacks them."""
    if not isinstance(payload, dict):
        return None
    alert, action = payload.get("alert"), payload.get("action")
    if not isinstance(alert, dict) or not isinstance(action, str):
        return None
    alert_id, updated = alert.get("alertId"), alert.get("updatedAt")
    if not isinstance(alert_id, str) or not alert_id or isinstance(updated, bool):
        return None
    return f"{alert_id}:{action}:{updated}" if isinstance(updated, int) else None
