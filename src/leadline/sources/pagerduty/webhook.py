"""PagerDuty v3 webhooks → incident records (the signature check: ``signature``).

Each delivery is ``{"event": {"event_type": "incident.…", "occurred_at": …, "data": {…}}}``.
The incident lifecycle events become an ``Incident``; the service stores it through
``merge(stored, incoming)`` (a resolve delivery need not carry the creation time; the
earliest time seen wins; so does the first ``incident.acknowledged``, as ``acknowledged_at``).
Rules and reasons: docs/sources-jira-pagerduty.md.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import Incident
from leadline.domain.times import format_time
from leadline.sources.base import Parsed, build_record, merge_incident
from leadline.sources.payload import Node

SOURCE = "pagerduty"
# The events that say where an incident stands; other incident.* events change nothing
# leadline measures (notes, reassignment, priority, …) and are ignored.
OPEN_EVENTS = frozenset(
    {"incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.reopened"}
)
RESOLVED_EVENT = "incident.resolved"
ACKNOWLEDGED_EVENT = "incident.acknowledged"
_PATHS = {
    "id": "event.data.id",
    "created_at": "event.data.created_at",
    "title": "event.data.title",
    "service": "event.data.service.summary",
    "severity": "event.data.priority.summary",
    "resolved_at": "event.occurred_at",
    "priority": "event.data.priority.summary",
    "urgency": "event.data.urgency",
    "acknowledged_at": "event.occurred_at",
    "url": "event.data.html_url",
}

merge = merge_incident


def parse(payload: Any) -> Parsed:
    """One PagerDuty v3 webhook body → an incident, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    event = root.get("event")
    event.obj()
    event_type = event.get("event_type").text()
    if event_type != RESOLVED_EVENT and event_type not in OPEN_EVENTS:
        return Parsed(records=[], ignored=f"{event_type}: not an event leadline uses")
    occurred = event.get("occurred_at").rfc3339()
    data = event.get("data")
    data.obj()
    created = data.get("created_at").opt_rfc3339() or occurred
    record: dict[str, Any] = {
        "kind": "incident",
        "source": SOURCE,
        "id": data.get("id").id_text(),
        "created_at": created,
        "title": data.get("title").opt_text() or data.get("summary").opt_text(),
        "service": _service(data.get("service")),
        "severity": data.get("priority").get("summary").opt_text()
        or data.get("urgency").opt_text(),
        "resolved_at": occurred if event_type == RESOLVED_EVENT else None,
        "updated_at": format_time(occurred),
        "priority": _priority(data.get("priority")),
        "urgency": data.get("urgency").opt_text(),
        "acknowledged_at": occurred if event_type == ACKNOWLEDGED_EVENT else None,
    }
    url = data.get("html_url").opt_text()
    if url is not None:
        record["url"] = url
    return Parsed(records=[build_record(Incident, record, _PATHS)])


def _priority(priority: Node) -> str | None:
    """The priority reference as shown (``P1``): its ``summary``, else its ``name``."""
    return priority.get("summary").opt_text() or priority.get("name").opt_text()


def _service(service: Node) -> str | None:
    return service.get("summary").opt_text() or service.get("name").opt_text()
