"""ServiceNow Table API records (``incident``, ``change_request``) → leadline records.

**Incidents** → ``incident`` (source ``servicenow``, id = ``number``): ``created_at`` =
``opened_at`` (else ``sys_created_on``); ``resolved_at`` = ``resolved_at`` (else
``closed_at``); ``title`` = ``short_description``; ``severity`` = ``priority`` as shown
(``1 - Critical``); ``service`` = ``cmdb_ci`` (else ``business_service``), by name when the
record carries display values; ``priority`` and ``urgency`` = their choice values (``1``…``5``,
``1``…``3``: the same whether or not the record carries display values). ``impact``,
ServiceNow's own ``severity`` (as ``servicenow_severity``), ``state``, ``sys_id`` and
``updated_at`` (``sys_updated_on``: the newer snapshot wins a merge) are kept as extra fields.
The incident table has no acknowledgement time: ``acknowledged_at`` stays empty. An incident
"Caused by Change" (``caused_by``, shown as the change's number) names its deployment:
``deployment_run_id`` = that number, the run id of the change request's deployment below.

**Change requests** → ``pipeline_run`` of type ``cd`` (a deployment): system ``servicenow``,
pipeline ``change_request/<type>`` (``normal``, ``standard``, ``emergency``; ``normal`` when
absent), run id = ``number``, ``finished_at`` = ``work_end`` (the actual end of the work) else
``closed_at``, ``started_at`` = ``work_start``, ``service`` as for incidents, and a status:

==========================================  ===================
state / close code                          status
==========================================  ===================
Closed (3), ``successful``                  ``success``
Closed (3), ``successful_issues``           ``successful_issues``
Closed (3), ``unsuccessful``                ``failure``
Closed (3), no close code                   ``closed``
Canceled (4)                                ``canceled``
Review (0)                                  ``review``
==========================================  ===================

A change request in any other state (New, Assess, Authorize, Scheduled, Implement) has not
been carried out: it yields nothing, with the reason. So does one without ``work_end`` and
``closed_at``. Which of these count as deployments is the profile's choice
(``dora.deployments``: ``pipelines`` globs for the types, ``statuses``; default ``success``).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from leadline.domain.records import Incident, PipelineRun
from leadline.domain.times import format_time
from leadline.sources.base import Parsed, build_record
from leadline.sources.payload import Node
from leadline.sources.servicenow.fields import code, label, raw, text, time

SOURCE = "servicenow"
INCIDENT_STATES = {1: "New", 2: "In Progress", 3: "On Hold", 6: "Resolved", 7: "Closed",
                   8: "Canceled"}  # fmt: skip
CHANGE_STATES = {-5: "New", -4: "Assess", -3: "Authorize", -2: "Scheduled", -1: "Implement",
                 0: "Review", 3: "Closed", 4: "Canceled"}  # fmt: skip
CLOSED, CANCELED, REVIEW = 3, 4, 0
CLOSE_CODES = {"successful": "success", "successful_issues": "successful_issues",
               "unsuccessful": "failure"}  # fmt: skip
_INCIDENT_PATHS = {
    "id": "number",
    "created_at": "opened_at",
    "title": "short_description",
    "service": "cmdb_ci",
    "severity": "priority",
    "resolved_at": "resolved_at",
    "deployment_run_id": "caused_by",
    "priority": "priority",
    "urgency": "urgency",
    "impact": "impact",
    "servicenow_severity": "severity",
    "state": "state",
    "sys_id": "sys_id",
}
_CHANGE_PATHS = {
    "run_id": "number",
    "pipeline": "type",
    "status": "close_code",
    "finished_at": "work_end",
    "started_at": "work_start",
    "service": "cmdb_ci",
    "title": "short_description",
    "sys_id": "sys_id",
    **{f"params.{key}": key for key in ("state", "close_code", "category", "risk")},
}


def updated(record: Any, zone: tzinfo) -> datetime:
    """``sys_updated_on`` (what the sync walks by); required."""
    node = Node(record).get("sys_updated_on")
    found = time(node, zone)
    if found is None:
        raise node.error("required field is missing")
    return found


def incident(record: Any, zone: tzinfo) -> Parsed:
    """One ``incident`` record → its incident."""
    root = Node(record)
    root.obj()
    number = _number(root)
    created = time(root.get("opened_at"), zone) or time(root.get("sys_created_on"), zone)
    if created is None:
        raise root.get("opened_at").error("required field is missing (nor sys_created_on)")
    resolved = time(root.get("resolved_at"), zone) or time(root.get("closed_at"), zone)
    state = code(root.get("state"))
    data: dict[str, Any] = {
        "kind": "incident",
        "source": SOURCE,
        "id": number,
        "created_at": created,
        "title": text(root.get("short_description")),
        "service": service(root),
        "severity": label(root.get("priority")),
        "resolved_at": resolved,
        "deployment_run_id": _change_number(root.get("caused_by")),
    }
    extras = {
        "priority": text(root.get("priority")),
        "urgency": text(root.get("urgency")),
        "impact": text(root.get("impact")),
        "servicenow_severity": text(root.get("severity")),
        "state": _state(root.get("state"), state, INCIDENT_STATES),
    }
    data.update({k: v for k, v in extras.items() if v is not None})
    data.update(_identity(root, zone))
    return Parsed(records=[build_record(Incident, data, _INCIDENT_PATHS)])


def _change_number(node: Node) -> str | None:
    """The number of a referenced change request (``CHG0030001``): the reference's display
    value; a bare sys_id names no deployment leadline knows, so it gives ``None``."""
    if isinstance(node.value, dict):
        shown = node.get("display_value").value
        return shown.strip() if isinstance(shown, str) and shown.strip() else None
    return None


def change_request(record: Any, zone: tzinfo) -> Parsed:
    """One ``change_request`` record → a deployment (``pipeline_run``), or nothing with the
    reason when it has not been carried out (module doc)."""
    root = Node(record)
    root.obj()
    number = _number(root)
    state = code(root.get("state"))
    shown = _state(root.get("state"), state, CHANGE_STATES)
    if state not in (CLOSED, CANCELED, REVIEW):
        return Parsed(records=[], ignored=f"change request {number} is {shown}: not carried out")
    finished = time(root.get("work_end"), zone) or time(root.get("closed_at"), zone)
    if finished is None:
        reason = f"change request {number} is {shown} but has no work_end or closed_at"
        return Parsed(records=[], ignored=reason)
    close_code = text(root.get("close_code"))
    data: dict[str, Any] = {
        "kind": "pipeline_run",
        "system": SOURCE,
        "pipeline": f"change_request/{text(root.get('type')) or 'normal'}",
        "run_id": number,
        "type": "cd",
        "status": _change_status(state, close_code),
        "finished_at": finished,
        "started_at": time(root.get("work_start"), zone),
        "service": service(root),
        "params": {
            k: v
            for k, v in {
                "state": shown,
                "close_code": close_code,
                "category": text(root.get("category")),
                "risk": text(root.get("risk")),
            }.items()
            if v is not None
        },
    }
    title = text(root.get("short_description"))
    if title is not None:
        data["title"] = title
    data.update(_identity(root, zone))
    return Parsed(records=[build_record(PipelineRun, data, _CHANGE_PATHS)])


def service(root: Node) -> str | None:
    """``cmdb_ci``, else ``business_service`` (names when the record carries them)."""
    return label(root.get("cmdb_ci")) or label(root.get("business_service"))


def _change_status(state: int | None, close_code: str | None) -> str:
    if state == CANCELED:
        return "canceled"
    if state == REVIEW:
        return "review"
    if close_code is None:
        return "closed"
    return CLOSE_CODES.get(close_code.lower(), close_code.lower())


def _number(root: Node) -> str:
    number = text(root.get("number"))
    if number is None:
        raise raw(root.get("number")).error("required field is missing")
    return number


def _state(node: Node, state: int | None, names: dict[int, str]) -> str:
    """The state as ServiceNow shows it (``Closed``), else its name from the value."""
    if isinstance(node.value, dict):
        shown = label(node)
        if shown is not None and shown != text(node):
            return shown
    if state is None:
        return "(no state)"
    return names.get(state, f"state {state}")


def _identity(root: Node, zone: tzinfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    sys_id = text(root.get("sys_id"))
    if sys_id is not None:
        found["sys_id"] = sys_id
    changed = time(root.get("sys_updated_on"), zone)
    if changed is not None:
        found["updated_at"] = format_time(changed)
    return found
