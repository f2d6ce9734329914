"""``leadline sync gitlab``: one project's history from the GitLab REST API (v4).

Resources, in order, each with its own cursor (``services.sync.engine``; scope ``group/project``):

``commits``         ``/repository/commits?since=`` on the default branch, with parents:
                    since the start of the last complete pass minus ``COMMIT_LOOKBACK`` (a
                    commit keeps its commit date when it is pushed later), all pages.
                    With ``--commit-paths`` each commit (here and of a merge request) not
                    yet stored with paths gets them from ``/repository/commits/:sha/diff``.
``merge_requests``  ``/merge_requests?state=all&order_by=updated_at&sort=desc&updated_after=``;
                    for each changed one its ``/commits``, ``/notes`` and ``/approvals``.
``pipelines``       ``/pipelines?order_by=updated_at&sort=desc&updated_after=``; for each
                    finished one not stored as it is, ``/pipelines/:id`` (the finish time).
``deployments``     ``/deployments?order_by=updated_at&sort=desc&updated_after=``.
``releases``        ``/releases?order_by=created_at&sort=desc``.

**Incremental and resumable.** The listings but commits are read newest first by
``services.sync.walk`` (its docstring has the argument): a pass reads down to the
high-watermark of the last complete pass — inclusive, so an item updated in that very
instant is read again, never lost — and gives it to GitLab as ``updated_after`` so the
listing is short. The cursor (the watermark, and the next page's URL while a pass is
unfinished) is committed with each page's records, so a sync killed at any point resumes
at the page after the last committed one. An item that changes while a pass runs moves to
the top: the pass may meet one twice (the second write counts as unchanged), and the next
pass, which reads down to this pass's top, sees the change. A pipeline or deployment that
finishes later gets a new ``updated_at`` and so comes round again: nothing is "pending".

**Nothing fetched twice for nothing.** A merge request stored by an earlier sync with the
same ``updated_at`` (a note or an approval touches it) and a finished pipeline stored with
the same ``updated_at`` and status cost no further request; re-running a finished sync
reads one short page per listing (and the commits of the look-back) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from leadline.errors import InputError, NotFoundError
from leadline.services.sync.engine import Batch, ProgressCallback, SyncContext, SyncReport, run_sync
from leadline.services.sync.gitlab_items import Convert, Items, time_of
from leadline.services.sync.walk import WalkKey, desc_walk, key_time, time_key
from leadline.sources.base import PayloadError
from leadline.sources.gitlab import rest as gitlab_rest
from leadline.sources.http import Page, RestClient, RestError

SOURCE = "gitlab"
COMMIT_LOOKBACK = timedelta(days=7)
BY_UPDATE = {"order_by": "updated_at", "sort": "desc"}


@dataclass
class GitLab:
    """What every resource needs: the client, the project, the options."""

    client: RestClient
    project: str  # the API path segment: the numeric id (else the URL-encoded path)
    repo: str  # group/project, as webhooks name it
    default_branch: str | None = None
    since: datetime | None = None
    per_page: int = 100
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def path(self, suffix: str) -> str:
        return f"projects/{self.project}/{suffix}"

    def relative(self, url: str | None) -> str | None:
        """A next-page URL as stored in a cursor: relative to the base URL when on it."""
        base = self.client.base_url + "/"
        return url[len(base) :] if url and url.startswith(base) else url

    def pages(self, suffix: str, params: dict[str, Any]) -> Iterator[Page]:
        query = {**params, "per_page": self.per_page}
        for page in self.client.pages_link(self.path(suffix), query):
            yield Page(page.items, self.relative(page.next), page.response)

    def resume(self, url: str) -> Iterator[Page]:
        for page in self.client.pages_link(url):
            yield Page(page.items, self.relative(page.next), page.response)

    def all_items(self, suffix: str, params: dict[str, Any]) -> list[Any]:
        return [item for page in self.pages(suffix, params) for item in page.items]


@dataclass
class Listing:
    """A newest-first listing walked with ``desc_walk`` (module doc)."""

    gl: GitLab
    name: str
    suffix: str
    params: dict[str, Any]
    key_field: str
    convert: Convert
    lower_param: str | None = "updated_after"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        def first(lower: WalkKey | None) -> Iterator[Page]:
            params = dict(self.params)
            if isinstance(lower, str) and self.lower_param is not None:
                params[self.lower_param] = _api_time(lower)
            return self.gl.pages(self.suffix, params)

        since = time_key(self.gl.since) if self.gl.since is not None else None
        start = cursor if isinstance(cursor, dict) else None
        for step in desc_walk(start, first, self.gl.resume, self.key, since=since):
            yield Batch(self.convert(step.items, ctx), step.cursor, len(step.page.items))

    def key(self, item: Any) -> str:
        """The item's time (``created_at`` when empty: a pipeline that has not started yet
        has no ``updated_at``)."""
        found = time_of(item, self.key_field) or time_of(item, "created_at")
        if found is None:
            raise PayloadError(f"{self.name}: {self.key_field}: expected a time in {item!r:.80}")
        return found


@dataclass
class Commits:
    """Commits of the default branch since the last pass's start minus ``COMMIT_LOOKBACK``
    (module doc); all pages of a pass, the cursor committed with each."""

    gl: GitLab
    convert: Convert
    name: str = "commits"

    def pull(self, cursor: Any, ctx: SyncContext) -> Iterator[Batch]:
        gl, state = self.gl, dict(cursor) if isinstance(cursor, dict) else {}
        while True:
            run = state.get("run")
            if isinstance(run, dict) and run.get("next"):
                since, started = run.get("since"), run["started"]
                pages = gl.resume(str(run["next"]))
            else:
                run, started, done = None, time_key(gl.now()), state.get("done")
                since = time_key(key_time(done) - COMMIT_LOOKBACK) if done else None
                since = since or (time_key(gl.since) if gl.since else None)
                pages = gl.pages("repository/commits", {"since": _api_time(since)} if since else {})
            for page in pages:
                if page.next is not None:
                    state["run"] = {"since": since, "started": started, "next": page.next}
                else:
                    state.pop("run", None)
                    state["done"] = started
                yield Batch(self.convert(page.items, ctx), dict(state), len(page.items))
                if page.next is None:
                    break
            if run is None:
                return


def _api_time(key: str) -> str:
    """A cursor key (``time_key``: microseconds) as GitLab's ISO 8601 parameter, cut to the
    millisecond (rounding down keeps the bound inclusive)."""
    return key[:23] + "Z"


def find_project(client: RestClient, project: str) -> GitLab:
    """The project (a numeric id or ``group/project``); a clear error when GitLab does not
    know it or the token cannot see it."""
    ident = project.strip().strip("/")
    if not ident:
        raise InputError("--project: expected a project id or path (group/project)")
    encoded = quote(ident, safe="")
    try:
        info = client.get_json(f"projects/{encoded}")
    except RestError as exc:
        if exc.status == 404:
            raise NotFoundError(
                f"project {ident} not found at {client.base_url} (or GITLAB_TOKEN cannot read it)"
            ) from None
        if exc.status == 401:
            raise RestError(f"{exc.message} (check GITLAB_TOKEN)", exc.status, exc.url) from None
        raise
    try:
        repo = gitlab_rest.project_path(info)
    except PayloadError as exc:
        raise RestError(f"GET projects/{encoded}: not a project ({exc.message})") from None
    branch = info.get("default_branch") if isinstance(info, dict) else None
    number = info.get("id") if isinstance(info, dict) else None
    path = str(number) if isinstance(number, int) and not isinstance(number, bool) else encoded
    return GitLab(client, path, repo, branch if isinstance(branch, str) and branch else None)


def sync_gitlab(
    engine: Engine,
    client: RestClient,
    project: str,
    *,
    since: datetime | None = None,
    commit_paths: bool = False,
    per_page: int = 100,
    on_progress: ProgressCallback | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> SyncReport:
    """Pull the project's history into the database (module doc)."""
    gl = find_project(client, project)
    gl.since, gl.per_page = since, per_page
    items = Items(gl.repo, gl.default_branch, gl.all_items, lambda s: client.get_json(gl.path(s)),
                  commit_paths)  # fmt: skip
    resources: list[Any] = [
        Commits(gl, items.commits),
        Listing(gl, "merge_requests", "merge_requests", {**BY_UPDATE, "state": "all"},
                "updated_at", items.merge_requests),
        Listing(gl, "pipelines", "pipelines", BY_UPDATE, "updated_at", items.pipelines),
        Listing(gl, "deployments", "deployments", BY_UPDATE, "updated_at", items.deployments),
        Listing(gl, "releases", "releases", {"order_by": "created_at", "sort": "desc"},
                "created_at", items.releases, lower_param=None),
    ]  # fmt: skip
    report = run_sync(
        engine, SOURCE, gl.repo, resources, on_progress=on_progress, on_warning=on_warning
    )
    report.requests = client.requests
    return report
