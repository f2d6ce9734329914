"""``leadline sync bitbucket``: one repository's history from Bitbucket Cloud (API 2.0) or
Bitbucket Data Center (REST 1.0).

Resources, in order, each with its own cursor (``services.sync.engine``; scope ``cloud:ws/slug``
or ``dc:PROJECT/slug``):

``pull_requests``  Cloud ``/pullrequests?state=…&sort=-updated_on&q=updated_on>=…``; Data
                   Center ``/pull-requests?state=ALL&order=NEWEST`` (newest update first).
                   For each changed one: its detail (Cloud: the participants' approvals),
                   ``/commits`` (full SHAs, with parents), ``/activities`` (Data Center:
                   approvals with their times) and the build statuses of its head commit.
``pipelines``      Cloud only: ``/pipelines/?sort=-created_on``; a pipeline still running
                   is kept in the cursor's ``pending`` list and asked for again
                   (``/pipelines/{uuid}``) by the next sync until it has finished.
``deployments``    Cloud only: ``/deployments/?sort=-last_update_time``.

**Incremental and resumable.** Listings are read newest first by ``services.sync.walk``
(its docstring has the argument): a pass reads down to the high-watermark of the last
complete pass, inclusive, and the cursor (the watermark, and the next page's URL while a
pass is unfinished) is committed with each page's records, so a sync killed at any point
resumes at the page after the last committed one. Cloud pages by its ``next`` link; Data
Center by ``start``/``limit`` until ``isLastPage`` (``nextPageStart``).

**Nothing fetched twice for nothing.** A pull request stored by an earlier sync with the
same ``updated_at`` costs no further request; re-running a finished sync reads one page
per listing (and the pending pipelines) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from sqlalchemy import Engine

from leadline.errors import InputError, NotFoundError
from leadline.services.sync import bitbucket_items as items
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import WalkKey, desc_walk, time_key
from leadline.sources.base import PayloadError
from leadline.sources.bitbucket import rest as bitbucket_rest
from leadline.sources.http import Page, RestClient, RestError

SOURCE = "bitbucket"
CLOUD_API = "https://api.bitbucket.org/2.0"
Flavour = Literal["cloud", "dc"]
CLOUD_PR_STATES = ["OPEN", "MERGED", "DECLINED", "SUPERSEDED"]
Convert = Callable[[list[Any], SyncContext, items.Api], list[Any]]


@dataclass
class Bitbucket:
    """What every resource needs: the client, the flavour, the repository, the options."""

    client: RestClient
    flavour: Flavour
    repo: str  # workspace/slug (Cloud) or PROJECT/slug (Data Center)
    per_page: int = 50
    since: datetime | None = None

    def path(self, suffix: str) -> str:
        owner, slug = (quote(part, safe="") for part in self.repo.split("/", 1))
        if self.flavour == "cloud":
            return f"repositories/{owner}/{slug}/{suffix}"
        return f"api/1.0/projects/{owner}/repos/{slug}/{suffix}"

    def relative(self, url: str | None) -> str | None:
        """A next-page URL as stored in a cursor: relative to the base URL when on it."""
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def pages(self, suffix: str, params: dict[str, Any]) -> Iterator[Page]:
        size = "pagelen" if self.flavour == "cloud" else "limit"
        return self.resume(self.path(suffix), {**params, size: self.per_page})

    def resume(self, url: str, params: dict[str, Any] | None = None) -> Iterator[Page]:
        """The pages from ``url`` on: Cloud's ``next`` link, Data Center's ``start``."""
        next_url: str | None = url
        while next_url is not None:
            response = self.client.get(next_url, params)
            body = _page_body(response)
            if self.flavour == "cloud":
                nxt = body.get("next")
                next_url = str(nxt) if isinstance(nxt, str) and nxt else None
            elif body.get("isLastPage") is False and isinstance(body.get("nextPageStart"), int):
                merged = response.request.url.copy_merge_params({"start": body["nextPageStart"]})
                next_url = str(merged)
            else:
                next_url = None
            yield Page(body["values"], self.relative(next_url), response)
            params = None

    def all_items(self, suffix: str) -> list[Any]:
        return [item for page in self.pages(suffix, {}) for item in page.items]

    def get_one(self, suffix: str) -> Any:
        return self.client.get_json(self.path(suffix))

    def statuses(self, sha: str) -> list[Any]:
        """The build statuses of a commit: Cloud ``commit/{sha}/statuses``, Data Center
        ``/rest/build-status/1.0/commits/{sha}``."""
        if self.flavour == "cloud":
            return self.all_items(f"commit/{sha}/statuses")
        path = f"build-status/1.0/commits/{sha}"
        pages = self.resume(path, {"limit": self.per_page})
        return [item for page in pages for item in page.items]


def _page_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("values"), list):
        where = response.request.url
        raise RestError(f"GET {where}: expected a page with a list under 'values'", url=str(where))
    return body


@dataclass
class Listing:
    """A newest-first listing walked with ``desc_walk`` (module doc)."""

    bb: Bitbucket
    name: str
    suffix: str
    params: dict[str, Any]
    key: Callable[[Any], str]
    convert: Convert
    lower: Callable[[str], dict[str, Any]] | None = None  # a server-side filter

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        def first(lower: WalkKey | None) -> Iterator[Page]:
            extra = self.lower(lower) if self.lower and isinstance(lower, str) else {}
            return self.bb.pages(self.suffix, {**self.params, **extra})

        since = time_key(self.bb.since) if self.bb.since is not None else None
        start = cursor if isinstance(cursor, dict) else None
        for step in desc_walk(start, first, self.bb.resume, self.key, since=since):
            records = self.convert(step.items, ctx, self.bb)
            yield Batch(records, step.cursor, len(step.page.items))


@dataclass
class Pipelines:
    """Cloud pipelines, newest first; unfinished ones wait in the cursor's ``pending``."""

    bb: Bitbucket
    name: str = "pipelines"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        state = dict(cursor) if isinstance(cursor, dict) else {}
        pending = [str(p) for p in state.get("pending", []) if isinstance(p, str)]
        if pending:
            done, pending = self._recheck(pending, ctx)
            state["pending"] = pending
            yield Batch(items.pipelines(done, ctx, self.bb), dict(state), len(done))

        def first(_lower: WalkKey | None) -> Iterator[Page]:
            return self.bb.pages("pipelines/", {"sort": "-created_on"})

        since = time_key(self.bb.since) if self.bb.since is not None else None
        for step in desc_walk(state, first, self.bb.resume, _key("created_on"), since=since):
            running = {str(p.get("uuid")) for p in step.items if _finished(p) is False}
            finished = [p for p in step.items if str(p.get("uuid")) not in running]
            pending = sorted({*pending, *running})
            records = items.pipelines(finished, ctx, self.bb)
            yield Batch(records, {**step.cursor, "pending": pending}, len(step.page.items))

    def _recheck(self, pending: list[str], ctx: SyncContext) -> tuple[list[Any], list[str]]:
        done: list[Any] = []
        still: list[str] = []
        for uuid in pending:
            try:
                item = self.bb.get_one(f"pipelines/{quote(uuid, safe='')}")
            except RestError as exc:
                if exc.status not in (404, 410):
                    raise
                ctx.warn(f"bitbucket {self.bb.repo}: pipeline {uuid}: gone ({exc.status})")
                continue
            if _finished(item) is False:
                still.append(uuid)
            else:
                done.append(item)
        return done, still


