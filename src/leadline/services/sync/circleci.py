"""``leadline sync circleci``: a CircleCI project's workflows through API v2.

One resource, ``pipelines`` (cursor scope: the project slug, ``gh/OWNER/NAME``):
``GET /project/{slug}/pipeline`` lists pipelines newest first (by ``created_at``), in pages
linked by ``next_page_token`` (no page size, no date filter). It is walked with
``sync.walk.desc_walk`` down to the last pass's newest pipeline, so a re-run reads one page
and a killed run resumes at the stored page token. For each pipeline, ``GET
/pipeline/{id}/workflow`` (all pages): each final workflow is a ``pipeline_run`` (the same
record a ``workflow-completed`` webhook makes, ``sources.circleci.rest``).

A pipeline with a workflow still running (or on hold) goes into the cursor's ``pending``
(``{id: created}``); every sync first asks again for each pending pipeline (``GET
/pipeline/{id}`` and its workflows) and forgets it once all its workflows are final, or
after ``PENDING_DAYS``. Auth: the ``Circle-Token`` header; 429 answers are waited out by
``sources.http.RestClient``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import Engine

from leadline.domain.records import RecordModel
from leadline.errors import InputError, NotFoundError
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources.base import PayloadError
from leadline.sources.circleci import rest
from leadline.sources.http import Page, RestClient, RestError, safe_url
from leadline.sources.payload import Node

SOURCE = "circleci"
PENDING_DAYS = 14  # a pipeline whose workflows are still not final after this is given up
T = TypeVar("T")


@dataclass
class CircleCI:
    """What the resource needs: the client, the project, the options."""

    client: RestClient
    slug: str
    since: datetime | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def since_key(self) -> str | None:
        return time_key(self.since) if self.since else None

    def pages(self, path: str) -> Iterator[Page]:
        """The pages of a listing, each ``{"items": [...], "next_page_token": …}``; a
        page's ``next`` is ``path?page-token=…`` (relative: stored in cursors as it is).
        ``path`` may itself carry a page token (a stored ``next``)."""
        url: str | None = path
        base = path.split("?", 1)[0]
        while url is not None:
            response = self.client.get(url)
            items, token = _listing(response, url)
            url = f"{base}?{urlencode({'page-token': token})}" if token else None
            yield Page(items, url, response)

    def workflows(self, pipeline_id: str) -> list[Any]:
        path = f"pipeline/{quote(pipeline_id, safe='')}/workflow"
        return [item for page in self.pages(path) for item in page.items]

    def is_stale(self, created: str) -> bool:
        return key_time(created) < self.now() - timedelta(days=PENDING_DAYS)


def _listing(response: httpx.Response, url: str) -> tuple[list[Any], str | None]:
    """``(items, next_page_token)`` of a CircleCI listing answer, or a ``RestError``."""
    try:
        body = response.json()
    except ValueError:
        raise RestError(f"GET {safe_url(url)}: the answer is not JSON") from None
    items = body.get("items") if isinstance(body, dict) else None
    token = body.get("next_page_token") if isinstance(body, dict) else None
    if not isinstance(items, list) or not (token is None or isinstance(token, str)):
        raise RestError(f"GET {safe_url(url)}: expected {{items: [...], next_page_token}}")
    return items, token or None


def _mapped(ctx: SyncContext, what: str, build: Callable[..., T], *args: Any) -> T | None:
    """``build(*args)``, or ``None`` with a warning when the item cannot be read."""
    try:
        return build(*args)
    except PayloadError as exc:
        ctx.warn(f"circleci: {what}: {exc.message}; skipped")
        return None


class Pipelines:
    """Pipelines newest first, each with its workflows; unfinished ones pending (module
    doc)."""

    name = "pipelines"

    def __init__(self, cci: CircleCI) -> None:
        self.cci = cci

    def _runs(self, pipeline: Any, ctx: SyncContext) -> tuple[bool, list[RecordModel]]:
        """``(all workflows final, the runs of the final ones)`` of one pipeline."""
        ident = rest.pipeline_id(pipeline)
        records: list[RecordModel] = []
        final = True
        for item in self.cci.workflows(ident):
            what = f"pipeline {ident} workflow {Node(item).get('id').value}"
            done = _mapped(ctx, what, rest.is_final, item)
            if done is None:  # unreadable: skipped with a warning, not asked for again
                continue
            if not done:
                final = False
                continue
            record = _mapped(ctx, what, rest.workflow, item, pipeline)
            if record is not None:
                records.append(record)
        return final, records

    def _settle(self, state: dict[str, Any], ctx: SyncContext) -> Batch | None:
        pending: dict[str, str] = dict(state.get("pending") or {})
        if not pending:
            return None
        records: list[RecordModel] = []
        for ident, created in sorted(pending.items()):
            try:
                pipeline = self.cci.client.get_json(f"pipeline/{quote(ident, safe='')}")
                final, runs = self._runs(pipeline, ctx)
            except RestError as exc:
                if exc.status not in (404, 410):
                    raise
                final, runs = True, []  # deleted: nothing to record
            records.extend(runs)
            if final or self.cci.is_stale(created):
                del pending[ident]
        state["pending"] = pending
        return Batch(records, dict(state), 0)

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        cci = self.cci
        state: dict[str, Any] = dict(cursor or {})
        settled = self._settle(state, ctx)
        if settled is not None:
            yield settled
        pending: dict[str, str] = state.setdefault("pending", {})
        listing = f"project/{cci.slug}/pipeline"

        def first(_lower: WalkKey | None) -> Iterator[Page]:
            return cci.pages(listing)

        def key(item: Any) -> str:
            return time_key(rest.created_at(item))

        for step in desc_walk(state, first, cci.pages, key, since=cci.since_key):
            records: list[RecordModel] = []
            for item in step.items:
                final, runs = self._runs(item, ctx)
                records.extend(runs)
                if not final:
                    pending[rest.pipeline_id(item)] = key(item)
            yield Batch(records, {**step.cursor, "pending": dict(pending)}, len(step.page.items))


def find_project(client: RestClient, slug: str) -> str:
    """The project's canonical slug (``gh/OWNER/NAME``); a clear error when CircleCI does
    not know it or the token cannot see it."""
    parts = slug.strip().strip("/").split("/")
    if len(parts) != 3 or not all(parts):
        raise InputError(f"--project: expected VCS/ORG/NAME (e.g. gh/acme/app), got {slug!r}")
    path = "project/" + "/".join(quote(p, safe="") for p in parts)
    try:
        found = client.get_json(path)
    except RestError as exc:
        if exc.status == 404:
            raise NotFoundError(
                f"project {slug} not found at {client.base_url} (or CIRCLECI_TOKEN cannot read it)"
            ) from None
        if exc.status == 401:
            raise RestError(f"{exc.message} (check CIRCLECI_TOKEN)", exc.status, exc.url) from None
        raise
    try:
        return rest.project(found)[0]
    except PayloadError as exc:
        raise RestError(f"GET {path}: {exc.message}") from None


def sync_circleci(
    engine: Engine,
    client: RestClient,
    project: str,
    *,
    since: datetime | None = None,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the project's finished workflows into the database (module doc)."""
    slug = find_project(client, project)
    cci = CircleCI(client, slug, since)
    report = run_sync(engine, SOURCE, slug, [Pipelines(cci)], on_progress=on_progress,
                      on_warning=on_warning)  # fmt: skip
    report.requests = client.requests
    return report
