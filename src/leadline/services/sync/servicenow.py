"""``leadline sync servicenow``: incidents and change requests from the Table API.

Resources, in order, each with its own cursor (``services.sync.engine``; scope: the instance and the
filter): ``incident`` → incident records, ``change_request`` → deployments (``pipeline_run``
of type ``cd``; ``sources.servicenow.rest`` has the mapping and which states yield one).

Each resource reads ``GET /api/now/table/<table>`` newest update first —
``sysparm_query=<filter>^sys_updated_on>=<bound>^ORDERBYDESCsys_updated_on^ORDERBYDESCnumber``,
``sysparm_display_value=all`` (the actual value, UTC, and the name of references),
``sysparm_offset``/``sysparm_limit`` pages — walked by ``services.sync.walk.desc_walk``
(its docstring has the argument for resuming without gaps or duplicates), keyed by
``sys_updated_on``. The bound is the last complete pass's watermark minus ``QUERY_SLACK``:
ServiceNow compares an encoded query's date-time in the API user's zone, which leadline does
not know, so a day of slack makes the query a superset; the walk itself stops at the first
record older than the watermark (inclusive: a record updated in the same second is read
again, harmlessly). The cursor (watermark, and the next page while a pass runs) is committed
with each page's records, so a killed sync goes on after the last committed page. Only an
empty page ends a listing: ServiceNow drops the records the API user may not read from a page
*after* cutting it, so a short page is not necessarily the last. A record
that cannot be read is skipped with a warning naming it and the field.

Date-times carry no zone: they are read in ``zone`` (``LEADLINE_SERVICENOW_TIMEZONE``, UTC
by default — the zone of ServiceNow's actual values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from leadline.domain.records import RecordModel
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources import servicenow
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.http import Page, RestClient

SOURCE = "servicenow"
QUERY_SLACK = timedelta(days=1)
TABLES: dict[str, Callable[[Any, tzinfo], Parsed]] = {
    "incident": servicenow.incident,
    "change_request": servicenow.change_request,
}
FIELDS = ",".join([
    "sys_id", "number", "sys_class_name", "sys_updated_on", "sys_created_on", "state",
    "short_description", "priority", "urgency", "impact", "severity", "cmdb_ci",
    "business_service", "opened_at", "resolved_at", "closed_at", "type", "category", "risk",
    "close_code", "start_date", "end_date", "work_start", "work_end", "caused_by",
])  # fmt: skip


@dataclass
class Instance:
    """What both resources need: the client, the zone, the filter and the page size."""

    client: RestClient
    zone: tzinfo
    query: str = ""
    since: datetime | None = None
    per_page: int = 100

    def relative(self, url: str | None) -> str | None:
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def encoded_query(self, lower: WalkKey | None) -> str:
        """The filter of a pass reading down to ``lower`` (module doc)."""
        clauses = [self.query] if self.query else []
        if isinstance(lower, str):
            bound = (key_time(lower) - QUERY_SLACK).astimezone(self.zone)
            clauses.append(f"sys_updated_on>={bound:%Y-%m-%d %H:%M:%S}")
        return "^".join([*clauses, "ORDERBYDESCsys_updated_on", "ORDERBYDESCnumber"])

    def pages(self, table: str, lower: WalkKey | None) -> Iterator[Page]:
        params = {
            "sysparm_query": self.encoded_query(lower),
            "sysparm_display_value": "all",
            "sysparm_exclude_reference_link": "true",
            "sysparm_fields": FIELDS,
        }
        yield from self._pages(f"api/now/table/{table}", params)

    def resume(self, url: str) -> Iterator[Page]:
        yield from self._pages(url, None)

    def _pages(self, path: str, params: dict[str, Any] | None) -> Iterator[Page]:
        found = self.client.pages_offset(
            path, params, items_key="result", max_results=self.per_page,
            start_param="sysparm_offset", size_param="sysparm_limit",
        )  # fmt: skip
        for page in found:
            yield Page(page.items, self.relative(page.next), page.response)


@dataclass
class Table:
    """One table's records, newest update first (module doc)."""

    instance: Instance
    name: str

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        instance = self.instance
        start = cursor if isinstance(cursor, dict) else None
        since = time_key(instance.since) if instance.since is not None else None

        def first(lower: WalkKey | None) -> Iterator[Page]:
            return instance.pages(self.name, lower)

        for step in desc_walk(start, first, instance.resume, self._key, since=since):
            yield Batch(self._records(step.items, ctx), step.cursor, len(step.page.items))

    def _key(self, item: Any) -> str:
        try:
            return time_key(servicenow.updated(item, self.instance.zone))
        except PayloadError as exc:
            raise PayloadError(f"{self.name} {_number(item)}: {exc.message}") from None

    def _records(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        mapper, records = TABLES[self.name], []
        for item in items:
            try:
                records.extend(mapper(item, self.instance.zone).records)
            except PayloadError as exc:
                ctx.warn(f"servicenow: {self.name} {_number(item)}: {exc.message}; skipped")
        return records


def _number(item: Any) -> str:
    number = item.get("number") if isinstance(item, dict) else None
    if isinstance(number, dict):
        number = number.get("value")
    return str(number) if number else "(no number)"


def scope_of(base_url: str, query: str) -> str:
    """The cursor scope: the instance (host and path, not the port) and the filter."""
    parts = urlsplit(base_url)
    return f"{parts.hostname or ''}{parts.path.rstrip('/')} {query}".rstrip()


def sync_servicenow(
    engine: Engine,
    client: RestClient,
    zone: tzinfo,
    *,
    query: str = "",
    tables: tuple[str, ...] = tuple(TABLES),
    since: datetime | None = None,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the instance's incidents and change requests into the database."""
    instance = Instance(client, zone, query.strip(), since, per_page)
    resources = [Table(instance, table) for table in tables]
    report = run_sync(engine, SOURCE, scope_of(client.base_url, instance.query), resources,
                      on_progress=on_progress, on_warning=on_warning)  # fmt: skip
    report.requests = client.requests
    return report
