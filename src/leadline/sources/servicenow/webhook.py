"""A business rule's outbound REST message → records (``POST /v1/webhooks/servicenow``).

ServiceNow has no built-in webhook: the business rule shipped in docs/sources-servicenow.md
posts the changed record as one JSON object of its fields, each ``{"value": …,
"display_value": …}`` (the Table API's ``sysparm_display_value=all`` shape; plain values work
too). ``sys_class_name`` says the table: ``incident`` and ``change_request`` map as the Table
API records do (``servicenow.rest``); any other table is acknowledged and ignored with the
reason. The delivery id (``X-Leadline-Delivery``) is the rule's ``sys_id:sys_mod_count``.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from leadline.sources.base import Parsed
from leadline.sources.payload import Node
from leadline.sources.servicenow.fields import text
from leadline.sources.servicenow.rest import change_request, incident

TABLES = {"incident": incident, "change_request": change_request}


def parse(payload: Any, zone: tzinfo) -> Parsed:
    """One outbound message body → an incident or a deployment, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    table_node = root.get("sys_class_name")
    table = text(table_node)
    if table is None:
        raise table_node.error("required field is missing (the record's table)")
    mapper = TABLES.get(table)
    if mapper is None:
        return Parsed(records=[], ignored=f"{table}: not a table leadline uses")
    return mapper(payload, zone)