def _finished(item: Any) -> bool | None:
    """Finished, running, or ``None`` when unreadable (the converter names the problem)."""
    try:
        return bitbucket_rest.pipeline_finished(item)
    except PayloadError:
        return None


def _key(*paths: str) -> Callable[[Any], str]:
    """The walk key of an item: the first of ``paths`` (dotted) that holds a time."""
    return lambda item: time_key(bitbucket_rest.item_time(item, *paths))


def _cloud_after(lower: str) -> dict[str, Any]:
    return {"q": f"updated_on>={lower}"}


def split_repo(repo: str) -> str:
    """``owner/slug`` checked: two non-empty parts."""
    parts = repo.strip().strip("/").split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise InputError(f"--repo: expected WORKSPACE/SLUG or PROJECT/SLUG, got {repo!r}")
    return "/".join(p.strip() for p in parts)


def find_repo(bb: Bitbucket) -> None:
    """A clear error when Bitbucket does not know the repository (or the token cannot see
    it): one request before any listing."""
    try:
        bb.client.get_json(bb.path("").rstrip("/"))
    except RestError as exc:
        if exc.status == 404:
            raise NotFoundError(
                f"repository {bb.repo} not found at {bb.client.base_url} "
                "(or BITBUCKET_TOKEN cannot read it)"
            ) from None
        if exc.status == 401:
            raise RestError(f"{exc.message} (check BITBUCKET_TOKEN)", exc.status, exc.url) from None
        raise


def sync_bitbucket(
    engine: Engine,
    client: RestClient,
    repo: str,
    *,
    flavour: Flavour = "cloud",
    since: datetime | None = None,
    per_page: int = 50,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the repository's history into the database (module doc)."""
    bb = Bitbucket(client, flavour, split_repo(repo), per_page, since)
    find_repo(bb)
    prs = items.PullRequests(bb)
    resources: list[Any]
    if flavour == "cloud":
        resources = [
            Listing(bb, "pull_requests", "pullrequests",
                    {"state": CLOUD_PR_STATES, "sort": "-updated_on"}, _key("updated_on"),
                    lambda found, ctx, _api: prs(found, ctx), _cloud_after),
            Pipelines(bb),
            Listing(bb, "deployments", "deployments/", {"sort": "-last_update_time"},
                    _key("last_update_time", "state.completed_on", "release.created_on"),
                    items.deployments),
        ]  # fmt: skip
    else:
        resources = [
            Listing(bb, "pull_requests", "pull-requests", {"state": "ALL", "order": "NEWEST"},
                    _key("updatedDate"), lambda found, ctx, _api: prs(found, ctx)),
        ]  # fmt: skip
    report = run_sync(
        engine, SOURCE, f"{flavour}:{bb.repo}", resources,
        on_progress=on_progress, on_warning=on_warning,
    )  # fmt: skip
    report.requests = client.requests
    return report
