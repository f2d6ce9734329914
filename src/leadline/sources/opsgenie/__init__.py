"""Opsgenie → incident records: alert webhooks (``webhook``) and the REST listings that
``leadline sync opsgenie`` reads (``rest``: v2 alerts, v1 incidents).

Pure mapping (no HTTP, no clock). Both ways give the same record for an alert (source
``opsgenie``, id = the alert id), so a webhook and a sync of the same alert merge. Rules and
reasons: docs/sources-opsgenie.md.
"""

from __future__ import annotations

from leadline.sources.opsgenie.webhook import SOURCE, delivery_id, merge, parse

__all__ = ["SOURCE", "delivery_id", "merge", "parse"]
