"""ServiceNow → records: incidents → ``incident``, change requests → ``pipeline_run``
(deployments, type ``cd``), from the Table API (``rest``, read by ``leadline sync
servicenow``) and from a business rule's outbound REST message (``webhook``).

Pure mapping (no HTTP, no clock). ServiceNow date-times carry no zone: every function that
reads one takes the zone (``LEADLINE_SERVICENOW_TIMEZONE``, UTC by default; ServiceNow's stored
values are UTC). Rules and reasons: docs/sources-servicenow.md.
"""

from __future__ import annotations

from leadline.sources.servicenow.rest import SOURCE, change_request, incident, updated
from leadline.sources.servicenow.webhook import parse

__all__ = ["SOURCE", "change_request", "incident", "parse", "updated"]
