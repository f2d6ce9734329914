"""``leadline sync opsgenie``: alerts (and, with ``--incidents``, incidents) → incidents.

Resources, in order, each with its own cursor (``services.sync.engine``; scope: the API host and the
filter): ``alerts`` — ``GET /v2/alerts``; ``incidents`` — ``GET /v1/incidents`` (Opsgenie's
incident API is v1). Both are read newest update first (``sort=updatedAt&order=desc``) in
``offset``/``limit`` pages, with the search ``query`` narrowed to ``updatedAt>=`` the last
complete pass's watermark (epoch milliseconds; ``createdAt>=`` ``--since`` on the first
sync), and walked by ``services.sync.walk.desc_walk`` keyed by ``updatedAt`` (its docstring
has the argument for resuming without gaps or duplicates); a page shorter than ``limit`` is the
last. The cursor — watermark, and the
next page while a pass runs — is committed with each page's records. Opsgenie serves at most
offset + limit = 20,000 items of one search: a first sync of a larger history should be
split with ``--since``. Mapping: ``sources.opsgenie.rest``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from leadline.domain.records import RecordModel
from leadline.domain.times import to_micros
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.http import Page, RestClient
from leadline.sources.opsgenie import rest

SOURCE = "opsgenie"
LISTINGS: dict[str, tuple[str, Callable[[Any], Parsed]]] = {
    "alerts": ("v2/alerts", rest.alert),
    "incidents": ("v1/incidents", rest.incident),
}


@dataclass
class Account:
    """What the resources share: the client, the user's search query, the options."""

    client: RestClient
    query: str = ""
    since: datetime | None = None
    per_page: int = 100

    def relative(self, url: str | None) -> str | None:
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def search(self, lower: WalkKey | None) -> str:
        """The search query of a pass reading down to ``lower`` (module doc)."""
        clauses = [f"({self.query})"] if self.query else []
        if isinstance(lower, str):
            clauses.append(f"updatedAt>={to_micros(key_time(lower)) // 1000}")
        elif self.since is not None:
            clauses.append(f"createdAt>={to_micros(self.since) // 1000}")
        return " AND ".join(clauses)

    def pages(self, path: str, lower: WalkKey | None) -> Iterator[Page]:
        params = {"sort": "updatedAt", "order": "desc"}
        query = self.search(lower)
        if query:
            params["query"] = query
        yield from self._pages(path, params)

    def resume(self, url: str) -> Iterator[Page]:
        yield from self._pages(url, None)

    def _pages(self, path: str, params: dict[str, Any] | None) -> Iterator[Page]:
        found = self.client.pages_offset(
            path, params, items_key="data", max_results=self.per_page,
            start_param="offset", size_param="limit",
        )  # fmt: skip
        for page in found:
            # A short page is the last (Opsgenie then sends no ``paging.next``): no empty
            # request to learn it.
            nxt = page.next if len(page.items) >= self.per_page else None
            yield Page(page.items, self.relative(nxt), page.response)
            if nxt is None:
                return


@dataclass
class Listing:
    """Alerts or incidents, newest update first (module doc)."""

    account: Account
    name: str

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        account = self.account
        path, _ = LISTINGS[self.name]
        start = cursor if isinstance(cursor, dict) else None

        def first(lower: WalkKey | None) -> Iterator[Page]:
            return account.pages(path, lower)

        for step in desc_walk(start, first, account.resume, self._key):
            yield Batch(self._records(step.items, ctx), step.cursor, len(step.page.items))

    def _key(self, item: Any) -> str:
        try:
            return time_key(rest.updated(item))
        except PayloadError as exc:
            raise PayloadError(f"opsgenie: {self.name} {_id(item)}: {exc.message}") from None

    def _records(self, items: list[Any], ctx: SyncContext) -> list[RecordModel]:
        _, mapper = LISTINGS[self.name]
        records: list[RecordModel] = []
        for item in items:
            try:
                records.extend(mapper(item).records)
            except PayloadError as exc:
                ctx.warn(f"opsgenie: {self.name[:-1]} {_id(item)}: {exc.message}; skipped")
        return records


def _id(item: Any) -> str:
    found = item.get("id") if isinstance(item, dict) else None
    return str(found) if found else "(no id)"


def scope_of(base_url: str, query: str) -> str:
    """The cursor scope: the API host and the user's query."""
    return f"{urlsplit(base_url).hostname or ''} {query}".rstrip()


def sync_opsgenie(
    engine: Engine,
    client: RestClient,
    *,
    query: str = "",
    incidents: bool = False,
    since: datetime | None = None,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the account's alerts (and incidents) into the database."""
    account = Account(client, query.strip(), since, per_page)
    names = ["alerts", "incidents"] if incidents else ["alerts"]
    resources = [Listing(account, name) for name in names]
    report = run_sync(engine, SOURCE, scope_of(client.base_url, account.query), resources,
                      on_progress=on_progress, on_warning=on_warning)  # fmt: skip
    report.requests = client.requests
    return report
