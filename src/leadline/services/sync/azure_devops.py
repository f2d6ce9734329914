"""``leadline sync azure-devops``: work items, pull requests, commits, builds and release
deployments of one Azure DevOps project, incrementally and resumably.

Resources, in order, each with its own cursor (``services.sync.engine``; scope: organisation URL
and project):

``work_items``     ``_apis/wit/reporting/workitemrevisions`` — every revision since the
                   cursor's continuation token (Azure's own watermark: a token given back
                   lists only revisions made after it) — tells which work items changed;
                   each one's whole history comes from ``_apis/wit/workItems/{id}/updates``
                   (``$top``/``$skip``), mapped by ``sources.azure_devops.rest.work_item``.
``pull_requests``  ``_apis/git/pullrequests?searchCriteria.status=all`` (``$top``/``$skip``,
                   newest first) walked by id down to the last pass's newest
                   (``services.sync.walk.desc_walk``); the pull requests still active are
                   kept in the cursor and read again by id on the next run (a listing by id
                   cannot say which old pull request was merged since).
``commits``        ``_apis/git/repositories`` and, per repository, the default branch's
                   ``commits?searchCriteria.fromDate=…`` (``$top``/``$skip``).
``builds``         ``_apis/build/builds?statusFilter=completed&minTime=…`` (continuation
                   tokens, newest finish first).
``deployments``    ``_apis/release/deployments?minModifiedTime=…`` on the release host
                   (``vsrm.dev.azure.com``; continuation tokens); a deployment still running
                   is skipped and read again once it finishes (its modification time moves).

The time-filtered listings are read by ``sync.azure_devops_pages.filtered_walk`` (its
docstring has the resume argument). Re-running a finished sync asks each listing only for
what changed since its watermark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import Engine

from leadline.domain.records import RecordModel
from leadline.services.sync.azure_devops_pages import Pager, filtered_walk
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.walk import desc_walk, time_key
from leadline.sources.azure_devops import fields, rest
from leadline.sources.base import Parsed, PayloadError
from leadline.sources.http import Page, RestClient

SOURCE = "azure-devops"
API_VERSION = {"api-version": "7.1"}
COMMIT_SLACK = timedelta(days=7)  # a commit may be pushed a while after it was committed
RUN_SLACK = timedelta(minutes=5)


@dataclass
class Azure:
    """What every resource needs: the clients (the release API lives on its own host), the
    project and the options."""

    client: RestClient
    releases: RestClient
    project: str
    since: datetime | None = None
    per_page: int = 100

    def path(self, rest_of: str) -> str:
        return f"{quote(self.project)}/_apis/{rest_of}"

    @property
    def since_key(self) -> str | None:
        return time_key(self.since) if self.since is not None else None


def _records(
    ctx: SyncContext, what: str, items: list[Any], read: Callable[[Any, str], Parsed]
) -> list[RecordModel]:
    """Each item mapped; an item leadline cannot read is skipped with a warning."""
    out: list[RecordModel] = []
    for i, item in enumerate(items):
        try:
            out.extend(read(item, f"value[{i}]").records)
        except PayloadError as exc:
            ident = None
            if isinstance(item, dict):
                ident = item.get("pullRequestId", item.get("commitId", item.get("id")))
            ctx.warn(f"azure-devops: {what} {ident}: {exc.message}; skipped")
    return out


@dataclass
class WorkItems:
    azure: Azure
    name: str = "work_items"
    fetched: dict[Any, int] = field(default_factory=dict)  # id → newest revision read

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        azure, pager = self.azure, Pager(self.azure.client)
        token = cursor.get("token") if isinstance(cursor, dict) else None
        params: dict[str, Any] = {
            **API_VERSION,
            "fields": "System.Id",
            "$maxPageSize": azure.per_page,
        }
        if token:
            params["continuationToken"] = token
        elif azure.since is not None:
            params["startDateTime"] = time_key(azure.since)
        path = azure.path("wit/reporting/workitemrevisions")
        for page in pager.token_pages(path, params, items_key="values"):
            newest: dict[Any, int] = {}
            for revision in page.items:
                if isinstance(revision, dict) and isinstance(revision.get("rev"), int):
                    rid = revision.get("id")
                    newest[rid] = max(newest.get(rid, 0), revision["rev"])
            records: list[RecordModel] = []
            for item_id, rev in newest.items():
                if self.fetched.get(item_id, 0) >= rev:
                    continue  # its whole history was read earlier in this run
                updates = self._updates(pager, item_id)
                revs = [u.get("rev") for u in updates if isinstance(u, dict)]
                self.fetched[item_id] = max([r for r in revs if isinstance(r, int)], default=rev)
                read = partial(_work_item, item_id)
                records.extend(_records(ctx, "work item", [updates], read))
            body = page.response.json()
            token = body.get("continuationToken") or token
            yield Batch(records, {"token": token}, len(page.items))

    def _updates(self, pager: Pager, item_id: Any) -> list[Any]:
        path = self.azure.path(f"wit/workItems/{item_id}/updates")
        return [u for p in pager.skip_pages(path, dict(API_VERSION), top=200) for u in p.items]


@dataclass
class PullRequests:
    azure: Azure
    name: str = "pull_requests"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        azure, pager = self.azure, Pager(self.azure.client)
        start = dict(cursor) if isinstance(cursor, dict) else {}
        still_open = {i for i in start.pop("open", []) if isinstance(i, int)}
        if still_open:  # the pull requests active last time: merged, abandoned, voted since?
            items = [
                azure.client.get_json(azure.path(f"git/pullrequests/{n}"), API_VERSION)
                for n in sorted(still_open)
            ]
            records = _records(ctx, "pull request", items, rest.pull_request)
            still_open = self._open(still_open, items)
            yield Batch(records, {**start, "open": sorted(still_open)}, len(items))
        params = {**API_VERSION, "searchCriteria.status": "all"}
        since = None  # ids carry no time: --since applies through the creation date
        cutoff = azure.since

        def first(_lower: Any) -> Iterator[Page]:
            return pager.skip_pages(azure.path("git/pullrequests"), params, top=azure.per_page)

        def resume(url: str) -> Iterator[Page]:
            return pager.skip_pages(url)

        def older(item: Any) -> bool:
            created = fields.opt_time_of(item, "creationDate")
            return cutoff is not None and created is not None and created < cutoff

        for step in desc_walk(
            start or None, first, resume, _pr_id, since=since, inclusive=False, stop=older
        ):
            records = _records(ctx, "pull request", step.items, rest.pull_request)
            still_open = self._open(still_open, step.items)
            yield Batch(records, {**step.cursor, "open": sorted(still_open)}, len(step.page.items))

    @staticmethod
    def _open(known: set[int], items: list[Any]) -> set[int]:
        out = set(known)
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("pullRequestId"), int):
                number = item["pullRequestId"]
                if str(item.get("status", "")).lower() == "active":
                    out.add(number)
                else:
                    out.discard(number)
        return out


def _pr_id(item: Any) -> int:
    value = item.get("pullRequestId") if isinstance(item, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"pull request listing: pullRequestId is not an integer: {value!r}")
    return value


def _time_of(name: str) -> Callable[[Any], str]:
    """The listing key of an item: its time ``name`` as a ``time_key``; ``""`` when it has
    none (the walk does not count it; the mapping skips the item with a warning)."""

    def key(item: Any) -> str:
        when = fields.opt_time_of(item, name)
        return time_key(when) if when is not None else ""

    return key


@dataclass
class Commits:
    azure: Azure
    name: str = "commits"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        azure, pager = self.azure, Pager(self.azure.client)
        state: dict[str, Any] = dict(cursor.get("repos", {})) if isinstance(cursor, dict) else {}
        repos = azure.client.get_json(azure.path("git/repositories"), API_VERSION)
        for repo in repos.get("value", []) if isinstance(repos, dict) else []:
            if not isinstance(repo, dict) or repo.get("isDisabled"):
                continue
            branch = fields.ref_branch(repo.get("defaultBranch"))
            if branch is None:
                continue  # an empty repository
            repo_id, name = str(repo.get("id")), fields.repo_name_of(repo)
            path = azure.path(f"git/repositories/{quote(repo_id)}/commits")

            def first(lower: str | None, path: str = path, branch: str = branch) -> Iterator[Page]:
                params = {**API_VERSION, "searchCriteria.itemVersion.version": branch}
                if lower is not None:
                    params["searchCriteria.fromDate"] = lower
                return pager.skip_pages(path, params, top=azure.per_page)

            for step in filtered_walk(
                state.get(repo_id),
                first,
                pager.skip_pages,
                _committed,
                since=azure.since_key,
                slack=COMMIT_SLACK,
            ):
                state[repo_id] = step.cursor
                read = partial(_commit, name, branch)
                records = _records(ctx, "commit", step.items, read)
                yield Batch(records, {"repos": dict(state)}, len(step.items))


def _work_item(item_id: Any, updates: list[Any], _path: str) -> Parsed:
    return rest.work_item(item_id, updates)


def _commit(repo: str, branch: str, item: Any, path: str) -> Parsed:
    return rest.commit(item, path, repo, branch)


def _committed(item: Any) -> str:
    committer = item.get("committer") if isinstance(item, dict) else None
    return _time_of("date")(committer)


@dataclass
class Builds:
    azure: Azure
    name: str = "builds"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        azure, pager = self.azure, Pager(self.azure.client)

        def first(lower: str | None) -> Iterator[Page]:
            params = {
                **API_VERSION,
                "statusFilter": "completed",
                "queryOrder": "finishTimeDescending",
                "$top": azure.per_page,
            }
            if lower is not None:
                params["minTime"] = lower
            return pager.token_pages(azure.path("build/builds"), params)

        start = cursor if isinstance(cursor, dict) else None
        for step in filtered_walk(
            start,
            first,
            pager.token_pages,
            _time_of("finishTime"),
            since=azure.since_key,
            slack=RUN_SLACK,
        ):
            yield Batch(
                _records(ctx, "build", step.items, rest.build), step.cursor, len(step.items)
            )


@dataclass
class Deployments:
    azure: Azure
    name: str = "deployments"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        azure, pager = self.azure, Pager(self.azure.releases)

        def first(lower: str | None) -> Iterator[Page]:
            params = {**API_VERSION, "queryOrder": "descending", "$top": azure.per_page}
            if lower is not None:
                params["minModifiedTime"] = lower
            return pager.token_pages(azure.path("release/deployments"), params)

        start = cursor if isinstance(cursor, dict) else None
        for step in filtered_walk(
            start,
            first,
            pager.token_pages,
            _time_of("lastModifiedOn"),
            since=azure.since_key,
            slack=RUN_SLACK,
        ):
            yield Batch(
                _records(ctx, "deployment", step.items, rest.deployment),
                step.cursor,
                len(step.items),
            )


def scope_of(base_url: str, project: str) -> str:
    """The cursor scope: the organisation (host and path, not the port) and the project."""
    parts = urlsplit(base_url)
    return f"{parts.hostname or ''}{parts.path.rstrip('/')} {project}"


def sync_azure_devops(
    engine: Engine,
    client: RestClient,
    releases: RestClient,
    project: str,
    *,
    since: datetime | None = None,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull one project's work items, pull requests, commits, builds and deployments."""
    azure = Azure(client, releases, project, since, per_page)
    resources: list[Any] = [
        WorkItems(azure),
        PullRequests(azure),
        Commits(azure),
        Builds(azure),
        Deployments(azure),
    ]
    report = run_sync(
        engine,
        SOURCE,
        scope_of(client.base_url, project),
        resources,
        on_progress=on_progress,
        on_warning=on_warning,
    )
    report.requests = client.requests + (releases.requests if releases is not client else 0)
    return report
